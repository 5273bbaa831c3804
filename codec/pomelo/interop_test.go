package pomelo_test

// Interop over real sockets: an aio server serving pomelo over TCP and
// over WebSocket on one port (codec/hybrid), talked to by a pomelo client
// written with the reference npm packages (testdata/client.js) and by
// gotio's own aio client.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// stateBody is the onState push: every pomelo-protobuf type.
const stateBody = `{"u":4000000000,"i":-7,"s":-2147483648,"f":0.5,"d":-0.1,"name":"ünï","ru":[1,300],"ri":[-1,1,-300],"rd":[0.25,-1e-7],"tags":["a","b"],` +
	`"units":[{"id":"u1","at":{"x":-1,"y":1},"path":[{"x":0,"y":0},{"x":-5,"y":5}]},{"id":"u2","at":{"x":0,"y":0}}],"center":{"x":10,"y":-10}}`

// chat is a chatofpomelo room: enter, send, typing, move, kickme.
type chat struct {
	mu      sync.Mutex
	typing  int
	reasons []error
}

func (h *chat) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	reply := func(body string) {
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(body)})
	}
	switch m.Route {
	case "connector.entryHandler.enter":
		var req struct{ Username, Rid string }
		_ = json.Unmarshal(m.Body, &req)
		_ = c.BindUser(req.Username)
		_ = c.BindGroup(req.Rid)
		var users []string
		for _, member := range c.Server().Conns(aio.Group(req.Rid)) {
			users = append(users, member.User())
		}
		slices.Sort(users)
		body, _ := json.Marshal(map[string][]string{"users": users})
		reply(string(body))
		add, _ := json.Marshal(map[string]string{"user": req.Username})
		c.Server().SendToGroup(req.Rid, &codec.Message{Kind: codec.Push, Route: "onAdd", Body: add})
	case "chat.chatHandler.send":
		var req struct{ Rid, Content, From, Target string }
		_ = json.Unmarshal(m.Body, &req)
		reply(`{"route":"chat.chatHandler.send"}`)
		push, _ := json.Marshal(map[string]string{"msg": req.Content, "from": req.From, "target": req.Target})
		c.Server().SendToGroup(req.Rid, &codec.Message{Kind: codec.Push, Route: "onChat", Body: push})
	case "chat.chatHandler.typing":
		h.mu.Lock()
		h.typing++
		h.mu.Unlock()
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: "onState", Body: []byte(stateBody)})
	case "area.playerHandler.move":
		reply(string(m.Body))
	case "kickme":
		c.Kick("bye from gotio")
	}
}

func (h *chat) OnBeforeClose(_ *aio.ChannelContext, reason error) {
	h.mu.Lock()
	h.reasons = append(h.reasons, reason)
	h.mu.Unlock()
}

type listener struct {
	h *chat
}

func (l listener) OnBeforeClose(c *aio.ChannelContext, reason error) { l.h.OnBeforeClose(c, reason) }

func serverConfig(t testing.TB) *pomelo.Config {
	t.Helper()
	dict, err := pomelo.NewDict(
		[]string{"gate.gateHandler.queryEntry", "connector.entryHandler.enter", "chat.chatHandler.send", "chat.chatHandler.typing"},
		"onChat", "onAdd", "onLeave", "onState")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := protobuf.Load("testdata/serverProtos.json")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := protobuf.Load("testdata/clientProtos.json")
	if err != nil {
		t.Fatal(err)
	}
	return &pomelo.Config{
		Heartbeat:    2 * time.Second,
		Dict:         dict,
		ServerProtos: sp,
		ClientProtos: cp,
		OnHandshake: func(info *pomelo.HandshakeInfo) (int, any) {
			var user struct{ Name string }
			_ = json.Unmarshal(info.User, &user)
			return pomelo.CodeOK, map[string]string{"hello": user.Name}
		},
	}
}

