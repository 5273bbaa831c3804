package websocket

import (
	"errors"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// messageDecoder is implemented by this package's inner streams (Plain and
// JSON): they take a whole message with its frame type, which a
// codec.Stream's Decode cannot be told.
type messageDecoder interface {
	decodeMessage(payload []byte, binary bool, m *codec.Message, out codec.Output) error
}

// deliver hands a whole message to the inner stream. A foreign inner
// stream that implements codec.MessageDecoder gets the message whole, with
// its frame type; any other codec.Stream decodes until it is consumed: one
// WebSocket message may carry several of its units (pomelo packs several
// packages in one), but a unit may not span messages.
func (s *Stream) deliver(payload []byte, binary bool, out codec.Output) error {
	sess := s.rs
	if sess.dec != nil {
		err := sess.dec.decodeMessage(payload, binary, &s.msg, out)
		s.msg = codec.Message{} // hold no reference to the read buffer
		if err != nil {
			return s.innerFail(out, err)
		}
		return nil
	}
	s.iout.out = out
	defer func() { s.iout.out = nil }()
	if sess.md != nil {
		if err := sess.md.DecodeMessage(payload, binary, &s.iout); err != nil {
			return s.innerFail(out, err)
		}
		return nil
	}
	for p := payload; len(p) > 0; {
		n, need, err := sess.inner.Decode(p, &s.iout)
		switch {
		case err != nil:
			return s.innerFail(out, err)
		case n > len(p) || n < 0:
			return s.fail(out, CloseInternalError, "inner codec failed",
				fmt.Errorf("websocket: inner codec consumed %d of %d bytes: %w", n, len(p), codec.ErrProtocol))
		case n == 0:
			return s.fail(out, CloseInvalidPayload, "incomplete inner message",
				fmt.Errorf("websocket: inner codec needs %d bytes, the message holds %d: %w", need, len(p), codec.ErrProtocol))
		}
		p = p[n:]
	}
	return nil
}

// innerFail closes for an inner codec's error with the code that fits it.
func (s *Stream) innerFail(out codec.Output, err error) error {
	switch {
	case errors.Is(err, codec.ErrPeerClosed):
		return s.fail(out, CloseNormal, "", err)
	case errors.Is(err, codec.ErrTooLarge):
		return s.fail(out, CloseTooLarge, "message too big", err)
	case errors.Is(err, codec.ErrUnsupported):
		return s.fail(out, CloseUnsupportedData, "unsupported message", err)
	}
	return s.fail(out, CloseInvalidPayload, "invalid message", err)
}

// innerOut is the codec.Output a foreign inner stream decodes into:
// messages go through, replies leave as WebSocket messages, and a
// handshake is reported with the upgrade's path and the layered protocol.
type innerOut struct {
	s   *Stream
	out codec.Output
}

func (o *innerOut) Message(m *codec.Message) { o.out.Message(m) }

func (o *innerOut) Reply(b []byte) {
	sess := o.s.rs
	o.s.replyMessage(o.out, b, sess.binary, sess)
}

func (o *innerOut) Handshaken(h codec.Handshake) {
	h.Path = o.s.rs.path
	h.Protocol = o.s.Protocol()
	o.out.Handshaken(h)
}

// openInner runs an inner stream that speaks first (codec.Opener) and
// sends what it says as a message.
func (s *Stream) openInner(sess *session, out codec.Output) error {
	op, ok := sess.inner.(codec.Opener)
	if !ok {
		return nil
	}
	b, err := op.Open(nil)
	if err != nil {
		return s.fail(out, CloseInternalError, "inner codec failed", fmt.Errorf("websocket: inner open: %w", err))
	}
	if len(b) > 0 {
		s.replyMessage(out, b, sess.binary, sess)
	}
	return nil
}

// Plain is the inner codec of plain WebSocket messages: each text or
// binary message arrives as a codec.Message of Kind Raw whose Binary field
// tells which, and a Raw message is sent as one message of the type its
// Binary field names. It encodes no other Kind (codec.ErrUnsupported). Its
// Format is "plain" and its Protocol "", so its connections report "ws".
//
// Used alone, outside a WebSocket, its stream delivers each Decode call's
// bytes as one binary Raw message.
var Plain codec.Codec = plainCodec{}

type plainCodec struct{}

func (plainCodec) NewStream(codec.ConnInfo) codec.Stream { return plainStream{} }

type plainStream struct{}

func (plainStream) Decode(in []byte, out codec.Output) (int, int, error) {
	if len(in) == 0 {
		return 0, 1, nil
	}
	m := codec.Message{Kind: codec.Raw, Body: in, Binary: true}
	out.Message(&m)
	return len(in), 0, nil
}

func (plainStream) decodeMessage(p []byte, binary bool, m *codec.Message, out codec.Output) error {
	*m = codec.Message{Kind: codec.Raw, Body: p, Binary: binary}
	out.Message(m)
	return nil
}

// Encode appends m's body: plain WebSocket has no envelope, so a push or a
// response reaches a plain client as its body alone (a chat room pushes
// once to members of every protocol), in a text frame unless m is a binary
// Raw message.
func (plainStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return append(dst, m.Body...), nil
}

func (plainStream) Format() string   { return "plain" }
func (plainStream) Protocol() string { return "" }
