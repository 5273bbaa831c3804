//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package aio

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/cloudwego/netpoll"
)

const netpollAvailable = true

// netpollEngine serves connections on cloudwego/netpoll's event loop: a
// connection costs no goroutine while it is idle, and reads run on a pooled
// goroutine only while bytes are waiting.
type netpollEngine struct {
	s   *Server
	evl netpoll.EventLoop
}

type ctxKey struct{}

var configureNetpoll sync.Once

// tuneNetpoll shrinks netpoll's per-connection buffers, once per process:
// its defaults hold ~12 KiB per idle connection, these ~4 KiB, and netpoll
// grows a busy connection's read size by itself (measured in bench/).
func tuneNetpoll() {
	configureNetpoll.Do(func() {
		netpoll.LinkBufferCap = 256
		_ = netpoll.Configure(netpoll.Config{BufferSize: 512})
	})
}

func newNetpollEngine(s *Server) (*netpollEngine, error) {
	tuneNetpoll()
	e := &netpollEngine{s: s}
	evl, err := netpoll.NewEventLoop(e.onRequest,
		netpoll.WithOnConnect(e.onConnect),
		netpoll.WithReadTimeout(s.cfg.ReadTimeout),
		netpoll.WithWriteTimeout(s.cfg.WriteTimeout),
	)
	if err != nil {
		return nil, err
	}
	e.evl = evl
	return e, nil
}

func (e *netpollEngine) name() string { return "netpoll" }

func (e *netpollEngine) serve(ln net.Listener) error { return e.evl.Serve(ln) }

func (e *netpollEngine) stop(ctx context.Context) error { return e.evl.Shutdown(ctx) }

func (e *netpollEngine) onConnect(ctx context.Context, conn netpoll.Connection) context.Context {
	c := e.s.attachNetpoll(conn, false)
	if c == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, c)
}

func (e *netpollEngine) onRequest(ctx context.Context, conn netpoll.Connection) error {
	c, _ := ctx.Value(ctxKey{}).(*ChannelContext)
	if c == nil {
		r := conn.Reader()
		_ = r.Skip(r.Len())
		return r.Release()
	}
	c.serveRead(conn.Reader())
	return nil
}

// attachNetpoll registers a netpoll connection with the server.
func (s *Server) attachNetpoll(conn netpoll.Connection, client bool) *ChannelContext {
	nc := &netpollConn{conn: conn}
	c := s.accept(nc, client)
	if c == nil {
		_ = conn.Close()
		return nil
	}
	// netpoll frees a connection's buffers in a close callback registered
	// before this one, which runs after it: fence the writer here, so no
	// flusher is inside WriteBinary when they go.
	_ = conn.AddCloseCallback(func(netpoll.Connection) error {
		nc.fence()
		c.finish(ErrPeerClosed)
		return nil
	})
	s.opened(c, false)
	return c
}

// netpollConn is a rawConn over a netpoll connection.
type netpollConn struct {
	conn   netpoll.Connection
	mu     sync.Mutex // held by writev; taken by fence
	closed bool
}

// fence waits for a writev in progress (netpoll wakes a blocked Flush
// before it runs close callbacks) and keeps later ones off the buffers.
func (nc *netpollConn) fence() {
	nc.mu.Lock()
	nc.closed = true
	nc.mu.Unlock()
}

func (nc *netpollConn) LocalAddr() net.Addr  { return nc.conn.LocalAddr() }
func (nc *netpollConn) RemoteAddr() net.Addr { return nc.conn.RemoteAddr() }

// writev hands the buffers to netpoll without copying and flushes them in
// one vectored write. Only one flusher runs per connection (write.go), as
// netpoll's Writer requires.
func (nc *netpollConn) writev(bufs [][]byte) (int, error) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.closed {
		return 0, netpoll.ErrConnClosed
	}
	w := nc.conn.Writer()
	n := 0
	for _, b := range bufs {
		if _, err := w.WriteBinary(b); err != nil {
			return n, err
		}
		n += len(b)
	}
	return n, w.Flush()
}

func (nc *netpollConn) close() error { return nc.conn.Close() }

// dialNetpoll dials addr with netpoll's dialer and serves the connection
// on the event loop.
func (s *Server) dialNetpoll(ctx context.Context, addr string) (*ChannelContext, error) {
	tuneNetpoll()
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	conn, err := netpoll.DialConnection("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("aio: dial %s: %w", addr, err)
	}
	_ = conn.SetReadTimeout(s.cfg.ReadTimeout)
	_ = conn.SetWriteTimeout(s.cfg.WriteTimeout)
	c := s.attachNetpoll(conn, true)
	if c == nil {
		return nil, ErrServerShutdown
	}
	_ = conn.SetOnRequest(func(_ context.Context, _ netpoll.Connection) error {
		c.serveRead(conn.Reader())
		return nil
	})
	return c, nil
}