// startServer serves pomelo over TCP and WebSocket on one port.
func startServer(t *testing.T, h *chat) *aio.Server {
	t.Helper()
	cfg := serverConfig(t)
	tcp := pomelo.New(cfg)
	ws := pomelo.NewWS(cfg)
	s := aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			PomeloTCP: tcp,
			HTTP:      websocket.New(&websocket.Config{Routes: []websocket.Route{{Inner: ws, Binary: true}}}),
		}),
		Handler:       h,
		OnBeforeClose: listener{h: h}.OnBeforeClose,
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestNodeClient runs a pomelo client made of pomelo-protocol and
// pomelo-protobuf against the server, over TCP and over WebSocket.
func TestNodeClient(t *testing.T) {
	if b, err := os.ReadFile("testdata/client.js"); err != nil || len(b) == 0 {
		t.Fatal("testdata/client.js: ", err)
	}
	h := &chat{}
	s := startServer(t, h)
	addr := s.Addr().String()
	for _, tc := range []struct{ transport, target string }{
		{"tcp", addr},
		{"ws", "ws://" + addr + "/"},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			out := testenv.Node(t, time.Minute, "testdata/client.js", tc.transport, tc.target)
			if !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
				t.Fatalf("node client over %s:\n%s", tc.transport, out)
			}
			if !strings.Contains(string(out), `user={"hello":"alice"}`) {
				t.Fatalf("handshake user reply missing:\n%s", out)
			}
			t.Logf("\n%s", out)
		})
	}
	// Both sessions ended in a kick; the server says so.
	waitFor(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.reasons) >= 2
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.reasons {
		if !errors.Is(r, aio.ErrKicked) {
			t.Errorf("close reason %v, want a kick", r)
		}
	}
	if h.typing != 2 {
		t.Errorf("typing notifies handled: %d", h.typing)
	}
}

// waitFor polls cond: a hang guard, not a timing assertion.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 10 s")
}

// TestGoClient runs gotio's aio client with a pomelo client stream against
// the server, over TCP and over WebSocket: it learns the dictionary and
// schemas from the handshake, so its requests and the server's pushes are
// compressed and protobuf-encoded.
func TestGoClient(t *testing.T) {
	h := &chat{}
	s := startServer(t, h)
	for _, transport := range []string{"tcp", "ws"} {
		t.Run(transport, func(t *testing.T) {
			var cc codec.Codec
			cfg := &client.Config{}
			if transport == "tcp" {
				cc = pomelo.New(&pomelo.Config{ClientUser: map[string]string{"name": "bob"}})
			} else {
				cc = pomelo.NewWS(&pomelo.Config{ClientUser: map[string]string{"name": "bob"}})
				cfg.WebSocket = &client.WebSocket{URL: "ws://" + s.Addr().String() + "/"}
			}
			cfg.Codec = cc
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			pushes := make(chan *codec.Message, 8)
			cfg.Handler = func(_ *client.Client, m *codec.Message) {
				switch m.Route {
				case "onAdd", "onChat", "onState":
					c := *m
					c.Body = append([]byte(nil), m.Body...)
					pushes <- &c
				}
			}
			cl, err := client.Dial(ctx, s.Addr().String(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			room := "room-" + transport

			resp, err := cl.Request(ctx, "connector.entryHandler.enter", []byte(`{"username":"bob","rid":"`+room+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != `{"users":["bob"]}` || resp.Route != "connector.entryHandler.enter" {
				t.Fatalf("enter: %+v %s", resp, resp.Body)
			}
			if p := next(t, pushes); p.Route != "onAdd" || string(p.Body) != `{"user":"bob"}` {
				t.Fatalf("onAdd: %s %s", p.Route, p.Body)
			}
			resp, err = cl.Request(ctx, "chat.chatHandler.send", []byte(`{"rid":"`+room+`","content":"hi","from":"bob","target":"*"}`))
			if err != nil || string(resp.Body) != `{"route":"chat.chatHandler.send"}` {
				t.Fatalf("send: %v %s", err, resp.Body)
			}
			if p := next(t, pushes); p.Route != "onChat" || string(p.Body) != `{"from":"bob","msg":"hi","target":"*"}` {
				t.Fatalf("onChat: %s %s", p.Route, p.Body)
			}
			if err := cl.Notify("chat.chatHandler.typing", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			if p := next(t, pushes); p.Route != "onState" || string(p.Body) != stateBody {
				t.Fatalf("onState:\n got %s\nwant %s", p.Body, stateBody)
			}
			if p := cl.Protocol(); !strings.Contains(p, "pomelo") {
				t.Fatalf("client protocol %q", p)
			}
			if err := cl.Notify("kickme", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return cl.Err() != nil })
			if r := cl.Err(); !errors.Is(r, codec.ErrPeerClosed) || !strings.Contains(r.Error(), "bye from gotio") {
				t.Fatalf("client close reason %v", r)
			}
		})
	}
}

func next(t *testing.T, ch chan *codec.Message) *codec.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no push in 10 s")
		return nil
	}
}
