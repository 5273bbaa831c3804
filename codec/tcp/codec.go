// Package tcp implements gotio TCP, gotio's own binary protocol: a two-byte
// handshake, then length-prefixed frames that carry a type, a message id, a
// route and a body. docs/protocol-tcp.md specifies the wire, byte by byte.
//
// A client opens with Magic, Version (0xC7 0x01); the server answers with a
// handshake-ack frame. Every frame after that is
//
//	length   uint32, big-endian: the bytes that follow it (at least 1)
//	type     1 byte: frame type in the low 4 bits, flags in the high 4
//	id       uvarint (request and response only)
//	route    uvarint length, then the route's bytes (request, notify, push)
//	body     the rest of the frame
//
// Codec is the codec/ plugin: NewStream gives a server stream or, when
// ConnInfo.Client is set, a client stream that implements codec.Opener and
// codec.Heartbeater. Both implement codec.Goodbyer.
package tcp

import (
	"encoding/binary"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/internal/intern"
)

// DefaultMaxFrameSize is the frame limit when Config.MaxFrameSize is zero.
const DefaultMaxFrameSize = 4 << 20

// Config configures a Codec. The zero value is a good server and client.
type Config struct {
	// MaxFrameSize is the largest frame a stream accepts, counted as the
	// length prefix counts it (type byte, id, route and body). A larger
	// frame is refused from its header, before its bytes are buffered,
	// with an error wrapping codec.ErrTooLarge. Zero or negative means
	// DefaultMaxFrameSize (4 MiB). Encode does not check it: the receiver
	// enforces its own limit.
	MaxFrameSize int

	// HandshakeOptional lets a client skip the handshake and start with a
	// frame (a device too simple to care). The zero value, false, requires
	// the handshake: a server stream refuses a frame before it. A client
	// that does handshake is answered the same either way.
	HandshakeOptional bool

	// HeartbeatInterval is announced to clients in the handshake-ack: a
	// client sends a heartbeat when it has sent nothing for this long. It
	// travels in whole milliseconds. When set, both ends report a
	// Handshake.HeartbeatTimeout of twice the interval, so the server's
	// silence timeout matches what it asked for. Zero announces nothing:
	// the server's own heartbeat timeout applies and clients pick their
	// interval.
	HeartbeatInterval time.Duration
}

// Codec is gotio TCP as a codec.Codec. It is safe for concurrent use. Make
// one with New; streams made by a zero Codec use the defaults.
type Codec struct {
	maxFrame    int
	optional    bool
	heartbeatMS uint64
	ack         []byte // the handshake-ack frame, the same for every stream
	routes      *intern.Table
}

// New returns a Codec configured by cfg; nil means the zero Config.
func New(cfg *Config) *Codec {
	c := &Codec{maxFrame: DefaultMaxFrameSize, routes: intern.New()}
	if cfg != nil {
		if cfg.MaxFrameSize > 0 {
			c.maxFrame = cfg.MaxFrameSize
		}
		c.optional = cfg.HandshakeOptional
		if cfg.HeartbeatInterval > 0 {
			c.heartbeatMS = uint64(cfg.HeartbeatInterval / time.Millisecond)
			c.heartbeatMS = min(max(c.heartbeatMS, 1), maxHeartbeatMS)
		}
	}
	c.ack = AppendHandshakeAck(nil, c.heartbeatMS)
	return c
}

// NewStream returns a server stream, or a client stream when info.Client
// is set. It allocates only the stream.
func (c *Codec) NewStream(info codec.ConnInfo) codec.Stream {
	if c.ack == nil { // a zero Codec: behave as New(nil) does
		c = defaultCodec
	}
	if info.Client {
		return &ClientStream{c: c}
	}
	return &ServerStream{c: c}
}

var defaultCodec = New(nil)

// handshake is what both ends report once the handshake completed.
func (c *Codec) handshake(ms uint64) codec.Handshake {
	return codec.Handshake{Protocol: Protocol, HeartbeatTimeout: 2 * time.Duration(ms) * time.Millisecond}
}

// heartbeatFrame is the one heartbeat frame; replies share it (Output.Reply
// copies).
var heartbeatFrame = AppendHeartbeat(nil)

// ackInterval reads the heartbeat interval from a handshake-ack body.
func ackInterval(body []byte) (uint64, bool) {
	if len(body) == 0 {
		return 0, true
	}
	ms, n := binary.Uvarint(body)
	return ms, n == len(body) && ms <= maxHeartbeatMS
}

// maxHeartbeatMS bounds an announced interval (about 49 days), so that
// twice it always fits a time.Duration.
const maxHeartbeatMS = 1<<32 - 1
