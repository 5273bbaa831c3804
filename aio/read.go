package aio

import (
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

// serveRead decodes and handles everything in, the connection's unread
// bytes. A transport calls it from one goroutine at a time per connection,
// whenever bytes arrived. Decoding stops at a partial unit only after
// waiting for it (within ReadTimeout), because netpoll calls again at once
// while unread bytes remain.
func (c *ChannelContext) serveRead(in inbound) {
	c.beginRead()
	defer c.endRead()
	defer c.drain(in)
	if ips := c.srv.cfg.IPStats; ips != nil {
		before := c.ipCounters()
		defer func() { ips.Record(c.ip, c.ipCounters().since(before)) }()
	}
	cfg := c.srv.cfg
	avail := in.Len()
	c.countRead(avail - c.pending)
	for avail > 0 && c.state.Load() == stateOpen {
		buf, err := in.Peek(avail)
		if err != nil {
			c.finish(wrapReason(ErrReadTimeout, err))
			return
		}
		n, need, err := c.stream.Decode(buf, (*connOutput)(c))
		if n > 0 {
			_ = in.Skip(n)
			avail -= n
			c.smallReads = 0
		}
		if err != nil {
			c.srv.stats.DecodeErrors.Add(1)
			c.decodeErrors++
			c.Close(decodeReason(err))
			c.pending = 0
			return
		}
		if n > 0 {
			continue
		}
		if need <= avail {
			// A codec that consumes nothing must ask for more bytes.
			c.Close(wrapReason(ErrProtocol, errNoProgress))
			return
		}
		if need > cfg.MaxFrameSize {
			c.srv.stats.DecodeErrors.Add(1)
			c.Close(ErrFrameTooLarge)
			return
		}
		if avail, err = c.waitFor(in, avail, need); err != nil {
			c.finish(err)
			return
		}
	}
	c.pending = avail
}

// waitFor blocks until in holds need bytes, within ReadTimeout, watching
// for a peer that feeds a frame in tiny pieces (the slow attack).
func (c *ChannelContext) waitFor(in inbound, have, need int) (int, error) {
	lim := c.srv.cfg.Limits
	if lim.SlowAttackReads < 0 {
		if _, err := in.Peek(need); err != nil {
			return have, wrapReason(ErrReadTimeout, err)
		}
		return in.Len(), nil
	}
	deadline := time.Now().Add(c.srv.cfg.ReadTimeout)
	for have < need {
		if time.Now().After(deadline) {
			return have, ErrReadTimeout
		}
		if _, err := in.Peek(have + 1); err != nil {
			return have, wrapReason(ErrReadTimeout, err)
		}
		got := in.Len() - have
		c.countRead(got)
		have += got
		if got < lim.SlowAttackBytes && have < need {
			c.smallReads++
			if c.smallReads > lim.SlowAttackReads {
				return have, ErrSlowAttack
			}
		}
	}
	return have, nil
}

// drain discards what a closing connection still holds unread, so the
// transport does not call again for it, and frees the read buffers.
func (c *ChannelContext) drain(in inbound) {
	if c.state.Load() != stateOpen {
		if n := in.Len(); n > 0 {
			_ = in.Skip(n)
		}
		c.pending = 0
	}
	_ = in.Release()
}

func (c *ChannelContext) countRead(n int) {
	if n <= 0 {
		return
	}
	c.stats.ReceivedBytes.Add(uint64(n))
	c.stats.LastReceived.Store(c.srv.clock.Load())
	s := &c.srv.stats
	s.ReceivedBytes.Add(uint64(n))
	s.Reads.Add(1)
	c.reads++
	if p := c.proto.Load(); p != nil {
		p.BytesIn.Add(uint64(n))
	}
	c.srv.cfg.Listener.OnReceived(c, n)
}

// connOutput is the codec.Output of a connection: what Decode finds goes
// to the handler, replies go to the write queue.
type connOutput ChannelContext

func (o *connOutput) Message(m *codec.Message) {
	c := (*ChannelContext)(o)
	if c.state.Load() != stateOpen {
		return
	}
	c.markReady()
	c.stats.ReceivedPackets.Add(1)
	c.srv.stats.DecodedPackets.Add(1)
	if p := c.proto.Load(); p != nil {
		p.MessagesIn.Add(1)
	}
	cfg := c.srv.cfg
	cfg.Listener.OnDecoded(c, m)
	if c.limiter != nil && !c.limiter.Allow() {
		c.srv.stats.RateLimited.Add(1)
		c.Close(ErrRateLimited)
		return
	}
	if cfg.HandlerMode == HandlerQueued {
		c.queue(m)
		return
	}
	c.handle(m)
}

func (o *connOutput) Reply(b []byte) {
	c := (*ChannelContext)(o)
	ob := getBuf()
	ob.b = append(ob.b[:0], b...)
	_ = c.enqueue(ob, nil, true)
	ob.release()
}

func (o *connOutput) Handshaken(h codec.Handshake) {
	c := (*ChannelContext)(o)
	reschedule := !c.ready.Load()
	if h.HeartbeatTimeout != 0 && time.Duration(c.hbTimeout.Load()) != h.HeartbeatTimeout {
		c.hbTimeout.Store(int64(h.HeartbeatTimeout))
		reschedule = true
	}
	c.setProtocol(h.Protocol)
	c.markReady()
	if reschedule {
		c.srv.wheel.add(c)
	}
}

// markReady records that the connection finished its handshake (or
// delivered a message), ending its handshake deadline.
func (c *ChannelContext) markReady() {
	if c.ready.CompareAndSwap(false, true) && c.readyCh != nil {
		close(c.readyCh)
	}
}

// handle runs the handler on m and accounts for it.
func (c *ChannelContext) handle(m *codec.Message) {
	cfg := c.srv.cfg
	start := time.Now()
	cfg.Handler.Handle(c, m)
	cost := time.Since(start)
	c.stats.HandledPackets.Add(1)
	c.stats.HandleNanos.Add(uint64(cost))
	s := &c.srv.stats
	s.HandledPackets.Add(1)
	s.HandleNanos.Add(uint64(cost))
	cfg.Listener.OnHandled(c, m, cost)
}

// ipCounters are the connection counters that feed per-IP statistics.
type ipCounters struct{ bytes, packets, handled, handleNanos, reads, decodeErrors uint64 }

func (c *ChannelContext) ipCounters() ipCounters {
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
