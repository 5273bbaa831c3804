// Package pitaya_test runs pitaya's Go client (github.com/topfreegames/
// pitaya/v3/pkg/client, what pitaya-cli uses) against a gotio server
// speaking pomelo over TCP and over WebSocket on one port: handshake,
// requests and responses, notifies, pushes, heartbeats, a kick, routes
// compressed by the dictionary, JSON bodies.
package pitaya_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/topfreegames/pitaya/v3/pkg/client"
	"github.com/topfreegames/pitaya/v3/pkg/conn/message"
	"github.com/topfreegames/pitaya/v3/pkg/session"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// Routes: dictionary routes travel as 2-byte codes, "room.plain" as text.
const (
	routeJoin   = "room.join"
	routeSay    = "room.say"
	routeTyping = "room.typing"
	routeKickMe = "room.kickme"
	routePlain  = "room.plain"
	pushWelcome = "onWelcome"
	pushTyping  = "onTyping"
)

// room is the application: join binds the user and pushes a welcome, say
// echoes, typing is a notify answered by a push, kickme kicks.
type room struct {
	mu      sync.Mutex
	reasons []error
	hellos  []pomelo.HandshakeInfo
}

func (r *room) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	reply := func(body string) {
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(body)})
	}
	switch m.Route {
	case routeJoin:
		var req struct{ Name string }
		_ = json.Unmarshal(m.Body, &req)
		_ = c.BindUser(req.Name)
		reply(`{"code":200,"user":` + quote(req.Name) + `}`)
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: pushWelcome, Body: []byte(`{"text":"welcome ` + req.Name + `"}`)})
	case routeSay, routePlain:
		reply(`{"echo":` + string(m.Body) + `}`)
	case routeTyping:
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: pushTyping, Body: m.Body})
	case routeKickMe:
		c.Kick("bye from gotio")
	}
}

func (r *room) OnBeforeClose(_ *aio.ChannelContext, reason error) {
	r.mu.Lock()
	r.reasons = append(r.reasons, reason)
	r.mu.Unlock()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// wire watches the packages a server stream consumed: their types and,
// for data, the message flag (bit 0: the route came as a code).
type wire struct {
	mu    sync.Mutex
	types map[byte]int
	flags map[string]byte // route of a data package → its flag
}

type watched struct {
	codec.Codec
	w *wire
}

func (c watched) NewStream(info codec.ConnInfo) codec.Stream {
	return &watchedStream{Stream: c.Codec.NewStream(info), w: c.w}
}

type watchedStream struct {
	codec.Stream
	w *wire
}

// Decode records every whole package the inner stream consumed.
func (s *watchedStream) Decode(in []byte, out codec.Output) (int, int, error) {
	n, need, err := s.Stream.Decode(in, out)
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	for b := in[:n]; len(b) >= 4; {
		size := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if size > len(b) {
			break
		}
		s.w.types[b[0]]++
		if b[0] == pomelo.TypeData && size > 4 {
			s.w.flags[routeOf(b[4:size])] = b[4]
		}
		b = b[size:]
	}
	return n, need, err
}

// Goodbye lets aio send the inner stream's kick.
func (s *watchedStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	return s.Stream.(codec.Goodbyer).Goodbye(dst, f)
}

// dict is the server's route dictionary, also used to read codes back.
var dict = func() *pomelo.Dict {
	d, err := pomelo.NewDict([]string{routeJoin, routeSay, routeTyping, routeKickMe}, pushWelcome, pushTyping)
	if err != nil {
		panic(err)
	}
	return d
}()

// routeOf reads the route of a request or notify message.
func routeOf(msg []byte) string {
	flag, rest := msg[0], msg[1:]
	if (flag>>1)&7 == 0 { // request: skip the id
		for len(rest) > 0 && rest[0] >= 0x80 {
			rest = rest[1:]
		}
		if len(rest) > 0 {
			rest = rest[1:]
		}
	}
	if flag&1 == 1 && len(rest) >= 2 {
		r, _ := dict.Route(uint16(rest[0])<<8 | uint16(rest[1]))
		return r
	}
	if len(rest) > 0 && int(rest[0]) < len(rest) {
		return string(rest[1 : 1+int(rest[0])])
	}
	return "?"
}

func serve(t *testing.T, heartbeat time.Duration) (*aio.Server, *room, *wire) {
	t.Helper()
	r := &room{}
	w := &wire{types: map[byte]int{}, flags: map[string]byte{}}
	cfg := &pomelo.Config{
		Heartbeat: heartbeat,
		Dict:      dict,
		OnHandshake: func(info *pomelo.HandshakeInfo) (int, any) {
			r.mu.Lock()
			r.hellos = append(r.hellos, *info)
			r.mu.Unlock()
			return pomelo.CodeOK, map[string]string{"hello": "pitaya"}
		},
	}
	tcp := pomelo.New(cfg)
	ws := pomelo.NewWS(cfg)
	s := aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			PomeloTCP: watched{tcp, w},
			HTTP:      websocket.New(&websocket.Config{Routes: []websocket.Route{{Inner: watched{ws, w}, Binary: true}}}),
		}),
		Handler:       r,
		OnBeforeClose: r.OnBeforeClose,
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, r, w
}

