package aio

import (
	"sync"
	"time"
)

// wheel watches every connection's handshake deadline and heartbeat with
// one goroutine and one timer: a hashed timing wheel. Traffic does not
// touch the wheel (it only stores the time of the last read); when a slot
// comes due, each connection in it is either closed or moved to the slot of
// its new deadline.
type wheel struct {
	s       *Server
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
	c   *ChannelContext
	gen uint32
}

func newWheel(s *Server) *wheel {
	// The tick is an eighth of the shortest deadline, within [10ms, 1s].
	shortest := time.Duration(1<<63 - 1)
	for _, d := range []time.Duration{s.cfg.heartbeat, s.cfg.handshake} {
		if d > 0 && d < shortest {
			shortest = d
		}
	}
	tick := min(max(shortest/8, 10*time.Millisecond), time.Second)
	return &wheel{s: s, tick: tick, quit: make(chan struct{}), done: make(chan struct{})}
}

func (w *wheel) start() {
	w.started = true
	w.s.clock.Store(time.Now().UnixNano())
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
func (w *wheel) add(c *ChannelContext) {
	due, ok := w.deadline(c)
	if !ok {
		c.wheelGen.Add(1) // retire any entry
		return
	}
	w.schedule(c, c.wheelGen.Add(1), due)
}

func (w *wheel) schedule(c *ChannelContext, gen uint32, due int64) {
	t := due/int64(w.tick) + 1
	w.mu.Lock()
	if t <= w.pos {
		t = w.pos + 1
	}
	slot := &w.slots[t%wheelSlots]
	*slot = append(*slot, wheelEntry{c: c, gen: gen})
	w.mu.Unlock()
}

// deadline returns when c must next be checked, false when never: the
// earlier of its handshake deadline (until ready) and its heartbeat one.
func (w *wheel) deadline(c *ChannelContext) (int64, bool) {
	if c.state.Load() != stateOpen {
		return 0, false
	}
	due, ok := int64(1<<63-1), false
	if !c.ready.Load() && w.s.cfg.handshake > 0 {
		due, ok = c.created+int64(w.s.cfg.handshake), true
	}
	if hb := c.heartbeatTimeout(); hb > 0 {
		// Reads are stamped with the coarse clock, up to a tick behind:
		// allow that tick rather than close a live peer early.
		due, ok = min(due, max(c.stats.LastReceived.Load(), c.created)+int64(hb)+int64(w.tick)), true
	}
	return due, ok
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
			w.s.clock.Store(now.UnixNano())
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

// check closes c when its deadline passed, or schedules it again.
func (w *wheel) check(c *ChannelContext, gen uint32, now int64) {
	due, ok := w.deadline(c)
	if !ok {
		return
	}
	if due > now {
		w.schedule(c, gen, due)
		return
	}
	s := w.s
	if !c.ready.Load() && s.cfg.handshake > 0 && now >= c.created+int64(s.cfg.handshake) {
		c.Close(ErrHandshakeTimeout)
		return
	}
	silent := time.Duration(now - max(c.stats.LastReceived.Load(), c.created))
	if !s.cfg.Listener.OnHeartbeatTimeout(c, silent) {
		// Vetoed: a new period starts now.
		c.stats.LastReceived.Store(now)
		w.schedule(c, gen, now+int64(c.heartbeatTimeout()))
		return
	}
	s.stats.HeartbeatTimeouts.Add(1)
	s.logger.Info().Uint64("conn", c.id).Str("remote", c.ip).Dur("silent", silent).Msg("aio: heartbeat timeout")
	c.Close(ErrHeartbeatTimeout)
}
