// Package chatclient joins the chat example from Go in any of its four
// protocols, the way chatofpomelo's clients do: ask the gate which
// connector serves the name (gate.gateHandler.queryEntry, in the same
// protocol), hang up, enter the room on that connector
// (connector.entryHandler.enter), then chat (chat.chatHandler.send) and
// receive onAdd, onLeave and onChat. It is built on client.Client.
package chatclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

// Proto is a protocol the chat's ports speak.
type Proto string

const (
	// TCP is gotio TCP (codec/tcp).
	TCP Proto = "tcp"
	// PomeloTCP is pomelo over TCP, protobuf bodies and all.
	PomeloTCP Proto = "pomelo-tcp"
	// WS is the plain WebSocket JSON envelope on chatserver.JSONPath.
	WS Proto = "ws"
	// PomeloWS is pomelo over WebSocket on "/", as pomelo's JS client.
	PomeloWS Proto = "pomelo-ws"
)

// Protos lists the four protocols.
var Protos = []Proto{TCP, PomeloTCP, WS, PomeloWS}

// ErrNameTaken reports enter's {code:500, error:true}: the name is in the
// room already.
var ErrNameTaken = errors.New("chat: the name is taken in this room")

// Config says how to join.
type Config struct {
	// Gate is the gate's address ("127.0.0.1:3014").
	Gate string
	// Proto is the protocol spoken to gate and connector. Zero is TCP.
	Proto Proto
	// Name and Room are the user's name and the room (chatofpomelo's
	// username and rid).
	Name, Room string
	// OnPush receives every push (onAdd, onLeave, onChat) with its JSON
	// body, on the connection's read goroutine; body is valid only
	// during the call.
	OnPush func(route string, body []byte)
	// OnClose runs once when the connection to the connector ends.
	OnClose func(reason error)
	// Logger receives the client's logs. The zero value logs nothing.
	Logger zerolog.Logger
}

// Client is one user in one room.
type Client struct {
	c     *client.Client
	cfg   Config
	addr  string
	users []string
	done  chan struct{}
	once  sync.Once
}

// Dial connects to addr (a gate or a connector) in proto. onPush, when
// set, receives pushes; onClose learns when the connection ends.
func Dial(ctx context.Context, addr string, proto Proto, onPush func(string, []byte), onClose func(error), log zerolog.Logger) (*client.Client, error) {
	cfg := &client.Config{Logger: log}
	switch proto {
	case TCP, "":
		cfg.Codec = tcp.New(nil)
	case PomeloTCP:
		c := pomelo.New(nil)
		cfg.Codec = c
	case PomeloWS:
		c := pomelo.NewWS(nil)
		cfg.Codec = c
		cfg.WebSocket = &client.WebSocket{URL: "ws://" + addr + "/"}
	case WS:
		// The envelope has no heartbeat: send {} when idle (the server
		// ignores it), and do not expect the server to speak.
		cfg.Codec = keepAliveJSON{}
		cfg.WebSocket = &client.WebSocket{URL: "ws://" + addr + chatserver.JSONPath, Text: true}
		cfg.HeartbeatInterval = 20 * time.Second
		cfg.HeartbeatTimeout = -1
	default:
		return nil, fmt.Errorf("chat: unknown protocol %q (tcp, pomelo-tcp, ws, pomelo-ws)", proto)
	}
	if onPush != nil {
		cfg.Handler = func(_ *client.Client, m *codec.Message) {
			// The JSON envelope has no push kind of its own: a message
			// with a route and no id decodes as a Notify.
			if (m.Kind == codec.Push || m.Kind == codec.Notify) && m.Route != "" {
				onPush(m.Route, m.Body)
			}
		}
	}
	if onClose != nil {
		cfg.OnBeforeClose = func(_ *client.Client, reason error) { onClose(reason) }
	}
	return client.Dial(ctx, addr, cfg)
}

