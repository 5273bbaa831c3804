package aio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// ClientConfig configures a Client. Every field's zero value is a working
// default and its comment says which.
type ClientConfig struct {
	// Codec is the protocol: codec/tcp or codec/pomelo for TCP; for
	// WebSocket (WebSocket set) the codec carried inside messages, such as
	// codec/pomelo's WebSocket flavour or codec/websocket's JSON. Nil means
	// codec/tcp over TCP; WebSocket needs one (Dial says so).
	Codec codec.Codec
	// Handler receives what is neither the response to a Request nor a
	// push with an OnPush handler. It runs on the connection's read
	// goroutine, with a message valid only during the call. Nil discards.
	Handler func(c *Client, m *codec.Message)
	// OnConnected runs each time a connection is open and its handshake
	// done: after Dial's and after every reconnection (Reconnects counts
	// them). It runs on the dialing goroutine, before State says open and
	// before WaitConnected returns.
	OnConnected func(c *Client)
	// OnBeforeClose runs once for each connection OnConnected reported,
	// before its socket closes, with the reason (errors.Is(reason,
	// ErrKicked) after a kick); and once more, with an error wrapping
	// ErrGaveUp, when reconnecting gives up.
	OnBeforeClose func(c *Client, reason error)
	// Logger receives the client's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Transport is the engine for TCP dials. Zero is netpoll where it
	// runs; TLS always uses the std transport.
	Transport Transport
	// TLS, when set, dials TCP with TLS (an address "tls://host:port"
	// does so with a zero tls.Config) and configures wss:// dials.
	TLS *tls.Config
	// DialTimeout bounds one dial and its handshake. Zero means 10
	// seconds.
	DialTimeout time.Duration
	// HeartbeatInterval is how long the client may stay silent before it
	// sends its codec's heartbeat. Zero means what the server announced in
	// its handshake, else a third of the heartbeat timeout; negative
	// disables.
	HeartbeatInterval time.Duration
	// HeartbeatTimeout declares the server dead after this long without
	// inbound bytes (the connection closes with ErrHeartbeatTimeout, then
	// the client reconnects if enabled). A value set here wins over the
	// codec's: zero means the codec's own when the server's handshake
	// announced an interval (gotio TCP and pomelo: twice it), else 90
	// seconds; negative disables.
	HeartbeatTimeout time.Duration
	// WriteQueueBytes caps queued bytes. Zero means 1 MiB.
	WriteQueueBytes int
	// Reconnect turns reconnection on when non-nil.
	Reconnect *Reconnect
	// WebSocket dials ws:// or wss:// instead of TCP when non-nil.
	WebSocket *WebSocketDial
}

// WebSocketDial says how a client reaches a WebSocket server. The client
// dials with gorilla/websocket (the one WebSocket client stack of gotio);
// each message carries the Codec's bytes.
type WebSocketDial struct {
	// URL is the ws:// or wss:// address; the Dial address is ignored.
	URL string
	// Header is sent with the upgrade request.
	Header http.Header
	// Subprotocols are offered in Sec-WebSocket-Protocol.
	Subprotocols []string
	// Text sends text messages instead of binary ones (the JSON inner
	// codec wants text; pomelo binary).
	Text bool
	// Compression offers permessage-deflate; messages are then compressed
	// when the server accepts it.
	Compression bool
}

// ClientState is where a Client is in its life.
//
//	connecting ─▶ handshaking ─▶ open ─▶ closing ─┬─▶ reconnect wait ─▶ connecting
//	                                               ├─▶ closed   (no reconnect: policy, Close)
//	                                               └─▶ gave up  (MaxAttempts failed)
type ClientState uint8

const (
	StateConnecting    ClientState = iota // dialing
	StateHandshaking                      // dialed, the codec's handshake not done
	StateOpen                             // connected and ready
	StateClosing                          // the connection ended; the policy decides what follows
	StateReconnectWait                    // between attempts, waiting out the backoff
	StateClosed                           // ended for good: Close, or the policy said no
	StateGaveUp                           // ended for good: Reconnect.MaxAttempts failed
)

