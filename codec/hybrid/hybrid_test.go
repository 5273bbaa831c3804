package hybrid_test

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
)

// newPort returns a hybrid codec serving real gotio TCP and two fakes.
func newPort() (*hybrid.Codec, *fakeCodec, *fakeCodec) {
	pomelo := &fakeCodec{name: "pomelo-tcp"}
	http := &fakeCodec{name: "ws", goodbye: true}
	return hybrid.New(&hybrid.Config{TCP: tcp.New(nil), PomeloTCP: pomelo, HTTP: http}), pomelo, http
}

func TestDetect(t *testing.T) {
	type want struct {
		route string // the fake codec chosen ("" for none)
		tcp   bool   // gotio TCP chosen
		need  int    // need > len(in): undecided
		err   error  // refused with this
	}
	cases := []struct {
		name string
		in   string
		want want
	}{
		{"gotio tcp magic alone", "\xc7", want{tcp: true, need: 2}},
		{"gotio tcp handshake", "\xc7\x01", want{tcp: true}},
		{"pomelo handshake", "\x01\x00\x00\x02{}", want{route: "pomelo-tcp"}},
		{"pomelo first byte alone", "\x01", want{route: "pomelo-tcp"}},
		{"GET", "GET / HTTP/1.1\r\n", want{route: "ws"}},
		{"GET space only", "GET ", want{route: "ws"}},
		{"POST", "POST /x HTTP/1.1\r\n", want{route: "ws"}},
		{"PUT", "PUT /x", want{route: "ws"}},
		{"HEAD", "HEAD /", want{route: "ws"}},
		{"DELETE", "DELETE /", want{route: "ws"}},
		{"OPTIONS", "OPTIONS *", want{route: "ws"}},
		{"PATCH", "PATCH /", want{route: "ws"}},
		{"CONNECT", "CONNECT host:443", want{route: "ws"}},
		{"TRACE", "TRACE /", want{route: "ws"}},
		{"empty", "", want{need: 1}},
		{"G", "G", want{need: 4}},
		{"GE", "GE", want{need: 4}},
		{"GET without space", "GET", want{need: 4}},
		{"P could be PUT", "P", want{need: 4}},
		{"PO is POST", "PO", want{need: 5}},
		{"PA is PATCH", "PA", want{need: 6}},
		{"C", "C", want{need: 8}},
		{"OPTION", "OPTION", want{need: 8}},
		{"TLS first byte", "\x16", want{need: 2}},
		{"TLS ClientHello", "\x16\x03\x01\x02\x00", want{err: hybrid.ErrTLS}},
		{"0x16 not TLS", "\x16\x04", want{err: hybrid.ErrUnknownProtocol}},
		{"GET slash", "GET/", want{err: hybrid.ErrUnknownProtocol}},
		{"lower-case get", "get /", want{err: hybrid.ErrUnknownProtocol}},
		{"GETX", "GETX", want{err: hybrid.ErrUnknownProtocol}},
		{"PRI (h2c)", "PRI * HTTP/2.0", want{err: hybrid.ErrUnknownProtocol}},
		{"zero byte", "\x00\x00\x00\x01", want{err: hybrid.ErrUnknownProtocol}},
		{"0xff", "\xff", want{err: hybrid.ErrUnknownProtocol}},
		{"X", "X", want{err: hybrid.ErrUnknownProtocol}},
		{"SSH banner", "SSH-2.0-OpenSSH", want{err: hybrid.ErrUnknownProtocol}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newPort()
			s := h.NewStream(codec.ConnInfo{})
			var rec codectest.Recorder
			n, need, err := s.Decode([]byte(tc.in), &rec)
			switch {
			case tc.want.err != nil:
				if !errors.Is(err, tc.want.err) || !errors.Is(err, codec.ErrProtocol) {
					t.Fatalf("err = %v, want %v wrapping codec.ErrProtocol", err, tc.want.err)
				}
				if s.Protocol() != "" || n != 0 {
					t.Fatalf("refused, yet n=%d protocol %q", n, s.Protocol())
				}
			case tc.want.need > 0 && !tc.want.tcp:
				if err != nil || n != 0 || need != tc.want.need {
					t.Fatalf("n=%d need=%d err=%v, want need %d", n, need, err, tc.want.need)
				}
				if need <= len(tc.in) {
					t.Fatal("need within the input")
				}
				if s.Protocol() != "" || s.Format() != "" {
					t.Fatal("decided on too few bytes")
				}
			case tc.want.tcp:
				if err != nil || s.Protocol() != "tcp" {
					t.Fatalf("err=%v protocol %q, want tcp", err, s.Protocol())
				}
				if need != tc.want.need {
					t.Fatalf("need %d, want %d (the tcp stream's own)", need, tc.want.need)
				}
			default:
				if err != nil || n != len(tc.in) {
					t.Fatalf("n=%d err=%v", n, err)
				}
				if len(rec.Messages) != 1 || rec.Messages[0].Route != tc.want.route || string(rec.Messages[0].Body) != tc.in {
					t.Fatalf("delivered %+v, want all bytes to %s", rec.Messages, tc.want.route)
				}
				if s.Protocol() != tc.want.route || s.Format() != tc.want.route+"/fake" {
					t.Fatalf("protocol %q format %q", s.Protocol(), s.Format())
				}
			}
		})
	}
}

