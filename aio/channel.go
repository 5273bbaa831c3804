package aio

import (
	"context"
	"net"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// ChannelContext is one connection of a Server: its identity, codec
// stream, attributes, bindings, statistics and close reason (t-io's
// ChannelContext). A ChannelContext stays valid after the connection
// closed: sends then fail with ErrClosed and bindings are gone.
//
// Every method is safe from any goroutine, including the connection's own
// read goroutine (an inline Handler); none of them blocks except SendSync,
// whose doc says for how long. The threading contract of each method is
// tabled in docs/architecture.md.
type ChannelContext struct {
	conn
	srv *Server

	// guarded by conn.mu; the token and business id are in conn.rare
	user   string
	groups []string
}

// ID returns the connection's id, unique within its process.
func (c *ChannelContext) ID() uint64 { return c.id }

// Server returns the server the connection belongs to.
func (c *ChannelContext) Server() *Server { return c.srv }

// RemoteAddr returns the peer's address.
func (c *ChannelContext) RemoteAddr() net.Addr { return c.remoteAddr() }

// LocalAddr returns this side's address.
func (c *ChannelContext) LocalAddr() net.Addr { return c.localAddr() }

// IP returns the peer's IP address as a string, the key of SendToIP.
func (c *ChannelContext) IP() string { return c.ip }

// Protocol returns the protocol the connection speaks ("tcp", "ws",
// "pomelo-tcp", "pomelo-ws", …), or "" before a hybrid port decided.
func (c *ChannelContext) Protocol() string { return c.stream.Protocol() }

// Stream returns the connection's codec stream.
func (c *ChannelContext) Stream() codec.Stream { return c.stream }

// Stats returns the connection's counters.
func (c *ChannelContext) Stats() stat.ConnSnapshot { return c.stats.Snapshot() }

// Set stores an attribute on the connection; a nil value deletes it.
func (c *ChannelContext) Set(key, value any) {
	if value == nil {
		c.del(key)
		return
	}
	c.set(key, value)
}

// Get returns an attribute stored with Set, or nil.
func (c *ChannelContext) Get(key any) any { return c.get(key) }

// SetHeartbeatTimeout overrides the heartbeat timeout for this connection,
// the server's and the codec's alike; zero restores them, negative
// disables the check.
func (c *ChannelContext) SetHeartbeatTimeout(d time.Duration) { c.setHeartbeatTimeout(d) }

// Err returns nil while the connection is open and, once it is closing or
// closed, why (a Reason, or the error given to Close), like a context's
// Err.
func (c *ChannelContext) Err() error {
	if !c.isClosed() {
		return nil
	}
	if r := c.closeReason(); r != nil {
		return r
	}
	return ErrClosed
}

// String returns a short description for logs.
func (c *ChannelContext) String() string { return "conn " + c.remoteAddr().String() }

// Send encodes m for this connection and queues it; it returns once the
// bytes are queued, not written (see SendSync). It fails with ErrClosed on
// a closing or closed connection, and with ErrSlowConsumer when the queue
// is over WriteQueueBytes (the connection is then closed, on its own
// goroutine, not the caller's). Never blocks.
func (c *ChannelContext) Send(m *codec.Message) error { return c.send(m) }

// SendSync is Send that returns once the bytes were written to the socket,
// or with ctx's error when ctx ends first (the bytes may still be written
// later). When no flush is in progress the caller writes them itself, at
// once: called from the connection's own handler (inline or queued), it
// never waits for a flush that could only start after the handler
// returned. Otherwise it waits for the flush in progress, each write of
// which is bounded by WriteTimeout.
func (c *ChannelContext) SendSync(ctx context.Context, m *codec.Message) error {
	return c.sendSync(ctx, m)
}

// Close closes the connection for reason (nil means ErrClosed). It
// stops reading at once, writes what is already queued, tells the peer why
// when the reason is one the peer should hear and its protocol can say
// (kick, shutdown), and then closes the socket. It returns at once; the
// close path (OnBeforeClose, unbinding) runs on the connection's own
// goroutine. Safe to call many times: the first reason wins.
func (c *ChannelContext) Close(reason error) { c.close(reason) }

// Kick closes the connection after telling the peer reason in its
// protocol's words (a pomelo kick, a WebSocket close frame, a gotio TCP
// close frame). A gotio client does not reconnect after a kick.
func (c *ChannelContext) Kick(reason string) { c.close(kickReason(reason)) }

// Remove closes the connection at once, without writing what is queued or
// saying goodbye (t-io's remove). Nil reason means ErrClosed (labelled
// "removed" in the statistics). The close path runs on the caller's
// goroutine before Remove returns.
func (c *ChannelContext) Remove(reason error) {
	if reason == nil {
		reason = errRemoved
	}
	c.finish(reason)
}

// The connOwner hooks: the server's handler, its Config hooks and indexes.

func (c *ChannelContext) deliver(m *codec.Message) { c.srv.cfg.Handler.ServeMessage(c, m) }

func (c *ChannelContext) received(n int) {
	if f := c.srv.cfg.OnReceived; f != nil {
		f(c, n)
	}
}

func (c *ChannelContext) decoded(m *codec.Message) {
	if f := c.srv.cfg.OnDecoded; f != nil {
		f(c, m)
	}
}

func (c *ChannelContext) sent(n int) {
	if f := c.srv.cfg.OnSent; f != nil {
		f(c, n)
	}
}

func (c *ChannelContext) handled(m *codec.Message, cost time.Duration) {
	if f := c.srv.cfg.OnHandled; f != nil {
		f(c, m, cost)
	}
}

func (c *ChannelContext) silentTooLong(silent time.Duration) bool {
	if f := c.srv.cfg.OnHeartbeatTimeout; f != nil {
		return f(c, silent)
	}
	return true
}

func (c *ChannelContext) closing(reason error) string {
	s := c.srv
	if f := s.cfg.OnBeforeClose; f != nil {
		f(c, reason)
	}
	user := c.User()
	s.unbindAll(c)
	s.conns.remove(c)
	s.opened.Add(-1)
	carrierClosing(c, reason) // aio/carrier.go
	return user
}

func (c *ChannelContext) closed(error) {}