// inbox splits what the client's message channel delivers into
// responses by id and pushes.
type inbox struct {
	t      *testing.T
	ch     chan *message.Message
	stash  []*message.Message
	closed bool
}

func (in *inbox) next(match func(*message.Message) bool, what string) *message.Message {
	in.t.Helper()
	for i, m := range in.stash {
		if match(m) {
			in.stash = slices.Delete(in.stash, i, i+1)
			return m
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-in.ch:
			if match(m) {
				return m
			}
			in.stash = append(in.stash, m)
		case <-deadline:
			in.t.Fatalf("no %s in 10 s (stashed %d)", what, len(in.stash))
		}
	}
}

func (in *inbox) response(id uint) *message.Message {
	in.t.Helper()
	return in.next(func(m *message.Message) bool { return m.Type == message.Response && m.ID == id }, "response")
}

func (in *inbox) push(route string) *message.Message {
	in.t.Helper()
	return in.next(func(m *message.Message) bool { return m.Type == message.Push && m.Route == route }, "push "+route)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not in 10 s", what)
}

// TestPitayaClient runs the whole session over TCP and over WebSocket.
func TestPitayaClient(t *testing.T) {
	for _, transport := range []string{"tcp", "ws"} {
		t.Run(transport, func(t *testing.T) { testPitayaClient(t, transport) })
	}
}