// TestEverySplitOfEveryMethod: each proper prefix of a method asks for
// more, never decides and never refuses; the whole token decides HTTP.
func TestEverySplitOfEveryMethod(t *testing.T) {
	for _, m := range []string{"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"} {
		line := m + " /chat HTTP/1.1\r\n"
		h, _, http := newPort()
		s := h.NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		for k := 0; k <= len(m); k++ {
			n, need, err := s.Decode([]byte(line[:k]), &rec)
			if err != nil || n != 0 || need <= k || need > len(m)+1 {
				t.Fatalf("%q: n=%d need=%d err=%v", line[:k], n, need, err)
			}
		}
		if n, _, err := s.Decode([]byte(line[:len(m)+1]), &rec); err != nil || n != len(m)+1 || len(http.infos) != 1 {
			t.Fatalf("%q: n=%d err=%v streams %d", line[:len(m)+1], n, err, len(http.infos))
		}
	}
}

func TestNotServed(t *testing.T) {
	h := hybrid.New(&hybrid.Config{HTTP: &fakeCodec{name: "ws"}})
	for _, in := range []string{"\xc7\x01", "\x01\x00"} {
		_, _, err := h.NewStream(codec.ConnInfo{}).Decode([]byte(in), &codectest.Recorder{})
		if !errors.Is(err, hybrid.ErrNotServed) || !errors.Is(err, codec.ErrProtocol) {
			t.Fatalf("%q: err = %v, want ErrNotServed", in, err)
		}
	}
	_, _, err := hybrid.New(nil).NewStream(codec.ConnInfo{}).Decode([]byte("GET / HTTP/1.1"), &codectest.Recorder{})
	if !errors.Is(err, hybrid.ErrNotServed) || !strings.Contains(err.Error(), "http") {
		t.Fatalf("nothing served: err = %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	h, _, _ := newPort()
	_, _, err := h.NewStream(codec.ConnInfo{}).Decode([]byte("XYZ"), &codectest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), "first byte 0x58") || !strings.HasPrefix(err.Error(), "hybrid: unknown protocol") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = h.NewStream(codec.ConnInfo{}).Decode([]byte{0x16, 0x03, 0x01}, &codectest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), "TLS is not supported") {
		t.Fatalf("err = %v", err)
	}
}

