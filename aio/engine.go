package aio

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// engine is the transport seam: it accepts connections, reads them into
// serveRead and writes what flush gives it. netpoll, package net and gnet
// (engine_gnet.go, behind the gotio_gnet build tag) each implement it.
type engine interface {
	name() string
	// serve accepts on ln until closeListeners or stop.
	serve(ln net.Listener) error
	// closeListeners stops accepting; open connections are untouched.
	closeListeners()
	// stop releases the engine, waiting for its goroutines until ctx
	// ends.
	stop(ctx context.Context) error
}

// selfListener is an engine that can bind an address and accept on it
// itself (gnet's own accept), rather than be handed a net.Listener: a
// server that listens by address uses it when its engine has it.
type selfListener interface {
	// listen binds addr and serves it in the background until
	// closeListeners or stop. It returns once the listener is bound, with
	// its address, or with the error; errNoSelfListen (wrapped) means it
	// cannot here and the caller listens through package net instead.
	// ended runs once serving ends, only after a nil error, with nil when
	// closeListeners or stop ended it.
	listen(addr string, ended func(error)) (net.Addr, error)
}

// errNoSelfListen is what listen returns when the engine cannot bind and
// accept itself here.
var errNoSelfListen = errors.New("aio: the engine cannot listen itself here")

// listenSelf has a new engine of s bind addr and accept on it itself,
// when the engine can (selfListener); handled false means the caller
// listens through package net. ended is as selfListener's.
func (s *Server) listenSelf(addr string, ended func(error)) (handled bool, err error) {
	if s.ep.set.transport != TransportGnet {
		return false, nil
	}
	if err := s.check(); err != nil {
		return true, err
	}
	e, err := newEngine(s.ep.set.transport, s)
	if err != nil {
		return true, err
	}
	sl, ok := e.(selfListener)
	if !ok {
		return false, nil
	}
	s.startEndpoint()
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		return true, ErrServerClosed
	}
	// Registered before it binds, so that a Shutdown from now on stops it.
	s.engines = append(s.engines, e)
	s.mu.Unlock()
	a, err := sl.listen(addr, ended)
	if errors.Is(err, errNoSelfListen) {
		s.ep.logger.Debug().Err(err).Msg("aio: listening through package net")
		return false, nil
	}
	if err != nil {
		return true, err
	}
	s.mu.Lock()
	s.addrs = append(s.addrs, a)
	s.mu.Unlock()
	s.ep.logger.Debug().Str("addr", a.String()).Str("transport", e.name()).Msg("aio: listening (the engine accepts)")
	return true, nil
}

// host is what an engine serves connections for: it admits each one.
type host interface {
	// open admits and registers rc, or returns nil to refuse it (the
	// engine closes the socket).
	open(rc rawConn) *conn
}

// rawConn is one connection as an engine holds it.
type rawConn interface {
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	// writev writes every buffer, in order, or fails; it blocks its
	// caller for at most the write timeout.
	writev(bufs [][]byte) (int, error)
	close() error
}

func newEngine(t Transport, s *Server) (engine, error) {
	set := &s.ep.set
	switch t {
	case TransportStd:
		return newStdEngine(s, set), nil
	case TransportNetpoll:
		return newNetpollEngine(s, set, &s.ep.logger)
	case TransportGnet:
		return newGnetEngine(s, set)
	default:
		if netpollAvailable {
			return newNetpollEngine(s, set, &s.ep.logger)
		}
		return newStdEngine(s, set), nil
	}
}

// deadline returns a write deadline d from now, or none when d is zero.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// acceptEach accepts on ln and hands each connection to handle until ln is
// closed (ErrServerClosed once closed reports true or ln says
// net.ErrClosed). Other accept errors — out of file descriptors and the
// like — back off, as net/http does.
func acceptEach(ln net.Listener, closed func() bool, logger *zerolog.Logger, handle func(net.Conn)) error {
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if closed() || errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			backoff = min(max(backoff*2, 5*time.Millisecond), time.Second)
			logger.Warn().Err(err).Str("retry", durText(backoff)).Msg("aio: accept failed")
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		handle(nc)
	}
}

// waitOrDone waits for wg, or until ctx ends; it reports whether wg was
// done.
func waitOrDone(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
