package aio

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// A session is a ChannelContext whose transport changes under it (an
// engine.io session: HTTP long-polling requests on several TCP
// connections, then a WebSocket). Its core is an ordinary conn — queue,
// flusher, wheel entry, bindings, close path — whose rawConn is a
// sessionConn: the flusher's writes go to the sink a carrier attached (a
// parked poll, a WebSocket), and wait for one while none is attached. Its
// messages arrive through Deliver from whichever carrier read them.
//
// Its heartbeat is the protocol's: the stream pings every PingInterval
// whatever the traffic, and only Alive (the pong) stamps the session's
// last inbound time, so a session closes HeartbeatTimeout (the stream's
// SessionTimeout: pingInterval + pingTimeout) after its last pong, and a
// session whose polls stop closes the same way.

var (
	errSessionClosed = errors.New("aio: session closed")
	errNoCarrier     = errors.New("aio: session: no carrier came for the queued bytes")
	errSessionTaken  = newReason("session_id_taken", "aio: session id already in use")
	errNotSession    = errors.New("aio: session stream does not implement codec.MessageDecoder")
)

// sessionTable indexes the open sessions by id. A connection that is
// itself a session (carrier.BecomeSession) is only counted, in merged.
type sessionTable struct {
	mu     sync.RWMutex
	m      map[string]*ChannelContext
	merged atomic.Int64

	once          sync.Once
	onMergedClose func(error)
}

func (t *sessionTable) add(id string, c *ChannelContext) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.m[id]; ok {
		return false
	}
	if t.m == nil {
		t.m = make(map[string]*ChannelContext)
	}
	t.m[id] = c
	return true
}

func (t *sessionTable) get(id string) *ChannelContext {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.m[id]
}

func (t *sessionTable) remove(id string, c *ChannelContext) {
	t.mu.Lock()
	if t.m[id] == c {
		delete(t.m, id)
	}
	t.mu.Unlock()
}

// mergedClosed returns the one function that uncounts a closed direct
// session, shared by all of them (no closure per connection).
func (t *sessionTable) mergedClosed() func(error) {
	t.once.Do(func() { t.onMergedClose = func(error) { t.merged.Add(-1) } })
	return t.onMergedClose
}

func (t *sessionTable) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m) + int(t.merged.Load())
}

// openSession admits and registers a session first carried by from.
func (s *Server) openSession(from *ChannelContext, id string, st codec.Stream) (*ChannelContext, error) {
	if _, ok := st.(codec.MessageDecoder); !ok {
		return nil, errNotSession
	}
	sc := &sessionConn{id: id, local: from.LocalAddr(), remote: from.RemoteAddr()}
	cc := &ChannelContext{srv: s}
	c := &cc.conn
	c.init(s.ep, cc, sc, func(codec.ConnInfo) codec.Stream { return st })
	c.ip = from.ip // the carrier's string, not a copy of it
	sc.c = c
	s.admitMu.RLock()
	reason := s.admit(cc)
	if reason == nil && !s.sessions.add(id, cc) {
		s.opened.Add(-1)
		reason = errSessionTaken
	}
	if reason == nil {
		s.ep.active.Add(1)
		s.register(cc)
	}
	s.admitMu.RUnlock()
	if reason != nil {
		s.ep.stats.Rejected.Add(1)
		s.ep.stats.CloseReason(reasonCode(reason)).Add(1)
		s.ep.logger.Info().Str("remote", cc.ip).Str("reason", reasonCode(reason)).Msg("aio: session refused")
		return nil, reason
	}
	if t, ok := st.(interface{ SessionTimeout() time.Duration }); ok {
		c.hbOverride.Store(int64(t.SessionTimeout()))
	}
	c.registered()
	if a, ok := st.(interface{ AwaitHandshake() bool }); !ok || !a.AwaitHandshake() {
		c.markReady()
	}
	s.ep.logger.Debug().Uint64("conn", c.id).Str("remote", cc.ip).Str("session", id).Msg("aio: session opened")
	c.begin()
	return cc, nil
}