func testPitayaClient(t *testing.T, transport string) {
	// pitaya's client reads sys.heartbeat into an int and ticks at it:
	// whole seconds only (TestPitayaFractionalHeartbeat).
	s, r, w := serve(t, time.Second)
	addr := s.Addr().String()
	name := "pit-" + transport

	cl := client.New(logrus.FatalLevel, 5*time.Second)
	cl.SetClientHandshakeData(&session.HandshakeData{
		Sys:  session.HandshakeClientData{Platform: "linux", LibVersion: "pitaya-go", BuildNumber: "1", Version: "3.0.0"},
		User: map[string]any{"name": name},
	})
	var err error
	if transport == "tcp" {
		err = cl.ConnectTo(addr)
	} else {
		err = cl.ConnectToWS(addr, "/")
	}
	if err != nil {
		t.Fatalf("pitaya client connect over %s: %v", transport, err)
	}
	defer cl.Disconnect()
	in := &inbox{t: t, ch: cl.MsgChannel()}

	// Handshake: the server saw pitaya's sys and user objects.
	r.mu.Lock()
	hello := r.hellos[len(r.hellos)-1]
	r.mu.Unlock()
	if !strings.Contains(string(hello.Sys), `"platform":"linux"`) || !strings.Contains(string(hello.Sys), `"clientVersion":"3.0.0"`) ||
		string(hello.User) != `{"name":"`+name+`"}` || hello.Type != "" {
		t.Fatalf("handshake as the server saw it: sys %s user %s type %q", hello.Sys, hello.User, hello.Type)
	}

	// Request and response, then a push, by dictionary code.
	id, err := cl.SendRequest(routeJoin, []byte(`{"name":"`+name+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := in.response(id); string(m.Data) != `{"code":200,"user":"`+name+`"}` || m.Err {
		t.Fatalf("join response: %+v %s", m, m.Data)
	}
	if m := in.push(pushWelcome); string(m.Data) != `{"text":"welcome `+name+`"}` {
		t.Fatalf("welcome push: %s", m.Data)
	}
	// Requests interleaved: each response finds its id.
	id1, err1 := cl.SendRequest(routeSay, []byte(`{"n":1}`))
	id2, err2 := cl.SendRequest(routePlain, []byte(`{"n":2,"s":"ünï <&>"}`))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if m := in.response(id2); string(m.Data) != `{"echo":{"n":2,"s":"ünï <&>"}}` {
		t.Fatalf("plain route response: %s", m.Data)
	}
	if m := in.response(id1); string(m.Data) != `{"echo":{"n":1}}` {
		t.Fatalf("say response: %s", m.Data)
	}
	// Notify, answered by a push.
	if err := cl.SendNotify(routeTyping, []byte(`{"typing":true}`)); err != nil {
		t.Fatal(err)
	}
	if m := in.push(pushTyping); string(m.Data) != `{"typing":true}` {
		t.Fatalf("typing push: %s", m.Data)
	}
	// The client learned the dictionary from the handshake: its routes
	// came as codes, the one outside it as text.
	w.mu.Lock()
	for route, compressed := range map[string]bool{routeJoin: true, routeSay: true, routeTyping: true, routePlain: false} {
		flag, ok := w.flags[route]
		if !ok || (flag&1 == 1) != compressed {
			t.Errorf("%s: flag %#x (seen %v), want route compressed %v", route, flag, ok, compressed)
		}
	}
	w.mu.Unlock()

	// Heartbeats: pitaya's client ticks at the announced second, the
	// server's silence timeout is two; an idle 2.5 s survives on them.
	// (Half a second off the ticks on purpose: pitaya's WebSocket
	// connection does not serialize its writes, and a request written as
	// a heartbeat is makes gorilla/websocket panic with "concurrent write
	// to websocket connection".)
	w.mu.Lock()
	beats := w.types[pomelo.TypeHeartbeat]
	w.mu.Unlock()
	time.Sleep(2500 * time.Millisecond)
	w.mu.Lock()
	beats = w.types[pomelo.TypeHeartbeat] - beats
	w.mu.Unlock()
	if beats < 2 {
		t.Errorf("%d heartbeats in 2.5 s idle, want at least 2", beats)
	}
	conns := s.Conns(aio.User(name))
	if len(conns) != 1 || conns[0].Err() != nil {
		t.Fatalf("connection gone after 2.5 idle seconds: %v", conns)
	}
	id3, err := cl.SendRequest(routeSay, []byte(`{"after":"idle"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := in.response(id3); string(m.Data) != `{"echo":{"after":"idle"}}` {
		t.Fatalf("response after idle: %s", m.Data)
	}

	// Kick: pitaya's client disconnects on the kick package; the server
	// records the kick.
	if err := cl.SendNotify(routeKickMe, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "server closes the kicked connection", func() bool { return conns[0].Err() != nil })
	waitFor(t, "pitaya client disconnects on the kick", func() bool { return !cl.ConnectedStatus() })
	if reason := conns[0].Err(); !errors.Is(reason, aio.ErrKicked) || !strings.Contains(reason.Error(), "bye from gotio") {
		t.Fatalf("server close reason %v", reason)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := w.types[pomelo.TypeHandshake] + w.types[pomelo.TypeHandshakeAck]; n != 2 {
		t.Errorf("%d handshake and ack packages, want 2", n)
	}
}

// TestPitayaFractionalHeartbeat pins down why a server for pitaya's
// client announces whole seconds: pitaya reads sys.heartbeat into an int,
// so 1.5 fails its handshake.
func TestPitayaFractionalHeartbeat(t *testing.T) {
	s, _, _ := serve(t, 1500*time.Millisecond)
	cl := client.New(logrus.FatalLevel)
	err := cl.ConnectTo(s.Addr().String())
	if err == nil {
		cl.Disconnect()
		t.Fatal("pitaya's client accepted a heartbeat of 1.5 s")
	}
	if !strings.Contains(err.Error(), "1.5") {
		t.Fatalf("pitaya's client failed for another reason: %v", err)
	}
}
