// Package codec defines what gotio asks of a wire protocol: a Codec makes a
// per-connection Stream, and a Stream turns bytes into Messages and Messages
// into bytes. Codecs never do I/O; package aio owns the sockets.
//
// The shipped codecs live below this package: codec/tcp (gotio's own binary
// protocol), codec/websocket (RFC 6455), codec/pomelo (NetEase pomelo's
// hybrid protocol) and codec/hybrid (one port, every protocol).
package codec

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Kind says what a Message is.
type Kind uint8

const (
	// Raw is a message without request semantics: only Body (and Binary)
	// carry meaning. Plain WebSocket text and binary messages arrive as Raw.
	Raw Kind = iota
	// Request expects a Response with the same ID.
	Request
	// Notify is a request that expects no response.
	Notify
	// Response answers the Request with the same ID.
	Response
	// Push is a server-initiated message addressed by Route.
	Push
)

var kindNames = [...]string{"raw", "request", "notify", "response", "push"}

// String returns the lower-case name of k.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Message is the common shape of what every protocol carries, so that one
// application speaks all of them: a chat room pushes "onChat" once and each
// member receives it in its own wire format.
//
// Body is the application payload, JSON by convention. Codecs whose wire
// form differs (pomelo's protobuf bodies) transcode it per route.
type Message struct {
	Kind Kind
	// ID correlates a Request with its Response. Zero for Notify and Push.
	ID uint64
	// Route names the handler of a Request or Notify and the event of a
	// Push. A Response carries the route of the request it answers, so that
	// codecs that encode bodies per route (pomelo protobuf) can find the
	// schema; codecs whose wire has no route for responses ignore it.
	Route string
	Body  []byte
	// Binary marks a Raw message as binary rather than text on wires that
	// tell them apart (WebSocket).
	Binary bool
	// NoCompress asks codecs that compress (WebSocket permessage-deflate)
	// to send this message as it is: a body already compressed (an image,
	// a zip), or one where latency matters more than bytes. Codecs that
	// never compress ignore it.
	NoCompress bool
}

// Codec makes the per-connection state of one wire protocol. A Codec is
// shared by every connection of a server and must be safe for concurrent use.
type Codec interface {
	// NewStream returns the codec state of a new connection.
	NewStream(info ConnInfo) Stream
}

// ConnInfo describes the connection a Stream serves.
type ConnInfo struct {
	LocalAddr  net.Addr
	RemoteAddr net.Addr
	// Client is true when this side dialed the connection: a client
	// stream writes its handshake first (gotio TCP, pomelo) and reads the
	// server's replies. codec/websocket has no client side (Go clients
	// dial WebSocket with aio/client.Config.WebSocket).
	Client bool
	// Carrier is the server connection itself, for streams that carry
	// sessions over it (codec/engineio); nil on clients.
	Carrier Carrier
}

// Stream is one connection's codec state.
//
// Decode is called by one goroutine at a time, in the order bytes arrived.
// Encode, Format and Protocol may be called from any goroutine, concurrently
// with Decode and with each other: a stream whose encode-relevant state
// changes during Decode (a negotiated dictionary, say) must guard it.
type Stream interface {
	// Decode reads whole units from the front of in and reports what they
	// carried to out. It returns the number of bytes consumed. When the
	// front of in is not a whole unit, it returns n == 0 and need, the least
	// total number of bytes in must hold before Decode can progress
	// (need > len(in)); aio then waits for them, bounded by its read timeout
	// and maximum frame size. A codec refuses an oversize unit by returning
	// an error wrapping ErrTooLarge as soon as the header says so, before
	// the body is buffered.
	//
	// An error closes the connection after the replies already given to out
	// are written. Errors wrapping ErrPeerClosed mean the peer ended the
	// session by its protocol's rules; all others are protocol errors.
	Decode(in []byte, out Output) (n, need int, err error)

	// Encode appends the wire form of m to dst and returns the extended
	// slice. It returns an error wrapping ErrUnsupported for a message this
	// protocol cannot carry.
	Encode(dst []byte, m *Message) ([]byte, error)

	// Format identifies the wire format Encode produces now: two streams
	// that report the same non-empty Format produce identical bytes for the
	// same Message, so a broadcast encodes once per Format and shares the
	// bytes. An empty Format means the bytes serve this stream only (a
	// stream whose compressor keeps context, or one not handshaken yet).
	Format() string

	// Protocol names the protocol this stream speaks now, for statistics
	// and logs: "tcp", "ws", "pomelo-tcp", "pomelo-ws", … A stream that has
	// not decided yet (hybrid before the first bytes) returns "".
	Protocol() string
}

