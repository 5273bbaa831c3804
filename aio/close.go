package aio

import (
	"errors"
	"time"

	"github.com/gotio/gotio/codec"
)

var errNoProgress = errors.New("codec consumed nothing and asked for no more bytes")

// Close closes the connection for reason (nil means ErrClosedByApp). It
// stops reading at once, writes what is already queued, tells the peer why
// when the reason is one the peer should hear and its protocol can say
// (kick, shutdown), and then closes the socket. It returns at once and is
// safe to call many times from any goroutine: the first reason wins.
func (c *ChannelContext) Close(reason error) {
	if reason == nil {
		reason = ErrClosedByApp
	}
	if !c.state.CompareAndSwap(stateOpen, stateClosing) {
		return
	}
	c.setReason(reason)
	if errors.Is(reason, ErrKicked) || errors.Is(reason, ErrServerShutdown) {
		if g, ok := c.stream.(codec.Goodbyer); ok && c.ready.Load() {
			ob := getBuf()
			ob.b = g.Goodbye(ob.b[:0], peerText(reason), errors.Is(reason, ErrServerShutdown))
			if len(ob.b) > 0 {
				_ = c.enqueue(ob, nil, true)
			}
			ob.release()
		}
	}
	q := &c.out
	q.mu.Lock()
	q.finishAfter = reason
	idle := !q.flushing && !q.reading
	if idle {
		q.flushing = true
	}
	q.mu.Unlock()
	if idle {
		go c.flush()
	}
}

// Kick closes the connection after telling the peer reason in its
// protocol's words (a pomelo kick, a WebSocket close frame, a gotio TCP
// close frame).
func (c *ChannelContext) Kick(reason string) {
	c.Close(wrapReason(ErrKicked, errors.New(reason)))
}

func (c *ChannelContext) setReason(reason error) {
	c.mu.Lock()
	if c.reason == nil {
		c.reason = reason
	}
	c.mu.Unlock()
}

// finish is the one close path: every index is cleaned here, exactly once.
func (c *ChannelContext) finish(reason error) {
	if c.state.Swap(stateClosed) == stateClosed {
		return
	}
	c.setReason(reason)
	reason = c.CloseReason()
	s := c.srv
	s.cfg.Listener.OnBeforeClose(c, reason)
	// Indexes and counters first, the socket after: whoever sees the
	// connection closed (the peer, a test, a scrape that follows) sees it
	// gone from every index and counted.
	user := c.User()
	s.unbindAll(c)
	s.conns.remove(c)
	s.stats.Closed.Add(1)
	s.stats.Active.Add(-1)
	s.stats.CloseReason(reasonCode(reason)).Add(1)
	if p := c.proto.Load(); p != nil {
		p.Active.Add(-1)
	}
	_ = c.rc.close()
	c.dropQueue()
	ev := s.logger.Debug()
	if !errors.Is(reason, ErrPeerClosed) && !errors.Is(reason, ErrClosedByApp) && !errors.Is(reason, ErrServerShutdown) {
		ev = s.logger.Info()
	}
	ev.Uint64("conn", c.id).Str("remote", c.ip).Str("protocol", c.Protocol()).
		Str("user", user).Str("reason", reasonCode(reason)).Err(reason).
		Dur("age", time.Since(c.Created())).Msg("aio: connection closed")
	s.connDone()
}

// peerText is what the peer is told of a close reason: the application's
// own words for a kick ("duplicate login"), else the reason's label.
func peerText(reason error) string {
	var re *reasonError
	if errors.As(reason, &re) {
		return re.cause.Error()
	}
	var r *Reason
	if errors.As(reason, &r) {
		return r.Code
	}
	return reason.Error()
}
