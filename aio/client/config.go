package client

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// Config configures a Client. Every field's zero value is a working
// default and its comment says which.
type Config struct {
	// Codec is the protocol: codec/tcp or codec/pomelo for TCP; for
	// WebSocket (WebSocket set) the codec carried inside messages, such as
	// codec/pomelo's WebSocket flavour or codec/websocket's JSON. Nil means
	// codec/tcp over TCP; WebSocket needs one (Dial says so).
	Codec codec.Codec
	// Handler receives every message that is not the response to a
	// Request: pushes, and whatever else the server sends. It runs on the
	// connection's read goroutine, with a message valid only during the
	// call; a Request from it fails with ErrWouldDeadlock. Nil discards.
	Handler func(c *Client, m *codec.Message)
	// OnConnected runs each time a connection is open and its handshake
	// done: after Dial's and after every reconnection (Reconnects counts
	// them). It runs on the dialing goroutine, before State says open and
	// before WaitConnected returns.
	OnConnected func(c *Client)
	// OnBeforeClose runs once for each connection OnConnected reported,
	// before its socket closes, with the reason (errors.Is(reason,
	// aio.ErrKicked) after a kick); and once more, with an error wrapping
	// ErrGaveUp, when reconnecting gives up.
	OnBeforeClose func(c *Client, reason error)
	// Logger receives the client's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Transport is the engine for TCP dials. Zero is netpoll where it
	// runs; TLS always uses the std transport.
	Transport aio.Transport
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
	// inbound bytes (the connection closes with aio.ErrHeartbeatTimeout,
	// then the client reconnects if enabled). A value set here wins over
	// the codec's: zero means the codec's own when the server's handshake
	// announced an interval (gotio TCP and pomelo: twice it), else 90
	// seconds; negative disables.
	HeartbeatTimeout time.Duration
	// WriteQueueBytes caps queued bytes. Zero means 1 MiB.
	WriteQueueBytes int
	// Reconnect turns reconnection on when non-nil.
	Reconnect *Reconnect
	// WebSocket dials ws:// or wss:// instead of TCP when non-nil.
	WebSocket *WebSocket
}

// WebSocket says how a client reaches a WebSocket server. The client dials
// with gorilla/websocket (the one WebSocket client stack of gotio); each
// message carries the Codec's bytes.
type WebSocket struct {
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

// State is where a Client is in its life.
//
//	connecting ─▶ handshaking ─▶ open ─▶ closing ─┬─▶ reconnect wait ─▶ connecting
//	                                               ├─▶ closed   (no reconnect: policy, Close)
//	                                               └─▶ gave up  (MaxAttempts failed)
type State uint8

const (
	StateConnecting    State = iota // dialing
	StateHandshaking                // dialed, the codec's handshake not done
	StateOpen                       // connected and ready
	StateClosing                    // the connection ended; the policy decides what follows
	StateReconnectWait              // between attempts, waiting out the backoff
	StateClosed                     // ended for good: Close, or the policy said no
	StateGaveUp                     // ended for good: Reconnect.MaxAttempts failed
)

var stateNames = [...]string{"connecting", "handshaking", "open", "closing", "reconnect wait", "closed", "gave up"}

// String returns the state's name.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}
