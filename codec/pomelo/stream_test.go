package pomelo

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
)

// data builds a data package from a message flag, head and body.
func data(t testing.TB, msg []byte) []byte {
	t.Helper()
	b, err := AppendPackage(nil, TypeData, msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitEveryByte feeds a whole session one byte at a time, server and
// client side, and expects what a one-shot decode gives.
func TestSplitEveryByte(t *testing.T) {
	g := golden(t)
	var session []byte
	for _, name := range []string{"hello_js", "ack", "heartbeat", "req_json", "req_code_pb", "req_str_pb", "notify_code", "req_zlib", "req_big_id"} {
		session = append(session, g.bytes(t, name)...)
	}
	c := mustNew(t, chatConfig(t))
	var whole, split codectest.Recorder
	decodeAll(t, c.NewStream(codec.ConnInfo{}), session, &whole)
	if err := feedBytewise(t, c.NewStream(codec.ConnInfo{}), session, &split); err != nil {
		t.Fatal(err)
	}
	if len(whole.Messages) != 6 {
		t.Fatalf("%d messages", len(whole.Messages))
	}
	if !recordsEqual(whole, split) {
		t.Fatalf("split decode differs:\n%+v\n%+v", whole, split)
	}

	var server []byte
	for _, name := range []string{"reply_full", "heartbeat", "resp_json", "push_json", "push_pb_code", "push_all", "batch"} {
		server = append(server, g.bytes(t, name)...)
	}
	var cw, cs codectest.Recorder
	decodeAll(t, c.NewStream(codec.ConnInfo{Client: true}), server, &cw)
	if err := feedBytewise(t, c.NewStream(codec.ConnInfo{Client: true}), server, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cw.Messages) != 6 || !recordsEqual(cw, cs) {
		t.Fatalf("client split decode differs:\n%+v\n%+v", cw, cs)
	}
}

func recordsEqual(a, b codectest.Recorder) bool {
	if len(a.Messages) != len(b.Messages) || !bytes.Equal(a.Replies, b.Replies) || len(a.Handshakes) != len(b.Handshakes) {
		return false
	}
	for i := range a.Messages {
		x, y := a.Messages[i], b.Messages[i]
		if x.Kind != y.Kind || x.ID != y.ID || x.Route != y.Route || !bytes.Equal(x.Body, y.Body) {
			return false
		}
	}
	for i := range a.Handshakes {
		if a.Handshakes[i] != b.Handshakes[i] {
			return false
		}
	}
	return true
}

func TestDecodeNeed(t *testing.T) {
	s := mustNew(t, nil).NewStream(codec.ConnInfo{})
	var rec codectest.Recorder
	for _, tc := range []struct {
		in   []byte
		need int
	}{
		{nil, 4}, {[]byte{1}, 4}, {[]byte{1, 0, 0}, 4}, {[]byte{1, 0, 0, 5}, 9}, {[]byte{1, 0, 1, 0, 'x'}, 260},
	} {
		n, need, err := s.Decode(tc.in, &rec)
		if n != 0 || need != tc.need || err != nil {
			t.Errorf("Decode(%x) = %d, %d, %v; want 0, %d, nil", tc.in, n, need, err, tc.need)
		}
	}
}

func TestServerErrors(t *testing.T) {
	g := golden(t)
	cfg := chatConfig(t)
	cfg.MaxBody = 1000
	cfg.MaxInflate = 100
	c := mustNew(t, cfg)
	for _, tc := range []struct {
		name     string
		ready    bool
		in       []byte
		sentinel error
		want     string
	}{
		{"type 0", false, []byte{0, 0, 0, 0}, codec.ErrProtocol, "unknown package type 0"},
		{"type 6", true, []byte{6, 0, 0, 0}, codec.ErrProtocol, "unknown package type 6"},
		{"too large from the header", false, []byte{1, 0, 3, 233}, codec.ErrTooLarge, "1001 bytes"},
		{"too large, 16 MiB", true, []byte{4, 0xff, 0xff, 0xff}, codec.ErrTooLarge, "limit 1000"},
		{"data before handshake", false, data(t, []byte{0x00, 1, 1, 'r'}), codec.ErrProtocol, "before the handshake ack"},
		{"kick from a client", true, []byte{5, 0, 0, 0}, codec.ErrProtocol, "kick"},
		{"empty data", true, data(t, nil), codec.ErrProtocol, "empty data"},
		{"message type 4", true, data(t, []byte{4 << 1}), codec.ErrProtocol, "unknown message type 4"},
		{"response from a client", true, data(t, []byte{msgResponse << 1, 1}), codec.ErrProtocol, "message type 2 from a client"},
		{"push from a client", true, data(t, []byte{msgPush << 1, 0}), codec.ErrProtocol, "message type 3 from a client"},
		{"truncated id", true, data(t, []byte{0x00, 0x80}), codec.ErrProtocol, "message id"},
		{"truncated route code", true, data(t, []byte{0x03, 0x00}), codec.ErrProtocol, "route code"},
		{"missing route", true, data(t, []byte{0x02}), codec.ErrProtocol, "truncated route"},
		{"route past the end", true, data(t, []byte{0x02, 5, 'a'}), codec.ErrProtocol, "past the end"},
		{"unknown route code", true, data(t, []byte{0x03, 0x01, 0x00}), codec.ErrProtocol, "code 256 not in the dictionary"},
		{"bad protobuf", true, data(t, append([]byte{0x03, 0x00, byte(mustCode(t, c, "chat.chatHandler.send"))}, 0x7a, 1)), codec.ErrProtocol, "undeclared tag"},
		{"bad zlib", true, data(t, []byte{0x12, 0, 'x', 'y'}), codec.ErrProtocol, "zlib body"},
		{"inflates too far", true, data(t, append([]byte{0x12, 0}, deflate(t, bytes.Repeat([]byte("a"), 101))...)), codec.ErrTooLarge, "past 100 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s codec.Stream
			if tc.ready {
				s = handshaken(t, c, g)
			} else {
				s = c.NewStream(codec.ConnInfo{})
			}
			var rec codectest.Recorder
			_, err := codectest.DecodeAll(s, tc.in, &rec)
			if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v mentioning %q", err, tc.sentinel, tc.want)
			}
			if len(rec.Messages) != 0 {
				t.Fatalf("delivered %+v", rec.Messages)
			}
		})
	}
}

