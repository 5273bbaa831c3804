package handler_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/handler"
)

type enterReq struct {
	Username string `json:"username"`
	Rid      string `json:"rid"`
}

type enterResp struct {
	UID   string `json:"uid"`
	Conns int    `json:"conns"`
}

type chatReq struct {
	Content string `json:"content"`
}

type chatPush struct {
	From string `json:"from"`
	Msg  string `json:"msg"`
}

// closed is one run of a session close hook.
type closed struct {
	id     uint64
	uid    string
	reason error
}

// hookRecorder records session close hooks and, as the application's own
// hooks chained behind the router's, the aio events it is given.
type hookRecorder struct {
	mu        sync.Mutex
	hooks     []closed
	connected int
	before    int
}

func (h *hookRecorder) hook(s *handler.Session, reason error) {
	h.mu.Lock()
	h.hooks = append(h.hooks, closed{s.ID(), s.UID(), reason})
	h.mu.Unlock()
}

func (h *hookRecorder) OnConnected(*aio.ChannelContext) {
	h.mu.Lock()
	h.connected++
	h.mu.Unlock()
}

func (h *hookRecorder) OnBeforeClose(*aio.ChannelContext, error) {
	h.mu.Lock()
	h.before++
	h.mu.Unlock()
}

// chain returns the server's close hook: the router's session hooks, then
// the application's own.
func (h *hookRecorder) chain(r *handler.Router) func(*aio.ChannelContext, error) {
	return func(c *aio.ChannelContext, reason error) {
		r.OnBeforeClose(c, reason)
		h.OnBeforeClose(c, reason)
	}
}

func (h *hookRecorder) snapshot() (hooks []closed, connected, before int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]closed(nil), h.hooks...), h.connected, h.before
}

// chatServer is chatofpomelo's connector and chat handlers over gotio TCP.
func chatServer(t *testing.T, tr aio.Transport, rec *hookRecorder, notes chan<- string) *aio.Server {
	r := handler.New()
	handler.Handle(r, "connector.entryHandler.enter", func(c *handler.Context, req *enterReq) (*enterResp, error) {
		uid := req.Username + "*" + req.Rid
		s := c.Session()
		if err := s.Bind(uid); err != nil {
			return nil, err
		}
		s.Set("rid", req.Rid)
		if err := s.Conn().BindGroup(req.Rid); err != nil {
			return nil, err
		}
		return &enterResp{UID: uid, Conns: c.Server().Count(aio.User(uid))}, nil
	})
	handler.Handle(r, "chat.chatHandler.send", func(c *handler.Context, req *chatReq) (*struct{}, error) {
		s := c.Session()
		rid, _ := s.Get("rid").(string)
		if rid == "" {
			return nil, handler.Error{Code: 401, Message: "enter a room first"}
		}
		from, _, _ := strings.Cut(s.UID(), "*")
		m, err := handler.NewPush("onChat", chatPush{From: from, Msg: req.Content})
		if err != nil {
			return nil, err
		}
		c.Server().SendToGroup(rid, m)
		return nil, nil
	})
	handler.Handle(r, "push.me", func(c *handler.Context, req *chatReq) (*chatReq, error) {
		if err := c.Push("onPush", req); err != nil {
			return nil, err
		}
		return &chatReq{Content: "pushed"}, nil
	})
	handler.Handle(r, "echo.echo", func(_ *handler.Context, req *echoReq) (*echoResp, error) {
		return &echoResp{Msg: req.Msg, N: req.N}, nil
	})
	handler.HandleNotify(r, "chat.chatHandler.typing", func(c *handler.Context, req *chatReq) error {
		notes <- req.Content
		return nil
	})
	r.OnSessionClose(rec.hook)
	return startServer(t, aio.Config{Codec: tcp.New(nil), Transport: tr, Handler: r, OnConnected: rec.OnConnected, OnBeforeClose: rec.chain(r)})
}

// enter logs c in as user in room r1 and checks the answer.
func enter(t *testing.T, c *tcpClient, id uint64, user string, conns int) {
	t.Helper()
	c.request(id, "connector.entryHandler.enter", fmt.Sprintf(`{"username":%q,"rid":"r1"}`, user))
	expect(t, c, codec.Response, id, "", fmt.Sprintf(`{"uid":"%s*r1","conns":%d}`, user, conns))
}

