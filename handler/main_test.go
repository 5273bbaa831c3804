package handler_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

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

// startServer serves cfg on an ephemeral loopback port until the test ends.
func startServer(t testing.TB, cfg aio.Config) *aio.Server { return aiotest.Start(t, &cfg) }

// waitFor is testenv.WaitFor.
var waitFor = testenv.WaitFor

// logBuffer is a zerolog sink safe for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// recCodec is a codec without a wire: its streams record every message
// the server sends (when record is set) and encode it as its body, so a
// test calls Router.ServeMessage on a live connection and reads what it sent
// without parsing bytes.
type recCodec struct{ record bool }

func (rc recCodec) NewStream(codec.ConnInfo) codec.Stream { return &recStream{record: rc.record} }

type recStream struct {
	record bool
	mu     sync.Mutex
	sent   []codec.Message
}

func (s *recStream) Decode(in []byte, _ codec.Output) (int, int, error) { return len(in), 0, nil }

func (s *recStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if s.record {
		c := *m
		c.Body = bytes.Clone(m.Body)
		s.mu.Lock()
		s.sent = append(s.sent, c)
		s.mu.Unlock()
	}
	return append(dst, m.Body...), nil
}

func (s *recStream) Format() string   { return "" }
func (s *recStream) Protocol() string { return "rec" }

// take returns and forgets what was sent.
func (s *recStream) take() []codec.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// liveConn starts a server with a recCodec, connects to it, and returns
// the server side of the connection; a goroutine drains what the server
// writes until the test ends. It uses the std transport: with netpoll, aio
// (at 044d83f) can crash when a connection closes while a flusher writes,
// which the benchmarks' steady writes make likely at cleanup.
func liveConn(t testing.TB, record bool, log io.Writer) *aio.ChannelContext {
	t.Helper()
	logger := zerolog.Nop()
	if log != nil {
		logger = zerolog.New(log)
	}
	srv := startServer(t, aio.Config{Codec: recCodec{record: record}, Transport: aio.TransportStd, HandshakeTimeout: -1, Logger: logger})
	nc, err := net.DialTimeout("tcp", srv.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, nc)
	}()
	t.Cleanup(func() {
		nc.Close()
		<-drained
	})
	waitFor(t, "the connection", func() bool { return srv.Count(aio.All()) == 1 })
	return srv.Conns(aio.All())[0]
}

// tcpClient speaks gotio TCP over a raw socket with the codec's client
// stream.
type tcpClient struct {
	t   testing.TB
	nc  net.Conn
	st  codec.Stream
	in  []byte
	rec codectest.Recorder
	err error // the decode error that ended the session (a *tcp.CloseError)
}

func dialTCP(t testing.TB, srv *aio.Server) *tcpClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", srv.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &tcpClient{t: t, nc: nc, st: tcp.New(nil).NewStream(codec.ConnInfo{Client: true})}
	open, err := c.st.(codec.Opener).Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.write(open)
	return c
}

func (c *tcpClient) write(b []byte) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *tcpClient) send(m codec.Message) {
	c.t.Helper()
	b, err := c.st.Encode(nil, &m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(b)
}

func (c *tcpClient) request(id uint64, route, body string) {
	c.t.Helper()
	c.send(codec.Message{Kind: codec.Request, ID: id, Route: route, Body: []byte(body)})
}

func (c *tcpClient) notify(route, body string) {
	c.t.Helper()
	c.send(codec.Message{Kind: codec.Notify, Route: route, Body: []byte(body)})
}

// recv returns the next message from the server, or the error that ended
// the session (a *tcp.CloseError, io.EOF, a timeout after 10 s).
func (c *tcpClient) recv() (codec.Message, error) {
	var buf [4096]byte
	for range 10_000 {
		if len(c.rec.Messages) > 0 {
			m := c.rec.Messages[0]
			c.rec.Messages = c.rec.Messages[1:]
			return m, nil
		}
		if c.err != nil {
			err := c.err
			c.err = nil
			return codec.Message{}, err
		}
		_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.nc.Read(buf[:])
		c.in = append(c.in, buf[:n]...)
		used, derr := codectest.DecodeAll(c.st, c.in, &c.rec)
		c.in = c.in[:copy(c.in, c.in[used:])]
		if derr != nil {
			c.err = derr
		}
		if err != nil && len(c.rec.Messages) == 0 && c.err == nil {
			return codec.Message{}, err
		}
	}
	return codec.Message{}, errors.New("recv: no message after 10000 reads")
}

// mustRecv returns the next message and fails the test on an error.
func (c *tcpClient) mustRecv() codec.Message {
	c.t.Helper()
	m, err := c.recv()
	if err != nil {
		c.t.Fatalf("recv: %v", err)
	}
	return m
}
