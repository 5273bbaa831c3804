package pomelo

import (
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Package types, the first byte of every pomelo package.
const (
	TypeHandshake    = 1 // client: sys/user JSON; server: the reply JSON
	TypeHandshakeAck = 2 // client, empty: the handshake is done
	TypeHeartbeat    = 3 // either side, empty
	TypeData         = 4 // a message (see message.go)
	TypeKick         = 5 // server, {"reason": "..."}: the session ends
)

const (
	// HeaderLen is the length of a package header: type, then the body
	// length in three big-endian bytes.
	HeaderLen = 4
	// MaxBodyLimit is the largest body three length bytes can describe.
	MaxBodyLimit = 1<<24 - 1
	// DefaultMaxBody is the body limit when Config.MaxBody is zero.
	DefaultMaxBody = 1 << 20
)

// AppendPackage appends a package of type typ carrying body to dst, as
// pomelo-protocol's Package.encode writes it. It returns an error wrapping
// codec.ErrTooLarge for a body past MaxBodyLimit.
func AppendPackage(dst []byte, typ byte, body []byte) ([]byte, error) {
	if len(body) > MaxBodyLimit {
		return dst, fmt.Errorf("pomelo: package body of %d bytes: %w", len(body), codec.ErrTooLarge)
	}
	n := len(body)
	dst = append(dst, typ, byte(n>>16), byte(n>>8), byte(n))
	return append(dst, body...), nil
}

// beginPackage appends a header whose length endPackage fills in.
func beginPackage(dst []byte, typ byte) ([]byte, int) {
	return append(dst, typ, 0, 0, 0), len(dst) + HeaderLen
}

// endPackage writes the body length of the package whose body starts at
// start. On a body past MaxBodyLimit it drops the package from dst.
func endPackage(dst []byte, start int) ([]byte, error) {
	n := len(dst) - start
	if n > MaxBodyLimit {
		return dst[:start-HeaderLen], fmt.Errorf("pomelo: package body of %d bytes: %w", n, codec.ErrTooLarge)
	}
	dst[start-3], dst[start-2], dst[start-1] = byte(n>>16), byte(n>>8), byte(n)
	return dst, nil
}

// nextPackage looks at the front of in. It returns the package's type and
// body when in holds all of it; need > 0 when in holds less (need is the
// length the whole package takes); or an error for an unknown type or a
// body over max, told from the header alone.
func nextPackage(in []byte, max int) (typ byte, body []byte, need int, err error) {
	if len(in) < HeaderLen {
		return 0, nil, HeaderLen, nil
	}
	typ = in[0]
	if typ < TypeHandshake || typ > TypeKick {
		return 0, nil, 0, fmt.Errorf("pomelo: unknown package type %d: %w", typ, codec.ErrProtocol)
	}
	n := int(in[1])<<16 | int(in[2])<<8 | int(in[3])
	if n > max {
		return 0, nil, 0, fmt.Errorf("pomelo: package body of %d bytes, limit %d: %w", n, max, codec.ErrTooLarge)
	}
	if len(in) < HeaderLen+n {
		return 0, nil, HeaderLen + n, nil
	}
	return typ, in[HeaderLen : HeaderLen+n], 0, nil
}

// Packages with no body, the same for every stream.
var (
	heartbeatPackage = []byte{TypeHeartbeat, 0, 0, 0}
	ackPackage       = []byte{TypeHandshakeAck, 0, 0, 0}
)

// decodePackages hands each whole package at the front of in to handle, for
// a stream's Decode: it returns the bytes consumed, or, when the first
// package is incomplete, the bytes it needs.
func decodePackages(in []byte, maxBody int, out codec.Output, handle func(typ byte, body []byte, out codec.Output) error) (n, need int, err error) {
	if len(in) == 0 {
		return 0, HeaderLen, nil
	}
	for n < len(in) {
		typ, body, more, err := nextPackage(in[n:], maxBody)
		if err != nil {
			return n, 0, err
		}
		if more > 0 {
			if n > 0 {
				return n, 0, nil
			}
			return 0, more, nil
		}
		if err := handle(typ, body, out); err != nil {
			return n, 0, err
		}
		n += HeaderLen + len(body)
	}
	return n, 0, nil
}