// TestGotioTCPThroughHybrid: a whole gotio TCP session, byte by byte, is
// the tcp stream's: same replies, messages, encoding and goodbye.
func TestGotioTCPThroughHybrid(t *testing.T) {
	h, _, _ := newPort()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}
	s := h.NewStream(codec.ConnInfo{RemoteAddr: addr})
	cl := tcp.New(nil).NewStream(codec.ConnInfo{Client: true})
	in, _ := cl.(codec.Opener).Open(nil)
	req := codec.Message{Kind: codec.Request, ID: 5, Route: "chat.send", Body: []byte(`{"m":1}`)}
	in, _ = cl.Encode(in, &req)
	in = cl.(codec.Heartbeater).Heartbeat(in)

	var rec codectest.Recorder
	var buf []byte
	for i := range in {
		buf = append(buf, in[i])
		n, need, err := s.Decode(buf, &rec)
		if err != nil {
			t.Fatalf("at %d: %v", i, err)
		}
		if n == 0 && need <= len(buf) {
			t.Fatalf("at %d: need %d with %d buffered", i, need, len(buf))
		}
		buf = buf[n:]
	}
	if len(buf) != 0 || len(rec.Messages) != 1 || rec.Messages[0].Route != "chat.send" || rec.Messages[0].ID != 5 {
		t.Fatalf("left %d, messages %+v", len(buf), rec.Messages)
	}
	wantReplies := append(tcp.AppendHandshakeAck(nil, 0), tcp.AppendHeartbeat(nil)...)
	if !bytes.Equal(rec.Replies, wantReplies) || len(rec.Handshakes) != 1 || rec.Handshakes[0].Protocol != "tcp" {
		t.Fatalf("replies % x handshakes %+v", rec.Replies, rec.Handshakes)
	}
	resp := codec.Message{Kind: codec.Response, ID: 5, Body: []byte("ok")}
	got, err := s.Encode(nil, &resp)
	want, _ := tcp.AppendMessage(nil, &resp)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Encode = % x, %v; want % x", got, err, want)
	}
	if s.Protocol() != "tcp" || s.Format() != "tcp/1" {
		t.Fatalf("protocol %q format %q", s.Protocol(), s.Format())
	}
	if bye := s.(codec.Goodbyer).Goodbye(nil, codec.Farewell{Reason: "bye", Shutdown: true}); !bytes.Equal(bye, tcp.AppendClose(nil, tcp.CloseShutdown, "bye")) {
		t.Fatalf("Goodbye = % x", bye)
	}
	// gotio TCP servers do not heartbeat first.
	if hb := s.(codec.Heartbeater).Heartbeat([]byte("x")); string(hb) != "x" {
		t.Fatalf("Heartbeat = %q", hb)
	}
	if _, ok := s.(*hybrid.Stream).Inner().(*tcp.ServerStream); !ok {
		t.Fatalf("Inner = %T", s.(*hybrid.Stream).Inner())
	}
}

func TestUndecided(t *testing.T) {
	h, _, _ := newPort()
	s := h.NewStream(codec.ConnInfo{})
	if s.Format() != "" || s.Protocol() != "" || s.(*hybrid.Stream).Inner() != nil {
		t.Fatal("decided before any byte")
	}
	if b, err := s.Encode([]byte("x"), &codec.Message{Kind: codec.Push}); !errors.Is(err, codec.ErrNotReady) || string(b) != "x" {
		t.Fatalf("Encode = %q, %v", b, err)
	}
	if b := s.(codec.Goodbyer).Goodbye([]byte("x"), codec.Farewell{Reason: "r"}); string(b) != "x" {
		t.Fatalf("Goodbye = %q", b)
	}
	if b := s.(codec.Heartbeater).Heartbeat([]byte("x")); string(b) != "x" {
		t.Fatalf("Heartbeat = %q", b)
	}
	if _, ok := s.(codec.Opener); ok {
		t.Fatal("a hybrid stream cannot speak first: it does not know the protocol yet")
	}
}

