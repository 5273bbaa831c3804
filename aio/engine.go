package aio

import (
	"context"
	"net"
	"time"
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
