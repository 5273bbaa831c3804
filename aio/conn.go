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

// conn is the connection core that a server's ChannelContext and a
// client's connection share: the read side (decode, handler dispatch, the
// slow-attack clock), the write queue and its single flusher, the wheel
// entry and the one close path. What differs between the two sides (a
// server's bindings and listeners, a client's request correlation) sits in
// its owner, which the core calls back through connOwner.
//
// Threading: the read side runs on one goroutine at a time (the engine's);
// sends come from any goroutine; the close path runs once, on whichever of
// the connection's own goroutines (reader, flusher, a closer spawned for
// it) gets there first, never on a broadcaster's. No core lock is held
// while an owner hook or user code runs.
type conn struct {
	id      uint64
	ep      *endpoint
	self    connOwner
	rc      rawConn
	stream  codec.Stream
	ip      string
	created int64 // unix nanos

	stats      stat.Conn
	proto      atomic.Pointer[stat.Proto]
	hbOverride atomic.Int64  // SetHeartbeatTimeout's value in ns; 0: none
	codecHB    atomic.Int64  // the codec's announced heartbeat timeout in ns
	lastPing   atomic.Int64  // unix nanos of the last keepalive ping
	ready      atomic.Bool   // handshake done or first message delivered
	wheelGen   atomic.Uint32 // generation of the connection's live wheel entry
	state      atomic.Uint32
	limiter    *rate.Limiter

	out outQueue

	mu   sync.Mutex // guards what follows
	rare *connRare  // allocated on first use

	// read goroutine only
	pending      int   // bytes seen but not yet consumed
	unitStart    int64 // unix nanos the partial unit's first byte was seen; 0: none
	windowStart  int64 // start of the current MinReadRate window
	windowBytes  int   // bytes of the partial unit when the window started
	reads        uint64
	decodeErrors uint64
}

// connRare holds what many connections never use, so that an idle
// ChannelContext stays in a smaller size class: attributes, the
// queued handlers' mailbox, the close reason, a token or business id.
// Guarded by conn.mu.
type connRare struct {
	reason   error
	attrs    map[any]any
	mailbox  []codec.Message // with Config.Workers
	draining bool
	// a server connection's rarer bindings (ChannelContext)
	token, bsid string
}

// rareLocked returns c's rare state, allocating it; c.mu held.
func (c *conn) rareLocked() *connRare {
	if c.rare == nil {
		c.rare = new(connRare)
	}
	return c.rare
}

const (
	stateOpen uint32 = iota
	stateClosing
	stateClosed
)

// connOwner is what the core calls back. Every hook runs with no core lock
// held.
type connOwner interface {
	// deliver runs the application on a decoded message.
	deliver(m *codec.Message)
	// connected runs once the connection is open (a server's accept).
	connected()
	// received, decoded, handled and sent report events to listeners.
	received(n int)
	decoded(m *codec.Message)
	handled(m *codec.Message, cost time.Duration)
	sent(n int)
	// silentTooLong asks whether a connection silent past its heartbeat
	// timeout should close.
	silentTooLong(silent time.Duration) bool
	// closing runs on the close path after the state became closed and
	// before the socket closes: listeners, unbinding, the owner's tables.
	// It returns the user the connection was bound to, for the log.
	closing(reason error) (user string)
	// closed runs last on the close path, after the socket closed.
	closed(reason error)
}

var nextConnID atomic.Uint64

// init prepares a new core for rc; the owner registers it.
func (c *conn) init(ep *endpoint, self connOwner, rc rawConn, stream func(codec.ConnInfo) codec.Stream) {
	c.id = nextConnID.Add(1)
	c.ep = ep
	c.self = self
	c.rc = rc
	c.ip = ipOf(rc.RemoteAddr())
	c.created = time.Now().UnixNano()
	info := codec.ConnInfo{LocalAddr: rc.LocalAddr(), RemoteAddr: rc.RemoteAddr(), Client: ep.set.client}
	if cc, ok := self.(*ChannelContext); ok {
		info.Carrier = (*carrier)(cc) // aio/carrier.go
	}
	c.stream = stream(info)
	if r := ep.set.msgRate; r > 0 {
		burst := ep.set.msgBurst
		if burst <= 0 {
			burst = int(r + 0.999)
		}
		c.limiter = rate.NewLimiter(rate.Limit(r), burst)
	}
}

