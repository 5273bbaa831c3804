package aio

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// stdEngine serves connections with package net: a goroutine per
// connection. It runs everywhere and serves TLS listeners.
type stdEngine struct {
	s  *Server
	mu sync.Mutex
	ln net.Listener
	wg sync.WaitGroup
}

func newStdEngine(s *Server) *stdEngine { return &stdEngine{s: s} }

func (e *stdEngine) name() string { return "std" }

func (e *stdEngine) serve(ln net.Listener) error {
	e.mu.Lock()
	e.ln = ln
	e.mu.Unlock()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if e.s.shutdown.Load() || errors.Is(err, net.ErrClosed) {
				e.wg.Wait()
				return ErrServerClosed
			}
			// Out of file descriptors and the like: back off, as net/http does.
			backoff = min(max(backoff*2, 5*time.Millisecond), time.Second)
			e.s.logger.Warn().Err(err).Dur("retry", backoff).Msg("aio: accept failed")
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.s.runStd(nc, false, nil)
		}()
	}
}

func (e *stdEngine) stop(context.Context) error {
	e.mu.Lock()
	ln := e.ln
	e.mu.Unlock()
	if ln != nil {
		return ln.Close()
	}
	return nil
}

// runStd serves one net.Conn on the calling goroutine until it closes.
func (s *Server) runStd(nc net.Conn, client bool, onOpen func(*ChannelContext)) *ChannelContext {
	sc := &stdConn{nc: nc, s: s}
	c := s.accept(sc, client)
	if c == nil {
		nc.Close()
		return nil
	}
	s.opened(c, false)
	if onOpen != nil {
		onOpen(c)
	}
	in := &stdReader{nc: nc, timeout: s.cfg.ReadTimeout}
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
		return ErrPeerClosed
	}
	return wrapReason(ErrPeerClosed, err)
}

// stdConn is a rawConn over a net.Conn.
type stdConn struct {
	nc       net.Conn
	s        *Server
	wmu      sync.Mutex
	once     sync.Once
	doneOnce sync.Once
	done     chan struct{}
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
	_ = sc.nc.SetWriteDeadline(deadline(sc.s.cfg.WriteTimeout))
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
// connection closes, and returns ErrServerClosed at once when the server is
// shutting down (nc is then closed).
func (s *Server) ServeConn(nc net.Conn) error {
	s.startOnce.Do(s.start)
	if c := s.runStd(nc, false, nil); c == nil {
		return ErrServerClosed
	}
	return nil
}
