package aio

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// stdEngine serves connections with package net: a goroutine per
// connection. It runs everywhere and serves TLS listeners.
type stdEngine struct {
	h      host
	set    *settings
	logger *zerolog.Logger
	mu     sync.Mutex
	lns    []net.Listener
	closed bool
	wg     sync.WaitGroup // one per connection goroutine
}

func newStdEngine(s *Server, set *settings) *stdEngine {
	return &stdEngine{h: s, set: set, logger: &s.ep.logger}
}

func (e *stdEngine) name() string { return "std" }

func (e *stdEngine) serve(ln net.Listener) error {
	e.mu.Lock()
	e.lns = append(e.lns, ln)
	closed := e.closed
	e.mu.Unlock()
	if closed {
		ln.Close()
	}
	return acceptEach(ln, e.isClosed, e.logger, func(nc net.Conn) {
		// Counted under the lock that closeListeners takes, so that no
		// Add races stop's Wait: once closed, what Accept still returned
		// is closed here.
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			nc.Close()
			return
		}
		e.wg.Add(1)
		e.mu.Unlock()
		go func() {
			defer e.wg.Done()
			runStd(nc, e.set, e.h, nil)
		}()
	})
}

func (e *stdEngine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

func (e *stdEngine) closeListeners() {
	e.mu.Lock()
	e.closed = true
	lns := e.lns
	e.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
}

// stop waits for the connection goroutines until ctx ends.
func (e *stdEngine) stop(ctx context.Context) error {
	e.closeListeners()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runStd serves one net.Conn for h on the calling goroutine until it
// closes; onOpen, when set, learns the connection before reading starts.
// It returns nil when h refused the connection.
func runStd(nc net.Conn, set *settings, h host, onOpen func(*conn)) *conn {
	sc := &stdConn{nc: nc, writeTimeout: set.writeTimeout}
	c := h.open(sc)
	if c == nil {
		nc.Close()
		return nil
	}
	c.begin()
	if onOpen != nil {
		onOpen(c)
	}
	in := &stdReader{nc: nc, timeout: set.readTimeout}
	for c.state.Load() == stateOpen {
		if err := in.fill(0); err != nil {
			if c.state.Load() == stateOpen {
				c.finish(peerReason(err))
			}
			break
		}
		c.serveRead(in)
	}
	// A graceful close finishes once its queue is written; wait for it so
	// the goroutine does not outlive the connection.
	<-sc.closed()
	return c
}

func peerReason(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return errPeerClosed
	}
	return wrapReason(errPeerClosed, err)
}

// stdConn is a rawConn over a net.Conn.
type stdConn struct {
	nc           net.Conn
	writeTimeout time.Duration
	wmu          sync.Mutex
	once         sync.Once
	doneOnce     sync.Once
	done         chan struct{}
}

func (sc *stdConn) LocalAddr() net.Addr  { return sc.nc.LocalAddr() }
func (sc *stdConn) RemoteAddr() net.Addr { return sc.nc.RemoteAddr() }

func (sc *stdConn) closed() chan struct{} {
	sc.doneOnce.Do(func() { sc.done = make(chan struct{}) })
	return sc.done
}

func (sc *stdConn) writev(bufs [][]byte) (int, error) {
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	_ = sc.nc.SetWriteDeadline(deadline(sc.writeTimeout))
	nb := net.Buffers(bufs)
	n, err := nb.WriteTo(sc.nc)
	return int(n), err
}

func (sc *stdConn) close() error {
	var err error
	sc.once.Do(func() {
		err = sc.nc.Close()
		close(sc.closed())
	})
	return err
}

// stdReader buffers a net.Conn's bytes for serveRead.
type stdReader struct {
	nc      net.Conn
	timeout time.Duration
	buf     []byte
	r, w    int
}

const stdReadSize = 4096

// fill reads at least once, growing the buffer to hold want bytes.
func (r *stdReader) fill(want int) error {
	if r.r > 0 && r.r == r.w {
		r.r, r.w = 0, 0
	}
	if r.buf == nil {
		r.buf = make([]byte, stdReadSize)
	}
	if want > len(r.buf)-r.r {
		nb := make([]byte, max(want, 2*len(r.buf)))
		r.w = copy(nb, r.buf[r.r:r.w])
		r.r = 0
		r.buf = nb
	} else if r.w == len(r.buf) {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	n, err := r.nc.Read(r.buf[r.w:])
	r.w += n
	if n > 0 {
		return nil
	}
	return err
}

func (r *stdReader) Len() int { return r.w - r.r }

func (r *stdReader) Peek(n int) ([]byte, error) {
	if r.w-r.r < n {
		_ = r.nc.SetReadDeadline(deadline(r.timeout))
		for r.w-r.r < n {
			if err := r.fill(n); err != nil {
				return nil, err
			}
		}
		_ = r.nc.SetReadDeadline(time.Time{})
	}
	return r.buf[r.r : r.r+n], nil
}

func (r *stdReader) Skip(n int) error {
	r.r += n
	return nil
}

// Release drops a buffer that grew past the default read size.
func (r *stdReader) Release() error {
	if r.r == r.w {
		r.r, r.w = 0, 0
		if len(r.buf) > stdReadSize {
			r.buf = nil
		}
	}
	return nil
}

// ServeConn serves nc, a connection accepted elsewhere (by a net/http
// handler that hijacked it, say), as if this server had accepted it: same
// codec, limits, bindings and sends, on the std transport's model of one
// goroutine per connection. It blocks the calling goroutine until the
// connection closed. When the server refuses it, nc is closed and
// ServeConn returns why: ErrServerClosed while shutting down, else the
// limit's reason (ErrTooManyConns, ErrBlacklisted).
func (s *Server) ServeConn(nc net.Conn) error {
	if err := s.check(); err != nil {
		nc.Close()
		return err
	}
	s.startEndpoint()
	h := &refusalHost{s: s}
	if runStd(nc, &s.ep.set, h, nil) == nil {
		return h.why
	}
	return nil
}

// refusalHost is a Server as ServeConn's host: it keeps why it refused.
type refusalHost struct {
	s   *Server
	why error
}

func (h *refusalHost) open(rc rawConn) *conn {
	c, why := h.s.admitConn(rc)
	h.why = why
	return c
}