// sessionConn is the rawConn of a session: writes go to the attached sink.
type sessionConn struct {
	c             *conn
	id            string
	local, remote net.Addr

	mu   sync.Mutex // guards sink, wake, closed
	sink codec.Sink
	// wake exists only while a write waits for a sink: it is closed when
	// one attaches or the session closes.
	wake   chan struct{}
	closed bool

	dmu sync.Mutex // orders Deliver
}

func (sc *sessionConn) LocalAddr() net.Addr  { return sc.local }
func (sc *sessionConn) RemoteAddr() net.Addr { return sc.remote }

// writev hands bufs to the sink, waiting for one while none is attached:
// at most the session's heartbeat timeout, after which no live peer is
// left to take them.
func (sc *sessionConn) writev(bufs [][]byte) (int, error) {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var more []outItem // queued while this write waited for a sink
	for {
		sc.mu.Lock()
		if sc.closed {
			sc.mu.Unlock()
			sc.settle(more, errSessionClosed)
			return 0, errSessionClosed
		}
		if s := sc.sink; s != nil {
			if timer != nil {
				// It waited: what was queued meanwhile leaves with it, in
				// the same poll answer.
				var extra []outItem
				bufs, extra = sc.takeQueued(bufs)
				more = append(more, extra...)
			}
			written, keep := s.Write(bufs)
			if !written || !keep {
				sc.sink = nil
			}
			sc.mu.Unlock()
			if written {
				sc.settle(more, nil)
				return n, nil
			}
			continue
		}
		if sc.wake == nil {
			sc.wake = make(chan struct{})
		}
		wake := sc.wake
		sc.mu.Unlock()
		if sc.hopeless() {
			sc.settle(more, errNoCarrier)
			return 0, errNoCarrier
		}
		if timer == nil {
			wait := sc.c.heartbeatTimeout()
			if wait <= 0 {
				wait = sc.c.ep.set.writeTimeout
			}
			if sc.c.state.Load() != stateOpen {
				wait = min(wait, closingWait)
			}
			timer = time.NewTimer(wait)
		}
		select {
		case <-wake:
		case <-timer.C:
			sc.settle(more, errNoCarrier)
			return 0, errNoCarrier
		case <-time.After(sessionRecheck):
			// A close of the session (the wheel's, the application's)
			// does not wake this wait: look again.
		}
	}
}

// sessionRecheck is how often a flusher waiting for a carrier looks
// whether the session's close made the wait pointless.
const sessionRecheck = 50 * time.Millisecond

// closingWait bounds the wait of a closing session for the poll that
// takes its goodbye.
const closingWait = 5 * time.Second

// hopeless reports whether no carrier is worth waiting for: the session
// closes, and not with a goodbye the peer should hear (a kick, a
// shutdown, the application's close); its peer is gone or broke the
// protocol, so what is queued has no one to go to.
func (sc *sessionConn) hopeless() bool {
	c := sc.c
	if c.state.Load() == stateOpen {
		return false
	}
	c.out.mu.Lock()
	aborted := c.out.aborted
	c.out.mu.Unlock()
	if aborted || ownerOf(c).srv.shutdown.Load() {
		// A server shutting down accepts no carrier any more, and closes
		// those it has: no poll will come for the goodbye.
		return true
	}
	r := c.closeReason()
	return !errors.Is(r, ErrKicked) && !errors.Is(r, ErrServerClosed) && !errors.Is(r, ErrClosed)
}

// takeQueued moves what the queue holds now into bufs, for a write that
// waited: the items are settled by settle, as flush settles its batch.
func (sc *sessionConn) takeQueued(bufs [][]byte) ([][]byte, []outItem) {
	q := &sc.c.out
	q.mu.Lock()
	if q.closed || q.aborted || len(q.items) == 0 {
		q.mu.Unlock()
		return bufs, nil
	}
	items := q.items
	q.items = nil
	q.mu.Unlock()
	for _, it := range items {
		bufs = append(bufs, it.buf.b)
	}
	return bufs, items
}

