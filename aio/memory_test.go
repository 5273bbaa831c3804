//go:build !race

package aio

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/socketio"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

// TestOwnMemoryPerConnection reports gotio's own heap per idle connection,
// without any transport: N connections are admitted through the server's
// real accept path (Server.open: ChannelContext, codec stream, connection
// table, IP index, wheel entry), each is taken through its protocol's
// handshake and one message by the real read path (serveRead, the handler,
// the write queue and its flush), and the live heap after a GC is divided
// by N. The sockets are fakes allocated before the first measurement, so
// the transport's share (netpoll's or gnet's connection object and
// buffers) is not in the figure: TestIdleMemoryPerConnection and bench/
// measure the whole process.
//
// The figures are printed (go test -v) so that a regression shows in CI's
// output; the only assertion is a generous bound that would catch a buffer
// per connection creeping in. The race detector inflates memory, so this
// file builds without it.
func TestOwnMemoryPerConnection(t *testing.T) {
	const conns = 4000
	ws := websocket.New(&websocket.Config{CheckOrigin: websocket.AnyOrigin})
	pc := pomelo.New(nil)
	echoHandler := HandlerFunc(func(c *ChannelContext, m *codec.Message) { _ = c.Send(m) })
	joinHandler := HandlerFunc(func(c *ChannelContext, m *codec.Message) {
		if err := c.BindGroup("room"); err != nil {
			c.Close(err)
			return
		}
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`{"code":200}`)})
	})
	// socket.io's handler also sees the Notify "connect" of the CONNECT:
	// only the room.join request is answered.
	sioJoin := HandlerFunc(func(c *ChannelContext, m *codec.Message) {
		if m.Kind == codec.Request {
			joinHandler(c, m)
		}
	})
	body := bytes.Repeat([]byte{'x'}, 512)
	cases := []struct {
		name    string
		codec   codec.Codec
		handler Handler
		msg     *codec.Message
		// sessions: each connection opens an engine.io session.
		sessions bool
	}{
		{"tcp", tcp.New(nil), echoHandler, &codec.Message{Kind: codec.Raw, Binary: true, Body: body}, false},
		{"ws", ws, echoHandler, &codec.Message{Kind: codec.Raw, Binary: true, Body: body}, false},
		{"pomelo", pc, joinHandler, &codec.Message{Kind: codec.Request, ID: 1, Route: "room.join", Body: []byte(`{}`)}, false},
		// engine.io over WebSocket from the first request (transport=
		// websocket), one 512-byte binary message echoed.
		{"eio", engineio.New(&engineio.Config{CheckOrigin: engineio.AnyOrigin}), echoHandler, &codec.Message{Kind: codec.Raw, Binary: true, Body: body}, true},
		// socket.io v5 as socket.io-client with transports: ["websocket"]
		// and bench/'s sio-idle: CONNECT, then a room.join event with an ack.
		{"sio", socketio.NewServer(nil, &engineio.Config{CheckOrigin: engineio.AnyOrigin}), sioJoin, &codec.Message{Kind: codec.Request, ID: 1, Route: "room.join", Body: []byte(`{}`)}, true},
	}
	t.Logf("struct sizes: ChannelContext %d B (conn core %d B, of which stat.Conn %d B, outQueue %d B)",
		unsafe.Sizeof(ChannelContext{}), unsafe.Sizeof(conn{}), unsafe.Sizeof(conn{}.stats), unsafe.Sizeof(outQueue{}))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(&Config{Codec: tc.codec, Handler: tc.handler})
			s.startEndpoint()
			defer s.Close()
			// One connection records what a client sends (its own client
			// stream answers the server); every measured connection is
			// then fed the same bytes.
			var script [][]byte
			recorded := 1 // the recording connection stays registered
			var want int  // bytes a session connection is answered in all
			switch tc.name {
			case "ws":
				recorded = 0
				// codec/websocket has no client side: a browser's
				// upgrade request and one masked binary frame.
				script = wsClientScript(tc.msg.Body)
			case "eio", "sio":
				// Neither has a client side here: socket.io-client's
				// requests, recorded by hand. A first connection learns
				// how many bytes the answers come to, so that each
				// measured one can wait for them.
				script = eioClientScript(tc.name == "sio", tc.msg.Body)
				want = feedSession(t, s, newMemConn(0), script, 0)
			default:
				script = recordClient(t, s, tc.codec, tc.msg)
			}
			fakes := make([]*memConn, conns)
			for i := range fakes {
				fakes[i] = newMemConn(i + 1)
			}
			in := &memInbound{}
			before := liveHeap()
			for _, f := range fakes {
				if tc.sessions {
					feedSession(t, s, f, script, want)
					continue
				}
				c := s.open(f)
				if c == nil {
					t.Fatal("connection refused")
				}
				c.begin()
				for _, chunk := range script {
					in.b = chunk
					c.serveRead(in)
				}
				if c.isClosed() {
					t.Fatalf("connection closed: %v", c.closeReason())
				}
				if !c.ready.Load() || f.written() == 0 {
					t.Fatalf("connection not ready (ready %v, %d bytes written)", c.ready.Load(), f.written())
				}
			}
			after := liveHeap()
			writeHeapProfile(t, tc.name)
			if n := s.Count(All()); n != conns+recorded {
				t.Fatalf("%d connections registered, want %d", n, conns+recorded)
			}
			// A WebSocket-only session is its connection (no second
			// ChannelContext), and counts as a session.
			if n := int(s.Stats().Sessions); tc.sessions && n != conns+recorded {
				t.Fatalf("%d sessions open, want %d", n, conns+recorded)
			}
			per := float64(after-before) / conns
			t.Logf("%s: gotio's own heap per idle connection: %.0f bytes (%d connections, handshake and one message each, no transport)", tc.name, per, conns)
			// A regression guard, not the target (0.5 KiB, docs/benchmarks.md).
			if per > 4096 {
				t.Fatalf("%.0f bytes of gotio's own per idle connection: something holds a buffer per connection", per)
			}
			runtime.KeepAlive(fakes)
		})
	}
}

