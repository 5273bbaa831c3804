package tcp_test

// Loopback tests: an aio server with the tcp codec, and a raw net.Conn
// client that speaks gotio TCP byte by byte, as a device in another
// language would.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// transports are the engines every test runs on (aiotest.Transports).
var transports = slices.Clone(aiotest.Transports)

// closeLog records why each connection closed.
type closeLog struct {
	mu      sync.Mutex
	reasons []error
}

func (l *closeLog) OnBeforeClose(_ *aio.ChannelContext, reason error) {
	l.mu.Lock()
	l.reasons = append(l.reasons, reason)
	l.mu.Unlock()
}

// waitReason waits for the first close reason (a hang guard, not timing).
func (l *closeLog) waitReason(t *testing.T) error {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		l.mu.Lock()
		if len(l.reasons) > 0 {
			r := l.reasons[0]
			l.mu.Unlock()
			return r
		}
		l.mu.Unlock()
	}
	t.Fatal("no connection closed")
	return nil
}

// chatHandler answers requests with their body and turns each notify into
// a push of the same route; a request to "kick" kicks the caller.
func chatHandler(c *aio.ChannelContext, m *codec.Message) {
	switch m.Kind {
	case codec.Request:
		if m.Route == "kick" {
			c.Kick("enough")
			return
		}
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body})
	case codec.Notify:
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: m.Route, Body: m.Body})
	}
}

func startTCPServer(t *testing.T, tr aio.Transport, cfg *tcp.Config, l *closeLog) *aio.Server {
	t.Helper()
	s := aio.NewServer(&aio.Config{
		Codec:         tcp.New(cfg),
		Handler:       aio.HandlerFunc(chatHandler),
		OnBeforeClose: l.OnBeforeClose,
		Transport:     tr,
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rawClient speaks gotio TCP over a plain socket.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialTCP(t *testing.T, s *aio.Server) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// frame reads one whole frame, length prefix included.
func (c *rawClient) frame() []byte {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 4)
	if _, err := io.ReadFull(c.r, b); err != nil {
		c.t.Fatalf("read frame header: %v", err)
	}
	b = append(b, make([]byte, binary.BigEndian.Uint32(b))...)
	if _, err := io.ReadFull(c.r, b[4:]); err != nil {
		c.t.Fatalf("read frame body: %v", err)
	}
	return b
}

// expect reads one frame and compares it with want.
func (c *rawClient) expect(what string, want []byte) {
	c.t.Helper()
	if got := c.frame(); string(got) != string(want) {
		c.t.Fatalf("%s: got % x, want % x", what, got, want)
	}
}

// expectClose reads a close frame with code, then the end of the stream.
func (c *rawClient) expectClose(code tcp.CloseCode) *tcp.CloseError {
	c.t.Helper()
	b := c.frame()
	var rec codectest.Recorder
	s := acked(c.t, tcp.New(nil))
	_, _, err := s.Decode(b, &rec)
	var ce *tcp.CloseError
	if !errors.As(err, &ce) || ce.Code != code {
		c.t.Fatalf("frame % x: %v, want a close frame with code %v", b, err, code)
	}
	c.expectEOF()
	return ce
}

// expectEOF reads until the server closes the connection, which must come
// with no further bytes.
func (c *rawClient) expectEOF() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	rest, err := io.ReadAll(c.r)
	if err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		c.t.Fatalf("connection not closed by the server: %v", err)
	}
	if len(rest) != 0 {
		c.t.Fatalf("unexpected bytes before close: % x", rest)
	}
}

