package tcp

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gotio/gotio/codec"
)

// AppendMessage appends the frame that carries m to dst. It is what every
// gotio TCP stream's Encode does: the bytes depend on m alone, never on the
// connection, which is why all streams share one Format.
//
// Which fields travel depends on the kind: a Request carries ID, Route and
// Body; a Notify and a Push carry Route and Body; a Response carries ID and
// Body (its Route stays home: the requester knows what it asked); a Raw
// carries Body, and Binary as FlagBinary. It returns an error wrapping
// codec.ErrUnsupported for an unknown kind and codec.ErrTooLarge for a
// frame whose length does not fit the 32-bit prefix.
func AppendMessage(dst []byte, m *codec.Message) ([]byte, error) {
	var typ byte
	withID, withRoute := false, false
	switch m.Kind {
	case codec.Request:
		typ, withID, withRoute = byte(TypeRequest), true, true
	case codec.Notify:
		typ, withRoute = byte(TypeNotify), true
	case codec.Response:
		typ, withID = byte(TypeResponse), true
	case codec.Push:
		typ, withRoute = byte(TypePush), true
	case codec.Raw:
		typ = byte(TypeRaw)
		if m.Binary {
			typ |= FlagBinary
		}
	default:
		return dst, fmt.Errorf("tcp: encode kind %d: %w", m.Kind, codec.ErrUnsupported)
	}
	size := 1 + len(m.Body)
	if withID {
		size += uvarintLen(m.ID)
	}
	if withRoute {
		size += uvarintLen(uint64(len(m.Route))) + len(m.Route)
	}
	if uint64(size) > math.MaxUint32 {
		return dst, fmt.Errorf("tcp: encode %s of %d bytes: %w", m.Kind, size, codec.ErrTooLarge)
	}
	dst = appendFrameHeader(dst, size, typ)
	if withID {
		dst = binary.AppendUvarint(dst, m.ID)
	}
	if withRoute {
		dst = binary.AppendUvarint(dst, uint64(len(m.Route)))
		dst = append(dst, m.Route...)
	}
	return append(dst, m.Body...), nil
}