func mustCode(t testing.TB, c *Codec, route string) uint16 {
	code, ok := c.dict.Code(route)
	if !ok {
		t.Fatalf("%q not in the dictionary", route)
	}
	return code
}

func deflate(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestServerIgnores(t *testing.T) {
	g := golden(t)
	c := mustNew(t, chatConfig(t))
	s := c.NewStream(codec.ConnInfo{})
	var rec codectest.Recorder
	// Before the handshake pomelo ignores acks and heartbeats.
	decodeAll(t, s, append(g.bytes(t, "ack"), g.bytes(t, "heartbeat")...), &rec)
	if len(rec.Replies) != 0 || len(rec.Handshakes) != 0 {
		t.Fatalf("%+v", rec)
	}
	// A second handshake is ignored, and so is an ack after the first.
	decodeAll(t, s, g.bytes(t, "hello_js"), &rec)
	rec.Reset()
	decodeAll(t, s, g.bytes(t, "hello_js"), &rec)
	if len(rec.Replies) != 0 {
		t.Fatalf("second handshake answered: %q", rec.Replies)
	}
	decodeAll(t, s, g.bytes(t, "ack"), &rec)
	rec.Reset()
	decodeAll(t, s, append(g.bytes(t, "ack"), g.bytes(t, "hello_js")...), &rec)
	if len(rec.Replies) != 0 || len(rec.Handshakes) != 0 {
		t.Fatalf("%+v", rec)
	}
	// A compressed route without a dictionary.
	plain := mustNew(t, nil)
	ps := handshaken(t, plain, g)
	if _, err := codectest.DecodeAll(ps, data(t, []byte{0x03, 0, 1}), &rec); !errors.Is(err, codec.ErrProtocol) {
		t.Fatalf("route code without a dictionary: %v", err)
	}
}

func TestHandshakeInfo(t *testing.T) {
	var got HandshakeInfo
	c := mustNew(t, &Config{OnHandshake: func(info *HandshakeInfo) (int, any) {
		got = *info
		return 0, map[string]string{"hi": "there"}
	}})
	s := c.NewStream(codec.ConnInfo{})
	hello, _ := AppendPackage(nil, TypeHandshake, []byte(`{"sys":{"type":"unity","version":2,"protoVersion":"p","dictVersion":"d","rsa":{"rsa_n":"ab"}},"user":{"token":"t"}}`))
	var rec codectest.Recorder
	decodeAll(t, s, hello, &rec)
	if got.Type != "unity" || got.Version != "2" || got.ProtoVersion != "p" || got.DictVersion != "d" ||
		string(got.RSA) != `{"rsa_n":"ab"}` || string(got.User) != `{"token":"t"}` || !strings.Contains(string(got.Sys), "unity") {
		t.Fatalf("HandshakeInfo %+v", got)
	}
	if !bytes.HasSuffix(rec.Replies, []byte(`"user":{"hi":"there"}}`)) {
		t.Fatalf("reply %q", rec.Replies)
	}
	for _, body := range []string{`not json`, `{"sys":1}`, `{"sys":null}`, `{"sys":"x"}`, `[]`} {
		s := c.NewStream(codec.ConnInfo{})
		pkg, _ := AppendPackage(nil, TypeHandshake, []byte(body))
		rec.Reset()
		if _, err := codectest.DecodeAll(s, pkg, &rec); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v", body, err)
		}
		if !bytes.Equal(rec.Replies, codeReply(CodeError)) {
			t.Errorf("%s: reply %q", body, rec.Replies)
		}
	}
	// A user reply that does not marshal refuses with 500.
	bad := mustNew(t, &Config{OnHandshake: func(*HandshakeInfo) (int, any) { return CodeOK, make(chan int) }})
	rec.Reset()
	if _, err := codectest.DecodeAll(bad.NewStream(codec.ConnInfo{}), hello, &rec); !errors.Is(err, codec.ErrProtocol) || !bytes.Equal(rec.Replies, codeReply(CodeError)) {
		t.Fatalf("unmarshalable user: %v %q", err, rec.Replies)
	}
	// Any other code is passed on.
	other := mustNew(t, &Config{OnHandshake: func(*HandshakeInfo) (int, any) { return 403, nil }})
	rec.Reset()
	if _, err := codectest.DecodeAll(other.NewStream(codec.ConnInfo{}), hello, &rec); !errors.Is(err, ErrRefused) || !bytes.HasSuffix(rec.Replies, []byte(`{"code":403}`)) {
		t.Fatalf("code 403: %v %q", err, rec.Replies)
	}
}

