package aio

import (
	"sync"
	"time"

	"github.com/gotio/gotio/codec"
)

// wheel watches every connection's deadlines with one goroutine and one
// timer, a hashed timing wheel: the handshake deadline, the heartbeat
// timeout (inbound silence), and when to speak to a quiet peer (a server's
// keepalive ping, a client's heartbeat). Traffic does not touch the wheel
// (it only stores the time of the last read and write); when a slot comes
// due, each connection in it is closed, spoken to, or moved to the slot of
// its next deadline.
type wheel struct {
	ep      *endpoint
	tick    time.Duration
	mu      sync.Mutex
	slots   [wheelSlots][]wheelEntry
	pos     int64 // absolute tick number last processed
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
	started bool // set by start, before the goroutine exists
}

const wheelSlots = 512

// wheelEntry is a connection's place in the wheel. A connection has one
// live entry: rescheduling bumps its generation, and stale entries are
// dropped when their slot comes due.
type wheelEntry struct {
	c   *conn
	gen uint32
}

func newWheel(ep *endpoint) *wheel {
	// The tick is an eighth of the shortest configured deadline, within
	// [10ms, 250ms] on a server and [5ms, 50ms] on a client: a codec's
	// handshake may announce a shorter timeout (pomelo's) or interval
	// after the wheel started, and is then checked within a tick or two.
	shortest := time.Duration(1<<63 - 1)
	for _, d := range []time.Duration{ep.set.heartbeat, ep.set.handshake, ep.set.clientHeartbeat} {
		if d > 0 && d < shortest {
			shortest = d
		}
	}
	lo, hi := 10*time.Millisecond, 250*time.Millisecond
	if ep.set.client {
		lo, hi = 5*time.Millisecond, 50*time.Millisecond
	}
	tick := min(max(shortest/8, lo), hi)
	return &wheel{ep: ep, tick: tick, quit: make(chan struct{}), done: make(chan struct{})}
}

func (w *wheel) start() {
	w.started = true
	w.ep.clock.Store(time.Now().UnixNano())
	w.pos = time.Now().UnixNano() / int64(w.tick)
	go w.run()
}

func (w *wheel) stop() {
	w.once.Do(func() {
		close(w.quit)
		if w.started {
			<-w.done
		}
	})
}

// add (re)schedules c at its next deadline, replacing any earlier entry:
// a connection whose timeout changed (a codec's handshake, an application's
// override) is checked at its new deadline, not its old one.
func (w *wheel) add(c *conn) {
	due, ok := w.deadline(c, w.ep.now())
	if !ok {
		w.forget(c)
		return
	}
	w.schedule(c, c.wheelGen.Add(1), due)
}

// forget retires c's entry.
func (w *wheel) forget(c *conn) { c.wheelGen.Add(1) }

func (w *wheel) schedule(c *conn, gen uint32, due int64) {
	t := due/int64(w.tick) + 1
	w.mu.Lock()
	if t <= w.pos {
		t = w.pos + 1
	}
	slot := &w.slots[t%wheelSlots]
	*slot = append(*slot, wheelEntry{c: c, gen: gen})
	w.mu.Unlock()
}

// deadline returns when c must next be looked at, false when never: the
// earliest of its handshake deadline (until ready), its heartbeat timeout,
// and its next keepalive ping or heartbeat.
func (w *wheel) deadline(c *conn, now int64) (int64, bool) {
	if c.state.Load() != stateOpen {
		return 0, false
	}
	due, ok := int64(1<<63-1), false
	if !c.ready.Load() && w.ep.set.handshake > 0 {
		due, ok = c.created+int64(w.ep.set.handshake), true
	}
	if hb := c.heartbeatTimeout(); hb > 0 {
		// Reads are stamped with the coarse clock, up to a tick behind:
		// allow that tick rather than close a live peer early.
		due, ok = min(due, lastIn(c)+int64(hb)+int64(w.tick)), true
	}
	if at, speak := w.speakAt(c); speak {
		due, ok = min(due, at), true
	}
	return due, ok
}

// lastIn is when c last heard from its peer: its last read, or for a
// stream with a liveness of its own (aliveClock) the last proof of life
// it reported.
func lastIn(c *conn) int64 {
	if a := aliveOf(c.stream); a != nil {
		if t := a.AliveAt(); t > 0 {
			return max(t, c.created)
		}
	}
	return max(c.stats.LastReceived.Load(), c.created)
}

// aliveClock is a stream whose protocol says what proves its peer alive:
// an engine.io session served by its own WebSocket connection, where
// only the pong does and the server pings every interval whatever the
// traffic. AliveAt returns the unix nanos of the last proof, 0 when the
// stream is not in charge (the connection's reads count then).
type aliveClock interface{ AliveAt() int64 }

// aliveOf returns the aliveClock of s or of the streams it wraps (a
// hybrid port's choice, a WebSocket's inner stream), nil when none is.
func aliveOf(s codec.Stream) aliveClock {
	for range 3 {
		if a, ok := s.(aliveClock); ok {
			return a
		}
		w, ok := s.(interface{ Inner() codec.Stream })
		if !ok {
			return nil
		}
		if s = w.Inner(); s == nil {
			return nil
		}
	}
	return nil
}

