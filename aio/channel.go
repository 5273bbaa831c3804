package aio

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// ChannelContext is one connection: its identity, codec stream, attributes,
// bindings, statistics and close reason (t-io's ChannelContext).
//
// All methods are safe for concurrent use from any goroutine. A
// ChannelContext stays valid after the connection closed: sends then fail
// with ErrClosed and bindings are gone.
type ChannelContext struct {
	id      uint64
	srv     *Server
	rc      rawConn
	stream  codec.Stream
	ip      string
	created int64 // unix nanos

	stats     stat.Conn
	proto     atomic.Pointer[stat.Proto]
	hbTimeout atomic.Int64  // per-connection heartbeat timeout in ns; 0: server's
	ready     atomic.Bool   // handshake done or first message delivered
	wheelGen  atomic.Uint32 // generation of the connection's live wheel entry
	state     atomic.Uint32
	limiter   *rate.Limiter

	out     outQueue
	readyCh chan struct{} // client connections: closed once ready

	mu       sync.Mutex // guards what follows
	reason   error
	user     string
	token    string
	bsid     string
	groups   []string
	attrs    map[any]any
	mailbox  []codec.Message // HandlerQueued mode
	draining bool

	// read goroutine only
	pending      int // bytes seen but not yet consumed
	smallReads   int
	reads        uint64
	decodeErrors uint64
}

const (
	stateOpen uint32 = iota
	stateClosing
	stateClosed
)

// ID returns the connection's id, unique within its process.
func (c *ChannelContext) ID() uint64 { return c.id }

// Server returns the server (or, for a client connection, the client's
// engine) the connection belongs to.
func (c *ChannelContext) Server() *Server { return c.srv }

// RemoteAddr returns the peer's address.
func (c *ChannelContext) RemoteAddr() net.Addr { return c.rc.RemoteAddr() }

// LocalAddr returns this side's address.
func (c *ChannelContext) LocalAddr() net.Addr { return c.rc.LocalAddr() }

// IP returns the peer's IP address as a string, the key of SendToIP.
func (c *ChannelContext) IP() string { return c.ip }

// Protocol returns the protocol the connection speaks ("tcp", "ws",
// "pomelo-tcp", "pomelo-ws", …), or "" before a hybrid port decided.
func (c *ChannelContext) Protocol() string { return c.stream.Protocol() }

// Stream returns the connection's codec stream.
func (c *ChannelContext) Stream() codec.Stream { return c.stream }

// Created returns when the connection was accepted or dialed.
func (c *ChannelContext) Created() time.Time { return time.Unix(0, c.created) }

// Stats returns the connection's counters.
func (c *ChannelContext) Stats() stat.ConnSnapshot { return c.stats.Snapshot() }

// Set stores an attribute on the connection.
func (c *ChannelContext) Set(key, value any) {
	c.mu.Lock()
	if c.attrs == nil {
		c.attrs = make(map[any]any, 2)
	}
	c.attrs[key] = value
	c.mu.Unlock()
}

// Get returns an attribute stored with Set, or nil.
func (c *ChannelContext) Get(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attrs[key]
}

// Delete removes an attribute.
func (c *ChannelContext) Delete(key any) {
	c.mu.Lock()
	delete(c.attrs, key)
	c.mu.Unlock()
}

// SetHeartbeatTimeout overrides the server's heartbeat timeout for this
// connection; zero restores the server's, negative disables the check.
func (c *ChannelContext) SetHeartbeatTimeout(d time.Duration) {
	c.hbTimeout.Store(int64(d))
	c.srv.wheel.add(c)
}

// heartbeatTimeout returns the timeout in force, 0 when disabled.
func (c *ChannelContext) heartbeatTimeout() time.Duration {
	switch d := time.Duration(c.hbTimeout.Load()); {
	case d < 0:
		return 0
	case d > 0:
		return d
	}
	return c.srv.cfg.heartbeat
}

// Closed reports whether the connection is closing or closed.
func (c *ChannelContext) Closed() bool { return c.state.Load() != stateOpen }

// CloseReason returns why the connection closed, nil while it is open.
func (c *ChannelContext) CloseReason() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// String returns a short description for logs.
func (c *ChannelContext) String() string {
	return "conn " + c.rc.RemoteAddr().String()
}