// TestDelegation: the chosen fake gets the connection's ConnInfo and every
// later call.
func TestDelegation(t *testing.T) {
	h, pomelo, http := newPort()
	info := codec.ConnInfo{RemoteAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}}
	s := h.NewStream(info)
	var rec codectest.Recorder
	if _, _, err := s.Decode([]byte("GET /ws HTTP/1.1\r\n"), &rec); err != nil {
		t.Fatal(err)
	}
	if len(http.infos) != 1 || http.infos[0] != info || len(pomelo.infos) != 0 {
		t.Fatalf("streams made: http %v pomelo %v", http.infos, pomelo.infos)
	}
	if n, _, err := s.Decode([]byte("later"), &rec); err != nil || n != 5 || string(rec.Messages[1].Body) != "later" {
		t.Fatalf("second Decode: n=%d err=%v", n, err)
	}
	if len(http.infos) != 1 {
		t.Fatal("a second stream was made")
	}
	if b, err := s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: []byte("hi")}); err != nil || string(b) != "ws:hi" {
		t.Fatalf("Encode = %q %v", b, err)
	}
	if b := s.(codec.Goodbyer).Goodbye(nil, codec.Farewell{Reason: "shutdown", Shutdown: true}); string(b) != "ws goodbye shutdown" {
		t.Fatalf("Goodbye = %q", b)
	}
	if b := s.(codec.Heartbeater).Heartbeat(nil); string(b) != "ws heartbeat" {
		t.Fatalf("Heartbeat = %q", b)
	}
	// A fake without Heartbeat or Goodbye: hybrid adds nothing.
	s = h.NewStream(info)
	if _, _, err := s.Decode([]byte{0x01, 0x00}, &rec); err != nil {
		t.Fatal(err)
	}
	if b := s.(codec.Goodbyer).Goodbye([]byte("x"), codec.Farewell{Reason: "r"}); string(b) != "x" {
		t.Fatalf("Goodbye = %q", b)
	}
}

// TestConcurrentReaders: Format, Protocol and Encode from other goroutines
// while Decode decides (run with -race).
func TestConcurrentReaders(t *testing.T) {
	h, _, _ := newPort()
	s := h.NewStream(codec.ConnInfo{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if p, f := s.Protocol(), s.Format(); (p != "" && p != "tcp") || (f != "" && f != "tcp/1") {
					t.Errorf("protocol %q format %q", p, f)
					return
				}
				if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "p"}); err != nil && !errors.Is(err, codec.ErrNotReady) {
					t.Errorf("Encode: %v", err)
					return
				}
			}
		}()
	}
	if _, _, err := s.Decode([]byte{0xC7, 0x01}, &codectest.Recorder{}); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if s.Protocol() != "tcp" {
		t.Fatal("not decided")
	}
}

func TestLogger(t *testing.T) {
	var logs bytes.Buffer
	h := hybrid.New(&hybrid.Config{TCP: tcp.New(nil), Logger: zerolog.New(&logs).Level(zerolog.DebugLevel)})
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7}
	if _, _, err := h.NewStream(codec.ConnInfo{RemoteAddr: addr}).Decode([]byte{0xC7, 0x01}, &codectest.Recorder{}); err != nil {
		t.Fatal(err)
	}
	_, _, _ = h.NewStream(codec.ConnInfo{RemoteAddr: addr}).Decode([]byte{0x16, 0x03}, &codectest.Recorder{})
	out := logs.String()
	for _, want := range []string{`"protocol":"tcp"`, `"remote":"127.0.0.1:7"`, "protocol chosen", "TLS is not supported"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestMagicMatchesTCP(t *testing.T) {
	// hybrid keeps its own copy of the byte; it must be tcp's.
	h := hybrid.New(&hybrid.Config{TCP: tcp.New(nil)})
	if _, _, err := h.NewStream(codec.ConnInfo{}).Decode([]byte{tcp.Magic}, &codectest.Recorder{}); err != nil {
		t.Fatalf("tcp.Magic not recognised: %v", err)
	}
}
