package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/internal/clientcore"
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
// one: no reconnect after a kick (aio.ErrKicked: the server does not want
// this client back, as after a duplicate login) or a refused handshake
// (codec.ErrPeerRefused: a pomelo 500 or 501, an unsupported version), nor after
// the client's own close; reconnect with backoff after everything else: a
// server shutting down (aio.ErrServerClosed), a network failure, a
// heartbeat timeout, a server that closed without a word.
func DefaultReconnectPolicy(reason error) bool {
	return !errors.Is(reason, aio.ErrKicked) && !errors.Is(reason, codec.ErrPeerRefused) &&
		!errors.Is(reason, aio.ErrClosed) // the client's own Close
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

// Dial connects to addr ("127.0.0.1:3010", "tls://host:3010"; ignored for
// WebSocket, which uses cfg.WebSocket.URL), completes the codec's
// handshake and returns the client. With cfg.Reconnect set, a connection
// that ends is dialed again in the background, as its policy says, until
// Close. A Dial that fails leaves no goroutine behind.
func Dial(ctx context.Context, addr string, cfg *Config) (*Client, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if cfg.Codec == nil && cfg.WebSocket != nil {
		return nil, errors.New("client: Dial: a WebSocket Config needs the Codec its messages carry")
	}
	if err := codec.Check(cfg.Codec); err != nil {
		return nil, fmt.Errorf("client: Dial: codec: %w", err)
	}
	c := &Client{
		cfg:     *cfg,
		addr:    addr,
		changed: make(chan struct{}),
		pending: make(map[uint64]chan *codec.Message),
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
	c.ep = clientcore.NewEndpoint(coreConfig(&c.cfg))
	c.dialLoops.Add(1)
	cc, err := c.attempt(ctx, false)
	c.dialLoops.Add(-1)
	if err != nil {
		c.cancelLife()
		stop, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		c.ep.Stop(stop)
		return nil, err
	}
	c.ep.Go(func() { c.supervise(cc) }) // the endpoint is not stopped before Close
	return c, nil
}

// coreConfig is what the connection core needs of cfg.
func coreConfig(cfg *Config) *clientcore.Config {
	cc := &clientcore.Config{
		Codec:             cfg.Codec,
		Logger:            cfg.Logger,
		Transport:         string(cfg.Transport),
		TLS:               cfg.TLS,
		HeartbeatInterval: cfg.HeartbeatInterval,
		HeartbeatTimeout:  cfg.HeartbeatTimeout,
		WriteQueueBytes:   cfg.WriteQueueBytes,
	}
	if ws := cfg.WebSocket; ws != nil {
		cc.WebSocket = &clientcore.WebSocket{URL: ws.URL, Header: ws.Header, Subprotocols: ws.Subprotocols,
			Text: ws.Text, Compression: ws.Compression}
	}
	return cc
}

// supervise is the client's one dial loop: it waits for the open
// connection to end, asks the policy, and dials again with backoff, until
// Close, a reason the policy does not follow, or MaxAttempts failures.
func (c *Client) supervise(cc clientcore.Conn) {
	for {
		select {
		case <-cc.Done():
		case <-c.quit:
			return // Close closes the connection and ends the client
		}
		if c.isClosed() {
			return
		}
		reason := cc.Reason()
		r := c.cfg.Reconnect
		if r == nil || !r.allows(reason) {
			c.ep.Logger().Debug().Err(reason).Msg("client: client connection ended; not reconnecting")
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
func (c *Client) reconnect(r *Reconnect, reason error) (clientcore.Conn, error) {
	c.dialLoops.Add(1)
	defer c.dialLoops.Add(-1)
	for attempt := 0; r.MaxAttempts <= 0 || attempt < r.MaxAttempts; attempt++ {
		wait := r.Delay(attempt)
		c.ep.Logger().Info().Err(reason).Int("attempt", attempt+1).Str("wait", wait.Round(time.Millisecond).String()).Msg("client: reconnecting")
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
	c.ep.Logger().Warn().Err(reason).Int("attempts", r.MaxAttempts).Msg("client: reconnect gave up")
	return nil, fmt.Errorf("%w after %d attempts: %w", ErrGaveUp, r.MaxAttempts, reason)
}

// attempt dials once, waits for the codec's handshake and installs the
// connection (counted as a reconnection when again is set, before anyone
// can see the client open). A connection that closes before it is ready
// fails the attempt at once, with its close reason.
func (c *Client) attempt(ctx context.Context, again bool) (clientcore.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	c.setState(StateConnecting)
	cc, err := c.ep.Dial(ctx, c.addr, (*owner)(c))
	if err != nil {
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, err
	}
	c.setState(StateHandshaking)
	select {
	case <-cc.Ready():
	case <-cc.Done():
		return nil, fmt.Errorf("client: handshake: %w", cc.Reason())
	case <-ctx.Done():
		cc.Close(aio.ErrHandshakeTimeout)
		<-cc.Done()
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, fmt.Errorf("client: handshake: %w: %w", aio.ErrHandshakeTimeout, ctx.Err())
	}
	c.mu.Lock()
	if c.closed || !cc.Open() {
		c.mu.Unlock()
		cc.Close(aio.ErrClosed)
		<-cc.Done()
		if c.isClosed() {
			return nil, errClientClosed
		}
		return nil, fmt.Errorf("client: handshake: %w", cc.Reason())
	}
	c.cc = cc
	if again {
		c.reconnects.Add(1)
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