// writeHeapProfile writes the live heap to $GOTIO_MEMPROFILE.<name> when
// that is set: with -test.memprofilerate=1 it shows where each byte of a
// connection goes (go tool pprof -sample_index=inuse_space).
func writeHeapProfile(t *testing.T, name string) {
	path := os.Getenv("GOTIO_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path + "." + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		t.Fatal(err)
	}
}

// liveHeap returns the bytes of live heap objects after two collections
// (the second empties the pools' victim caches).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// recordClient takes one connection of s through its handshake and msg,
// answering the server with a client stream of cd, and returns every chunk
// the client sent, in order.
func recordClient(t *testing.T, s *Server, cd codec.Codec, msg *codec.Message) [][]byte {
	t.Helper()
	f := newMemConn(0)
	f.keep = true
	cl := cd.NewStream(codec.ConnInfo{LocalAddr: f.remote, RemoteAddr: f.local, Client: true})
	c := s.open(f)
	if c == nil {
		t.Fatal("connection refused")
	}
	c.begin()
	var script [][]byte
	out := &clientOutput{}
	in := &memInbound{}
	send := func(b []byte) {
		script = append(script, b)
		in.b = b
		c.serveRead(in)
		if c.isClosed() {
			t.Fatalf("server closed the recording connection: %v", c.closeReason())
		}
		for got := f.take(); len(got) > 0; {
			n, _, err := cl.Decode(got, out)
			if err != nil {
				t.Fatalf("client decode: %v", err)
			}
			if n == 0 {
				t.Fatalf("client stream left %d bytes of the server's undecoded", len(got))
			}
			got = got[n:]
		}
	}
	if o, ok := cl.(codec.Opener); ok {
		b, err := o.Open(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			send(b)
		}
	}
	// Replies the client owes the server (pomelo's handshake ack).
	for len(out.replies) > 0 {
		b := out.replies
		out.replies = nil
		send(b)
	}
	b, err := cl.Encode(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	send(b)
	if out.messages == 0 {
		t.Fatal("the client got no answer to its message")
	}
	return script
}

// memConn is a rawConn without a socket: it keeps what the server wrote
// until take.
type memConn struct {
	local, remote net.Addr
	mu            sync.Mutex
	keep          bool // keep what is written for take (the recording connection)
	out           []byte
	total         int
}

func newMemConn(i int) *memConn {
	return &memConn{
		local: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000},
		// A distinct address per connection, as on a real server: each has
		// its own entry in the IP index.
		remote: &net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 40000},
	}
}

