package tcp

import (
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Magic is the first byte a gotio TCP client sends. It cannot begin any
// frame (a frame's first byte is the top byte of its length, and no frame
// is 3 GiB long), nor pomelo TCP (0x01), TLS (0x16) or HTTP (ASCII), so a
// server that serves several protocols on one port (codec/hybrid) can tell
// gotio TCP by this one byte.
const Magic byte = 0xC7

// Version is the protocol version this package speaks. The client's
// handshake is the two bytes Magic, Version.
const Version byte = 0x01

// Protocol is what Stream.Protocol and Handshake.Protocol report.
const Protocol = "tcp"

// Format is what Stream.Format reports: every gotio TCP stream encodes a
// Message to the same bytes, so a broadcast encodes once for all of them.
const Format = "tcp/1"

// headerSize is the size of the length prefix that starts every frame.
const headerSize = 4

// Type is a frame type: the low four bits of the byte after the length.
type Type byte

// Frame types. Values 0x0 and 0x9 to 0xF are reserved: a receiver refuses
// them as a protocol error.
const (
	// TypeHandshakeAck is the server's answer to the handshake. Its body
	// is empty or a uvarint: the heartbeat interval, in milliseconds, the
	// server asks the client to keep when idle.
	TypeHandshakeAck Type = 0x1
	// TypeHeartbeat has no body. The server answers each one with one.
	TypeHeartbeat Type = 0x2
	// TypeRequest carries id, route and body; it expects a TypeResponse.
	TypeRequest Type = 0x3
	// TypeNotify carries route and body; it expects no answer.
	TypeNotify Type = 0x4
	// TypeResponse carries the id of the request it answers, and a body.
	TypeResponse Type = 0x5
	// TypePush carries route and body: a server-initiated message.
	TypePush Type = 0x6
	// TypeRaw carries a body only (codec.Raw); FlagBinary marks it binary.
	TypeRaw Type = 0x7
	// TypeClose ends the session: a CloseCode byte, then a UTF-8 reason.
	TypeClose Type = 0x8
)

var typeNames = [...]string{
	TypeHandshakeAck: "handshake-ack",
	TypeHeartbeat:    "heartbeat",
	TypeRequest:      "request",
	TypeNotify:       "notify",
	TypeResponse:     "response",
	TypePush:         "push",
	TypeRaw:          "raw",
	TypeClose:        "close",
}

// String returns the name of t.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(0x%x)", byte(t))
}

// FlagBinary, in the high four bits of the type byte, marks a TypeRaw frame
// as binary (codec.Message.Binary). Every other flag bit is reserved and
// must be zero in version 1: a receiver refuses a frame that sets one, so a
// later version can give the bits meaning.
const FlagBinary byte = 0x10

// CloseCode says why a TypeClose frame ends the session.
type CloseCode byte

// Close codes. A receiver accepts codes it does not know.
const (
	// CloseNormal: the sender ends the session (a client leaving).
	CloseNormal CloseCode = 0
	// CloseKicked: the server removed this connection (kick, duplicate
	// login, heartbeat timeout, slow consumer, …); the reason says which.
	CloseKicked CloseCode = 1
	// CloseShutdown: the sender is shutting down.
	CloseShutdown CloseCode = 2
	// CloseProtocolError: the sender refused bytes it received.
	CloseProtocolError CloseCode = 3
	// CloseUnsupportedVersion: the server does not speak the version the
	// client's handshake asked for.
	CloseUnsupportedVersion CloseCode = 4
)

var closeNames = [...]string{"normal", "kicked", "shutdown", "protocol error", "unsupported version"}

// String returns the name of c.
func (c CloseCode) String() string {
	if int(c) < len(closeNames) {
		return closeNames[c]
	}
	return fmt.Sprintf("close code %d", byte(c))
}

// CloseError is the error Decode returns when the peer sent a close frame.
// It wraps codec.ErrPeerClosed; use errors.As to read the code and reason.
type CloseError struct {
	Code   CloseCode
	Reason string
}

// Error says the peer closed, with the code's name and the reason.
func (e *CloseError) Error() string {
	if e.Reason == "" {
		return "tcp: peer closed: " + e.Code.String()
	}
	return "tcp: peer closed: " + e.Code.String() + ": " + e.Reason
}

// Unwrap returns what the code says of the close: codec.ErrPeerKicked,
// codec.ErrPeerShutdown, codec.ErrPeerRefused (unsupported version), each
// of which wraps codec.ErrPeerClosed, or codec.ErrPeerClosed itself.
func (e *CloseError) Unwrap() error {
	switch e.Code {
	case CloseKicked:
		return codec.ErrPeerKicked
	case CloseShutdown:
		return codec.ErrPeerShutdown
	case CloseUnsupportedVersion:
		return codec.ErrPeerRefused
	}
	return codec.ErrPeerClosed
}

// appendFrameHeader appends the length prefix and type byte of a frame
// whose payload (everything after the length prefix) is size bytes.
func appendFrameHeader(dst []byte, size int, typ byte) []byte {
	return append(binary.BigEndian.AppendUint32(dst, uint32(size)), typ)
}

// AppendHandshake appends the client's handshake: Magic, Version.
func AppendHandshake(dst []byte) []byte { return append(dst, Magic, Version) }

// AppendHeartbeat appends a heartbeat frame.
func AppendHeartbeat(dst []byte) []byte {
	return appendFrameHeader(dst, 1, byte(TypeHeartbeat))
}

// AppendClose appends a close frame with code and reason. A reason longer
// than MaxCloseReason bytes is cut to that length.
func AppendClose(dst []byte, code CloseCode, reason string) []byte {
	if len(reason) > MaxCloseReason {
		reason = reason[:MaxCloseReason]
	}
	dst = appendFrameHeader(dst, 2+len(reason), byte(TypeClose))
	return append(append(dst, byte(code)), reason...)
}

// MaxCloseReason bounds the reason of a close frame, so that a goodbye
// always fits the peer's frame limit.
const MaxCloseReason = 1024

// AppendHandshakeAck appends the server's handshake-ack frame announcing
// heartbeat interval ms (milliseconds); zero announces none and sends an
// empty body.
func AppendHandshakeAck(dst []byte, ms uint64) []byte {
	if ms == 0 {
		return appendFrameHeader(dst, 1, byte(TypeHandshakeAck))
	}
	dst = appendFrameHeader(dst, 1+uvarintLen(ms), byte(TypeHandshakeAck))
	return binary.AppendUvarint(dst, ms)
}

// uvarintLen returns the number of bytes binary.AppendUvarint writes for x.
func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
