package pomelo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/websocket"
)

// replyRecorder wraps a client codec and hands every handshake reply its
// streams receive to replies: the bytes the server sent, as they came.
type replyRecorder struct {
	codec.Codec
	replies chan []byte
}

func (r *replyRecorder) NewStream(info codec.ConnInfo) codec.Stream {
	return &recordingStream{Stream: r.Codec.NewStream(info), replies: r.replies}
}

type recordingStream struct {
	codec.Stream
	replies chan []byte
	seen    bool
}

func (s *recordingStream) Decode(in []byte, out codec.Output) (int, int, error) {
	if !s.seen && len(in) >= 4 && in[0] == pomelo.TypeHandshake {
		if n := 4 + (int(in[1])<<16 | int(in[2])<<8 | int(in[3])); len(in) >= n {
			s.seen = true
			s.replies <- bytes.Clone(in[:n])
		}
	}
	return s.Stream.Decode(in, out)
}

func (s *recordingStream) Open(dst []byte) ([]byte, error) { return s.Stream.(codec.Opener).Open(dst) }
func (s *recordingStream) Heartbeat(dst []byte) []byte {
	return s.Stream.(codec.Heartbeater).Heartbeat(dst)
}
func (s *recordingStream) HeartbeatInterval() time.Duration {
	return s.Stream.(interface{ HeartbeatInterval() time.Duration }).HeartbeatInterval()
}

// hellos records the versions clients announced.
type hellos struct {
	mu   sync.Mutex
	seen [][2]string // dictVersion, protoVersion
}

func (h *hellos) last() [2]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[len(h.seen)-1]
}

// serveAt serves cfg's pomelo over TCP and WebSocket on addr.
func serveAt(t *testing.T, addr string, cfg *pomelo.Config, h *chat, hs *hellos) *aio.Server {
	t.Helper()
	cfg.OnHandshake = func(info *pomelo.HandshakeInfo) (int, any) {
		hs.mu.Lock()
		hs.seen = append(hs.seen, [2]string{info.DictVersion, info.ProtoVersion})
		hs.mu.Unlock()
		return pomelo.CodeOK, nil
	}
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
	var lerr error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if lerr = s.Listen(addr); lerr == nil {
			return s
		}
	}
	t.Fatalf("listen %s: %v", addr, lerr)
	return nil
}

type replySys struct {
	Code int `json:"code"`
	Sys  struct {
		Dict        map[string]int  `json:"dict"`
		RouteToCode map[string]int  `json:"routeToCode"`
		DictVersion string          `json:"dictVersion"`
		UseDict     bool            `json:"useDict"`
		Protos      json.RawMessage `json:"protos"`
		UseProto    bool            `json:"useProto"`
	} `json:"sys"`
}

func parseReplyPackage(t *testing.T, pkg []byte) replySys {
	t.Helper()
	var r replySys
	if err := json.Unmarshal(pkg[4:], &r); err != nil || r.Code != 200 {
		t.Fatalf("handshake reply %q: %v", pkg, err)
	}
	return r
}

// TestClientCache: gotio's client keeps the dictionary and schemas of its
// first handshake in the Codec's store; after the server restarts, its
// reconnect announces their versions and the reply omits both, yet
// compressed pushes and protobuf bodies still decode. A server whose
// dictionary changed sends the new one, and the store takes it.
func TestClientCache(t *testing.T) {
	for _, transport := range []string{"tcp", "ws"} {
		t.Run(transport, func(t *testing.T) { testClientCache(t, transport) })
	}
}

