package aio

import (
	"context"
	"net"
	"time"
)

// engine is the transport seam: it accepts connections, reads them into
// serveRead and writes what flush gives it. netpoll and package net each
// implement it.
type engine interface {
	name() string
	serve(ln net.Listener) error
	stop(ctx context.Context) error
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
	switch t {
	case TransportStd:
		return newStdEngine(s), nil
	case TransportNetpoll:
		return newNetpollEngine(s)
	default:
		if netpollAvailable {
			return newNetpollEngine(s)
		}
		return newStdEngine(s), nil
	}
}

// deadline returns a write deadline d from now, or none when d is zero.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}
