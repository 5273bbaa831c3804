package aio

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/gotio/gotio/codec"
)

// Reconnect configures a client's reconnection: exponential backoff with
// full jitter, capped, with an optional limit on attempts. The zero value
// reconnects forever, starting at 100 ms and doubling up to 30 s.
type Reconnect struct {
	// Initial is the first delay. Zero means 100 ms.
	Initial time.Duration
	// Max caps the delay. Zero means 30 s.
	Max time.Duration
	// Multiplier grows the delay after each failed attempt. Zero means 2.
	Multiplier float64
	// Jitter is the fraction of each delay drawn at random, so that
	// clients cut off together do not return together. Zero means 0.5;
	// negative means none.
	Jitter float64
	// MaxAttempts gives up after this many failed attempts in a row.
	// Zero means never.
	MaxAttempts int
}

// Delay returns the wait before attempt n (0-based).
func (r *Reconnect) Delay(n int) time.Duration {
	initial, maxd, mult, jitter := r.Initial, r.Max, r.Multiplier, r.Jitter
	if initial <= 0 {
		initial = 100 * time.Millisecond
	}
	if maxd <= 0 {
		maxd = 30 * time.Second
	}
	if mult < 1 {
		mult = 2
	}
	if jitter == 0 {
		jitter = 0.5
	}
	d := float64(initial)
	for i := 0; i < n && d < float64(maxd); i++ {
		d *= mult
	}
	d = min(d, float64(maxd))
	if jitter > 0 {
		d -= d * min(jitter, 1) * rand.Float64()
	}
	return time.Duration(d)
}

// ErrGaveUp is reported to OnBeforeClose's successors (and Client.Err) when
// Reconnect.MaxAttempts failed.
var ErrGaveUp = errors.New("aio: reconnect gave up")

func (c *Client) reconnectLoop(reason error) {
	defer c.wg.Done()
	r := c.cfg.Reconnect
	for attempt := 0; r.MaxAttempts <= 0 || attempt < r.MaxAttempts; attempt++ {
		wait := r.Delay(attempt)
		c.cfg.Logger.Debug().Err(reason).Int("attempt", attempt+1).Dur("wait", wait).Msg("aio: reconnecting")
		select {
		case <-c.quit:
			return
		case <-time.After(wait):
		}
		err := c.connect(context.Background(), true)
		if err == nil {
			c.reconnects.Add(1)
			return
		}
		if errors.Is(err, ErrClientClosed) {
			return
		}
		reason = err
	}
	c.cfg.Logger.Warn().Err(reason).Int("attempts", r.MaxAttempts).Msg("aio: reconnect gave up")
	c.mu.Lock()
	c.gaveUp = true
	c.mu.Unlock()
}

// GaveUp reports whether reconnection stopped after MaxAttempts.
func (c *Client) GaveUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gaveUp
}

// heartbeatLoop sends the codec's heartbeat whenever the connection was
// silent for the heartbeat interval, checking four times per interval.
func (c *Client) heartbeatLoop() {
	defer c.wg.Done()
	if c.cfg.HeartbeatInterval < 0 {
		return
	}
	timer := time.NewTimer(10 * time.Millisecond)
	defer timer.Stop()
	for {
		select {
		case <-c.quit:
			return
		case now := <-timer.C:
			next := time.Second
			if conn := c.Conn(); conn != nil && !conn.Closed() && conn.ready.Load() {
				interval := c.heartbeatInterval(conn)
				next = min(max(interval/4, 5*time.Millisecond), time.Second)
				last := max(conn.stats.LastSent.Load(), conn.created)
				if interval > 0 && now.UnixNano()-last >= int64(interval) {
					sendHeartbeat(conn)
				}
			} else {
				next = 20 * time.Millisecond
			}
			timer.Reset(next)
		}
	}
}

// sendHeartbeat sends the codec's heartbeat, or a WebSocket ping when the
// codec has none and the transport is WebSocket.
func sendHeartbeat(conn *ChannelContext) {
	if hb, ok := conn.stream.(codec.Heartbeater); ok {
		ob := getBuf()
		ob.b = hb.Heartbeat(ob.b[:0])
		_ = conn.enqueue(ob, nil, true)
		ob.release()
		return
	}
	if w, ok := conn.rc.(*wsConn); ok {
		w.ping()
		conn.stats.LastSent.Store(time.Now().UnixNano())
	}
}

// heartbeatInterval is the configured interval, else the server's, else a
// third of the timeout.
func (c *Client) heartbeatInterval(conn *ChannelContext) time.Duration {
	if c.cfg.HeartbeatInterval > 0 {
		return c.cfg.HeartbeatInterval
	}
	if a, ok := conn.stream.(interface{ HeartbeatInterval() time.Duration }); ok {
		if d := a.HeartbeatInterval(); d > 0 {
			return d
		}
	}
	return conn.heartbeatTimeout() / 3
}

// clientConn starts serving a dialed TCP connection and waits for the
// codec's handshake when the stream speaks first.
func (s *Server) clientConn(ctx context.Context, addr string) (*ChannelContext, error) {
	var conn *ChannelContext
	if s.cfg.Transport != TransportStd && netpollAvailable {
		var err error
		conn, err = s.dialNetpoll(ctx, addr)
		if err != nil {
			return nil, err
		}
	} else {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("aio: dial %s: %w", addr, err)
		}
		opened := make(chan *ChannelContext, 1)
		go s.runStd(nc, true, func(c *ChannelContext) { opened <- c })
		conn = <-opened
	}
	return conn, waitReady(ctx, conn)
}

// waitReady waits for the handshake of a stream that speaks first.
func waitReady(ctx context.Context, conn *ChannelContext) error {
	if _, ok := conn.stream.(codec.Opener); !ok {
		return nil
	}
	select {
	case <-conn.readyCh:
		return nil
	case <-ctx.Done():
		conn.finish(ErrHandshakeTimeout)
		return fmt.Errorf("aio: handshake: %w", ctx.Err())
	}
}
