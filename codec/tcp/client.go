package tcp

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// ClientStream is the dialing side of a gotio TCP connection. Open writes
// the handshake; Decode expects the server's handshake-ack first and then
// delivers responses, pushes (and whatever else the server sends) as
// Messages. A client may send requests right after the handshake, without
// waiting for the ack.
//
// Decode must be called by one goroutine at a time; the other methods may
// be called from any goroutine, concurrently.
type ClientStream struct {
	c           *Codec
	acked       bool         // Decode only
	heartbeatMS atomic.Int64 // announced by the server's handshake-ack
	msg         codec.Message
}

var (
	_ codec.Opener      = (*ClientStream)(nil)
	_ codec.Heartbeater = (*ClientStream)(nil)
	_ codec.Goodbyer    = (*ClientStream)(nil)
)

// Open appends the handshake, Magic and Version.
func (s *ClientStream) Open(dst []byte) ([]byte, error) { return AppendHandshake(dst), nil }

// Heartbeat appends a heartbeat frame.
func (s *ClientStream) Heartbeat(dst []byte) []byte { return AppendHeartbeat(dst) }

// HeartbeatInterval returns the interval the server announced in its
// handshake-ack, zero before the ack or when it announced none.
func (s *ClientStream) HeartbeatInterval() time.Duration {
	return time.Duration(s.heartbeatMS.Load()) * time.Millisecond
}

// Decode reads whole frames from the front of in. The first must be the
// handshake-ack (reported to out.Handshaken, with HeartbeatTimeout twice
// the announced interval) or a close frame; heartbeat answers are consumed
// silently. A close frame returns a *CloseError, which wraps
// codec.ErrPeerClosed; other refusals wrap codec.ErrProtocol or
// codec.ErrTooLarge and are first answered with a close frame.
func (s *ClientStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	for n < len(in) {
		f, fn, fneed, err := parseFrame(in[n:], s.c.maxFrame)
		if err != nil {
			return n, 0, refuse(out, err)
		}
		if fn == 0 {
			if n > 0 {
				return n, 0, nil
			}
			return 0, fneed, nil
		}
		switch {
		case f.typ == TypeClose:
			return n + fn, 0, parseClose(f)
		case f.typ == TypeHandshakeAck:
			if s.acked {
				return n, 0, refuse(out, fmt.Errorf("tcp: second handshake-ack: %w", codec.ErrProtocol))
			}
			ms, ok := ackInterval(f.payload)
			if !ok {
				return n, 0, refuse(out, fmt.Errorf("tcp: handshake-ack: bad heartbeat interval: %w", codec.ErrProtocol))
			}
			s.acked = true
			s.heartbeatMS.Store(int64(ms))
			out.Handshaken(s.c.handshake(ms))
		case !s.acked:
			return n, 0, refuse(out, fmt.Errorf("tcp: %s frame before handshake-ack: %w", f.typ, codec.ErrProtocol))
		case f.typ == TypeHeartbeat:
			if len(f.payload) != 0 {
				return n, 0, refuse(out, fmt.Errorf("tcp: heartbeat frame with %d body bytes: %w", len(f.payload), codec.ErrProtocol))
			}
		default:
			if err := decodeMessage(f, &s.msg, s.c.routes); err != nil {
				return n, 0, refuse(out, err)
			}
			out.Message(&s.msg)
			s.msg = codec.Message{} // hold no reference to the read buffer
		}
		n += fn
	}
	return n, 0, nil
}

// refuse answers a protocol error with a close frame and returns err.
func refuse(out codec.Output, err error) error {
	out.Reply(protocolClose(err))
	return err
}

// Encode appends the frame carrying m (see AppendMessage).
func (s *ClientStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return AppendMessage(dst, m)
}

// Format returns Format.
func (s *ClientStream) Format() string { return Format }

// Protocol returns "tcp".
func (s *ClientStream) Protocol() string { return Protocol }

// Goodbye appends a close frame: CloseShutdown when shutdown is set,
// CloseNormal otherwise, with reason.
func (s *ClientStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	code := CloseNormal
	if f.Shutdown {
		code = CloseShutdown
	}
	return AppendClose(dst, code, f.Reason)
}
