package websocket

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// readResponse parses a reply the stream gave with net/http's parser.
func readResponse(t *testing.T, b []byte) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestUpgradeAccepts(t *testing.T) {
	s := New(nil).NewStream(codec.ConnInfo{RemoteAddr: testAddr}).(*Stream)
	rec := &codectest.Recorder{}
	req := []byte(upgradeReq("/chat?room=1", "Origin: http://example.com"))
	frame := cframe(finBit|opText, []byte("first"))
	in := append(req, frame...)
	n, _, err := s.Decode(in, rec)
	if err != nil || n != len(in) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	resp, _ := readResponse(t, rec.Replies)
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != testAccept ||
		!strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") || resp.Header.Get("Connection") != "Upgrade" {
		t.Fatalf("reply %q", rec.Replies)
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "" || resp.Header.Get("Sec-WebSocket-Extensions") != "" {
		t.Fatal("unasked subprotocol or extension")
	}
	if len(rec.Handshakes) != 1 || rec.Handshakes[0].Path != "/chat" || rec.Handshakes[0].Protocol != "ws" {
		t.Fatalf("handshakes %+v", rec.Handshakes)
	}
	if len(rec.Messages) != 1 || string(rec.Messages[0].Body) != "first" {
		t.Fatalf("frame after the request: %+v", rec.Messages)
	}
}

func TestUpgradeIncomplete(t *testing.T) {
	s := New(nil).NewStream(codec.ConnInfo{})
	req := []byte(upgradeReq("/"))
	for i := 0; i < len(req); i++ {
		n, need, err := s.Decode(req[:i], &codectest.Recorder{})
		if n != 0 || err != nil || need <= i {
			t.Fatalf("%d bytes: n=%d need=%d err=%v", i, n, need, err)
		}
	}
}