// speakAt returns when c should next speak to a quiet peer: a server's
// keepalive ping (codec.Pinger) after a silence of the ping interval, a
// client's heartbeat after its own silence of the heartbeat interval.
func (w *wheel) speakAt(c *conn) (int64, bool) {
	if !c.ready.Load() {
		return 0, false
	}
	if w.ep.set.client {
		iv := clientHeartbeatInterval(c)
		if iv <= 0 {
			return 0, false
		}
		return max(c.stats.LastSent.Load(), c.created) + int64(iv), true
	}
	iv := pingInterval(c)
	if iv <= 0 {
		return 0, false
	}
	return max(lastIn(c), c.lastPing.Load()) + int64(iv), true
}

// pingInterval is a server connection's keepalive interval: the stream's
// own, else a third of the heartbeat timeout; 0 for streams that cannot
// ping.
func pingInterval(c *conn) time.Duration {
	if _, ok := c.stream.(codec.Pinger); !ok {
		return 0
	}
	if p, ok := c.stream.(interface{ PingInterval() time.Duration }); ok {
		if d := p.PingInterval(); d != 0 {
			return max(d, 0)
		}
	}
	return c.heartbeatTimeout() / 3
}

// clientHeartbeatInterval is a client connection's heartbeat interval: the
// configured one, else the interval the server announced, else a third of
// the heartbeat timeout; 0 when off.
func clientHeartbeatInterval(c *conn) time.Duration {
	set := &c.ep.set
	switch {
	case set.clientHeartbeat < 0:
		return 0
	case set.clientHeartbeat > 0:
		return set.clientHeartbeat
	}
	if a, ok := c.stream.(interface{ HeartbeatInterval() time.Duration }); ok {
		if d := a.HeartbeatInterval(); d > 0 {
			return d
		}
	}
	return c.heartbeatTimeout() / 3
}

func (w *wheel) run() {
	defer close(w.done)
	t := time.NewTicker(w.tick)
	defer t.Stop()
	var due []wheelEntry
	for {
		select {
		case <-w.quit:
			return
		case now := <-t.C:
			w.ep.clock.Store(now.UnixNano())
			target := now.UnixNano() / int64(w.tick)
			for {
				w.mu.Lock()
				if w.pos >= target {
					w.mu.Unlock()
					break
				}
				w.pos++
				slot := &w.slots[w.pos%wheelSlots]
				due = append(due[:0], *slot...)
				clear(*slot)
				*slot = (*slot)[:0]
				w.mu.Unlock()
				for _, e := range due {
					if e.c.wheelGen.Load() == e.gen {
						w.check(e.c, e.gen, now.UnixNano())
					}
				}
				clear(due)
			}
		}
	}
}

// check closes c when a deadline passed, speaks to it when due, and
// schedules it again.
func (w *wheel) check(c *conn, gen uint32, now int64) {
	due, ok := w.deadline(c, now)
	if !ok {
		return
	}
	if due > now {
		w.schedule(c, gen, due)
		return
	}
	ep := w.ep
	if !c.ready.Load() && ep.set.handshake > 0 && now >= c.created+int64(ep.set.handshake) {
		c.close(ErrHandshakeTimeout)
		return
	}
	if hb := c.heartbeatTimeout(); hb > 0 && now >= lastIn(c)+int64(hb)+int64(w.tick) {
		silent := time.Duration(now - lastIn(c))
		if !c.self.silentTooLong(silent) {
			// Vetoed: a new period starts now.
			c.stats.LastReceived.Store(now)
		} else {
			ep.stats.HeartbeatTimeouts.Add(1)
			ep.logger.Info().Uint64("conn", c.id).Str("remote", c.ip).Str("silent", durText(silent)).Msg("aio: heartbeat timeout")
			c.close(ErrHeartbeatTimeout)
			return
		}
	}
	if at, speak := w.speakAt(c); speak && now >= at {
		w.speak(c, now)
	}
	if due, ok := w.deadline(c, now); ok {
		w.schedule(c, gen, max(due, now+int64(w.tick)))
	}
}

// speak sends a server's keepalive ping or a client's heartbeat.
func (w *wheel) speak(c *conn, now int64) {
	ob := getBuf()
	if w.ep.set.client {
		ob.b = heartbeatBytes(c, ob.b[:0])
	} else {
		ob.b = c.stream.(codec.Pinger).Ping(ob.b[:0])
	}
	c.lastPing.Store(now)
	if w.ep.set.client {
		// The silence is measured from the last write: count the attempt
		// even when there is nothing to send, so the wheel moves on.
		c.stats.LastSent.Store(now)
	}
	if len(ob.b) > 0 {
		if c.enqueue(ob, nil, true, 1) == nil {
			w.ep.stats.Pings.Add(1)
		}
	} else if p, ok := c.rc.(pinger); ok && w.ep.set.client {
		p.ping()
		w.ep.stats.Pings.Add(1)
	}
	ob.release()
}

// heartbeatBytes appends a client connection's heartbeat: its codec's.
func heartbeatBytes(c *conn, dst []byte) []byte {
	if hb, ok := c.stream.(codec.Heartbeater); ok {
		return hb.Heartbeat(dst)
	}
	return dst
}

// pinger is a transport that can probe the peer itself (a WebSocket
// client's ping frame), for codecs without a heartbeat.
type pinger interface{ ping() }
