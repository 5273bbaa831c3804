package socketio

import (
	"encoding/json"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Mapping between Socket.IO events and gotio's codec.Message, so that one
// handler serves every protocol:
//
//   - An EVENT becomes a Request when it has an ack id (ID = the ack id)
//     and a Notify when it has none; Route is the event name.
//   - An ACK becomes a Response with ID = the ack id.
//   - The body is the arguments: none gives an empty body, one gives that
//     argument as it is (emit("enter", {username, rid}, ack) reaches the
//     handler with the body {username, rid}, as a pomelo request does),
//     several give the JSON array of them.
//   - The other way, a Push or Notify becomes an EVENT named Route, a
//     Request an EVENT with ack id ID, a Response an ACK with ack id ID;
//     an empty body gives no argument and any other body exactly one
//     argument (an array body is one array argument, never spread).
//   - Binary attachments stay placeholders in the body; the packet's
//     Attachments hold the bytes (codec.Message has no place for them).
//     The server codec then puts them in the body (InlineBody), unless the
//     event's one argument is binary.

// ToMessage maps an EVENT or ACK packet (binary or not) onto a
// codec.Message, as the rules above say. A body of several arguments is
// built in dst (and out is dst extended); otherwise Body aliases p.Data.
func ToMessage(dst []byte, p *Packet) (m codec.Message, out []byte, err error) {
	switch p.Type {
	case Event, BinaryEvent:
		name, end, err := eventName(p.Data)
		if err != nil {
			return codec.Message{}, dst, err
		}
		m = codec.Message{Kind: codec.Notify, Route: name}
		if p.HasID {
			m.Kind, m.ID = codec.Request, p.ID
		}
		// The arguments follow the name: ',' arg ... ']'.
		rest := p.Data[skipSpace(p.Data, end):]
		if len(rest) > 0 && rest[0] == ',' {
			rest = rest[1:]
		}
		m.Body, out, err = argsBody(dst, rest)
		return m, out, err
	case Ack, BinaryAck:
		m = codec.Message{Kind: codec.Response, ID: p.ID}
		if p.Data == nil {
			return m, dst, nil
		}
		m.Body, out, err = argsBody(dst, p.Data[1:])
		return m, out, err
	}
	return codec.Message{}, dst, fmt.Errorf("socketio: %v is not an event: %w", p.Type, codec.ErrUnsupported)
}

// argsBody turns the elements of an array, given from after its '['
// (or after the event name's ',') to its ']', into a body.
func argsBody(dst, rest []byte) (body, out []byte, err error) {
	var first []byte
	n := 0
	i := skipSpace(rest, 0)
	for i < len(rest) && rest[i] != ']' {
		end := skipValue(rest, i)
		if end < 0 {
			return nil, dst, malformed("bad argument list")
		}
		if n == 0 {
			first = rest[i:end]
		}
		n++
		i = skipSpace(rest, end)
		if i < len(rest) && rest[i] == ',' {
			i = skipSpace(rest, i+1)
		}
	}
	switch n {
	case 0:
		return nil, dst, nil
	case 1:
		return first, dst, nil
	}
	start := len(dst)
	dst = append(dst, '[')
	dst = append(dst, rest[skipSpace(rest, 0):i]...)
	dst = append(dst, ']')
	return dst[start:], dst, nil
}

// AppendMessage appends the packet m maps onto in namespace nsp, as the
// rules above say. It refuses (codec.ErrUnsupported) a Raw message, an
// event without a Route or with a reserved one, and a body that is not
// valid JSON.
func AppendMessage(dst []byte, nsp string, m *codec.Message) ([]byte, error) {
	var args [1]Arg
	a := args[:0]
	if len(m.Body) > 0 {
		if !json.Valid(m.Body) {
			return dst, fmt.Errorf("socketio: %v body is not JSON: %w", m.Kind, codec.ErrUnsupported)
		}
		a = append(a, Arg{JSON: m.Body})
	}
	h := Header{Namespace: nsp}
	switch m.Kind {
	case codec.Push, codec.Notify, codec.Request:
		if m.Route == "" {
			return dst, fmt.Errorf("socketio: %v without a route: %w", m.Kind, codec.ErrUnsupported)
		}
		if m.Kind == codec.Request {
			h.ID, h.HasID = m.ID, true
		}
		return AppendEvent(dst, h, m.Route, a...)
	case codec.Response:
		h.ID, h.HasID = m.ID, true
		return AppendAck(dst, h, a...)
	}
	return dst, fmt.Errorf("socketio: %v message: %w", m.Kind, codec.ErrUnsupported)
}