func (m *memConn) LocalAddr() net.Addr  { return m.local }
func (m *memConn) RemoteAddr() net.Addr { return m.remote }
func (m *memConn) close() error         { return nil }

func (m *memConn) writev(bufs [][]byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, b := range bufs {
		n += len(b)
		if m.keep {
			m.out = append(m.out, b...)
		}
	}
	m.total += n
	return n, nil
}

func (m *memConn) take() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.out
	m.out = nil
	return b
}

func (m *memConn) written() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// memInbound holds bytes that arrived whole.
type memInbound struct{ b []byte }

var errNoMoreBytes = errors.New("memInbound: no more bytes")

func (in *memInbound) Len() int { return len(in.b) }
func (in *memInbound) Peek(n int) ([]byte, error) {
	if n > len(in.b) {
		return nil, fmt.Errorf("peek %d of %d: %w", n, len(in.b), errNoMoreBytes)
	}
	return in.b[:n], nil
}
func (in *memInbound) Skip(n int) error { in.b = in.b[n:]; return nil }
func (in *memInbound) Release() error   { return nil }

// clientOutput collects what a client stream decodes.
type clientOutput struct {
	replies  []byte
	messages int
}

func (o *clientOutput) Message(*codec.Message)     { o.messages++ }
func (o *clientOutput) Reply(b []byte)             { o.replies = append(o.replies, b...) }
func (o *clientOutput) Handshaken(codec.Handshake) {}

// wsClientScript is what a WebSocket client sends: its upgrade request,
// then body in one masked binary frame (a zero mask key leaves the payload
// as it is).
func wsClientScript(body []byte) [][]byte {
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	frame := []byte{0x82, 0x80 | 126, byte(len(body) >> 8), byte(len(body)), 0, 0, 0, 0}
	return [][]byte{req, append(frame, body...)}
}

// eioClientScript is what engine.io-client (socketIO false) or
// socket.io-client (true) sends with transports: ["websocket"]: the
// upgrade request, then masked text frames (a zero mask key leaves the
// payload as it is). engine.io sends body as one binary message;
// socket.io sends CONNECT to "/" and a room.join event with ack id 1.
func eioClientScript(socketIO bool, body []byte) [][]byte {
	path := "/engine.io/"
	if socketIO {
		path = socketio.DefaultPath
	}
	req := []byte("GET " + path + "?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	frame := func(op byte, p []byte) []byte {
		var b []byte
		if len(p) < 126 {
			b = []byte{0x80 | op, 0x80 | byte(len(p)), 0, 0, 0, 0}
		} else {
			b = []byte{0x80 | op, 0x80 | 126, byte(len(p) >> 8), byte(len(p)), 0, 0, 0, 0}
		}
		return append(b, p...)
	}
	if !socketIO {
		return [][]byte{req, frame(0x2, body)}
	}
	return [][]byte{req, frame(0x1, []byte("40")), frame(0x1, []byte(`421["room.join",{}]`))}
}

// feedSession opens a carrier connection on f, feeds it script and waits
// (bounded) until want bytes were written to f, or, with want 0, until
// what is written stops growing; it returns the bytes written (a session
// connection's answers may leave through a flusher on another goroutine).
func feedSession(t *testing.T, s *Server, f *memConn, script [][]byte, want int) int {
	t.Helper()
	c := s.open(f)
	if c == nil {
		t.Fatal("connection refused")
	}
	c.begin()
	in := &memInbound{}
	for _, chunk := range script {
		in.b = chunk
		c.serveRead(in)
		if c.isClosed() {
			t.Fatalf("carrier closed: %v", c.closeReason())
		}
	}
	last, still := -1, 0
	for i := 0; i < 5000; i++ {
		n := f.written()
		if want > 0 && n >= want {
			return n
		}
		if want == 0 && n > 0 && n == last {
			if still++; still == 20 {
				return n
			}
		} else {
			still = 0
		}
		last = n
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("session answered %d bytes, want %d", f.written(), want)
	return 0
}
