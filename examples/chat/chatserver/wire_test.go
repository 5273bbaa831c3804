package chatserver_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

// wsPeer is a gorilla WebSocket client: an independent peer that shows the
// bytes as they travel.
type wsPeer struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialWS(t *testing.T, url string) *wsPeer {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &wsPeer{t: t, ws: ws}
}

func (p *wsPeer) write(kind int, b []byte) {
	p.t.Helper()
	if err := p.ws.WriteMessage(kind, b); err != nil {
		p.t.Fatal(err)
	}
}

// read returns the next message that is not a lone pomelo heartbeat.
func (p *wsPeer) read() (int, []byte) {
	p.t.Helper()
	for {
		_ = p.ws.SetReadDeadline(time.Now().Add(wait))
		kind, b, err := p.ws.ReadMessage()
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		if kind == websocket.BinaryMessage && len(b) == 4 && b[0] == 3 {
			continue
		}
		return kind, b
	}
}

func (p *wsPeer) readText() string {
	p.t.Helper()
	kind, b := p.read()
	if kind != websocket.TextMessage {
		p.t.Fatalf("got a binary message % x, want text", b)
	}
	return string(b)
}

// TestJSONEnvelopeWire follows the plain WebSocket JSON envelope byte for
// byte, gate and connector, as docs/chat.md documents it.
func TestJSONEnvelopeWire(t *testing.T) {
	app := startApp(t, "local", nil)
	gate := dialWS(t, "ws://"+app.GateAddr()+chatserver.JSONPath)
	gate.write(websocket.TextMessage, []byte(`{"id":1,"route":"gate.gateHandler.queryEntry","body":{"uid":"alice"}}`))
	addr := app.ConnectorAddrs()[chatserver.Dispatch("alice", 3)]
	host, port, _ := net.SplitHostPort(addr)
	if got, want := gate.readText(), fmt.Sprintf(`{"id":1,"body":{"code":200,"host":%q,"port":%s}}`, host, port); got != want {
		t.Fatalf("queryEntry answered %s, want %s", got, want)
	}
	gate.write(websocket.TextMessage, []byte(`{"id":2,"route":"gate.gateHandler.queryEntry","body":{}}`))
	if got, want := gate.readText(), `{"id":2,"body":{"code":500}}`; got != want {
		t.Fatalf("queryEntry without uid answered %s, want %s", got, want)
	}

	alice := dialWS(t, "ws://"+addr+chatserver.JSONPath)
	alice.write(websocket.TextMessage, []byte(`{"id":1,"route":"connector.entryHandler.enter","body":{"username":"alice","rid":"r1"}}`))
	if got, want := alice.readText(), `{"id":1,"body":{"users":["alice"]}}`; got != want {
		t.Fatalf("enter answered %s, want %s", got, want)
	}
	alice.write(websocket.TextMessage, []byte(`{}`)) // a keep-alive: ignored
	eve := mustJoin(t, app.GateAddr(), chatclient.TCP, "eve", "r1")
	if got, want := alice.readText(), `{"route":"onAdd","body":{"user":"eve"}}`; got != want {
		t.Fatalf("push %s, want %s", got, want)
	}
	eve.send(t, "*", "hi")
	if got, want := alice.readText(), `{"route":"onChat","body":{"msg":"hi","from":"eve","target":"*"}}`; got != want {
		t.Fatalf("push %s, want %s", got, want)
	}
	alice.write(websocket.TextMessage, []byte(`{"id":2,"route":"chat.chatHandler.send","body":{"rid":"r1","content":"yo","from":"alice","target":"eve"}}`))
	if got, want := alice.readText(), `{"id":2,"body":{"route":"chat.chatHandler.send"}}`; got != want {
		t.Fatalf("send answered %s, want %s", got, want)
	}
	eve.in.waitFor(t, "alice's private message", isChat("alice", "eve", "yo"))
	alice.write(websocket.TextMessage, []byte(`{"id":3,"route":"connector.entryHandler.enter","body":{"username":"alice","rid":"r1"}}`))
	if got, want := alice.readText(), `{"id":3,"body":{"code":500,"error":true}}`; got != want {
		t.Fatalf("second enter answered %s, want %s", got, want)
	}
	alice.write(websocket.TextMessage, []byte(`{"id":4,"route":"chat.nope","body":{}}`))
	if got, want := alice.readText(), `{"id":4,"body":{"code":500,"error":"fail to find handler for chat.nope"}}`; got != want {
		t.Fatalf("unknown route answered %s, want %s", got, want)
	}
}

