// Package wire holds what every benchmark server and the load generator
// agree on: the length-prefixed frame (4-byte big-endian payload length,
// then the payload) and the broadcast command.
package wire

import (
	"encoding/binary"
	"errors"
)

// HeaderLen is the size of a frame's length prefix.
const HeaderLen = 4

// MaxPayload bounds a frame's payload; a larger length is a protocol error.
const MaxPayload = 1 << 20

// ErrTooLarge reports a frame whose header announces more than MaxPayload.
var ErrTooLarge = errors.New("wire: frame too large")

// Parse looks at the front of b. It returns the payload and the total frame
// length when b holds a whole frame; n == 0 when it does not yet.
func Parse(b []byte) (payload []byte, n int, err error) {
	if len(b) < HeaderLen {
		return nil, 0, nil
	}
	l := int(binary.BigEndian.Uint32(b))
	if l > MaxPayload {
		return nil, 0, ErrTooLarge
	}
	if len(b) < HeaderLen+l {
		return nil, 0, nil
	}
	return b[HeaderLen : HeaderLen+l], HeaderLen + l, nil
}

// Need returns the total length of the frame starting at b, or HeaderLen
// when b does not hold a whole header.
func Need(b []byte) int {
	if len(b) < HeaderLen {
		return HeaderLen
	}
	return HeaderLen + int(binary.BigEndian.Uint32(b))
}

// Append appends the frame carrying payload to dst.
func Append(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// bcastMagic starts the payload of a broadcast command. Echo payloads start
// with a big-endian counter, whose first byte is 0, so they never match.
const bcastMagic = "BCAST!"

// BcastCmd builds the payload asking a server to push n frames of size
// bytes each to every connection, in order, frame i carrying i in its first
// four bytes.
func BcastCmd(n, size int) []byte {
	b := []byte(bcastMagic)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return binary.BigEndian.AppendUint32(b, uint32(size))
}

// ParseBcast reports whether payload is a broadcast command and what it asks.
func ParseBcast(payload []byte) (n, size int, ok bool) {
	if len(payload) != len(bcastMagic)+8 || string(payload[:len(bcastMagic)]) != bcastMagic {
		return 0, 0, false
	}
	n = int(binary.BigEndian.Uint32(payload[len(bcastMagic):]))
	size = int(binary.BigEndian.Uint32(payload[len(bcastMagic)+4:]))
	if size < 4 || size > MaxPayload {
		return 0, 0, false
	}
	return n, size, true
}

// PushPayload returns the payload of broadcast frame seq: seq in the first
// four bytes, then filler up to size.
func PushPayload(seq, size int) []byte {
	p := make([]byte, size)
	binary.BigEndian.PutUint32(p, uint32(seq))
	for i := 4; i < size; i++ {
		p[i] = 'x'
	}
	return p
}

// PushFrame returns broadcast frame seq as a whole frame (header included).
func PushFrame(seq, size int) []byte {
	return Append(make([]byte, 0, HeaderLen+size), PushPayload(seq, size))
}