// request sends route with body v and decodes the answer into out.
func request(ctx context.Context, c *client.Client, route string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	resp, err := c.Request(ctx, route, body)
	if err != nil {
		return fmt.Errorf("chat: %s: %w", route, err)
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("chat: %s: answer %q: %w", route, resp.Body, err)
	}
	return nil
}

// QueryEntry asks the gate which connector serves uid and returns its
// address, speaking proto to the gate.
func QueryEntry(ctx context.Context, gate string, proto Proto, uid string, log zerolog.Logger) (string, error) {
	c, err := Dial(ctx, gate, proto, nil, nil, log)
	if err != nil {
		return "", fmt.Errorf("chat: gate %s: %w", gate, err)
	}
	defer c.Close()
	var r struct {
		Code int    `json:"code"`
		Host string `json:"host"`
		Port int    `json:"port"`
	}
	if err := request(ctx, c, chatserver.RouteQueryEntry, map[string]string{"uid": uid}, &r); err != nil {
		return "", err
	}
	if r.Code != 200 {
		return "", fmt.Errorf("chat: gate answered code %d", r.Code)
	}
	return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)), nil
}

// Join runs chatofpomelo's flow: queryEntry at the gate, then enter on the
// connector it names. It fails with ErrNameTaken when the name is in the
// room already.
func Join(ctx context.Context, cfg Config) (*Client, error) {
	addr, err := QueryEntry(ctx, cfg.Gate, cfg.Proto, cfg.Name, cfg.Logger)
	if err != nil {
		return nil, err
	}
	cl := &Client{cfg: cfg, addr: addr, done: make(chan struct{})}
	c, err := Dial(ctx, addr, cfg.Proto, cfg.OnPush, cl.closed, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("chat: connector %s: %w", addr, err)
	}
	cl.c = c
	var r struct {
		Users []string `json:"users"`
		Code  int      `json:"code"`
		Error any      `json:"error"`
	}
	if err := request(ctx, c, chatserver.RouteEnter, map[string]string{"username": cfg.Name, "rid": cfg.Room}, &r); err != nil {
		c.Close()
		return nil, err
	}
	if r.Code != 0 {
		c.Close()
		if r.Error == true {
			return nil, ErrNameTaken
		}
		return nil, fmt.Errorf("chat: enter answered code %d: %v", r.Code, r.Error)
	}
	cl.users = r.Users
	return cl, nil
}

func (cl *Client) closed(reason error) {
	cl.once.Do(func() { close(cl.done) })
	if cl.cfg.OnClose != nil {
		cl.cfg.OnClose(reason)
	}
}

// Users returns the room's users as enter's reply listed them.
func (cl *Client) Users() []string { return cl.users }

// Addr returns the connector's address.
func (cl *Client) Addr() string { return cl.addr }

// Conn returns the underlying aio client.
func (cl *Client) Conn() *client.Client { return cl.c }

// Done is closed when the connection to the connector ends.
func (cl *Client) Done() <-chan struct{} { return cl.done }

// Send says content to target: "*" for the room, or a user's name.
func (cl *Client) Send(ctx context.Context, target, content string) error {
	var r struct {
		Route string `json:"route"`
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	body := map[string]string{"rid": cl.cfg.Room, "content": content, "from": cl.cfg.Name, "target": target}
	if err := request(ctx, cl.c, chatserver.RouteSend, body, &r); err != nil {
		return err
	}
	if r.Code != 0 {
		return fmt.Errorf("chat: send answered code %d: %s", r.Code, r.Error)
	}
	return nil
}

// Close leaves: the connection closes and the room hears onLeave.
func (cl *Client) Close() error { return cl.c.Close() }

// keepAliveJSON is websocket.JSON whose client stream sends {} when idle:
// aio's client sends a codec's heartbeat, and the envelope has none.
type keepAliveJSON struct{}

func (keepAliveJSON) NewStream(info codec.ConnInfo) codec.Stream {
	return keepAliveStream{websocket.JSON.NewStream(info)}
}

type keepAliveStream struct{ codec.Stream }

func (keepAliveStream) Heartbeat(dst []byte) []byte { return append(dst, "{}"...) }
