package pomelo

import (
	"fmt"

	"github.com/gotio/gotio/codec"
	"google.golang.org/protobuf/encoding/protowire"
)

// Message types, bits 1-3 of a data package's flag byte.
const (
	msgRequest  = 0
	msgNotify   = 1
	msgResponse = 2
	msgPush     = 3
)

const (
	flagRouteCode = 0x01 // the route is a 2-byte dictionary code
	flagGzip      = 0x10 // the body is compressed (pitaya: zlib)
	maxRouteLen   = 255  // an uncompressed route's length is one byte
)

// message is a data package's body taken apart. route and body alias the
// package.
type message struct {
	typ        byte
	id         uint64
	compressed bool
	code       uint16
	route      []byte
	gzip       bool
	body       []byte
}

// parseMessage reads a data package's body as pomelo-protocol's
// Message.decode does:
//
//	flag   1 byte: bit 0 route compressed, bits 1-3 type, bit 4 compressed body
//	id     base-128 varint, low group first (request, response)
//	route  2-byte big-endian code, or 1-byte length + UTF-8 (request, notify, push)
//	body   the rest
//
// Flag bits 5-7 are ignored, as pomelo-protocol ignores them.
func parseMessage(b []byte) (message, error) {
	var m message
	if len(b) == 0 {
		return m, fmt.Errorf("pomelo: empty data package: %w", codec.ErrProtocol)
	}
	flag := b[0]
	m.typ = flag >> 1 & 0x7
	m.compressed = flag&flagRouteCode != 0
	m.gzip = flag&flagGzip != 0
	if m.typ > msgPush {
		return m, fmt.Errorf("pomelo: unknown message type %d: %w", m.typ, codec.ErrProtocol)
	}
	i := 1
	if m.typ == msgRequest || m.typ == msgResponse {
		id, n := protowire.ConsumeVarint(b[i:])
		if n < 0 {
			return m, fmt.Errorf("pomelo: message id: %v: %w", protowire.ParseError(n), codec.ErrProtocol)
		}
		m.id = id
		i += n
	}
	if m.typ != msgResponse {
		if m.compressed {
			if len(b)-i < 2 {
				return m, fmt.Errorf("pomelo: truncated route code: %w", codec.ErrProtocol)
			}
			m.code = uint16(b[i])<<8 | uint16(b[i+1])
			i += 2
		} else {
			if len(b)-i < 1 {
				return m, fmt.Errorf("pomelo: truncated route: %w", codec.ErrProtocol)
			}
			n := int(b[i])
			i++
			if len(b)-i < n {
				return m, fmt.Errorf("pomelo: route of %d bytes past the end: %w", n, codec.ErrProtocol)
			}
			m.route = b[i : i+n]
			i += n
		}
	}
	m.body = b[i:]
	return m, nil
}

// appendMessageHead appends flag, id and route as pomelo-protocol's
// Message.encode writes them: id for requests and responses, route for
// the others, as a code when compressed.
func appendMessageHead(dst []byte, typ byte, id uint64, route string, code uint16, compressed bool) ([]byte, error) {
	flag := typ << 1
	if compressed {
		flag |= flagRouteCode
	}
	dst = append(dst, flag)
	if typ == msgRequest || typ == msgResponse {
		dst = protowire.AppendVarint(dst, id)
	}
	if typ == msgResponse {
		return dst, nil
	}
	if compressed {
		return append(dst, byte(code>>8), byte(code)), nil
	}
	if len(route) > maxRouteLen {
		return dst, fmt.Errorf("pomelo: route of %d bytes, limit %d: %w", len(route), maxRouteLen, codec.ErrUnsupported)
	}
	dst = append(dst, byte(len(route)))
	return append(dst, route...), nil
}
