package pomelo

import (
	"fmt"
	"sync/atomic"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/internal/jsjson"
)

// Server stream states, as pomelo's hybridsocket names them.
const (
	stInited  = iota // waiting for the client's handshake
	stWaitAck        // handshake answered, waiting for the ack
	stWorking        // data flows
)

// serverStream is one client connection on a server. Decode runs on one
// goroutine at a time; Encode, Format, Protocol and Goodbye may run on any,
// concurrently: the only state they read is ready.
type serverStream struct {
	c     *Codec
	info  codec.ConnInfo
	state uint8 // Decode's goroutine only
	ready atomic.Bool
	msg   codec.Message // handed to Output.Message, reused
}

// Protocol returns "pomelo-tcp" or "pomelo-ws".
func (s *serverStream) Protocol() string { return s.c.protocol }

// Format returns the codec's format once the handshake is acknowledged:
// from then on every server stream of the codec encodes alike.
func (s *serverStream) Format() string {
	if s.ready.Load() {
		return s.c.format
	}
	return ""
}

// Decode reads whole packages from in; see codec.Stream.
func (s *serverStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	return decodePackages(in, s.c.maxBody, out, s.handle)
}

// handle acts on one package as pomelo 2.2.7's hybridsocket and connector
// commands do, except that data before the handshake's ack and a kick from
// a client are errors (pomelo drops the one and disconnects on the other).
func (s *serverStream) handle(typ byte, body []byte, out codec.Output) error {
	switch typ {
	case TypeHandshake:
		if s.state != stInited {
			return nil // pomelo ignores a second handshake
		}
		if err := s.handshake(body, out); err != nil {
			return err
		}
		s.state = stWaitAck
	case TypeHandshakeAck:
		if s.state != stWaitAck {
			return nil
		}
		s.state = stWorking
		s.ready.Store(true)
		out.Handshaken(codec.Handshake{Protocol: s.c.protocol, HeartbeatTimeout: s.c.timeout})
		if s.c.heartbeat > 0 {
			// pomelo answers the ack with a heartbeat; its clients
			// time their own heartbeats from it.
			out.Reply(heartbeatPackage)
		}
	case TypeHeartbeat:
		if s.state == stWorking && s.c.heartbeat > 0 {
			out.Reply(heartbeatPackage)
		}
	case TypeData:
		if s.state != stWorking {
			return fmt.Errorf("pomelo: data package before the handshake ack: %w", codec.ErrProtocol)
		}
		return s.data(body, out)
	default: // TypeKick
		return fmt.Errorf("pomelo: kick package from a client: %w", codec.ErrProtocol)
	}
	return nil
}

// data delivers the request or notify a data package carries.
func (s *serverStream) data(body []byte, out codec.Output) error {
	c := s.c
	m, err := parseMessage(body)
	if err != nil {
		return err
	}
	var kind codec.Kind
	switch m.typ {
	case msgRequest:
		kind = codec.Request
	case msgNotify:
		kind = codec.Notify
	default:
		return fmt.Errorf("pomelo: message type %d from a client: %w", m.typ, codec.ErrProtocol)
	}
	var route string
	if m.compressed {
		var ok bool
		if route, ok = c.dict.Route(m.code); !ok {
			return fmt.Errorf("pomelo: route code %d not in the dictionary: %w", m.code, codec.ErrProtocol)
		}
	} else {
		route = c.routes.String(m.route)
	}
	return c.deliver(&s.msg, kind, m, route, bodyCodec{c.clientProtos, c.clientMsgs}, out)
}

// deliver hands a message to out, its body inflated and transcoded to JSON
// as needed in pooled scratch space released when out.Message returns.
func (c *Codec) deliver(msg *codec.Message, kind codec.Kind, m message, route string, bc bodyCodec, out codec.Output) error {
	payload := m.body
	if m.gzip {
		sc := getScratch()
		defer putScratch(sc)
		var err error
		if *sc, err = inflate((*sc)[:0], payload, c.maxInflate); err != nil {
			return err
		}
		payload = *sc
	}
	if bc.transcoded(route) {
		sc := getScratch()
		defer putScratch(sc)
		var err error
		if *sc, err = bc.decode((*sc)[:0], route, payload); err != nil {
			return fmt.Errorf("pomelo: %s %q body: %v: %w", kind, route, err, codec.ErrProtocol)
		}
		payload = *sc
	}
	*msg = codec.Message{Kind: kind, ID: m.id, Route: route, Body: payload}
	out.Message(msg)
	*msg = codec.Message{}
	return nil
}

// Encode appends the data package that carries m: a Response (to the
// request m.ID; m.Route, the request's route, picks the body's schema) or
// a Push (route compressed when the dictionary has it). Bodies of routes
// with a server schema or Go message are transcoded from JSON. It returns
// an error wrapping codec.ErrNotReady before the handshake's ack and
// codec.ErrUnsupported for other kinds. Safe for concurrent use.
func (s *serverStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if !s.ready.Load() {
		return dst, fmt.Errorf("pomelo: encode before the handshake ack: %w", codec.ErrNotReady)
	}
	return s.c.appendServerMessage(dst, m)
}

// appendServerMessage is a handshaken server stream's Encode: it depends on
// the codec alone, which is why they share a Format.
func (c *Codec) appendServerMessage(dst []byte, m *codec.Message) ([]byte, error) {
	var typ byte
	switch m.Kind {
	case codec.Response:
		typ = msgResponse
	case codec.Push:
		typ = msgPush
	default:
		return dst, fmt.Errorf("pomelo: a server cannot send a %s: %w", m.Kind, codec.ErrUnsupported)
	}
	code, compressed := uint16(0), false
	if typ == msgPush {
		code, compressed = c.dict.Code(m.Route)
	}
	return appendData(dst, typ, m, code, compressed, bodyCodec{c.serverProtos, c.serverMsgs})
}

// appendData appends one data package: header, message head, body.
func appendData(dst []byte, typ byte, m *codec.Message, code uint16, compressed bool, bc bodyCodec) ([]byte, error) {
	orig := len(dst)
	dst, start := beginPackage(dst, TypeData)
	dst, err := appendMessageHead(dst, typ, m.ID, m.Route, code, compressed)
	if err == nil {
		dst, err = bc.encode(dst, m.Route, m.Body)
	}
	if err != nil {
		return dst[:orig], fmt.Errorf("pomelo: encode %s %q: %w", m.Kind, m.Route, err)
	}
	return endPackage(dst, start)
}

// Goodbye appends a kick package, {"reason": reason}, as pomelo's kick
// command sends it when a session is kicked. An empty reason is pomelo's
// default, "kick" ("shutdown" when the server shuts down). Like pomelo it
// writes nothing before the handshake's ack.
func (s *serverStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	if !s.ready.Load() {
		return dst
	}
	return AppendKick(dst, f)
}

// AppendKick appends the kick package Goodbye writes for f.
func AppendKick(dst []byte, f codec.Farewell) []byte {
	reason := f.Reason
	if reason == "" {
		reason = "kick"
		if f.Shutdown {
			reason = "shutdown"
		}
	}
	dst, start := beginPackage(dst, TypeKick)
	dst = append(dst, `{"reason":`...)
	dst = jsjson.AppendString(dst, reason)
	dst = append(dst, '}')
	out, err := endPackage(dst, start)
	if err != nil { // a reason of 16 MiB: say less rather than nothing
		return AppendKick(out, codec.Farewell{Reason: reason[:1024]})
	}
	return out
}
