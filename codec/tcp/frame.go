package tcp

import (
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/internal/intern"
)

// frame is one whole frame; payload aliases the input.
type frame struct {
	typ     Type
	flags   byte   // the high four bits of the type byte, in place
	payload []byte // everything after the type byte
}

// parseFrame reads the frame at the front of in. When in holds less than a
// whole frame it returns n == 0 and need, the total bytes required; a
// length over max is refused at once, before the rest is buffered.
func parseFrame(in []byte, max int) (f frame, n, need int, err error) {
	if len(in) < headerSize {
		return f, 0, headerSize, nil
	}
	size := binary.BigEndian.Uint32(in)
	if size == 0 {
		return f, 0, 0, fmt.Errorf("tcp: frame of length 0: %w", codec.ErrProtocol)
	}
	if uint64(size) > uint64(max) {
		return f, 0, 0, fmt.Errorf("tcp: frame of %d bytes, limit %d: %w", size, max, codec.ErrTooLarge)
	}
	total := headerSize + int(size)
	if len(in) < total {
		return f, 0, total, nil
	}
	b := in[headerSize]
	f = frame{typ: Type(b & 0x0F), flags: b & 0xF0, payload: in[headerSize+1 : total]}
	if f.flags != 0 && (f.typ != TypeRaw || f.flags != FlagBinary) {
		return f, 0, 0, fmt.Errorf("tcp: %s frame with reserved flags 0x%02x: %w", f.typ, f.flags, codec.ErrProtocol)
	}
	return f, total, 0, nil
}

// decodeMessage fills m from a request, notify, response, push or raw
// frame. m.Body aliases the frame; the route comes from routes.
func decodeMessage(f frame, m *codec.Message, routes *intern.Table) error {
	p := f.payload
	*m = codec.Message{}
	switch f.typ {
	case TypeRequest:
		m.Kind = codec.Request
	case TypeNotify:
		m.Kind = codec.Notify
	case TypeResponse:
		m.Kind = codec.Response
	case TypePush:
		m.Kind = codec.Push
	case TypeRaw:
		m.Kind = codec.Raw
		m.Binary = f.flags == FlagBinary
	default:
		return fmt.Errorf("tcp: unexpected %s frame: %w", f.typ, codec.ErrProtocol)
	}
	if f.typ == TypeRequest || f.typ == TypeResponse {
		id, n := binary.Uvarint(p)
		if n <= 0 {
			return fmt.Errorf("tcp: %s frame: bad message id: %w", f.typ, codec.ErrProtocol)
		}
		m.ID, p = id, p[n:]
	}
	if f.typ == TypeRequest || f.typ == TypeNotify || f.typ == TypePush {
		size, n := binary.Uvarint(p)
		if n <= 0 {
			return fmt.Errorf("tcp: %s frame: bad route length: %w", f.typ, codec.ErrProtocol)
		}
		p = p[n:]
		if size > uint64(len(p)) {
			return fmt.Errorf("tcp: %s frame: route of %d bytes overruns the frame: %w", f.typ, size, codec.ErrProtocol)
		}
		m.Route, p = routes.String(p[:size]), p[size:]
	}
	if len(p) > 0 {
		m.Body = p
	}
	return nil
}

// parseClose reads a close frame's code and reason.
func parseClose(f frame) *CloseError {
	e := &CloseError{}
	if len(f.payload) > 0 {
		e.Code = CloseCode(f.payload[0])
		e.Reason = string(f.payload[1:])
	}
	return e
}

// protocolClose is the close frame a stream replies with before it returns
// err, so the peer learns why the connection ends.
func protocolClose(err error) []byte {
	return AppendClose(nil, CloseProtocolError, err.Error())
}