// expect receives the next message and checks it.
func expect(t *testing.T, c *tcpClient, kind codec.Kind, id uint64, route, body string) {
	t.Helper()
	m := c.mustRecv()
	if m.Kind != kind || m.ID != id || m.Route != route || string(m.Body) != body {
		t.Fatalf("got %v, want %v", msgs([]codec.Message{m}), msgs([]codec.Message{{Kind: kind, ID: id, Route: route, Body: []byte(body)}}))
	}
}

// expectKicked receives the close frame of a kick and then the end of the
// stream.
func expectKicked(t *testing.T, c *tcpClient, reason string) {
	t.Helper()
	_, err := c.recv()
	var ce *tcp.CloseError
	if !errors.As(err, &ce) || ce.Code != tcp.CloseKicked || !strings.Contains(ce.Reason, reason) {
		t.Fatalf("got %v, want a kick saying %q", err, reason)
	}
	if m, err := c.recv(); err == nil {
		t.Fatalf("message %v after the kick", msgs([]codec.Message{m}))
	}
}

func TestOverTCP(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			rec := &hookRecorder{}
			notes := make(chan string, 4)
			srv := chatServer(t, tr, rec, notes)

			// Requests pipelined behind a notify: every id is answered,
			// in order, and the notify is answered by nothing.
			a := dialTCP(t, srv)
			enter(t, a, 1, "alice", 1)
			a.notify("chat.chatHandler.typing", `{"content":"…"}`)
			for i := uint64(2); i < 52; i++ {
				a.request(i, "echo.echo", fmt.Sprintf(`{"msg":"m%d","n":%d}`, i, i))
			}
			a.request(52, "no.such.route", `{}`)
			for i := uint64(2); i < 52; i++ {
				expect(t, a, codec.Response, i, "", fmt.Sprintf(`{"msg":"m%d","n":%d}`, i, i))
			}
			expect(t, a, codec.Response, 52, "", `{"code":500,"error":"fail to find handler for no.such.route"}`)
			if n := <-notes; n != "…" {
				t.Fatalf("notify handler got %q", n)
			}

			// A push from the handler arrives before its response.
			a.request(53, "push.me", `{"content":"p"}`)
			expect(t, a, codec.Push, 0, "onPush", `{"content":"p"}`)
			expect(t, a, codec.Response, 53, "", `{"content":"pushed"}`)

			// A push to the session from outside any handler.
			conns := srv.Conns(aio.User("alice*r1"))
			if len(conns) != 1 {
				t.Fatalf("alice has %d connections", len(conns))
			}
			if err := handler.SessionOf(conns[0]).Push("onNotice", map[string]int{"n": 1}); err != nil {
				t.Fatal(err)
			}
			expect(t, a, codec.Push, 0, "onNotice", `{"n":1}`)

			// A chat message reaches the room.
			b := dialTCP(t, srv)
			enter(t, b, 1, "bob", 1)
			a.request(54, "chat.chatHandler.send", `{"content":"hi"}`)
			expect(t, a, codec.Push, 0, "onChat", `{"from":"alice","msg":"hi"}`)
			expect(t, a, codec.Response, 54, "", `{}`)
			expect(t, b, codec.Push, 0, "onChat", `{"from":"alice","msg":"hi"}`)

			// A second login of alice, then a kick of the user: both of
			// her connections hear why and close; bob's stays.
			a2 := dialTCP(t, srv)
			enter(t, a2, 1, "alice", 2)
			if n := handler.KickUser(srv, "alice*r1", "duplicate login"); n != 2 {
				t.Fatalf("KickUser kicked %d connections, want 2", n)
			}
			expectKicked(t, a, "duplicate login")
			expectKicked(t, a2, "duplicate login")
			b.request(2, "echo.echo", `{"msg":"still here"}`)
			expect(t, b, codec.Response, 2, "", `{"msg":"still here","n":0}`)
			if n := handler.KickUser(srv, "alice*r1", "again"); n != 0 {
				t.Fatalf("KickUser after the kick kicked %d", n)
			}

			waitFor(t, "two close hooks", func() bool { h, _, _ := rec.snapshot(); return len(h) == 2 })
			hooks, _, _ := rec.snapshot()
			if hooks[0].id == hooks[1].id {
				t.Fatalf("one session closed twice: %+v", hooks)
			}
			for _, h := range hooks {
				if h.uid != "alice*r1" || !errors.Is(h.reason, aio.ErrKicked) || !strings.Contains(h.reason.Error(), "duplicate login") {
					t.Fatalf("close hook %+v, want alice kicked for a duplicate login", h)
				}
			}

			// Bob leaves; the server closes; every session closed once.
			b.nc.Close()
			waitFor(t, "bob's close hook", func() bool { h, _, _ := rec.snapshot(); return len(h) == 3 })
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			hooks, connected, before := rec.snapshot()
			if len(hooks) != 3 || connected != 3 || before != 3 {
				t.Fatalf("%d hooks, chained listener saw %d connects and %d closes; want 3 each", len(hooks), connected, before)
			}
			if h := hooks[2]; h.uid != "bob*r1" || !errors.Is(h.reason, codec.ErrPeerClosed) {
				t.Fatalf("bob's close hook %+v, want peer closed", h)
			}
		})
	}
}