func TestEncodeErrors(t *testing.T) {
	g := golden(t)
	c := mustNew(t, chatConfig(t))
	s := handshaken(t, c, g)
	for _, tc := range []struct {
		name     string
		m        codec.Message
		sentinel error
	}{
		{"request", codec.Message{Kind: codec.Request, ID: 1, Route: "r"}, codec.ErrUnsupported},
		{"notify", codec.Message{Kind: codec.Notify, Route: "r"}, codec.ErrUnsupported},
		{"raw", codec.Message{Kind: codec.Raw}, codec.ErrUnsupported},
		{"long route", codec.Message{Kind: codec.Push, Route: strings.Repeat("r", 256)}, codec.ErrUnsupported},
		{"body misfits schema", codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":1}`)}, protobuf.ErrBody},
		{"too large", codec.Message{Kind: codec.Push, Route: "r", Body: make([]byte, MaxBodyLimit)}, codec.ErrTooLarge},
	} {
		dst := []byte("keep")
		got, err := s.Encode(dst, &tc.m)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.sentinel)
		}
		if string(got) != "keep" {
			t.Errorf("%s: dst now %q", tc.name, got)
		}
	}
	// A 255-byte route is the longest; an empty body of a schema route
	// travels empty.
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: strings.Repeat("r", 255)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onTick"})
	if err != nil || !bytes.Equal(got, []byte{4, 0, 0, 8, 0x06, 6, 'o', 'n', 'T', 'i', 'c', 'k'}) {
		t.Fatalf("empty body: %x %v", got, err)
	}
	// Format is shared by codecs configured alike, and differs otherwise.
	if c2 := mustNew(t, chatConfig(t)); handshaken(t, c2, g).Format() != s.Format() {
		t.Fatal("equal configurations, different formats")
	}
	slower := chatConfig(t)
	slower.Heartbeat = time.Minute // the interval does not change what Encode writes
	if handshaken(t, mustNew(t, slower), g).Format() != s.Format() {
		t.Fatal("heartbeat interval changed the format")
	}
	other := chatConfig(t)
	other.Dict = nil
	if handshaken(t, mustNew(t, other), g).Format() == s.Format() {
		t.Fatal("different dictionaries, same format")
	}
	ws := NewWS(chatConfig(t))
	wss := handshaken(t, ws, g)
	if wss.Format() == s.Format() || wss.Protocol() != ProtocolWS || ws.Protocol() != ProtocolWS {
		t.Fatalf("WS flavour: format %q protocol %q", wss.Format(), wss.Protocol())
	}
}

