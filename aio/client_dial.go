package aio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

// Reconnect configures a client's reconnection: exponential backoff with
// full jitter, capped, with an optional limit on attempts, and a policy
// that decides from why a connection ended whether to come back at all.
// The zero value reconnects with DefaultReconnectPolicy forever, starting
// at 100 ms and doubling up to 30 s.
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
	// Policy decides, from the reason a connection ended (or an attempt
	// failed), whether to dial again. Nil means DefaultReconnectPolicy.
	Policy func(reason error) bool
}

// DefaultReconnectPolicy is the reconnect policy of a Reconnect without
// one: no reconnect after a kick (ErrKicked: the server does not want this
// client back, as after a duplicate login) or a refused handshake
// (ErrRefused: a pomelo 500 or 501, an unsupported version), nor after the
// client's own close; reconnect with backoff after everything else: a
// server shutting down (ErrServerClosed), a network failure, a
// heartbeat timeout, a server that closed without a word.
func DefaultReconnectPolicy(reason error) bool {
	return !errors.Is(reason, ErrKicked) && !errors.Is(reason, ErrRefused) &&
		!errors.Is(reason, ErrClosedByApp) && !errors.Is(reason, errClientClosed)
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

func (r *Reconnect) allows(reason error) bool {
	if r.Policy != nil {
		return r.Policy(reason)
	}
	return DefaultReconnectPolicy(reason)
}

// ErrGaveUp is wrapped by the reason OnBeforeClose and Client.Err report
// when Reconnect.MaxAttempts attempts in a row failed.
var ErrGaveUp = errors.New("aio: reconnect gave up")

// Dial connects to addr ("127.0.0.1:3010", "tls://host:3010"; ignored for
// WebSocket, which uses cfg.WebSocket.URL), completes the codec's
// handshake and returns the client. With cfg.Reconnect set, a connection
// that ends is dialed again in the background, as its policy says, until
// Close. A Dial that fails leaves no goroutine behind.
func Dial(ctx context.Context, addr string, cfg *ClientConfig) (*Client, error) {
	if cfg == nil {
		cfg = &ClientConfig{}
	}
	if cfg.Codec == nil && cfg.WebSocket != nil {
		return nil, errors.New("aio: Dial: a WebSocket ClientConfig needs the Codec its messages carry")
	}
	if err := codec.Check(cfg.Codec); err != nil {
		return nil, fmt.Errorf("aio: Dial: codec: %w", err)
	}
	c := &Client{
		cfg:     *cfg,
		addr:    addr,
		changed: make(chan struct{}),
		pending: make(map[uint64]chan *codec.Message),
		pushes:  make(map[string]func(*codec.Message)),
		done:    make(chan struct{}),
	}
	c.life, c.cancelLife = context.WithCancel(context.Background())
	c.quit = c.life.Done()
	if c.cfg.Codec == nil {
		c.cfg.Codec = tcp.New(nil)
	}
	if c.cfg.DialTimeout <= 0 {
		c.cfg.DialTimeout = 10 * time.Second
	}
	if strings.HasPrefix(addr, "tls://") {
		c.addr = strings.TrimPrefix(addr, "tls://")
		if c.cfg.TLS == nil {
			c.cfg.TLS = &tls.Config{}
		}
	}
	c.ep = newEndpoint(clientSettings(&c.cfg), cfg.Logger)
	c.ep.start()
	c.dialLoops.Add(1)
	cc, err := c.attempt(ctx, false)
	c.dialLoops.Add(-1)
	if err != nil {
		c.cancelLife()
		stop, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		c.wg.Wait()
		c.ep.waitActive(stop)
		c.ep.stop(stop)
		return nil, err
	}
	c.wg.Add(1)
	go c.supervise(cc)
	return c, nil
}

// clientSettings applies ClientConfig's defaults.
func clientSettings(cfg *ClientConfig) settings {
	return settings{
		heartbeat:       orDuration(cfg.HeartbeatTimeout, 90*time.Second),
		heartbeatUser:   cfg.HeartbeatTimeout != 0,
		clientHeartbeat: cfg.HeartbeatInterval,
		readTimeout:     defaultReadTimeout,
		writeTimeout:    defaultWriteTimeout,
		rateWindow:      defaultRateWindow,
		maxFrame:        defaultMaxFrameSize,
		writeQueue:      orPositive(cfg.WriteQueueBytes, defaultWriteQueueBytes),
		mode:            HandlerInline,
		transport:       cfg.Transport,
		client:          true,
	}
}

// supervise is the client's one dial loop: it waits for the open
// connection to end, asks the policy, and dials again with backoff, until
// Close, a reason the policy does not follow, or MaxAttempts failures.
func (c *Client) supervise(cc *clientConn) {
	defer c.wg.Done()
	for {
		select {
		case <-cc.doneCh:
		case <-c.quit:
			return // Close closes the connection and ends the client
		}
		if c.isClosed() {
			return
		}
		reason := cc.closeReason()
		r := c.cfg.Reconnect
		if r == nil || !r.allows(reason) {
			c.ep.logger.Debug().Err(reason).Msg("aio: client connection ended; not reconnecting")
			c.end(reason, StateClosed)
			return
		}
		next, err := c.reconnect(r, reason)
		if next == nil {
			if err != nil {
				if errors.Is(err, ErrGaveUp) && c.cfg.OnBeforeClose != nil {
					c.cfg.OnBeforeClose(c, err)
				}
				state := StateClosed
				if errors.Is(err, ErrGaveUp) {
					state = StateGaveUp
				}
				c.end(err, state)
			}
			return
		}
		cc = next
	}
}

// reconnect dials until an attempt succeeds. It returns nil and why the
// client ends otherwise: nil after Close, an error wrapping ErrGaveUp, or
// the failure the policy does not follow.
func (c *Client) reconnect(r *Reconnect, reason error) (*clientConn, error) {
	c.dialLoops.Add(1)
	defer c.dialLoops.Add(-1)
	for attempt := 0; r.MaxAttempts <= 0 || attempt < r.MaxAttempts; attempt++ {
		wait := r.Delay(attempt)
		c.ep.logger.Info().Err(reason).Int("attempt", attempt+1).Str("wait", durText(wait)).Msg("aio: reconnecting")
		c.setState(StateReconnectWait)
		t := time.NewTimer(wait)
		select {
		case <-c.quit:
			t.Stop()
			return nil, nil
		case <-t.C:
		}
		cc, err := c.attempt(c.life, true)
		if err == nil {
			return cc, nil
		}
		if errors.Is(err, errClientClosed) {
			return nil, nil
		}
		if !r.allows(err) {
			return nil, err
		}
		reason = err
	}
	c.ep.logger.Warn().Err(reason).Int("attempts", r.MaxAttempts).Msg("aio: reconnect gave up")
	return nil, fmt.Errorf("%w after %d attempts: %w", ErrGaveUp, r.MaxAttempts, reason)
}

// attempt dials once, waits for the codec's handshake and installs the
// connection (counted as a reconnection when again is set, before anyone
// can see the client open). A connection that closes before it is ready
// fails the attempt at once, with its close reason.
func (c *Client) attempt(ctx context.Context, again bool) (*clientConn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	c.setState(StateConnecting)
	cc, err := c.dial(ctx)
	if err != nil {
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, err
	}
	c.setState(StateHandshaking)
	if _, speaks := cc.stream.(codec.Opener); !speaks {
		cc.markReady() // a codec that does not speak first is ready once dialed
	}
	select {
	case <-cc.readyCh:
	case <-cc.doneCh:
		return nil, fmt.Errorf("aio: handshake: %w", cc.closeReason())
	case <-ctx.Done():
		cc.close(ErrHandshakeTimeout)
		<-cc.doneCh
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, fmt.Errorf("aio: handshake: %w: %w", ErrHandshakeTimeout, ctx.Err())
	}
	c.mu.Lock()
	if c.closed || cc.state.Load() != stateOpen {
		c.mu.Unlock()
		cc.close(ErrClosedByApp)
		<-cc.doneCh
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, fmt.Errorf("aio: handshake: %w", cc.closeReason())
	}
	c.cc = cc
	cc.reported = true
	if again {
		c.reconnects.Add(1)
	}
	for k, v := range c.attrs {
		cc.set(k, v)
	}
	c.mu.Unlock()
	// OnConnected runs before the client is seen open: WaitConnected
	// returns after it, and what it sends goes out first.
	if c.cfg.OnConnected != nil {
		c.cfg.OnConnected(c)
	}
	c.mu.Lock()
	if c.cc == cc { // not closed meanwhile (its close path set closing)
		c.setStateLocked(StateOpen)
	}
	c.mu.Unlock()
	return cc, nil
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// dial opens one connection and starts serving it.
func (c *Client) dial(ctx context.Context) (*clientConn, error) {
	var (
		cn  *conn
		err error
	)
	switch {
	case c.cfg.WebSocket != nil:
		cn, err = c.dialWebSocket(ctx)
	case c.cfg.TLS == nil && c.cfg.Transport != TransportStd && netpollAvailable:
		cn, err = dialNetpoll(ctx, c.addr, &c.ep.set, clientHost{c})
	default:
		cn, err = c.dialStd(ctx)
	}
	if err != nil {
		return nil, err
	}
	return cn.self.(*clientConn), nil
}

// dialStd dials with package net (and crypto/tls when TLS is set) and
// serves the connection on a goroutine of its own.
func (c *Client) dialStd(ctx context.Context) (*conn, error) {
	var (
		nc  net.Conn
		err error
	)
	if c.cfg.TLS != nil {
		cfg := c.cfg.TLS.Clone()
		if cfg.ServerName == "" {
			if host, _, e := net.SplitHostPort(c.addr); e == nil {
				cfg.ServerName = host
			}
		}
		d := tls.Dialer{Config: cfg}
		nc, err = d.DialContext(ctx, "tcp", c.addr)
	} else {
		var d net.Dialer
		nc, err = d.DialContext(ctx, "tcp", c.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("aio: dial %s: %w", c.addr, err)
	}
	opened := make(chan *conn, 1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if runStd(nc, &c.ep.set, clientHost{c}, func(cn *conn) { opened <- cn }) == nil {
			opened <- nil
		}
	}()
	cn := <-opened
	if cn == nil {
		return nil, errClientClosed
	}
	return cn, nil
}
