// Package client dials gotio, pomelo and WebSocket servers: one Client is
// one logical connection across reconnects, with request/response
// correlation, the codec's heartbeat, and reconnection as one state
// machine whose policy decides, from why a connection ended, what follows.
//
//	c, err := client.Dial(ctx, "127.0.0.1:3010", &client.Config{
//		Codec:     pomelo.New(nil),
//		Handler:   func(c *client.Client, m *codec.Message) { /* pushes */ },
//		Reconnect: &client.Reconnect{MaxAttempts: 10},
//	})
//	resp, err := c.Request(ctx, "connector.entryHandler.entry", body)
//
// A client runs on the same connection core as aio's servers (the read
// side, the write queue and its single flusher, the timing wheel, the one
// close path), so a connection's close reasons are aio's (aio.ErrKicked,
// aio.ErrHeartbeatTimeout, aio.ErrServerClosed) and codec's: a refused
// handshake matches codec.ErrPeerRefused.
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/internal/clientcore"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/goid"
	"github.com/gotio/gotio/stat"
)

var (
	// ErrDisconnected fails requests in flight when the connection drops,
	// and sends made while no connection is open.
	ErrDisconnected = errors.New("client: disconnected")
	// ErrWouldDeadlock is returned by Request called on the client's read
	// goroutine (from the Handler): the response could only be read after
	// the call returned.
	ErrWouldDeadlock = errors.New("client: Request on the client's read goroutine would wait for itself")
	// ErrGaveUp is wrapped by the reason OnBeforeClose and Err report when
	// Reconnect.MaxAttempts attempts in a row failed.
	ErrGaveUp = errors.New("client: reconnect gave up")
	// errClientClosed is what a Client used after Close returns, and Err
	// once Close ended it: an aio.ErrClosed that the dial loop tells apart
	// from a connection's own.
	errClientClosed = fmt.Errorf("client: closed: %w", aio.ErrClosed)
)

// Client is one logical connection to a gotio (or pomelo, or WebSocket)
// server, across reconnects: request/response correlation, pushes to the
// Handler, heartbeats and optional reconnection. It has no bindings and no
// group sends: those are a server's.
//
// All methods are safe from any goroutine; only Request and SendSync
// block, and Request fails at once with ErrWouldDeadlock on the read
// goroutine. At most one dial loop runs per client at any time.
type Client struct {
	cfg  Config
	addr string
	ep   clientcore.Endpoint

	mu      sync.Mutex
	cc      clientcore.Conn // the open connection, nil while none
	state   State
	err     error         // why the client ended, once done is closed
	changed chan struct{} // closed and replaced on every state change
	pending map[uint64]chan *codec.Message
	closed  bool

	nextID     atomic.Uint64
	reconnects atomic.Uint64
	dialLoops  atomic.Int32    // dial loops running: never more than one
	callbackG  atomic.Int64    // goroutine running the Handler; 0: none
	life       context.Context // ends with Close; reconnect attempts run under it
	cancelLife context.CancelFunc
	quit       <-chan struct{} // life.Done()
	done       chan struct{}   // closed when the client ended for good
}

// Reconnects returns how many times the client reconnected.
func (c *Client) Reconnects() uint64 { return c.reconnects.Load() }

// State returns where the client is in its life.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Done returns a channel closed when the client ended for good: after
// Close, after a connection end the reconnect policy did not follow (a
// kick, a refusal, any end without Reconnect), or after giving up.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns nil until Done is closed, then why the client ended:
// aio.ErrClosed after Close, the last connection's close reason when it
// was not followed by a reconnect (errors.Is(err, aio.ErrKicked) after a
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
func (c *Client) current() clientcore.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cc
}

// Stats returns the counters of the open connection, zero while none.
func (c *Client) Stats() stat.ConnSnapshot {
	if cc := c.current(); cc != nil {
		return cc.Stats()
	}
	return stat.ConnSnapshot{}
}