var stateNames = [...]string{"connecting", "handshaking", "open", "closing", "reconnect wait", "closed", "gave up"}

// String returns the state's name.
func (s ClientState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

var (
	// ErrDisconnected fails requests in flight when the connection drops,
	// and sends made while no connection is open.
	ErrDisconnected = errors.New("aio: client disconnected")
	// errClientClosed is what a Client used after Close returns, and Err
	// once Close ended it: an ErrClosed that the dial loop tells apart
	// from a connection's own.
	errClientClosed = fmt.Errorf("aio: client closed: %w", ErrClosed)
	// ErrWouldDeadlock is returned by Client.Request called on the
	// client's read goroutine (from a Handler or an OnPush function): the
	// response could only be read after the call returned.
	ErrWouldDeadlock = errors.New("aio: Request on the client's read goroutine would wait for itself")
)

// Client is one logical connection to a gotio (or pomelo, or WebSocket)
// server, across reconnects: request/response correlation, push handlers,
// heartbeats and optional reconnection. It has no bindings and no group
// sends: those are a server's.
//
// All methods are safe from any goroutine; only Request and SendSync
// block, and Request fails at once with ErrWouldDeadlock on the read
// goroutine. At most one dial loop runs per client at any time.
type Client struct {
	cfg  ClientConfig
	addr string
	ep   *endpoint

	mu      sync.Mutex
	cc      *clientConn // the open connection, nil while none
	state   ClientState
	err     error         // why the client ended, once done is closed
	changed chan struct{} // closed and replaced on every state change
	pending map[uint64]chan *codec.Message
	pushes  map[string]func(*codec.Message)
	attrs   map[any]any
	closed  bool

	nextID     atomic.Uint64
	reconnects atomic.Uint64
	dialLoops  atomic.Int32    // dial loops running: never more than one
	callbackG  atomic.Int64    // goroutine running a callback on the read side; 0: none
	life       context.Context // ends with Close; reconnect attempts run under it
	cancelLife context.CancelFunc
	quit       <-chan struct{} // life.Done()
	done       chan struct{}   // closed when the client ended for good
	wg         sync.WaitGroup
}

// Reconnects returns how many times the client reconnected.
func (c *Client) Reconnects() uint64 { return c.reconnects.Load() }

// State returns where the client is in its life.
func (c *Client) State() ClientState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Done returns a channel closed when the client ended for good: after
// Close, after a connection end the reconnect policy did not follow (a
// kick, a refusal, any end without Reconnect), or after giving up.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns nil until Done is closed, then why the client ended:
// ErrClosed after Close, the last connection's close reason when it
// was not followed by a reconnect (errors.Is(err, ErrKicked) after a
// kick), or an error wrapping ErrGaveUp and the last failure.
func (c *Client) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// current returns the open connection, or nil.
func (c *Client) current() *clientConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cc
}

// Stats returns the counters of the open connection, zero while none.
func (c *Client) Stats() stat.ConnSnapshot {
	if cc := c.current(); cc != nil {
		return cc.stats.Snapshot()
	}
	return stat.ConnSnapshot{}
}

// Protocol returns the protocol the open connection speaks, "" while none.
func (c *Client) Protocol() string {
	cc := c.current()
	if cc == nil {
		return ""
	}
	p := cc.stream.Protocol()
	if c.cfg.WebSocket == nil {
		return p
	}
	// Named as the server names it (codec/websocket): the inner protocol
	// over WebSocket.
	switch {
	case p == "":
		return "ws"
	case strings.HasSuffix(p, "-ws"):
		return p
	}
	return strings.TrimSuffix(p, "-tcp") + "-ws"
}

// LocalAddr returns the open connection's local address, nil while none.
func (c *Client) LocalAddr() net.Addr {
	if cc := c.current(); cc != nil {
		return cc.localAddr()
	}
	return nil
}

// RemoteAddr returns the open connection's peer address, nil while none.
func (c *Client) RemoteAddr() net.Addr {
	if cc := c.current(); cc != nil {
		return cc.remoteAddr()
	}
	return nil
}