// pomeloPeer speaks pomelo over a gorilla WebSocket, its message layer
// written out here from the protocol, not taken from codec/pomelo.
type pomeloPeer struct {
	*wsPeer
	dict   map[string]int
	server *protobuf.Schema
	client *protobuf.Schema
}

func pomeloPackage(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// dialPomelo handshakes as pomelo's JS client does and checks the reply.
func dialPomelo(t *testing.T, url string, wantDict bool) *pomeloPeer {
	t.Helper()
	p := &pomeloPeer{wsPeer: dialWS(t, url)}
	p.write(websocket.BinaryMessage, pomeloPackage(1, []byte(`{"sys":{"type":"js-websocket","version":"0.0.1"},"user":{}}`)))
	_, b := p.read()
	if b[0] != 1 {
		t.Fatalf("handshake reply % x", b)
	}
	var reply struct {
		Code int `json:"code"`
		Sys  struct {
			Heartbeat float64          `json:"heartbeat"`
			Dict      map[string]int   `json:"dict"`
			Protos    *json.RawMessage `json:"protos"`
		} `json:"sys"`
	}
	if err := json.Unmarshal(b[4:], &reply); err != nil {
		t.Fatalf("handshake reply %q: %v", b[4:], err)
	}
	if reply.Code != 200 || reply.Sys.Heartbeat != 3 || reply.Sys.Protos == nil || (reply.Sys.Dict != nil) != wantDict {
		t.Fatalf("handshake reply %s", b[4:])
	}
	var protos struct{ Server, Client json.RawMessage }
	if err := json.Unmarshal(*reply.Sys.Protos, &protos); err != nil {
		t.Fatal(err)
	}
	p.server, p.client = new(protobuf.Schema), new(protobuf.Schema)
	if err := p.server.UnmarshalJSON(protos.Server); err != nil {
		t.Fatal(err)
	}
	if err := p.client.UnmarshalJSON(protos.Client); err != nil {
		t.Fatal(err)
	}
	p.dict = reply.Sys.Dict
	p.write(websocket.BinaryMessage, pomeloPackage(2, nil))
	return p
}

// request sends a request with a protobuf body, the route compressed when
// the dictionary has it, and returns the response's JSON body.
func (p *pomeloPeer) request(id uint64, route, body string) string {
	p.t.Helper()
	msg := []byte{0}
	msg = binary.AppendUvarint(msg, id)
	if code, ok := p.dict[route]; ok {
		msg[0] |= 1
		msg = append(msg, byte(code>>8), byte(code))
	} else {
		msg = append(append(msg, byte(len(route))), route...)
	}
	enc, err := p.client.Encode(nil, route, []byte(body))
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(websocket.BinaryMessage, pomeloPackage(4, append(msg, enc...)))
	_, b := p.read()
	// data package, response (type 2), the same id, a JSON body
	want := append([]byte{4}, 0, 0, 0, 2<<1)
	want = binary.AppendUvarint(want, id)
	if len(b) < len(want) || b[0] != 4 || b[4] != 2<<1 || string(b[5:len(want)]) != string(want[5:]) {
		p.t.Fatalf("response to %s: % x", route, b)
	}
	return string(b[len(want):])
}

// TestPomeloWSWire checks what a pomelo JS client meets: the gate without
// a dictionary, the connector with one, protobuf request bodies, JSON
// responses, and onChat pushed with its route as a dictionary code and
// its body in pomelo-protobuf.
func TestPomeloWSWire(t *testing.T) {
	app := startApp(t, "local", nil)
	gate := dialPomelo(t, "ws://"+app.GateAddr()+"/", false)
	addr := app.ConnectorAddrs()[chatserver.Dispatch("dave", 3)]
	host, port, _ := net.SplitHostPort(addr)
	if got, want := gate.request(1, chatserver.RouteQueryEntry, `{"uid":"dave"}`), fmt.Sprintf(`{"code":200,"host":%q,"port":%s}`, host, port); got != want {
		t.Fatalf("queryEntry: %s, want %s", got, want)
	}
	dave := dialPomelo(t, "ws://"+addr+"/", true)
	if got, want := dave.request(1, chatserver.RouteEnter, `{"username":"dave","rid":"r1"}`), `{"users":["dave"]}`; got != want {
		t.Fatalf("enter: %s, want %s", got, want)
	}
	code, ok := dave.dict[chatserver.RouteOnChat]
	if !ok || code != 4 {
		t.Fatalf("onChat has code %d in %v: want 4, after the three handler routes", code, dave.dict)
	}
	grace := mustJoin(t, app.GateAddr(), chatclient.WS, "grace", "r1")
	if grace.Addr() == addr {
		t.Fatal("grace and dave share a connector")
	}
	grace.send(t, "*", "hi dave")
	_, b := dave.read()
	for b[4] != 3<<1|1 || int(b[5])<<8|int(b[6]) != code { // skip onAdd
		_, b = dave.read()
	}
	want, err := dave.server.Encode(nil, chatserver.RouteOnChat, []byte(`{"msg":"hi dave","from":"grace","target":"*"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := b[7:]; string(got) != string(want) || strings.Contains(string(got), "{") {
		t.Fatalf("onChat body % x, want pomelo-protobuf % x", got, want)
	}
	if got, want := dave.request(2, chatserver.RouteSend, `{"rid":"r1","content":"hi grace","from":"dave","target":"grace"}`), `{"route":"chat.chatHandler.send"}`; got != want {
		t.Fatalf("send: %s, want %s", got, want)
	}
	grace.in.waitFor(t, "dave's private message", isChat("dave", "grace", "hi grace"))
}

// TestHeartbeatTimeout: a client that stops sending is closed after twice
// the heartbeat interval, and its room hears onLeave; one that
// heartbeats stays.
func TestHeartbeatTimeout(t *testing.T) {
	app := startApp(t, "local", func(c *chatserver.Config) {
		c.Heartbeat = 200 * time.Millisecond
		// aio checks a connection first at its handshake deadline or the
		// server-wide timeout, whichever is sooner, even when its codec
		// announced a shorter one: keep the server-wide one short too.
		c.IdleTimeout = time.Second
	})
	alice := mustJoin(t, app.GateAddr(), chatclient.PomeloTCP, "alice", "r1")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	// A gotio TCP client that never sends a heartbeat.
	silent, err := client.Dial(ctx, app.ConnectorAddrs()[0], &client.Config{Codec: tcp.New(nil), HeartbeatInterval: -1, HeartbeatTimeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	resp, err := silent.Request(ctx, chatserver.RouteEnter, []byte(`{"username":"mute","rid":"r1"}`))
	if err != nil || string(resp.Body) != `{"users":["alice","mute"]}` {
		t.Fatalf("enter: %s, %v", resp.Body, err)
	}
	alice.in.waitFor(t, "onAdd mute", isPush(chatserver.RouteOnAdd, "mute"))
	alice.in.waitFor(t, "onLeave mute", isPush(chatserver.RouteOnLeave, "mute"))
	// The leave starts in the close hook, which runs before the close is
	// counted: the room may hear onLeave a moment before the counter moves.
	for deadline := time.Now().Add(wait); ; time.Sleep(5 * time.Millisecond) {
		reasons := closeReasons(t, app)
		if reasons["heartbeat_timeout"] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("close reasons %v: no heartbeat_timeout", reasons)
		}
	}
	// alice heartbeats: still in, and still heard.
	bob := mustJoin(t, app.GateAddr(), chatclient.TCP, "bob", "r1")
	if got := bob.Users(); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Fatalf("bob sees %v", got)
	}
	alice.send(t, "*", "still here")
	bob.in.waitFor(t, "alice", isChat("alice", "*", "still here"))
}

// closeReasons sums gotio_connections_closed_total by reason over every
// server of the app.
func closeReasons(t *testing.T, app *chatserver.App) map[string]float64 {
	t.Helper()
	families, err := app.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "gotio_connections_closed_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" {
					out[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// protocolCounts sums a per-protocol metric over every server.
func protocolCounts(t *testing.T, app *chatserver.App, name string) map[string]float64 {
	t.Helper()
	families, err := app.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "protocol" {
					v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
					out[l.GetValue()] += v
				}
			}
		}
	}
	return out
}