// Protocol returns the protocol the open connection speaks, "" while none,
// named as the server names it ("tcp", "pomelo-tcp", "ws", "pomelo-ws").
func (c *Client) Protocol() string {
	cc := c.current()
	if cc == nil {
		return ""
	}
	p := cc.Stream().Protocol()
	if c.cfg.WebSocket == nil {
		return p
	}
	// Named as codec/websocket names it: the inner protocol over WebSocket.
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
		return cc.LocalAddr()
	}
	return nil
}

// RemoteAddr returns the open connection's peer address, nil while none.
func (c *Client) RemoteAddr() net.Addr {
	if cc := c.current(); cc != nil {
		return cc.RemoteAddr()
	}
	return nil
}

// Request sends a request and waits for its response, until ctx ends or
// the connection drops (ErrDisconnected). Called on the client's read
// goroutine (the Handler) it fails at once with ErrWouldDeadlock: send a
// Notify there, or Request from a goroutine of your own.
func (c *Client) Request(ctx context.Context, route string, body []byte) (*codec.Message, error) {
	if g := c.callbackG.Load(); g != 0 && g == goid.ID() {
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
	if err := cc.Send(&codec.Message{Kind: codec.Request, ID: id, Route: route, Body: body}); err != nil {
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

// Notify sends a message that expects no response (pomelo's notify).
// Never blocks.
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
	return cc.Send(m)
}

// SendSync is Send that returns once the bytes were written to the socket
// or ctx ended; see aio.ChannelContext.SendSync, whose rules it shares.
func (c *Client) SendSync(ctx context.Context, m *codec.Message) error {
	cc, err := c.live()
	if err != nil {
		return err
	}
	return cc.SendSync(ctx, m)
}

func (c *Client) live() (clientcore.Conn, error) {
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
// (aio.ErrClosed, or Err's reason), or ctx ends.
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
func (c *Client) setState(state State) {
	c.mu.Lock()
	c.setStateLocked(state)
	c.mu.Unlock()
}

func (c *Client) setStateLocked(state State) {
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
		cc.Close(aio.ErrClosed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	if !c.ep.Stop(ctx) {
		c.ep.Logger().Warn().Msg("client: callbacks still running after the close deadline; left to finish")
	}
	c.end(errClientClosed, StateClosed)
	return nil
}

// end records why the client ended and closes Done, once.
func (c *Client) end(err error, state State) {
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

// owner is a Client as its connections see it: the clientcore.Owner hooks,
// kept off the Client's own surface.
type owner Client

// Deliver routes what the connection decoded, on its read goroutine:
// responses to their waiting Request, the rest to the Handler.
func (o *owner) Deliver(m *codec.Message) {
	c := (*Client)(o)
	if m.Kind == codec.Response {
		c.mu.Lock()
		ch := c.pending[m.ID]
		c.mu.Unlock()
		if ch != nil {
			cp := *m
			cp.Body = append([]byte(nil), m.Body...)
			select {
			case ch <- &cp:
			default:
			}
			return
		}
	}
	if c.cfg.Handler == nil {
		return
	}
	// Mark the goroutine, so a Request from the Handler fails fast
	// instead of waiting for a response only this goroutine could read.
	c.callbackG.Store(goid.ID())
	defer c.callbackG.Store(0)
	c.cfg.Handler(c, m)
}

// Closing runs on a connection's close path: the open connection (the one
// OnConnected reported) stops being the client's, its requests fail, and
// OnBeforeClose learns why.
func (o *owner) Closing(cc clientcore.Conn, reason error) {
	c := (*Client)(o)
	c.mu.Lock()
	report := c.cc == cc
	if report {
		c.cc = nil
		c.setStateLocked(StateClosing)
		for id, ch := range c.pending {
			select {
			case ch <- nil:
			default:
			}
			delete(c.pending, id)
		}
	}
	c.mu.Unlock()
	if report && c.cfg.OnBeforeClose != nil {
		c.cfg.OnBeforeClose(c, reason)
	}
}

// closeWait bounds Close's waits, which take no context: a callback stuck
// longer is left behind (and logged).
const closeWait = 5 * time.Second