// isReset reports a connection reset: the server may close with unread
// input, which makes the kernel send RST instead of FIN.
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func msg(t *testing.T, m codec.Message) []byte {
	t.Helper()
	b, err := tcp.AppendMessage(nil, &m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoopbackSession(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startTCPServer(t, tr, &tcp.Config{HeartbeatInterval: 20 * time.Second}, &closeLog{})
			c := dialTCP(t, s)
			// Handshake and a request in one write, as a client may.
			c.write(append([]byte{0xC7, 0x01}, msg(t, codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"m":"hi"}`)})...))
			c.expect("handshake-ack", tcp.AppendHandshakeAck(nil, 20000))
			c.expect("response", msg(t, codec.Message{Kind: codec.Response, ID: 1, Body: []byte(`{"m":"hi"}`)}))

			c.write(tcp.AppendHeartbeat(nil))
			c.expect("heartbeat answer", tcp.AppendHeartbeat(nil))

			c.write(msg(t, codec.Message{Kind: codec.Notify, Route: "onTyping", Body: []byte("1")}))
			c.expect("push", msg(t, codec.Message{Kind: codec.Push, Route: "onTyping", Body: []byte("1")}))

			// A request split across writes, byte by byte.
			req := msg(t, codec.Message{Kind: codec.Request, ID: 300, Route: "r", Body: []byte("split")})
			for i := range req {
				c.write(req[i : i+1])
			}
			c.expect("response to split request", msg(t, codec.Message{Kind: codec.Response, ID: 300, Body: []byte("split")}))

			// aio learned the protocol from the handshake.
			waitConn(t, s, func(cc *aio.ChannelContext) bool { return cc.Protocol() == "tcp" })
		})
	}
}

// waitConn waits until the server's one connection satisfies cond.
func waitConn(t *testing.T, s *aio.Server, cond func(*aio.ChannelContext) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if conns := s.Conns(aio.All()); len(conns) == 1 && cond(conns[0]) {
			return
		}
	}
	t.Fatal("connection never satisfied the condition")
}

func TestLoopbackBadInput(t *testing.T) {
	cases := []struct {
		name   string
		in     []byte
		close  int // close frame code expected, or noReply
		reason error
	}{
		{"garbage first byte", []byte("GET / HTTP/1.1\r\n\r\n"), noReply, codec.ErrProtocol},
		{"frame before handshake", tcp.AppendHeartbeat(nil), noReply, codec.ErrProtocol},
		{"unsupported version", []byte{0xC7, 0x09}, int(tcp.CloseUnsupportedVersion), codec.ErrProtocol},
		{"unknown frame type", []byte{0xC7, 0x01, 0, 0, 0, 1, 0x0B}, int(tcp.CloseProtocolError), codec.ErrProtocol},
		{"oversize frame", []byte{0xC7, 0x01, 0x00, 0x40, 0x00, 0x01, 0x03}, int(tcp.CloseProtocolError), codec.ErrTooLarge},
		{"client close frame", append([]byte{0xC7, 0x01}, tcp.AppendClose(nil, tcp.CloseNormal, "bye")...), noReply, codec.ErrPeerClosed},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(string(tr)+"/"+tc.name, func(t *testing.T) {
				l := &closeLog{}
				s := startTCPServer(t, tr, nil, l)
				c := dialTCP(t, s)
				c.write(tc.in)
				if tc.in[0] == 0xC7 && tc.in[1] == 0x01 {
					c.expect("handshake-ack", tcp.AppendHandshakeAck(nil, 0))
				}
				if tc.close == noReply {
					c.expectEOF()
				} else {
					c.expectClose(tcp.CloseCode(tc.close))
				}
				if r := l.waitReason(t); !errors.Is(r, tc.reason) {
					t.Fatalf("close reason %v, want %v", r, tc.reason)
				}
				// The server is still serving.
				c2 := dialTCP(t, s)
				c2.write(tcp.AppendHandshake(nil))
				c2.expect("handshake-ack", tcp.AppendHandshakeAck(nil, 0))
			})
		}
	}
}

func TestLoopbackKickAndShutdown(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startTCPServer(t, tr, nil, &closeLog{})
			kicked, stays := dialTCP(t, s), dialTCP(t, s)
			for _, c := range []*rawClient{kicked, stays} {
				c.write(tcp.AppendHandshake(nil))
				c.expect("handshake-ack", tcp.AppendHandshakeAck(nil, 0))
			}
			kicked.write(msg(t, codec.Message{Kind: codec.Request, ID: 1, Route: "kick"}))
			if ce := kicked.expectClose(tcp.CloseKicked); ce.Reason == "" {
				t.Fatal("kick without a reason")
			}

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Shutdown(ctx) }()
			stays.expectClose(tcp.CloseShutdown)
			if err := <-done; err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
		})
	}
}