// settle accounts for items takeQueued moved, once written (err nil) or
// failed, as flush does for its batch.
func (sc *sessionConn) settle(items []outItem, err error) {
	if len(items) == 0 {
		return
	}
	c := sc.c
	n, msgs := 0, 0
	for _, it := range items {
		n += len(it.buf.b)
		msgs += it.msgs
	}
	c.out.mu.Lock()
	c.out.bytes -= n
	c.out.mu.Unlock()
	if err == nil {
		c.countSent(n, msgs)
	}
	for _, it := range items {
		if it.done != nil {
			it.done <- err
		}
		it.buf.release()
	}
}

// close ends the session's transport: the sink is told, the id freed.
func (sc *sessionConn) close() error {
	sc.mu.Lock()
	if sc.closed {
		sc.mu.Unlock()
		return nil
	}
	sc.closed = true
	sink := sc.sink
	sc.sink = nil
	sc.wakeLocked()
	sc.mu.Unlock()
	owner := ownerOf(sc.c)
	owner.srv.sessions.remove(sc.id, owner)
	if sink != nil {
		sink.Close()
	}

	return nil
}

// wakeLocked wakes a write waiting for a sink, with sc.mu held.
func (sc *sessionConn) wakeLocked() {
	if sc.wake != nil {
		close(sc.wake)
		sc.wake = nil
	}
}

// ownerOf returns the ChannelContext around a server conn.
func ownerOf(c *conn) *ChannelContext { return c.self.(*ChannelContext) }

// session is a session ChannelContext as its carriers see it
// (codec.Session).
type session ChannelContext

var _ codec.Session = (*session)(nil)

func (ss *session) sc() *sessionConn { return ss.conn.rc.(*sessionConn) }

func (ss *session) ID() string           { return ss.sc().id }
func (ss *session) Stream() codec.Stream { return ss.conn.stream }
func (ss *session) Closed() bool         { return ss.conn.isClosed() }
func (ss *session) Close(reason error)   { ss.conn.close(reason) }

// Alive stamps the session's last inbound time, which only the pong does.
func (ss *session) Alive() { ss.conn.stats.LastReceived.Store(ss.conn.ep.now()) }

func (ss *session) Attach(s codec.Sink) {
	sc := ss.sc()
	sc.mu.Lock()
	if sc.closed {
		sc.mu.Unlock()
		s.Close()
		return
	}
	sc.sink = s
	sc.wakeLocked()
	sc.mu.Unlock()
}

func (ss *session) Detach(s codec.Sink) {
	sc := ss.sc()
	sc.mu.Lock()
	if sc.sink == s {
		sc.sink = nil
	}
	sc.mu.Unlock()
}

// Deliver decodes one message with the session's stream, one at a time.
// The bytes count as received, but not as proof of life (see Alive).
func (ss *session) Deliver(data []byte, binary bool) error {
	c := &ss.conn
	sc := ss.sc()
	sc.dmu.Lock()
	defer sc.dmu.Unlock()
	if c.state.Load() != stateOpen {
		return ErrClosed
	}
	var before ipCounters
	ips := c.ep.set.ipStats
	if ips != nil {
		before = c.ipCounters()
	}
	n := len(data)
	c.stats.ReceivedBytes.Add(uint64(n))
	st := &c.ep.stats
	st.ReceivedBytes.Add(uint64(n))
	st.Reads.Add(1)
	c.reads++
	if p := c.proto.Load(); p != nil {
		p.BytesIn.Add(uint64(n))
	}
	c.self.received(n)
	err := c.stream.(codec.MessageDecoder).DecodeMessage(data, binary, (*connOutput)(c))
	if err != nil {
		st.DecodeErrors.Add(1)
		c.decodeErrors++
		c.close(decodeReason(err))
	}
	if ips != nil {
		ips.Record(c.ip, c.ipCounters().since(before))
	}
	return err
}
