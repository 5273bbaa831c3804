// Package clientcore is the seam between aio's connection core and package
// aio/client: what a client's state machine needs of the core (dial one
// connection, send on it, close it, learn when it is ready and when it
// ended), and nothing of how the core does it. Package aio implements it
// and sets NewEndpoint when it is initialised; aio/client imports aio, so
// NewEndpoint is always set by the time a client dials.
//
// The core keeps its threading rules behind this seam: Deliver runs on the
// connection's read goroutine, Closing once on its close path, and no core
// lock is held while either runs.
package clientcore

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// Config is what the core needs to dial and serve a client's connections,
// before defaults: zero fields mean what aio/client.Config documents.
type Config struct {
	Codec             codec.Codec
	Logger            zerolog.Logger
	Transport         string // an aio.Transport
	TLS               *tls.Config
	HeartbeatInterval time.Duration
	HeartbeatTimeout  time.Duration
	WriteQueueBytes   int
	WebSocket         *WebSocket
}

// WebSocket is how to reach a WebSocket server (aio/client.WebSocket).
type WebSocket struct {
	URL          string
	Header       http.Header
	Subprotocols []string
	Text         bool
	Compression  bool
}

// Owner is the client side of one connection; the core calls it back.
type Owner interface {
	// Deliver runs on the connection's read goroutine with each decoded
	// message, valid only during the call.
	Deliver(m *codec.Message)
	// Closing runs once, on the close path, after the connection stopped
	// being open and before its socket closes.
	Closing(c Conn, reason error)
}

// Conn is one client connection of the core.
type Conn interface {
	// Send queues m; it never blocks.
	Send(m *codec.Message) error
	// SendSync returns once m's bytes were written or ctx ended.
	SendSync(ctx context.Context, m *codec.Message) error
	// Close closes the connection for reason.
	Close(reason error)
	// Reason is why the connection closed, nil while open.
	Reason() error
	// Open reports whether the connection is still open.
	Open() bool
	// Ready is closed once the codec's handshake is done (at once for a
	// codec that does not speak first).
	Ready() <-chan struct{}
	// Done is closed once the close path finished.
	Done() <-chan struct{}
	Stream() codec.Stream
	Stats() stat.ConnSnapshot
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
}

// Endpoint dials connections that share one timing wheel and logger.
type Endpoint interface {
	// Dial connects to addr (to the WebSocket URL when Config.WebSocket
	// is set) and serves the connection for o; it returns before the
	// codec's handshake, which Conn.Ready reports. After Stop it fails.
	Dial(ctx context.Context, addr string, o Owner) (Conn, error)
	// Go runs f on a goroutine of the endpoint, which Stop waits for; after
	// Stop it runs nothing and reports false.
	Go(f func()) bool
	// Stop refuses new dials, waits until ctx ends for the connections'
	// close paths and the endpoint's goroutines, and stops the wheel. It
	// reports whether everything ended in time.
	Stop(ctx context.Context) bool
	// Logger is the endpoint's logger.
	Logger() *zerolog.Logger
}

// NewEndpoint returns an endpoint for cfg. Package aio sets it.
var NewEndpoint func(cfg *Config) Endpoint
