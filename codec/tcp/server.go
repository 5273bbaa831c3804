package tcp

import (
	"fmt"
	"sync/atomic"

	"github.com/gotio/gotio/codec"
)

// ServerStream is the accepting side of a gotio TCP connection. It answers
// the handshake and heartbeats by itself and delivers requests, notifies,
// and the rare response, push or raw frame a client sends, as Messages.
//
// Decode must be called by one goroutine at a time; Encode, Format,
// Protocol and Goodbye may be called from any goroutine, concurrently.
type ServerStream struct {
	c          *Codec
	handshaken atomic.Bool
	msg        codec.Message // reused by Decode; cleared after each delivery
}

var _ codec.Goodbyer = (*ServerStream)(nil)

// Decode reads the handshake and then whole frames from the front of in.
// It delivers messages to out.Message, answers the handshake and each
// heartbeat through out.Reply, and returns an error wrapping
// codec.ErrPeerClosed (a *CloseError) when the client sent a close frame.
// Bytes before the handshake, an unknown frame type, reserved flags and
// malformed fields are errors wrapping codec.ErrProtocol; a frame over the
// limit, an error wrapping codec.ErrTooLarge. After the handshake, a
// refusal is first answered with a close frame that says why.
func (s *ServerStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	if !s.handshaken.Load() {
		if len(in) == 0 {
			return 0, 1, nil
		}
		switch {
		case in[0] == Magic:
			if len(in) < 2 {
				return 0, 2, nil
			}
			if in[1] != Version {
				out.Reply(AppendClose(nil, CloseUnsupportedVersion, fmt.Sprintf("server speaks version %d", Version)))
				return 0, 0, fmt.Errorf("tcp: handshake asks for version %d, server speaks %d: %w", in[1], Version, codec.ErrProtocol)
			}
			out.Reply(s.c.ack)
			s.handshaken.Store(true)
			out.Handshaken(s.c.handshake(s.c.heartbeatMS))
			n = 2
		case in[0] != 0:
			// Not the magic, nor the zero top byte of a frame length:
			// someone else's protocol.
			return 0, 0, fmt.Errorf("tcp: not gotio TCP: first byte 0x%02x: %w", in[0], codec.ErrProtocol)
		case !s.c.optional:
			return 0, 0, fmt.Errorf("tcp: frame before handshake: %w", codec.ErrProtocol)
		}
		// With HandshakeOptional and no handshake, the first good frame
		// completes the handshake below.
	}
	for n < len(in) {
		f, fn, fneed, err := parseFrame(in[n:], s.c.maxFrame)
		if err != nil {
			return n, 0, s.refuse(out, err)
		}
		if fn == 0 {
			if n > 0 {
				return n, 0, nil
			}
			return 0, fneed, nil
		}
		if !s.handshaken.Load() {
			s.handshaken.Store(true)
			out.Handshaken(s.c.handshake(0))
		}
		switch f.typ {
		case TypeHeartbeat:
			if len(f.payload) != 0 {
				return n, 0, s.refuse(out, fmt.Errorf("tcp: heartbeat frame with %d body bytes: %w", len(f.payload), codec.ErrProtocol))
			}
			out.Reply(heartbeatFrame)
		case TypeClose:
			return n + fn, 0, parseClose(f)
		default:
			if err := decodeMessage(f, &s.msg, s.c.routes); err != nil {
				return n, 0, s.refuse(out, err)
			}
			out.Message(&s.msg)
			s.msg = codec.Message{} // hold no reference to the read buffer
		}
		n += fn
	}
	return n, 0, nil
}

// refuse answers a protocol error with a close frame, once the peer has
// shown it speaks gotio TCP, and returns err.
func (s *ServerStream) refuse(out codec.Output, err error) error {
	if s.handshaken.Load() {
		return refuse(out, err)
	}
	return err
}

// Encode appends the frame carrying m (see AppendMessage). Before the
// client's handshake it returns codec.ErrNotReady: a client reads the
// handshake-ack first and would refuse anything else.
func (s *ServerStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if !s.handshaken.Load() {
		return dst, fmt.Errorf("tcp: encode before handshake: %w", codec.ErrNotReady)
	}
	return AppendMessage(dst, m)
}

// Format returns Format once the handshake completed, "" before.
func (s *ServerStream) Format() string {
	if !s.handshaken.Load() {
		return ""
	}
	return Format
}

// Protocol returns "tcp".
func (s *ServerStream) Protocol() string { return Protocol }

// Goodbye appends a close frame: CloseShutdown when shutdown is set,
// CloseKicked otherwise, with reason.
func (s *ServerStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	code := CloseKicked
	if f.Shutdown {
		code = CloseShutdown
	}
	return AppendClose(dst, code, f.Reason)
}