func testClientCache(t *testing.T, transport string) {
	h, hs := &chat{}, &hellos{}
	s := serveAt(t, "127.0.0.1:0", serverConfig(t), h, hs)
	addr := s.Addr().String()
	defer func() { _ = s.Close() }()

	store := new(pomelo.MemoryStore)
	ccfg := &pomelo.Config{ClientStore: store}
	var inner codec.Codec
	cfg := &client.Config{Reconnect: &client.Reconnect{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond}}
	if transport == "tcp" {
		inner = pomelo.New(ccfg)
	} else {
		inner = pomelo.NewWS(ccfg)
		cfg.WebSocket = &client.WebSocket{URL: "ws://" + addr + "/"}
	}
	rec := &replyRecorder{Codec: inner, replies: make(chan []byte, 4)}
	cfg.Codec = rec
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pushes := make(chan *codec.Message, 8)
	cfg.Handler = func(_ *client.Client, m *codec.Message) {
		if m.Route == "onAdd" || m.Route == "onState" {
			c := *m
			c.Body = bytes.Clone(m.Body)
			pushes <- &c
		}
	}
	cl, err := client.Dial(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	nextReply := func() []byte {
		t.Helper()
		select {
		case b := <-rec.replies:
			return b
		case <-ctx.Done():
			t.Fatal("no handshake reply")
			return nil
		}
	}
	// session talks through the dictionary and both schemas: a compressed
	// request with a protobuf body, a compressed onAdd push, a protobuf
	// onState push.
	session := func(user string) {
		t.Helper()
		if err := cl.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
		resp, err := cl.Request(ctx, "connector.entryHandler.enter", []byte(`{"username":"`+user+`","rid":"r-`+transport+`"}`))
		if err != nil || !strings.Contains(string(resp.Body), user) {
			t.Fatalf("enter: %v %s", err, resp.Body)
		}
		if p := next(t, pushes); p.Route != "onAdd" || string(p.Body) != `{"user":"`+user+`"}` {
			t.Fatalf("onAdd: %s %s", p.Route, p.Body)
		}
		if err := cl.Notify("chat.chatHandler.typing", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if p := next(t, pushes); p.Route != "onState" || string(p.Body) != stateBody {
			t.Fatalf("onState: %s %s", p.Route, p.Body)
		}
	}

	first := nextReply()
	full := parseReplyPackage(t, first)
	if full.Sys.Dict == nil || full.Sys.Protos == nil || full.Sys.DictVersion == "" {
		t.Fatalf("first reply lacks dict or protos: %s", first)
	}
	var pv struct{ Version string }
	_ = json.Unmarshal(full.Sys.Protos, &pv)
	if got := hs.last(); got != [2]string{} {
		t.Fatalf("first hello announced %q", got)
	}
	session("ann")
	if c := store.Load(); c == nil || c.DictVersion != full.Sys.DictVersion || c.ProtoVersion != pv.Version || len(c.Dict) != len(full.Sys.Dict) {
		t.Fatalf("store after the first handshake: %+v", c)
	}

	// Restart: the client reconnects by itself and announces what it has.
	_ = s.Close()
	s = serveAt(t, addr, serverConfig(t), h, hs)
	second := nextReply()
	short := parseReplyPackage(t, second)
	if got := hs.last(); got != [2]string{full.Sys.DictVersion, pv.Version} {
		t.Fatalf("reconnect announced %q, want %q %q", got, full.Sys.DictVersion, pv.Version)
	}
	if short.Sys.Dict != nil || short.Sys.RouteToCode != nil || short.Sys.Protos != nil || !short.Sys.UseDict || !short.Sys.UseProto {
		t.Fatalf("second reply carries dict or protos: %s", second)
	}
	if len(second)*4 > len(first) {
		t.Fatalf("second reply %d bytes, first %d: not much smaller", len(second), len(first))
	}
	t.Logf("handshake reply: %d bytes, then %d with the cache", len(first), len(second))
	session("bea")

	// A server with another dictionary (a new route shifts the codes)
	// sends it; protos are unchanged and stay out.
	_ = s.Close()
	cfg3 := serverConfig(t)
	cfg3.Dict, err = pomelo.NewDict(
		[]string{"area.playerHandler.move", "gate.gateHandler.queryEntry", "connector.entryHandler.enter", "chat.chatHandler.send", "chat.chatHandler.typing"},
		"onChat", "onAdd", "onLeave", "onState")
	if err != nil {
		t.Fatal(err)
	}
	s = serveAt(t, addr, cfg3, h, hs)
	third := nextReply()
	changed := parseReplyPackage(t, third)
	if changed.Sys.Dict == nil || changed.Sys.DictVersion == full.Sys.DictVersion || changed.Sys.DictVersion != cfg3.Dict.Version() || changed.Sys.Protos != nil {
		t.Fatalf("reply after the dictionary changed: %s", third)
	}
	if changed.Sys.Dict["onAdd"] == full.Sys.Dict["onAdd"] {
		t.Fatalf("onAdd kept code %d: the test does not exercise a changed code", full.Sys.Dict["onAdd"])
	}
	session("cid")
	if c := store.Load(); c.DictVersion != cfg3.Dict.Version() || c.Dict["onAdd"] != uint16(changed.Sys.Dict["onAdd"]) || c.ProtoVersion != pv.Version {
		t.Fatalf("store after the new dictionary: %+v", c)
	}
}