// Set stores an attribute on the client; it survives reconnects.
func (c *Client) Set(key, value any) {
	c.mu.Lock()
	if c.attrs == nil {
		c.attrs = make(map[any]any)
	}
	c.attrs[key] = value
	c.mu.Unlock()
}

// Get returns an attribute stored with Set, or nil.
func (c *Client) Get(key any) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attrs[key]
}

// OnPush registers fn for pushes on route; it runs on the read goroutine,
// with a message valid only during the call.
func (c *Client) OnPush(route string, fn func(m *codec.Message)) {
	c.mu.Lock()
	c.pushes[route] = fn
	c.mu.Unlock()
}

// Request sends a request and waits for its response, until ctx ends or
// the connection drops (ErrDisconnected). Called on the client's read
// goroutine (a Handler or OnPush function) it fails at once with
// ErrWouldDeadlock: send a Notify there, or Request from a goroutine of
// your own.
func (c *Client) Request(ctx context.Context, route string, body []byte) (*codec.Message, error) {
	if g := c.callbackG.Load(); g != 0 && g == goroutineID() {
		return nil, ErrWouldDeadlock
	}
	id := c.nextID.Add(1)
	ch := make(chan *codec.Message, 1)
	c.mu.Lock()
	cc := c.cc
	if c.closed {
		c.mu.Unlock()
		return nil, errClientClosed
	}
	if cc == nil {
		c.mu.Unlock()
		return nil, ErrDisconnected
	}
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := cc.send(&codec.Message{Kind: codec.Request, ID: id, Route: route, Body: body}); err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m == nil {
			return nil, ErrDisconnected
		}
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Notify sends a message that expects no response. Never blocks.
func (c *Client) Notify(route string, body []byte) error {
	return c.Send(&codec.Message{Kind: codec.Notify, Route: route, Body: body})
}

// Send sends any message on the open connection; it returns once the
// bytes are queued. Never blocks.
func (c *Client) Send(m *codec.Message) error {
	cc, err := c.live()
	if err != nil {
		return err
	}
	return cc.send(m)
}

// SendSync is Send that returns once the bytes were written to the socket
// or ctx ended; see ChannelContext.SendSync, whose rules it shares.
func (c *Client) SendSync(ctx context.Context, m *codec.Message) error {
	cc, err := c.live()
	if err != nil {
		return err
	}
	return cc.sendSync(ctx, m)
}

func (c *Client) live() (*clientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errClientClosed
	}
	if c.cc == nil {
		return nil, ErrDisconnected
	}
	return c.cc, nil
}

// WaitConnected blocks until a connection is open, the client ended
// (ErrClosed, or Err's reason), or ctx ends.
func (c *Client) WaitConnected(ctx context.Context) error {
	for {
		c.mu.Lock()
		state, changed, closed := c.state, c.changed, c.closed
		c.mu.Unlock()
		switch {
		case closed:
			return errClientClosed
		case state == StateOpen:
			return nil
		case state == StateClosed || state == StateGaveUp:
			return c.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-c.done:
		}
	}
}

// setState moves the client to state, waking WaitConnected.
func (c *Client) setState(state ClientState) {
	c.mu.Lock()
	c.setStateLocked(state)
	c.mu.Unlock()
}

func (c *Client) setStateLocked(state ClientState) {
	if c.state == state {
		return
	}
	c.state = state
	close(c.changed)
	c.changed = make(chan struct{})
}

// Close closes the connection, stops reconnecting and waits for the
// client's goroutines: at most 5 seconds for callbacks that do not return,
// which are then left behind and logged. Safe to call many times.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	cc := c.cc
	c.mu.Unlock()
	c.cancelLife()
	if cc != nil {
		cc.close(ErrClosedByApp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	waited := make(chan struct{})
	go func() { c.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-ctx.Done():
		c.ep.logger.Warn().Msg("aio: client callbacks still running after the close deadline; left to finish")
	}
	c.ep.waitActive(ctx)
	c.ep.stop(ctx)
	c.end(errClientClosed, StateClosed)
	return nil
}

// end records why the client ended and closes Done, once.
func (c *Client) end(err error, state ClientState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		return
	default:
	}
	c.err = err
	c.setStateLocked(state)
	close(c.done)
}
