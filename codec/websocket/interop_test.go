package websocket_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/aiotest"
)

// transports are the engines every test runs on (aiotest.Transports).
var transports = slices.Clone(aiotest.Transports)

// echo sends every message back; "kick-me" is kicked instead.
func echo(c *aio.ChannelContext, m *codec.Message) {
	if m.Kind == codec.Raw && string(m.Body) == "kick-me" {
		c.Kick("kicked by test")
		return
	}
	_ = c.Send(m)
}

// startServer serves a WebSocket codec made from wcfg on loopback through
// a real aio.Server, and closes it when the test ends.
func startServer(t testing.TB, tr aio.Transport, wcfg *websocket.Config) *aio.Server {
	t.Helper()
	s := aio.NewServer(&aio.Config{
		Codec:           websocket.New(wcfg),
		Handler:         aio.HandlerFunc(echo),
		Transport:       tr,
		WriteQueueBytes: 8 << 20, // room for 1 MiB echoes
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func wsURL(s *aio.Server, path string) string { return "ws://" + s.Addr().String() + path }

func dialGorilla(t testing.TB, url string, compress bool, writeBuf int) *gorilla.Conn {
	t.Helper()
	d := gorilla.Dialer{HandshakeTimeout: 5 * time.Second, EnableCompression: compress, WriteBufferSize: writeBuf}
	conn, resp, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return conn
}

// payload returns n bytes: compressible text, or random binary.
func payload(n int, binary bool) []byte {
	b := make([]byte, n)
	if binary {
		for i := range b {
			b[i] = byte(rand.Uint32())
		}
		return b
	}
	const text = "gotio speaks WebSocket, ünïcödé included. "
	for i := range b {
		b[i] = text[i%len(text)]
	}
	// keep it valid UTF-8: the cut may split a character at the end
	for n > 0 && !isUTF8(b) {
		b[n-1] = 'x'
		n--
	}
	return b
}

func isUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\x00") == string(b) }

var sizes = []int{0, 125, 126, 65535, 65536, 1 << 20}

func TestGorillaEcho(t *testing.T) {
	for _, tr := range transports {
		for _, compress := range []bool{false, true} {
			name := string(tr)
			if compress {
				name += "/deflate"
			}
			t.Run(name, func(t *testing.T) {
				s := startServer(t, tr, &websocket.Config{Deflate: &websocket.Deflate{}})
				// A small write buffer makes gorilla fragment big messages.
				conn := dialGorilla(t, wsURL(s, "/echo"), compress, 1024)
				conn.SetReadLimit(2 << 20)
				for _, n := range sizes {
					for _, typ := range []int{gorilla.TextMessage, gorilla.BinaryMessage} {
						want := payload(n, typ == gorilla.BinaryMessage)
						conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
						if err := conn.WriteMessage(typ, want); err != nil {
							t.Fatal(err)
						}
						conn.SetReadDeadline(time.Now().Add(10 * time.Second))
						gt, got, err := conn.ReadMessage()
						if err != nil {
							t.Fatalf("size %d: %v", n, err)
						}
						if gt != typ || !bytes.Equal(got, want) {
							t.Fatalf("size %d type %d: echo differs (type %d, %d bytes)", n, typ, gt, len(got))
						}
					}
				}
				// ping, answered with the same payload
				pong := make(chan string, 1)
				conn.SetPongHandler(func(p string) error { pong <- p; return nil })
				if err := conn.WriteControl(gorilla.PingMessage, []byte("ping?"), time.Now().Add(5*time.Second)); err != nil {
					t.Fatal(err)
				}
				conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				go func() { _, _, _ = conn.ReadMessage() }() // pumps control frames until close
				select {
				case p := <-pong:
					if p != "ping?" {
						t.Fatalf("pong %q", p)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("no pong")
				}
				conn.Close()
				// Text is compressible, binary random: compressed, the text
				// half of the echoes nearly vanishes from the wire.
				total := uint64(0)
				for _, n := range sizes {
					total += 2 * uint64(n)
				}
				sent := s.Stats().SentBytes
				if compress && sent > total/2+total/16 {
					t.Fatalf("compression on, yet %d bytes sent for %d bytes of echoes", sent, total)
				}
				if !compress && sent < total {
					t.Fatalf("%d bytes sent for %d bytes of echoes", sent, total)
				}
			})
		}
	}
}

func TestGorillaCloseCodes(t *testing.T) {
	s := startServer(t, "", nil)
	conn := dialGorilla(t, wsURL(s, "/"), false, 0)
	msg := gorilla.FormatCloseMessage(4001, "bye")
	if err := conn.WriteControl(gorilla.CloseMessage, msg, time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := conn.ReadMessage()
	var ce *gorilla.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 {
		t.Fatalf("close echo: %v", err)
	}

	kicked := dialGorilla(t, wsURL(s, "/"), false, 0)
	kicked.WriteMessage(gorilla.TextMessage, []byte("kick-me"))
	kicked.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = kicked.ReadMessage()
	if !errors.As(err, &ce) || ce.Code != websocket.CloseKicked || !strings.Contains(ce.Text, "kicked by test") {
		t.Fatalf("kick: %v", err)
	}
}

func TestGorillaShutdownSaysGoingAway(t *testing.T) {
	s := aio.NewServer(&aio.Config{Codec: websocket.New(nil), Handler: aio.HandlerFunc(echo)})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	conn := dialGorilla(t, wsURL(s, "/"), false, 0)
	conn.WriteMessage(gorilla.TextMessage, []byte("hi"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := conn.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(t.Context()) }()
	_, _, err := conn.ReadMessage()
	var ce *gorilla.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("shutdown: %v", err)
	}
	conn.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("shutdown hangs")
	}
}

// rawConn speaks hand-built frames to the server.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, s *aio.Server, path string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := &rawConn{t: t, nc: nc, r: bufio.NewReader(nc)}
	if path == "" {
		return c
	}
	c.write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return c
}

func (c *rawConn) write(b []byte) {
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// frame builds a masked client frame.
func frame(b0 byte, p []byte) []byte {
	key := []byte{1, 2, 3, 4}
	b := []byte{b0, 0x80 | byte(len(p))}
	b = append(b, key...)
	for i, c := range p {
		b = append(b, c^key[i%4])
	}
	return b
}

// readFrame reads one unmasked server frame.
func (c *rawConn) readFrame() (byte, []byte) {
	c.t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		c.t.Fatal(err)
	}
	n := int(h[1] & 0x7f)
	if n >= 126 {
		c.t.Fatalf("unexpected long frame")
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c.r, p); err != nil {
		c.t.Fatal(err)
	}
	return h[0], p
}

func (c *rawConn) expectEOF() {
	c.t.Helper()
	if n, err := io.Copy(io.Discard, c.r); err != nil || n != 0 {
		c.t.Fatalf("want the server to close: %d bytes, %v", n, err)
	}
}

// TestRawFramesOverSocket: control frames between fragments, and a
// protocol violation answered with its close code before the server closes.
func TestRawFramesOverSocket(t *testing.T) {
	s := startServer(t, "", nil)
	c := dialRaw(t, s, "/")
	euro := []byte("€")
	c.write(bytes.Join([][]byte{
		frame(0x01, []byte("a")),
		frame(0x00, euro[:2]),
		frame(0x89, []byte("mid")),
		frame(0x80, euro[2:]),
	}, nil))
	if b0, p := c.readFrame(); b0 != 0x8A || string(p) != "mid" {
		t.Fatalf("pong %x %q", b0, p)
	}
	if b0, p := c.readFrame(); b0 != 0x81 || string(p) != "a€" {
		t.Fatalf("echo %x %q", b0, p)
	}
	c.write([]byte{0x81, 0x02, 'h', 'i'}) // unmasked
	if b0, p := c.readFrame(); b0 != 0x88 || len(p) < 2 || int(p[0])<<8|int(p[1]) != websocket.CloseProtocolError {
		t.Fatalf("close %x %q", b0, p)
	}
	c.expectEOF()
}

// TestHTTPOnTheSamePort: a page and the WebSocket share the port.
func TestHTTPOnTheSamePort(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><title>hello</title>"))
	})
	s := startServer(t, "", &websocket.Config{HTTP: page})
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + s.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	client.CloseIdleConnections()
	if resp.StatusCode != 200 || string(body) != "<!doctype html><title>hello</title>" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	conn := dialGorilla(t, wsURL(s, "/"), false, 0)
	conn.WriteMessage(gorilla.TextMessage, []byte("after the page"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, p, err := conn.ReadMessage(); err != nil || string(p) != "after the page" {
		t.Fatalf("%q %v", p, err)
	}
}

// TestBroadcastSharesFrames: connections with the same Format receive
// the bytes encoded once, compressed or not.
func TestBroadcastSharesFrames(t *testing.T) {
	s := startServer(t, "", &websocket.Config{
		Routes:  []websocket.Route{{Inner: websocket.JSON}},
		Deflate: &websocket.Deflate{},
	})
	var conns []*gorilla.Conn
	for i := range 4 {
		c := dialGorilla(t, wsURL(s, "/"), i%2 == 0, 0)
		c.WriteMessage(gorilla.TextMessage, []byte(`{"route":"hello"}`))
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	formats := map[string]bool{}
	for _, c := range s.Conns(aio.All()) {
		formats[c.Stream().Format()] = true
	}
	if len(formats) != 2 || !formats["ws/json"] || !formats["ws.deflate1-256/json"] {
		t.Fatalf("formats %v", formats)
	}
	body := `{"text":"` + strings.Repeat("broadcast ", 100) + `"}`
	if n, err := s.SendToAll(&codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(body)}); err != nil || n != 4 {
		t.Fatalf("sent to %d", n)
	}
	for _, c := range conns {
		_, p, err := c.ReadMessage()
		if err != nil || string(p) != `{"route":"onChat","body":`+body+`}` {
			t.Fatalf("%q %v", p, err)
		}
	}
}