// TestCloseHookPanic shows a panicking hook is contained: the other hooks
// and the chained listener still run, and the panic is counted.
func TestCloseHookPanic(t *testing.T) {
	r := handler.New()
	rec := &hookRecorder{}
	r.OnSessionClose(func(*handler.Session, error) { panic("hook") })
	r.OnSessionClose(rec.hook)
	srv := startServer(t, aio.Config{Codec: tcp.New(nil), Handler: r, OnConnected: rec.OnConnected, OnBeforeClose: rec.chain(r)})
	c := dialTCP(t, srv)
	c.request(1, "x", "")
	expect(t, c, codec.Response, 1, "", `{"code":500,"error":"fail to find handler for x"}`)
	c.nc.Close()
	waitFor(t, "the close", func() bool { _, _, before := rec.snapshot(); return before == 1 })
	hooks, _, _ := rec.snapshot()
	if len(hooks) != 1 || r.Stats().Panics != 1 {
		t.Fatalf("%d hooks ran, %d panics counted; want 1 and 1", len(hooks), r.Stats().Panics)
	}
}

func TestSessionSettings(t *testing.T) {
	c := liveConn(t, true, nil)
	s := handler.SessionOf(c)
	if s != handler.SessionOf(c) || s.Conn() != c || s.ID() != c.ID() {
		t.Fatal("SessionOf is not a stable view of the connection")
	}
	s.Set("rid", "r1")
	c.Set("rid", "not a setting")
	if got := s.Get("rid"); got != "r1" {
		t.Fatalf("Get(rid) = %v", got)
	}
	s.Set("rid", nil)
	if got := s.Get("rid"); got != nil {
		t.Fatalf("after Set(rid, nil), Get(rid) = %v", got)
	}
	if c.Get("rid") != "not a setting" {
		t.Fatal("settings clobbered the connection's own attribute")
	}
	if err := s.Bind("u1"); err != nil || s.UID() != "u1" || c.Server().Count(aio.User("u1")) != 1 {
		t.Fatalf("Bind: %v, uid %q", err, s.UID())
	}
	if got := s.String(); got != fmt.Sprintf("session %d uid \"u1\"", c.ID()) {
		t.Fatalf("String() = %q", got)
	}
	s.Unbind()
	if s.UID() != "" || c.Server().Count(aio.User("u1")) != 0 {
		t.Fatal("Unbind left the uid")
	}
	if err := s.Push("onX", func() {}); err == nil {
		t.Fatal("Push of a func did not fail")
	}
	if err := s.Push("onRaw", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	got := c.Stream().(*recStream).take()
	if fmt.Sprint(msgs(got)) != fmt.Sprint(msgs([]codec.Message{{Kind: codec.Push, Route: "onRaw", Body: []byte(`{"a":1}`)}})) {
		t.Fatalf("pushed %v", msgs(got))
	}
	s.Kick("bye")
	if s.Err() == nil {
		t.Fatal("not closed by the kick")
	}
	waitFor(t, "the close", func() bool { return c.Server().Count(aio.All()) == 0 })
	if !errors.Is(c.Err(), aio.ErrKicked) {
		t.Fatalf("close reason %v", c.Err())
	}
	if err := s.Push("onX", 1); !errors.Is(err, aio.ErrClosed) {
		t.Fatalf("Push after the kick: %v, want aio.ErrClosed", err)
	}
	if err := s.Bind("u2"); !errors.Is(err, aio.ErrClosed) {
		t.Fatalf("Bind after the close: %v", err)
	}
}
