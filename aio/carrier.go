package aio

import (
	"sync"
	"time"

	"github.com/gotio/gotio/codec"
)

// carrier is a server connection as a stream that carries sessions sees it
// (codec.Carrier): an HTTP connection of engine.io that holds a poll, takes
// a POST or carries a session's WebSocket. It stays an ordinary
// ChannelContext (its protocol says what it is: "engine.io-http",
// "engine.io-ws"); its stream encodes no application message, so sends to
// many skip it.
type carrier ChannelContext

var _ codec.Carrier = (*carrier)(nil)

func (k *carrier) ctx() *ChannelContext { return (*ChannelContext)(k) }

// OpenSession opens a session carried first by this connection.
func (k *carrier) OpenSession(id string, st codec.Stream) (codec.Session, error) {
	cc, err := k.srv.openSession(k.ctx(), id, st)
	if err != nil {
		return nil, err
	}
	return (*session)(cc), nil
}

// BecomeSession makes this connection the session it carries, for good:
// an engine.io session a WebSocket carries from its handshake on, which
// can never move to another connection, is served by its carrier's
// ChannelContext itself, with no second connection. The connection then
// counts as one of the server's Sessions until it closes, and its
// heartbeat timeout is timeout (the session's, overriding the server's);
// its stream answers what a session's does (Ping, PingInterval, and
// AliveAt for the protocol's own liveness, see lastIn). It fails while
// the server shuts down. The connection's OnClose function is the
// server's from then on: the stream must not set one.
func (k *carrier) BecomeSession(id string, timeout time.Duration) error {
	s := k.srv
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	// Counted and uncounted under the hook table's lock, so that a close
	// racing with this call cannot leave the count off by one.
	if !k.setOnClose(s.sessions.mergedClosed(), func() { s.sessions.merged.Add(1) }) {
		return ErrClosed
	}
	// The wheel sees the new timeout at the connection's next check (its
	// handshake deadline, or the markReady of the session's handshake),
	// with no second entry.
	k.conn.hbOverride.Store(int64(timeout))
	s.ep.logger.Debug().Uint64("conn", k.id).Str("remote", k.ip).Str("session", id).Msg("aio: connection became its session")
	return nil
}

// Handshaken reports the handshake of the session this connection
// became as the connection's own (its protocol, the end of its handshake
// deadline), as its stream's Output would.
func (k *carrier) Handshaken(h codec.Handshake) { (*connOutput)(&k.conn).Handshaken(h) }

// Session looks an open session up by id.
func (k *carrier) Session(id string) codec.Session {
	cc := k.srv.sessions.get(id)
	if cc == nil || cc.isClosed() {
		return nil
	}
	return (*session)(cc)
}

// Write queues protocol bytes; they go out even while the connection
// closes gracefully (a poll answered with the close packet).
func (k *carrier) Write(b []byte) error {
	ob := getBuf()
	ob.b = append(ob.b[:0], b...)
	err := k.conn.enqueue(ob, nil, true, 1)
	ob.release()
	return err
}

func (k *carrier) Send(m *codec.Message) error { return k.conn.send(m) }

func (k *carrier) Close(reason error) { k.conn.close(reason) }

// OnClose sets the function the close path of this connection runs. It is
// kept in a table beside the connection (carrierHooks), not in its
// attributes: a map per carrier would cost an idle WebSocket session
// hundreds of bytes. On a connection already closed it does nothing.
func (k *carrier) OnClose(fn func(reason error)) { k.setOnClose(fn, nil) }

// setOnClose sets (or, fn nil, clears) the connection's OnClose function
// and runs also, when not nil, under the table's lock; it reports false,
// and does neither, when the connection's close path has begun.
func (k *carrier) setOnClose(fn func(error), also func()) bool {
	h := hookShard(&k.conn)
	h.mu.Lock()
	defer h.mu.Unlock()
	if fn == nil {
		delete(h.m, &k.conn)
		return true
	}
	if k.conn.state.Load() == stateClosed {
		// carrierClosing ran or is about to: a function stored now would
		// never run nor leave the table.
		return false
	}
	if h.m == nil {
		h.m = make(map[*conn]func(error))
	}
	h.m[&k.conn] = fn
	if also != nil {
		also()
	}
	return true
}

// hookTable is one shard of carrierHooks.
type hookTable struct {
	mu sync.Mutex
	m  map[*conn]func(error)
	_  [40]byte // a cache line each
}

// carrierHooks holds the OnClose functions of open carriers, sharded by
// connection id.
var carrierHooks [16]hookTable

func hookShard(c *conn) *hookTable { return &carrierHooks[c.id%uint64(len(carrierHooks))] }

// carrierClosing runs a closing connection's OnClose function, if any, on
// its close path, and forgets it.
func carrierClosing(c *ChannelContext, reason error) {
	h := hookShard(&c.conn)
	h.mu.Lock()
	fn, ok := h.m[&c.conn]
	if ok {
		delete(h.m, &c.conn)
	}
	h.mu.Unlock()
	if ok {
		fn(reason)
	}
}
