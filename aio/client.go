package aio

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
)

// ClientConfig configures a Client. Every field's zero value is a working
// default and its comment says which.
type ClientConfig struct {
	// Codec is the protocol: codec/tcp or codec/pomelo for TCP; for
	// WebSocket (WebSocket set) the codec carried inside messages, such as
	// codec/pomelo's WebSocket flavour or codec/websocket's JSON. Required.
	Codec codec.Codec
	// Handler receives pushes and every message that is not the response
	// to a Request. Nil discards them; OnPush handlers see pushes first.
	Handler Handler
	// Listener observes the connection; OnConnected reports reconnects.
	Listener Listener
	// Logger receives the client's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Transport is the engine for TCP dials. Zero is netpoll where it runs.
	Transport Transport
	// DialTimeout bounds one dial and handshake. Zero means 10 seconds.
	DialTimeout time.Duration
	// HeartbeatInterval is how long the client may stay silent before it
	// sends its codec's heartbeat. Zero means what the server announced in
	// its handshake, else a third of HeartbeatTimeout; negative disables.
	HeartbeatInterval time.Duration
	// HeartbeatTimeout declares the server dead after this long without
	// inbound bytes (a disconnect, then a reconnect if enabled). Zero means
	// 90 seconds, or three times the server's announced interval; negative
	// disables.
	HeartbeatTimeout time.Duration
	// WriteQueueBytes caps queued bytes. Zero means 1 MiB.
	WriteQueueBytes int
	// Reconnect turns reconnection on when non-nil.
	Reconnect *Reconnect
	// WebSocket dials ws:// or wss:// instead of TCP when non-nil.
	WebSocket *WebSocketDial
}

// WebSocketDial says how a client reaches a WebSocket server. The client
// dials with gorilla/websocket; each message carries the Codec's bytes.
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
}

// ErrDisconnected fails requests in flight when the connection drops.
var ErrDisconnected = errors.New("aio: client disconnected")

// ErrClientClosed is returned by a Client used after Close.
var ErrClientClosed = errors.New("aio: client closed")

// Client is one connection to a gotio (or pomelo, or WebSocket) server with
// request/response correlation, push handlers, heartbeats and optional
// reconnection. All methods are safe for concurrent use.
type Client struct {
	cfg    ClientConfig
	addr   string
	engine *Server // the connection machinery, without a listener

	mu        sync.Mutex
	conn      *ChannelContext
	connected chan struct{} // closed while a connection is open
	pending   map[uint64]chan *codec.Message
	pushes    map[string]func(*codec.Message)
	attrs     map[any]any
	closed    bool
	gaveUp    bool

	nextID     atomic.Uint64
	reconnects atomic.Uint64
	quit       chan struct{}
	wg         sync.WaitGroup
}

// Dial connects to addr ("127.0.0.1:3010"; ignored for WebSocket, which
// uses cfg.WebSocket.URL), completes the transport's handshake and returns
// the client. With cfg.Reconnect set, a dropped connection is dialed again
// in the background until Close.
func Dial(ctx context.Context, addr string, cfg *ClientConfig) (*Client, error) {
	if cfg == nil || cfg.Codec == nil {
		return nil, errors.New("aio: Dial needs a ClientConfig with a Codec")
	}
	c := &Client{
		cfg:     *cfg,
		addr:    addr,
		pending: make(map[uint64]chan *codec.Message),
		pushes:  make(map[string]func(*codec.Message)),
		quit:    make(chan struct{}),
	}
	if c.cfg.DialTimeout <= 0 {
		c.cfg.DialTimeout = 10 * time.Second
	}
	if c.cfg.Listener == nil {
		c.cfg.Listener = NopListener{}
	}
	c.engine = NewServer(&Config{
		Codec:            cfg.Codec,
		Handler:          HandlerFunc(c.dispatch),
		Listener:         clientListener{c},
		Logger:           cfg.Logger,
		Transport:        cfg.Transport,
		HeartbeatTimeout: c.heartbeatTimeout(0),
		HandshakeTimeout: -1,
		WriteQueueBytes:  cfg.WriteQueueBytes,
		Limits:           Limits{SlowAttackReads: -1},
	})
	c.engine.startOnce.Do(c.engine.start)
	if err := c.connect(ctx, false); err != nil {
		c.engine.stop()
		return nil, err
	}
	c.wg.Add(1)
	go c.heartbeatLoop()
	return c, nil
}

func (c *Client) heartbeatTimeout(announced time.Duration) time.Duration {
	switch {
	case c.cfg.HeartbeatTimeout < 0:
		return -1
	case c.cfg.HeartbeatTimeout > 0:
		return c.cfg.HeartbeatTimeout
	case announced > 0:
		return 3 * announced
	}
	return 90 * time.Second
}

