package engineio

import (
	"encoding/base64"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Protocol is the protocol revision this package speaks: the value of the
// EIO query parameter.
const Protocol = 4

// Type is an Engine.IO packet type. On the text wire it is the ASCII digit
// '0'+Type.
type Type byte

// Packet types, as the protocol numbers them.
const (
	// TypeOpen carries the handshake JSON (see Open), server to client.
	TypeOpen Type = iota
	// TypeClose asks the other side to close the transport.
	TypeClose
	// TypePing is the server's heartbeat probe, or the client's "probe"
	// on a WebSocket it is upgrading to.
	TypePing
	// TypePong answers a ping with the same data.
	TypePong
	// TypeMessage carries application data, text or binary.
	TypeMessage
	// TypeUpgrade completes an upgrade to WebSocket, client to server.
	TypeUpgrade
	// TypeNoop does nothing; the server releases a pending poll with it.
	TypeNoop
)

var typeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the name engine.io-parser gives t ("open", "message", …).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", byte(t))
}

// Valid reports whether t is one of the seven packet types.
func (t Type) Valid() bool { return t <= TypeNoop }

// Separator joins the packets of a polling payload: the ASCII record
// separator. A text packet must not contain it (the protocol has no escape),
// and base64 never does.
const Separator byte = 0x1e

// binaryPrefix starts a base64-encoded binary message in a polling
// payload (and in any text frame: engine.io-parser decodes it everywhere).
const binaryPrefix = 'b'

// Packet is one Engine.IO packet. Only a TypeMessage packet can be Binary.
//
// A decoded Packet's Data aliases the input (or the dst a decoder was given
// for base64): copy what outlives the call.
type Packet struct {
	Type Type
	// Data is the payload: UTF-8 text, or raw bytes when Binary is set.
	// Empty for packets without data ("2", "5", "6").
	Data   []byte
	Binary bool
}

// Sentinel errors; every decoding error wraps one of them and also
// codec.ErrProtocol, so a caller can branch on either.
var (
	// ErrEmptyPacket reports an empty text packet (an empty payload, or
	// two separators in a row).
	ErrEmptyPacket = fmt.Errorf("engineio: empty packet: %w", codec.ErrProtocol)
	// ErrUnknownType reports a first byte that is no packet type.
	ErrUnknownType = fmt.Errorf("engineio: unknown packet type: %w", codec.ErrProtocol)
	// ErrBase64 reports a "b" packet whose data is not standard base64.
	ErrBase64 = fmt.Errorf("engineio: bad base64 in binary packet: %w", codec.ErrProtocol)
	// ErrSeparator reports a text packet to encode that contains the
	// record separator, which would split it in a polling payload.
	ErrSeparator = fmt.Errorf("engineio: record separator in text packet: %w", codec.ErrUnsupported)
)

// AppendText appends the text wire form of a packet of type t carrying
// data: the type digit, then data. It is the same on WebSocket (one text
// frame) and in a polling payload. It does not check data for the record
// separator; AppendPacket does.
func AppendText(dst []byte, t Type, data []byte) []byte {
	dst = append(dst, '0'+byte(t))
	return append(dst, data...)
}

// AppendBase64 appends the polling form of a binary message carrying data:
// "b" and the standard (padded) base64 of data.
func AppendBase64(dst []byte, data []byte) []byte {
	dst = append(dst, binaryPrefix)
	return base64.StdEncoding.AppendEncode(dst, data)
}

// AppendPacket appends p as it travels in one WebSocket frame: a text
// packet as AppendText writes it, a binary message as its raw bytes (the
// frame, not the bytes, says it is binary). binaryFrame reports which
// frame opcode the bytes need. It fails, appending nothing, on a binary
// packet that is not a message.
func AppendPacket(dst []byte, p *Packet) (out []byte, binaryFrame bool, err error) {
	if err := check(p); err != nil {
		return dst, false, err
	}
	if p.Binary {
		return append(dst, p.Data...), true, nil
	}
	return AppendText(dst, p.Type, p.Data), false, nil
}

// AppendPollingPacket appends p as it travels in a polling payload: a text
// packet as AppendText writes it, a binary message as AppendBase64 writes
// it. It fails, appending nothing, on a binary packet that is not a
// message and on text data containing the record separator.
func AppendPollingPacket(dst []byte, p *Packet) ([]byte, error) {
	if err := check(p); err != nil {
		return dst, err
	}
	if p.Binary {
		return AppendBase64(dst, p.Data), nil
	}
	for _, c := range p.Data {
		if c == Separator {
			return dst, ErrSeparator
		}
	}
	return AppendText(dst, p.Type, p.Data), nil
}

func check(p *Packet) error {
	if !p.Type.Valid() {
		return fmt.Errorf("engineio: encode %v: %w", p.Type, codec.ErrUnsupported)
	}
	if p.Binary && p.Type != TypeMessage {
		return fmt.Errorf("engineio: binary %v packet: %w", p.Type, codec.ErrUnsupported)
	}
	return nil
}

// ParseText decodes one text packet: a WebSocket text frame, or one packet
// of a polling payload (as PayloadDecoder splits it). A "b" packet is a
// binary message whose base64 data (padded or not) ParseText decodes, appending the bytes
// to dst; p.Data then aliases the returned slice. Every other packet's
// Data aliases b, and dst is returned as it came.
//
// As engine.io-parser does, ParseText accepts any data after any type;
// what a type may carry (a ping's "probe", an open's JSON) is the session
// layer's business.
func ParseText(dst, b []byte) (p Packet, out []byte, err error) {
	if len(b) == 0 {
		return Packet{}, dst, ErrEmptyPacket
	}
	c := b[0]
	if c == binaryPrefix {
		enc := b[1:]
		start := len(dst)
		e := base64.StdEncoding
		if len(enc)%4 != 0 {
			// Tolerate a sender that leaves the padding out.
			e = base64.RawStdEncoding
		}
		out, err := e.AppendDecode(dst, enc)
		if err != nil {
			return Packet{}, dst, fmt.Errorf("%w: %v", ErrBase64, err)
		}
		return Packet{Type: TypeMessage, Data: out[start:len(out):len(out)], Binary: true}, out, nil
	}
	if c < '0' || c > '0'+byte(TypeNoop) {
		return Packet{}, dst, fmt.Errorf("%w: %q", ErrUnknownType, c)
	}
	return Packet{Type: Type(c - '0'), Data: b[1:len(b):len(b)]}, dst, nil
}

// ParseBinary decodes a WebSocket binary frame: always a binary message
// whose Data is b.
func ParseBinary(b []byte) Packet {
	return Packet{Type: TypeMessage, Data: b, Binary: true}
}
