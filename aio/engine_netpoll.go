//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package aio

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/rs/zerolog"
)

const netpollAvailable = true

// netpollEngine serves connections on cloudwego/netpoll's event loop: a
// connection costs no goroutine while it is idle, and reads run on a pooled
// goroutine only while bytes are waiting.
type netpollEngine struct {
	h   host
	evl netpoll.EventLoop

	mu      sync.Mutex
	lns     []netpoll.Listener
	closed  bool
	serving sync.WaitGroup // one per serve call
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
		netpoll.SetLoggerOutput(netpollLogWriter{})
	})
}

func newNetpollEngine(h host, set *settings, logger *zerolog.Logger) (*netpollEngine, error) {
	tuneNetpoll()
	routeNetpollLogs(logger)
	e := &netpollEngine{h: h}
	evl, err := netpoll.NewEventLoop(e.onRequest,
		netpoll.WithOnConnect(e.onConnect),
		netpoll.WithReadTimeout(set.readTimeout),
		netpoll.WithWriteTimeout(set.writeTimeout),
	)
	if err != nil {
		return nil, err
	}
	e.evl = evl
	return e, nil
}

func (e *netpollEngine) name() string { return "netpoll" }

func (e *netpollEngine) serve(ln net.Listener) error {
	npln, err := netpoll.ConvertListener(ln)
	if err != nil {
		return err
	}
	e.serving.Add(1)
	defer e.serving.Done()
	e.mu.Lock()
	e.lns = append(e.lns, npln)
	closed := e.closed
	e.mu.Unlock()
	if closed {
		shutdownListener(npln)
	}
	return e.evl.Serve(npln)
}

// closeListeners stops accepting without closing a connection: netpoll's
// own Shutdown would also close every idle connection, before aio told it
// goodbye. Shutting the listening socket's read side makes the kernel
// refuse new connections and netpoll's server loop end (the socket reports
// a hang-up), while accepted connections are untouched; stop releases the
// rest.
func (e *netpollEngine) closeListeners() {
	e.mu.Lock()
	e.closed = true
	lns := e.lns
	e.mu.Unlock()
	for _, ln := range lns {
		shutdownListener(ln)
	}
}

func shutdownListener(ln netpoll.Listener) { _ = syscall.Shutdown(ln.Fd(), syscall.SHUT_RD) }

// stop releases the event loop once every serve loop ended: netpoll's
// poller detaches a listener when it sees the hang-up closeListeners
// caused, and its Shutdown must not race that (it detaches and closes the
// listener again).
func (e *netpollEngine) stop(ctx context.Context) error {
	e.closeListeners()
	waitOrDone(ctx, &e.serving)
	return e.evl.Shutdown(ctx)
}

func (e *netpollEngine) onConnect(ctx context.Context, pc netpoll.Connection) context.Context {
	c := attachNetpoll(pc, e.h)
	if c == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, c)
}

func (e *netpollEngine) onRequest(ctx context.Context, pc netpoll.Connection) error {
	c, _ := ctx.Value(ctxKey{}).(*conn)
	if c == nil {
		r := pc.Reader()
		_ = r.Skip(r.Len())
		return r.Release()
	}
	c.serveRead(pc.Reader())
	return nil
}

// attachNetpoll registers a netpoll connection with h and starts it.
func attachNetpoll(pc netpoll.Connection, h host) *conn {
	nc := &netpollConn{conn: pc}
	c := h.open(nc)
	if c == nil {
		_ = pc.Close()
		return nil
	}
	// netpoll frees a connection's buffers in a close callback registered
	// before this one, which runs after it: fence the writer here, so no
	// flusher is inside WriteBinary when they go.
	err := pc.AddCloseCallback(func(netpoll.Connection) error {
		nc.fence()
		c.finish(errPeerClosed)
		return nil
	})
	if err != nil || !pc.IsActive() {
		// Closed before the callback was in place (a server that refused
		// at once): netpoll ran its own close callbacks without ours and
		// may have freed the buffers already. A close that starts after
		// this check runs ours.
		nc.fence()
		c.finish(errPeerClosed)
		return c
	}
	c.begin()
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
// on netpoll's pollers for h (a client).
func dialNetpoll(ctx context.Context, addr string, set *settings, h host) (*conn, error) {
	tuneNetpoll()
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	nconn, err := netpoll.DialConnection("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("aio: dial %s: %w", addr, err)
	}
	_ = nconn.SetReadTimeout(set.readTimeout)
	_ = nconn.SetWriteTimeout(set.writeTimeout)
	var c *conn
	ready := make(chan struct{})
	// netpoll may call OnRequest as soon as it is set, before attach
	// returned: wait for c.
	_ = nconn.SetOnRequest(func(_ context.Context, nc netpoll.Connection) error {
		<-ready
		if c == nil {
			r := nc.Reader()
			_ = r.Skip(r.Len())
			return r.Release()
		}
		c.serveRead(nc.Reader())
		return nil
	})
	c = attachNetpoll(nconn, h)
	close(ready)
	if c == nil {
		return nil, ErrServerClosed
	}
	return c, nil
}