// Output receives what Decode found. aio implements it; tests use
// codectest.Recorder.
type Output interface {
	// Message delivers one decoded message. m and m.Body are valid only
	// until Message returns: the receiver copies what it keeps.
	Message(m *Message)
	// Reply queues bytes the protocol answers with by itself (a pong, a
	// handshake reply, an echoed heartbeat). b is copied.
	Reply(b []byte)
	// Handshaken reports that the protocol's handshake completed; until
	// then aio applies its handshake deadline.
	Handshaken(h Handshake)
}

// Handshake is what a stream learned while handshaking.
type Handshake struct {
	// Protocol is the protocol now spoken, as Stream.Protocol reports it.
	Protocol string
	// HeartbeatTimeout, when non-zero, overrides the server's heartbeat
	// timeout for this connection (pomelo announces its own interval).
	HeartbeatTimeout time.Duration
	// Path is the request path of an HTTP upgrade, "" otherwise.
	Path string
}

// Opener is implemented by streams that speak first: a client's handshake,
// a server's banner. aio calls Open once, when the connection is
// established, and writes what it appends to dst.
type Opener interface {
	Open(dst []byte) ([]byte, error)
}

// Heartbeater is implemented by streams whose protocol has a heartbeat. A
// client sends Heartbeat's bytes when idle.
//
// A client stream that learns the interval from the server's handshake
// (pomelo's "heartbeat", gotio TCP's ack) also implements
// HeartbeatInterval() time.Duration; aio's client uses it when its own
// configuration sets none.
type Heartbeater interface {
	Heartbeat(dst []byte) []byte
}

// Pinger is implemented by streams whose protocol lets a server probe a
// silent peer without the application's help (a WebSocket ping: browser
// JavaScript cannot send one, so a quiet page would otherwise look dead).
// aio appends Ping's bytes to a connection that sent nothing for its ping
// interval; any inbound traffic, a pong included, proves the peer alive.
//
// The interval is a third of the connection's heartbeat timeout unless the
// stream also implements PingInterval() time.Duration: a positive value is
// the interval, a negative one turns pings off for the stream. Ping may
// return dst unchanged to send nothing.
type Pinger interface {
	Ping(dst []byte) []byte
}

// Checker is implemented by codecs whose configuration can be wrong (a
// pomelo route bound both to a schema and to a Go message). A codec's New
// never fails; aio calls Check when a server starts serving (Serve,
// ServeConn) and in Dial, and fails with its error, so a bad configuration
// is reported at once rather than at the first connection. Codecs that
// carry others (hybrid, websocket) check them too.
type Checker interface {
	Check() error
}

// Check returns c's Check error, nil when c has nothing to check.
func Check(c Codec) error {
	if ch, ok := c.(Checker); ok {
		return ch.Check()
	}
	return nil
}

// Goodbyer is implemented by streams whose protocol can tell the peer why
// the connection ends: a WebSocket close frame, a pomelo kick, a gotio TCP
// close frame. aio writes Goodbye's bytes before it closes a connection for
// a reason the peer should hear (kick, shutdown).
type Goodbyer interface {
	// Goodbye appends the protocol's words for f to dst; it returns dst
	// unchanged when the protocol has none (a stream not handshaken yet).
	Goodbye(dst []byte, f Farewell) []byte
}

// Farewell is what a server tells a peer before it closes the connection.
type Farewell struct {
	// Reason is the words for the peer: the application's kick reason,
	// or a short code on shutdown.
	Reason string
	// Shutdown says the server is going away (the peer may come back
	// later), rather than ending this one peer's session (a kick).
	Shutdown bool
}

var (
	// ErrPeerClosed reports that the peer ended the session by its
	// protocol's rules (a WebSocket close frame, a gotio TCP close frame).
	ErrPeerClosed = errors.New("codec: peer closed")
	// ErrPeerKicked, ErrPeerRefused and ErrPeerShutdown say why the peer
	// ended the session, for a client deciding whether to come back: it
	// was kicked (a duplicate login, an operator), its handshake was
	// refused (a version too old), or the server is shutting down. Each
	// wraps ErrPeerClosed. A client stream's Decode returns an error
	// wrapping one of them when the protocol tells.
	ErrPeerKicked   = fmt.Errorf("codec: kicked by the peer: %w", ErrPeerClosed)
	ErrPeerRefused  = fmt.Errorf("codec: refused by the peer: %w", ErrPeerClosed)
	ErrPeerShutdown = fmt.Errorf("codec: peer shutting down: %w", ErrPeerClosed)
	// ErrTooLarge reports a unit larger than the configured maximum.
	ErrTooLarge = errors.New("codec: frame too large")
	// ErrProtocol reports bytes that break the protocol's rules.
	ErrProtocol = errors.New("codec: protocol error")
	// ErrUnsupported reports a Message the protocol cannot carry.
	ErrUnsupported = errors.New("codec: message not supported by this protocol")
	// ErrNotReady reports an Encode before the stream can encode (before
	// its handshake).
	ErrNotReady = errors.New("codec: stream not ready")
)