func TestGoodbye(t *testing.T) {
	g := golden(t)
	c := mustNew(t, chatConfig(t))
	fresh := c.NewStream(codec.ConnInfo{}).(codec.Goodbyer)
	if got := fresh.Goodbye([]byte("x"), codec.Farewell{Reason: "bye"}); string(got) != "x" {
		t.Fatalf("kick before the ack: %q", got)
	}
	s := handshaken(t, c, g).(codec.Goodbyer)
	if got := s.Goodbye(nil, codec.Farewell{Shutdown: true}); !bytes.Equal(got, AppendKick(nil, codec.Farewell{Reason: "shutdown"})) {
		t.Fatalf("shutdown kick %q", got)
	}
	long := s.Goodbye(nil, codec.Farewell{Reason: strings.Repeat("x", MaxBodyLimit), Shutdown: false})
	if len(long) != HeaderLen+len(`{"reason":""}`)+1024 {
		t.Fatalf("oversize reason: %d bytes", len(long))
	}
	client := c.NewStream(codec.ConnInfo{Client: true}).(codec.Goodbyer)
	if got := client.Goodbye([]byte("x"), codec.Farewell{Reason: "bye", Shutdown: true}); string(got) != "x" {
		t.Fatalf("client goodbye %q", got)
	}
}