// TestUpgradeRefusals: each bad request gets its status and an error.
func TestUpgradeRefusals(t *testing.T) {
	valid := upgradeReq("/")
	replace := func(old, new string) string { return strings.Replace(valid, old, new, 1) }
	manyHeaders := strings.Replace(valid, "\r\n\r\n", "\r\n"+strings.Repeat("X-A: b\r\n", 64)+"\r\n", 1)
	routes := &Config{Routes: []Route{{Path: "/ws/", Subprotocol: "chat"}}}
	cases := []struct {
		name   string
		cfg    *Config
		req    string
		status int
		err    error
		header [2]string // a header the reply must carry
	}{
		{"not HTTP", nil, "\x16\x03\x01\x00", 400, codec.ErrProtocol, [2]string{}},
		{"binary garbage in request line", nil, "GET /\x00\x01", 400, codec.ErrProtocol, [2]string{}},
		{"bad request line", nil, "GET /\r\n\r\n", 400, codec.ErrProtocol, [2]string{}},
		{"header bytes over limit", nil, "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 9000), 431, codec.ErrTooLarge, [2]string{}},
		{"too many headers", nil, manyHeaders, 431, codec.ErrTooLarge, [2]string{}},
		{"malformed header", nil, replace("Host: example.com", "Host example.com"), 400, codec.ErrProtocol, [2]string{}},
		{"POST", nil, replace("GET", "POST"), 405, codec.ErrProtocol, [2]string{"Allow", "GET"}},
		{"HTTP/1.0", nil, replace("HTTP/1.1", "HTTP/1.0"), 400, codec.ErrProtocol, [2]string{}},
		{"no Connection upgrade", nil, replace("keep-alive, Upgrade", "keep-alive"), 400, codec.ErrProtocol, [2]string{}},
		{"short key", nil, replace(testKey, "c2hvcnQ="), 400, codec.ErrProtocol, [2]string{}},
		{"key not base64", nil, replace(testKey, "!!!!!!!!!!!!!!!!!!!!!!!!"), 400, codec.ErrProtocol, [2]string{}},
		{"no key", nil, replace("Sec-WebSocket-Key: "+testKey+"\r\n", ""), 400, codec.ErrProtocol, [2]string{}},
		{"version 8", nil, replace("Version: 13", "Version: 8"), 426, codec.ErrProtocol, [2]string{"Sec-WebSocket-Version", "13"}},
		{"no version", nil, replace("Sec-WebSocket-Version: 13\r\n", ""), 426, codec.ErrProtocol, [2]string{"Sec-WebSocket-Version", "13"}},
		{"body", nil, replace("\r\n\r\n", "\r\nContent-Length: 3\r\n\r\nabc"), 400, codec.ErrProtocol, [2]string{}},
		{"cross origin", nil, upgradeReq("/", "Origin: http://evil.example"), 403, codec.ErrProtocol, [2]string{}},
		{"null origin", nil, upgradeReq("/", "Origin: null"), 403, codec.ErrProtocol, [2]string{}},
		{"no route for path", routes, upgradeReq("/other", "Sec-WebSocket-Protocol: chat"), 404, codec.ErrProtocol, [2]string{}},
		{"no subprotocol", routes, upgradeReq("/ws/a", "Sec-WebSocket-Protocol: other"), 400, codec.ErrProtocol, [2]string{}},
		{"accept hook refuses", &Config{Accept: func(r *Request) (int, http.Header) {
			return http.StatusUnauthorized, http.Header{"Www-Authenticate": {"Bearer"}}
		}}, valid, 401, codec.ErrProtocol, [2]string{"Www-Authenticate", "Bearer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(c.cfg).NewStream(codec.ConnInfo{})
			rec := &codectest.Recorder{}
			_, _, err := s.Decode([]byte(c.req), rec)
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			var he *HandshakeError
			if !errors.As(err, &he) || he.Status != c.status {
				t.Fatalf("err %v, want status %d", err, c.status)
			}
			resp, _ := readResponse(t, rec.Replies)
			if resp.StatusCode != c.status || !resp.Close {
				t.Fatalf("reply %q", rec.Replies)
			}
			if c.header[0] != "" && resp.Header.Get(c.header[0]) != c.header[1] {
				t.Fatalf("reply lacks %s: %q", c.header[0], rec.Replies)
			}
			if len(rec.Handshakes) != 0 {
				t.Fatal("handshaken after refusal")
			}
		})
	}
}

func TestOriginAndAcceptHook(t *testing.T) {
	var seen *Request
	cfg := &Config{
		CheckOrigin: AnyOrigin,
		Accept: func(r *Request) (int, http.Header) {
			seen = r
			return 0, http.Header{"Set-Cookie": {"sid=1"}}
		},
	}
	s := New(cfg).NewStream(codec.ConnInfo{RemoteAddr: testAddr, LocalAddr: testAddr})
	rec := &codectest.Recorder{}
	req := upgradeReq("/p", "Origin: http://elsewhere.example", "Sec-WebSocket-Protocol: a, b")
	if _, err := feed(s, []byte(req), rec); err != nil {
		t.Fatal(err)
	}
	resp, _ := readResponse(t, rec.Replies)
	if resp.StatusCode != 101 || resp.Header.Get("Set-Cookie") != "sid=1" {
		t.Fatalf("reply %q", rec.Replies)
	}
	if seen == nil || seen.Path != "/p" || seen.Origin != "http://elsewhere.example" || seen.RemoteAddr != testAddr ||
		len(seen.Subprotocols) != 2 || seen.Subprotocols[1] != "b" || seen.HTTP.RemoteAddr != testAddr.String() {
		t.Fatalf("hook saw %+v", seen)
	}
	// Same origin passes the default check, with the Host's port.
	s = New(nil).NewStream(codec.ConnInfo{})
	rec = &codectest.Recorder{}
	req = strings.Replace(upgradeReq("/", "Origin: https://Example.com:8443"), "Host: example.com", "Host: example.com:8443", 1)
	if _, err := feed(s, []byte(req), rec); err != nil {
		t.Fatalf("same origin refused: %v %q", err, rec.Replies)
	}
}

// fixedCodec is an inner codec with a Protocol and Format of its own.
type fixedCodec struct{ proto, format string }

func (f fixedCodec) NewStream(codec.ConnInfo) codec.Stream { return fixedStream(f) }

type fixedStream fixedCodec

func (fixedStream) Decode(in []byte, out codec.Output) (int, int, error) { return len(in), 0, nil }
func (fixedStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return append(dst, m.Body...), nil
}
func (f fixedStream) Format() string   { return f.format }
func (f fixedStream) Protocol() string { return f.proto }

func TestRoutesAndSubprotocols(t *testing.T) {
	cfg := &Config{Routes: []Route{
		{Path: "/game", Subprotocol: "pomelo", Inner: fixedCodec{"pomelo-tcp", "pomelo"}, Binary: true},
		{Path: "/game", Subprotocol: "json", Inner: JSON},
		{Path: "/api/", Inner: JSON},
		{},
	}}
	cases := []struct {
		path, offer      string
		sub, proto, form string
	}{
		{"/game", "json, pomelo", "pomelo", "pomelo-ws", "ws.bin/pomelo"},
		{"/game", "json", "json", "ws", "ws/json"},
		{"/game", "", "", "ws", "ws/plain"},
		{"/api/v1", "x", "", "ws", "ws/json"},
		{"/", "pomelo", "", "ws", "ws/plain"},
	}
	for _, c := range cases {
		extra := []string{}
		if c.offer != "" {
			extra = append(extra, "Sec-WebSocket-Protocol: "+c.offer)
		}
		s := New(cfg).NewStream(codec.ConnInfo{}).(*Stream)
		rec := &codectest.Recorder{}
		if _, err := feed(s, []byte(upgradeReq(c.path, extra...)), rec); err != nil {
			t.Fatalf("%s %q: %v", c.path, c.offer, err)
		}
		resp, _ := readResponse(t, rec.Replies)
		if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != c.sub || s.Subprotocol() != c.sub {
			t.Errorf("%s %q: subprotocol %q", c.path, c.offer, got)
		}
		if s.Protocol() != c.proto || s.Format() != c.form || rec.Handshakes[0].Protocol != c.proto {
			t.Errorf("%s %q: protocol %q format %q", c.path, c.offer, s.Protocol(), s.Format())
		}
	}
}

func TestProtocolNames(t *testing.T) {
	for inner, want := range map[string]string{"": "ws", "pomelo": "pomelo-ws", "pomelo-tcp": "pomelo-ws", "pomelo-ws": "pomelo-ws", "x-tcp-y": "x-tcp-y-ws"} {
		s, _ := openServer(t, &Config{Routes: []Route{{Inner: fixedCodec{inner, "f"}}}})
		if got := s.Protocol(); got != want {
			t.Errorf("inner %q: %q, want %q", inner, got, want)
		}
	}
}

func TestFormatEmptyWhenInnerFormatEmpty(t *testing.T) {
	s, _ := openServer(t, &Config{Routes: []Route{{Inner: fixedCodec{"x", ""}}}})
	if s.Format() != "" || s.Protocol() != "x-ws" {
		t.Fatalf("format %q protocol %q", s.Format(), s.Protocol())
	}
}

func TestServeHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html>hello %s from %s</html>", r.URL.Query().Get("name"), r.RemoteAddr)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Connection", "keep-alive") // must not survive
		w.WriteHeader(http.StatusCreated)
		w.Write(b)
	})
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	cfg := &Config{HTTP: mux, MaxBodyBytes: 10}
	serve := func(req string) (*http.Response, string, error, int) {
		s := New(cfg).NewStream(codec.ConnInfo{RemoteAddr: testAddr})
		rec := &codectest.Recorder{}
		n, err := feed(s, []byte(req), rec)
		resp, body := readResponse(t, rec.Replies)
		return resp, body, err, n
	}
	resp, body, err, n := serve("GET /?name=gotio HTTP/1.1\r\nHost: x\r\n\r\n")
	if !errors.Is(err, ErrHTTPServed) || !errors.Is(err, codec.ErrPeerClosed) || n == 0 {
		t.Fatalf("err %v n=%d", err, n)
	}
	if resp.StatusCode != 200 || body != "<html>hello gotio from "+testAddr.String()+"</html>" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !resp.Close ||
		resp.ContentLength != int64(len(body)) {
		t.Fatalf("resp %+v body %q", resp, body)
	}
	resp, body, err, _ = serve("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde")
	if !errors.Is(err, ErrHTTPServed) || resp.StatusCode != 201 || body != "abcde" || !resp.Close {
		t.Fatalf("echo: %v %+v %q", err, resp, body)
	}
	resp, _, err, _ = serve("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nabcdefghijk")
	if !errors.Is(err, codec.ErrTooLarge) || resp.StatusCode != 413 {
		t.Fatalf("big body: %v %d", err, resp.StatusCode)
	}
	resp, _, err, _ = serve("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	if !errors.Is(err, codec.ErrProtocol) || resp.StatusCode != 411 {
		t.Fatalf("chunked: %v %d", err, resp.StatusCode)
	}
	resp, _, err, _ = serve("GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
	if err == nil || !strings.Contains(err.Error(), "boom") || resp.StatusCode != 500 {
		t.Fatalf("panic: %v %d", err, resp.StatusCode)
	}
	// HEAD: length without body.
	s := New(cfg).NewStream(codec.ConnInfo{})
	rec := &codectest.Recorder{}
	feed(s, []byte("HEAD /?name=x HTTP/1.1\r\nHost: x\r\n\r\n"), rec)
	if !bytes.HasSuffix(rec.Replies, []byte("\r\n\r\n")) || !bytes.Contains(rec.Replies, []byte("Content-Length: ")) {
		t.Fatalf("HEAD reply %q", rec.Replies)
	}
	// A body still on its way is waited for.
	s = New(cfg).NewStream(codec.ConnInfo{})
	head := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"
	n, need, err := s.Decode([]byte(head+"ab"), &codectest.Recorder{})
	if n != 0 || need != len(head)+4 || err != nil {
		t.Fatalf("partial body: n=%d need=%d err=%v", n, need, err)
	}
}

func TestPlainHTTPWithoutHandlerIs404(t *testing.T) {
	s := New(nil).NewStream(codec.ConnInfo{})
	rec := &codectest.Recorder{}
	_, err := feed(s, []byte("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), rec)
	if !errors.Is(err, ErrHTTPServed) {
		t.Fatalf("err %v", err)
	}
	if resp, _ := readResponse(t, rec.Replies); resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
