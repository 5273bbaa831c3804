package aio

import (
	"errors"
	"time"

	"github.com/gotio/gotio/codec"
)

var errNoProgress = errors.New("codec consumed nothing and asked for no more bytes")

// close closes the connection gracefully for reason: reading stops at
// once, what is queued is written, the peer is told why when the reason is
// one it should hear and its protocol can say (kick, shutdown), then the
// close path runs on the flusher. It never blocks; the first reason wins.
func (c *conn) close(reason error) {
	if reason == nil {
		reason = ErrClosed
	}
	// The reason is set before the state leaves open, so whoever sees the
	// connection closing (Err) sees why.
	c.setReason(reason)
	if !c.state.CompareAndSwap(stateOpen, stateClosing) {
		return
	}
	if errors.Is(reason, ErrKicked) || errors.Is(reason, ErrServerClosed) {
		if g, ok := c.stream.(codec.Goodbyer); ok && c.ready.Load() {
			ob := getBuf()
			ob.b = g.Goodbye(ob.b[:0], codec.Farewell{Reason: peerText(reason), Shutdown: errors.Is(reason, ErrServerClosed)})
			if len(ob.b) > 0 {
				_ = c.enqueue(ob, nil, true, 1)
			}
			ob.release()
		}
	}
	q := &c.out
	q.mu.Lock()
	if q.finishAfter == nil {
		q.finishAfter = reason
	}
	idle := !q.flushing && !q.reading
	if idle {
		q.flushing = true
	}
	q.mu.Unlock()
	if idle {
		go c.flush()
	}
}

// finish is the one close path: the owner cleans its indexes here, exactly
// once, before the socket closes, so whoever sees the connection closed
// (the peer, a test, a scrape that follows) sees it gone and counted.
func (c *conn) finish(reason error) {
	c.setReason(reason)
	if c.state.Swap(stateClosed) == stateClosed {
		return
	}
	reason = c.closeReason()
	ep := c.ep
	user := c.self.closing(reason)
	ep.stats.Closed.Add(1)
	ep.stats.Active.Add(-1)
	ep.stats.CloseReason(reasonCode(reason)).Add(1)
	if p := c.proto.Load(); p != nil {
		p.Active.Add(-1)
	}
	c.ep.wheel.forget(c)
	_ = c.rc.close()
	c.dropQueue()
	ev := ep.logger.Debug()
	if !errors.Is(reason, errPeerClosed) && !errors.Is(reason, ErrClosed) && !errors.Is(reason, ErrServerClosed) {
		ev = ep.logger.Info()
	}
	ev = ev.Uint64("conn", c.id).Str("remote", c.ip)
	if p := c.stream.Protocol(); p != "" {
		ev = ev.Str("protocol", p)
	}
	if user != "" {
		ev = ev.Str("user", user)
	}
	ev.Str("reason", reasonCode(reason)).Err(reason).
		Str("age", durText(time.Since(time.Unix(0, c.created)))).Msg("aio: connection closed")
	c.self.closed(reason)
	ep.active.Done()
}

// peerText is what the peer is told of a close reason: the application's
// own words for a kick ("duplicate login"), else the reason's label.
func peerText(reason error) string {
	var re *reasonError
	if errors.As(reason, &re) {
		return re.cause.Error()
	}
	var r *labelled
	if errors.As(reason, &r) {
		return r.code
	}
	return reason.Error()
}

// durText formats a duration for logs with its unit, rounded to what a
// reader can use ("1.5s", "230ms", "2h0m0s").
func durText(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