// registered counts a connection the owner admitted and puts it in the
// wheel.
func (c *conn) registered() {
	ep := c.ep
	ep.stats.Accepted.Add(1)
	ep.stats.Active.Add(1)
	if ips := ep.set.ipStats; ips != nil {
		ips.Record(c.ip, stat.Delta{Accepted: 1})
	}
	if p := c.stream.Protocol(); p != "" {
		c.setProtocol(p)
	}
	ep.wheel.add(c)
}

// begin runs once the transport is ready to write: the stream may speak
// first, then the owner learns of the connection.
func (c *conn) begin() {
	c.opened()
	c.self.connected()
}

// opened lets a stream that speaks first (codec.Opener) speak.
func (c *conn) opened() {
	o, ok := c.stream.(codec.Opener)
	if !ok {
		return
	}
	ob := getBuf()
	b, err := o.Open(ob.b[:0])
	if err != nil {
		ob.release()
		c.close(wrapReason(errProtocol, err))
		return
	}
	ob.b = b
	if len(b) > 0 {
		_ = c.enqueue(ob, nil, true, 1)
	}
	ob.release()
}

func (c *conn) setProtocol(name string) {
	if name == "" {
		return
	}
	p := c.ep.stats.Protocol(name)
	if old := c.proto.Swap(p); old != p {
		if old != nil {
			old.Active.Add(-1)
		}
		p.Active.Add(1)
		p.Accepted.Add(1)
	}
}

func (c *conn) remoteAddr() net.Addr { return c.rc.RemoteAddr() }
func (c *conn) localAddr() net.Addr  { return c.rc.LocalAddr() }
func (c *conn) isClosed() bool       { return c.state.Load() != stateOpen }

func (c *conn) closeReason() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rare == nil {
		return nil
	}
	return c.rare.reason
}

func (c *conn) setReason(reason error) {
	c.mu.Lock()
	if r := c.rareLocked(); r.reason == nil {
		r.reason = reason
	}
	c.mu.Unlock()
}

func (c *conn) set(key, value any) {
	c.mu.Lock()
	r := c.rareLocked()
	if r.attrs == nil {
		r.attrs = make(map[any]any, 2)
	}
	r.attrs[key] = value
	c.mu.Unlock()
}

func (c *conn) get(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rare == nil {
		return nil
	}
	return c.rare.attrs[key]
}

func (c *conn) del(key any) {
	c.mu.Lock()
	if c.rare != nil {
		delete(c.rare.attrs, key)
	}
	c.mu.Unlock()
}

// setHeartbeatTimeout overrides every other heartbeat timeout for this
// connection; zero restores them, negative disables the check.
func (c *conn) setHeartbeatTimeout(d time.Duration) {
	c.hbOverride.Store(int64(d))
	c.ep.wheel.add(c)
}

// heartbeatTimeout returns the timeout in force, 0 when disabled: the
// connection's override, else the user's configured value, else the
// codec's announced one, else the default.
func (c *conn) heartbeatTimeout() time.Duration {
	if d := time.Duration(c.hbOverride.Load()); d != 0 {
		return max(d, 0)
	}
	set := &c.ep.set
	if !set.heartbeatUser {
		if d := time.Duration(c.codecHB.Load()); d > 0 {
			return d
		}
	}
	return set.heartbeat
}

// markReady records that the connection finished its handshake (or
// delivered a message), ending its handshake deadline.
func (c *conn) markReady() {
	if !c.ready.CompareAndSwap(false, true) {
		return
	}
	if cc, ok := c.self.(*clientConn); ok {
		close(cc.readyCh)
	}
	c.ep.wheel.add(c) // a ready connection has other deadlines: pings, heartbeats
}

func ipOf(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case nil:
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
