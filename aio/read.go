package aio

import (
	"errors"
	"fmt"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// inbound is a connection's unread bytes as a transport holds them.
// netpoll's Reader satisfies it; the std transport has its own.
type inbound interface {
	// Len returns the number of bytes readable without blocking.
	Len() int
	// Peek returns the next n bytes without consuming them, blocking until
	// they arrived or the transport's read timeout passed.
	Peek(n int) ([]byte, error)
	// Skip consumes n bytes.
	Skip(n int) error
	// Release frees buffers of consumed bytes.
	Release() error
}

// errWouldWait is what Peek returns, for bytes that have not arrived, from
// an inbound that must not wait for them (the gnet engine's, on its event
// loop): serveRead then stops at the partial unit and leaves it pending,
// and the transport calls again once more bytes arrived.
var errWouldWait = errors.New("aio: the unit is partial and the transport does not wait")

// serveRead decodes and handles everything in, the connection's unread
// bytes. A transport calls it from one goroutine at a time per connection,
// whenever bytes arrived. Decoding stops at a partial unit only after
// waiting for it (within ReadTimeout), because netpoll calls again at once
// while unread bytes remain.
func (c *conn) serveRead(in inbound) {
	c.beginRead()
	defer c.endRead()
	defer c.drain(in)
	if ips := c.ep.set.ipStats; ips != nil {
		before := c.ipCounters()
		defer func() { ips.Record(c.ip, c.ipCounters().since(before)) }()
	}
	set := &c.ep.set
	avail := in.Len()
	c.countRead(avail - c.pending)
	for avail > 0 && c.state.Load() == stateOpen {
		buf, err := in.Peek(avail)
		if err != nil {
			c.finish(wrapReason(errReadTimeout, err))
			return
		}
		n, need, err := c.stream.Decode(buf, (*connOutput)(c))
		if n > 0 {
			_ = in.Skip(n)
			avail -= n
			c.unitStart = 0
		}
		if err != nil {
			c.ep.stats.DecodeErrors.Add(1)
			c.decodeErrors++
			c.close(decodeReason(err))
			c.pending = 0
			return
		}
		if n > 0 {
			continue
		}
		if need <= avail {
			// A codec that consumes nothing must ask for more bytes.
			c.close(wrapReason(errProtocol, errNoProgress))
			return
		}
		if need > set.maxFrame {
			c.ep.stats.DecodeErrors.Add(1)
			c.close(errFrameTooLarge)
			return
		}
		if avail, err = c.waitFor(in, avail, need); err != nil {
			if err == errWouldWait { //nolint:errorlint // waitFor returns it as is
				c.pending = avail
				return
			}
			if errors.Is(err, ErrSlowAttack) {
				c.ep.logger.Warn().Uint64("conn", c.id).Str("remote", c.ip).Int("have", avail).Int("need", need).
					Str("since_first_byte", durText(time.Duration(time.Now().UnixNano()-c.unitStart))).Msg("aio: slow attack: closing")
			}
			c.finish(err)
			return
		}
	}
	c.pending = avail
}

// waitFor blocks until in holds need bytes. Each wait for more bytes is
// bounded by ReadTimeout (a peer that sends nothing more); the unit as a
// whole by FrameTimeout from its first byte, and its growth by MinReadRate
// over each RateWindow (a peer that sends too little, too slowly).
func (c *conn) waitFor(in inbound, have, need int) (int, error) {
	now := time.Now().UnixNano()
	if c.unitStart == 0 {
		c.unitStart, c.windowStart, c.windowBytes = now, now, have
	}
	for {
		// The unit is partial here: Decode asked for more (a codec that
		// asks one byte at a time, as an HTTP head does, comes back here
		// after every byte).
		if err := c.checkPace(now, have); err != nil {
			return have, err
		}
		if _, err := in.Peek(have + 1); err != nil {
			if err == errWouldWait { //nolint:errorlint // the sentinel itself
				return have, err
			}
			return have, wrapReason(errReadTimeout, err)
		}
		got := in.Len() - have
		c.countRead(got)
		have += got
		if have >= need {
			return have, nil
		}
		now = time.Now().UnixNano()
	}
}

// checkPace applies FrameTimeout and MinReadRate to the partial unit.
func (c *conn) checkPace(now int64, have int) error {
	set := &c.ep.set
	if set.frameTimeout > 0 && now-c.unitStart > int64(set.frameTimeout) {
		return wrapReason(ErrSlowAttack, fmt.Errorf("unit not whole %v after its first byte", set.frameTimeout))
	}
	if elapsed := now - c.windowStart; set.minReadRate > 0 && elapsed >= int64(set.rateWindow) {
		rate := float64(have-c.windowBytes) * float64(time.Second) / float64(elapsed)
		if rate < float64(set.minReadRate) {
			return wrapReason(ErrSlowAttack, fmt.Errorf("%.1f bytes/s, under the minimum %d", rate, set.minReadRate))
		}
		c.windowStart, c.windowBytes = now, have
	}
	return nil
}

// drain discards what a closing connection still holds unread, so the
// transport does not call again for it, and frees the read buffers.
func (c *conn) drain(in inbound) {
	if c.state.Load() != stateOpen {
		if n := in.Len(); n > 0 {
			_ = in.Skip(n)
		}
		c.pending = 0
	}
	_ = in.Release()
}

func (c *conn) countRead(n int) {
	if n <= 0 {
		return
	}
	c.stats.ReceivedBytes.Add(uint64(n))
	c.stats.LastReceived.Store(c.ep.now())
	s := &c.ep.stats
	s.ReceivedBytes.Add(uint64(n))
	s.Reads.Add(1)
	c.reads++
	if p := c.proto.Load(); p != nil {
		p.BytesIn.Add(uint64(n))
	}
	c.self.received(n)
}

// connOutput is the codec.Output of a connection: what Decode finds goes
// to the handler, replies go to the write queue.
type connOutput conn

func (o *connOutput) Message(m *codec.Message) {
	c := (*conn)(o)
	if c.state.Load() != stateOpen {
		return
	}
	c.markReady()
	c.stats.ReceivedPackets.Add(1)
	c.ep.stats.DecodedPackets.Add(1)
	if p := c.proto.Load(); p != nil {
		p.MessagesIn.Add(1)
	}
	c.self.decoded(m)
	if c.limiter != nil && !c.limiter.Allow() {
		c.ep.stats.RateLimited.Add(1)
		c.close(ErrRateLimited)
		return
	}
	if c.ep.set.queued {
		c.queue(m)
		return
	}
	c.handle(m)
}

func (o *connOutput) Reply(b []byte) {
	c := (*conn)(o)
	ob := getBuf()
	ob.b = append(ob.b[:0], b...)
	_ = c.enqueue(ob, nil, true, 1)
	ob.release()
}

func (o *connOutput) Handshaken(h codec.Handshake) {
	c := (*conn)(o)
	changed := h.HeartbeatTimeout > 0 && c.codecHB.Swap(int64(h.HeartbeatTimeout)) != int64(h.HeartbeatTimeout)
	c.setProtocol(h.Protocol)
	if !c.ready.Load() {
		c.markReady() // reschedules
	} else if changed {
		c.ep.wheel.add(c)
	}
}

// handle runs the handler on m and accounts for it.
func (c *conn) handle(m *codec.Message) {
	start := time.Now()
	c.self.deliver(m)
	cost := time.Since(start)
	c.stats.HandledPackets.Add(1)
	c.stats.HandleNanos.Add(uint64(cost))
	s := &c.ep.stats
	s.HandledPackets.Add(1)
	s.HandleNanos.Add(uint64(cost))
	c.self.handled(m, cost)
}

// ipCounters are the connection counters that feed per-IP statistics.
type ipCounters struct{ bytes, packets, handled, handleNanos, reads, decodeErrors uint64 }

func (c *conn) ipCounters() ipCounters {
	return ipCounters{
		bytes:        c.stats.ReceivedBytes.Load(),
		packets:      c.stats.ReceivedPackets.Load(),
		handled:      c.stats.HandledPackets.Load(),
		handleNanos:  c.stats.HandleNanos.Load(),
		reads:        c.reads,
		decodeErrors: c.decodeErrors,
	}
}

func (a ipCounters) since(b ipCounters) stat.Delta {
	return stat.Delta{
		ReceivedBytes:   a.bytes - b.bytes,
		ReceivedPackets: a.packets - b.packets,
		HandledPackets:  a.handled - b.handled,
		HandleNanos:     a.handleNanos - b.handleNanos,
		Reads:           a.reads - b.reads,
		DecodeErrors:    a.decodeErrors - b.decodeErrors,
	}
}