// connect dials once and installs the new connection.
func (c *Client) connect(ctx context.Context, reconnect bool) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	conn.markReady() // a codec that does not speak first is ready once dialed
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		conn.finish(ErrClosedByApp)
		return ErrClientClosed
	}
	c.conn = conn
	for k, v := range c.attrs {
		conn.Set(k, v)
	}
	c.connected = make(chan struct{})
	close(c.connected)
	c.mu.Unlock()
	c.cfg.Listener.OnConnected(conn, reconnect)
	return nil
}

func (c *Client) dial(ctx context.Context) (*ChannelContext, error) {
	if c.cfg.WebSocket != nil {
		return c.dialWebSocket(ctx)
	}
	return c.engine.clientConn(ctx, c.addr)
}

// Conn returns the current connection, nil while disconnected.
func (c *Client) Conn() *ChannelContext {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// Reconnects returns how many times the client reconnected.
func (c *Client) Reconnects() uint64 { return c.reconnects.Load() }

// Set stores an attribute that survives reconnects.
func (c *Client) Set(key, value any) {
	c.mu.Lock()
	if c.attrs == nil {
		c.attrs = make(map[any]any)
	}
	c.attrs[key] = value
	conn := c.conn
	c.mu.Unlock()
	if conn != nil {
		conn.Set(key, value)
	}
}

// Get returns an attribute stored with Set.
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
// the connection drops (ErrDisconnected).
func (c *Client) Request(ctx context.Context, route string, body []byte) (*codec.Message, error) {
	id := c.nextID.Add(1)
	ch := make(chan *codec.Message, 1)
	c.mu.Lock()
	conn := c.conn
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClientClosed
	}
	if conn == nil {
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
	if err := conn.Send(&codec.Message{Kind: codec.Request, ID: id, Route: route, Body: body}); err != nil {
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

// Notify sends a message that expects no response.
func (c *Client) Notify(route string, body []byte) error {
	conn := c.Conn()
	if conn == nil {
		return ErrDisconnected
	}
	return conn.Send(&codec.Message{Kind: codec.Notify, Route: route, Body: body})
}

// Send sends any message on the current connection.
func (c *Client) Send(m *codec.Message) error {
	conn := c.Conn()
	if conn == nil {
		return ErrDisconnected
	}
	return conn.Send(m)
}

// WaitConnected blocks until a connection is open or ctx ends.
func (c *Client) WaitConnected(ctx context.Context) error {
	for {
		c.mu.Lock()
		conn, closed := c.conn, c.closed
		c.mu.Unlock()
		if closed {
			return ErrClientClosed
		}
		if conn != nil && !conn.Closed() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Close closes the connection, stops reconnecting and waits for the
// client's goroutines.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	conn := c.conn
	c.mu.Unlock()
	close(c.quit)
	if conn != nil {
		conn.Close(ErrClosedByApp)
	}
	c.engine.active.Wait()
	c.wg.Wait()
	c.engine.stop()
	return nil
}

// dispatch routes what the connection decoded: responses to their waiting
// Request, pushes to OnPush handlers, the rest to the Handler.
func (c *Client) dispatch(conn *ChannelContext, m *codec.Message) {
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
	if m.Kind == codec.Push {
		c.mu.Lock()
		fn := c.pushes[m.Route]
		c.mu.Unlock()
		if fn != nil {
			fn(m)
			return
		}
	}
	if c.cfg.Handler != nil {
		c.cfg.Handler.Handle(conn, m)
	}
}

// disconnected fails what waits on the dropped connection and starts
// reconnecting.
func (c *Client) disconnected(conn *ChannelContext, reason error) {
	c.mu.Lock()
	if c.conn == conn {
		c.conn = nil
	}
	for id, ch := range c.pending {
		select {
		case ch <- nil:
		default:
		}
		delete(c.pending, id)
	}
	closed := c.closed
	c.mu.Unlock()
	if closed || c.cfg.Reconnect == nil {
		return
	}
	c.wg.Add(1)
	go c.reconnectLoop(reason)
}

// clientListener forwards the engine's events to the user's listener and
// watches for disconnects.
type clientListener struct{ c *Client }

func (l clientListener) OnConnected(*ChannelContext, bool) {} // reported by connect
func (l clientListener) OnReceived(conn *ChannelContext, n int) {
	l.c.cfg.Listener.OnReceived(conn, n)
}
func (l clientListener) OnDecoded(conn *ChannelContext, m *codec.Message) {
	l.c.cfg.Listener.OnDecoded(conn, m)
}
func (l clientListener) OnHandled(conn *ChannelContext, m *codec.Message, d time.Duration) {
	l.c.cfg.Listener.OnHandled(conn, m, d)
}
func (l clientListener) OnSent(conn *ChannelContext, n int) { l.c.cfg.Listener.OnSent(conn, n) }
func (l clientListener) OnBeforeClose(conn *ChannelContext, reason error) {
	l.c.cfg.Listener.OnBeforeClose(conn, reason)
	l.c.disconnected(conn, reason)
}
func (l clientListener) OnHeartbeatTimeout(conn *ChannelContext, d time.Duration) bool {
	return l.c.cfg.Listener.OnHeartbeatTimeout(conn, d)
}