func TestClientErrors(t *testing.T) {
	g := golden(t)
	c := mustNew(t, nil)
	reply := func(body string) []byte {
		b, _ := AppendPackage(nil, TypeHandshake, []byte(body))
		return b
	}
	for _, tc := range []struct {
		name     string
		in       []byte
		sentinel error
		want     string
	}{
		{"data first", data(t, []byte{msgPush << 1, 0}), codec.ErrProtocol, "before the handshake reply"},
		{"ack from server", g.bytes(t, "ack"), codec.ErrProtocol, "ack"},
		{"refused 501", g.bytes(t, "reply_501"), codec.ErrPeerClosed, "code 501"},
		{"refused 500", g.bytes(t, "reply_500"), ErrRefused, "code 500"},
		{"bad json", reply(`{"code":`), codec.ErrProtocol, "handshake reply"},
		{"bad dict code", reply(`{"code":200,"sys":{"dict":{"a":0}}}`), codec.ErrProtocol, "code 0"},
		{"big dict code", reply(`{"code":200,"sys":{"dict":{"a":65536}}}`), codec.ErrProtocol, "code 65536"},
		{"bad protos", reply(`{"code":200,"sys":{"protos":{"server":{"r":{"a":{"option":"required","type":"uint32","tag":1}}}}}}`), codec.ErrProtocol, "protos"},
		{"request from server", append(reply(`{"code":200,"sys":{}}`), data(t, []byte{0x00, 1, 1, 'r'})...), codec.ErrProtocol, "message type 0 from a server"},
		{"unknown route code", append(reply(`{"code":200,"sys":{"dict":{"a":1}}}`), data(t, []byte{0x07, 0, 2})...), codec.ErrProtocol, "code 2"},
		{"kick", append(reply(`{"code":200,"sys":{}}`), AppendKick(nil, codec.Farewell{Reason: "bye"})...), codec.ErrPeerClosed, `"bye"`},
		{"kick, no reason", append(reply(`{"code":200,"sys":{}}`), 5, 0, 0, 0), codec.ErrPeerClosed, `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := c.NewStream(codec.ConnInfo{Client: true})
			var rec codectest.Recorder
			_, err := codectest.DecodeAll(s, tc.in, &rec)
			if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v mentioning %q", err, tc.sentinel, tc.want)
			}
		})
	}
	// The client cannot respond or push; heartbeats are not answered; a
	// second reply is ignored.
	s := c.NewStream(codec.ConnInfo{Client: true})
	var rec codectest.Recorder
	decodeAll(t, s, append(reply(`{"code":200,"sys":{"heartbeat":0.5}}`), g.bytes(t, "heartbeat")...), &rec)
	decodeAll(t, s, reply(`{"code":200,"sys":{}}`), &rec)
	if !bytes.Equal(rec.Replies, ackPackage) || len(rec.Handshakes) != 1 || rec.Handshakes[0].HeartbeatTimeout != time.Second {
		t.Fatalf("%+v", rec)
	}
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "r"}); !errors.Is(err, codec.ErrUnsupported) {
		t.Fatalf("client push: %v", err)
	}
	// A response whose request was forgotten arrives without a route.
	decodeAll(t, s, data(t, []byte{msgResponse << 1, 9, '{', '}'}), &rec)
	if m := rec.Messages[0]; m.Kind != codec.Response || m.ID != 9 || m.Route != "" {
		t.Fatalf("%+v", m)
	}
}

func TestClientHooks(t *testing.T) {
	var code int
	var user string
	c := mustNew(t, &Config{
		ClientType: "unity", ClientVersion: "2.0", ClientUser: map[string]int{"n": 1}, HeartbeatTimeout: time.Minute,
		OnHandshakeReply: func(c int, u json.RawMessage) error { code, user = c, string(u); return nil },
	})
	s := c.NewStream(codec.ConnInfo{Client: true})
	hello, _ := s.(codec.Opener).Open(nil)
	if want := `{"sys":{"type":"unity","version":"2.0"},"user":{"n":1}}`; string(hello[HeaderLen:]) != want {
		t.Fatalf("hello %s", hello[HeaderLen:])
	}
	var rec codectest.Recorder
	r, _ := AppendPackage(nil, TypeHandshake, []byte(`{"code":200,"sys":{"heartbeat":10},"user":{"ok":true}}`))
	decodeAll(t, s, r, &rec)
	if code != 200 || user != `{"ok":true}` || rec.Handshakes[0].HeartbeatTimeout != time.Minute {
		t.Fatalf("code %d user %s %+v", code, user, rec.Handshakes)
	}
	failing := mustNew(t, &Config{OnHandshakeReply: func(int, json.RawMessage) error { return errors.New("nope") }})
	if _, err := codectest.DecodeAll(failing.NewStream(codec.ConnInfo{Client: true}), r, &rec); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("hook error: %v", err)
	}
	if err := New(&Config{ClientUser: make(chan int)}).Check(); err == nil {
		t.Fatal("unmarshalable ClientUser accepted")
	}
}

// TestPendingRoutes checks the bounded request-route memory: a response
// finds its request's route once, and a slot reused by a later request
// forgets the earlier one.
func TestPendingRoutes(t *testing.T) {
	s := &clientStream{c: mustNew(t, nil)}
	if s.recall(1) != "" {
		t.Fatal("route before any request")
	}
	s.remember(1, "a")
	s.remember(2, "b")
	if s.recall(1) != "a" || s.recall(1) != "" || s.recall(2) != "b" {
		t.Fatal("recall")
	}
	s.remember(3, "c")
	s.remember(3+pendingSlots, "d")
	if s.recall(3) != "" || s.recall(3+pendingSlots) != "d" {
		t.Fatal("slot reuse")
	}
}

func TestConfigDefaults(t *testing.T) {
	c := mustNew(t, nil)
	if c.maxBody != DefaultMaxBody || c.maxInflate != DefaultMaxBody || c.heartbeat != DefaultHeartbeat || c.timeout != 2*DefaultHeartbeat || c.Protocol() != ProtocolTCP {
		t.Fatalf("defaults %+v", c)
	}
	c = mustNew(t, &Config{MaxBody: 1 << 30, Heartbeat: 1500 * time.Millisecond, HeartbeatTimeout: time.Hour})
	if c.maxBody != MaxBodyLimit || c.timeout != time.Hour || !bytes.Contains(c.sys[0][0], []byte(`"heartbeat":1.5`)) {
		t.Fatalf("%d %v %s", c.maxBody, c.timeout, c.sys[0][0])
	}
}
