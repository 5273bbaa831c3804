package engineio

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// Session is what the stream of an engine.io session tells an
// application; SessionFrom finds it from a connection's stream (aio's
// ChannelContext.Stream() of a session implements it; a direct session's
// connection, a WebSocket-only client's, holds it in its carrier stream).
type Session interface {
	// SID is the session id.
	SID() string
	// Transport is "polling", or "websocket" once a WebSocket carries the
	// session.
	Transport() string
	// Inner is the inner protocol's stream (socket.io's), nil for plain
	// engine.io.
	Inner() InnerStream
}

var _ Session = (*session)(nil)

// session is the stream of one engine.io session (the codec.Stream aio's
// session connection runs): it encodes the application's messages as
// queued packets, pings, says goodbye, and decodes the message packets
// its carriers deliver. It also holds the session's transport state,
// which its carriers share.
type session struct {
	c     *Codec
	sid   string
	inner InnerStream // nil: plain engine.io messages
	// sess is aio's session connection; nil for a direct session, which
	// its carrier connection serves itself.
	sess codec.Session
	// alive is the unix nanos of a direct session's last pong (its
	// carrier's AliveAt).
	alive atomic.Int64
	// ps is the state of a session that polls or may be upgraded; nil
	// for a direct session, which never does.
	ps *pollState
	// upgraded is set once a WebSocket took the session over (or carried
	// it from the start): polling requests are refused from then on.
	upgraded atomic.Bool
	// direct is set for a session a WebSocket without compression carries
	// from its handshake on: its carrier connection is the session
	// (carrierStream.merged), and it encodes WebSocket frames, not the
	// queued form.
	direct bool
}

// pollState is what a session that is not direct shares between its
// carriers.
type pollState struct {
	// poll is the parked GET, nil when none.
	poll atomic.Pointer[pollSink]
	mu   sync.Mutex // guards posting, probing
	// probing is the WebSocket carrier probing an upgrade, nil when none.
	probing *wsInner
	// posting is set while a POST's body is being received.
	posting bool
}

var (
	_ codec.Stream         = (*session)(nil)
	_ codec.MessageDecoder = (*session)(nil)
	_ codec.Opener         = (*session)(nil)
	_ codec.Pinger         = (*session)(nil)
	_ codec.Goodbyer       = (*session)(nil)
)

// Decode is not used: a session's carriers deliver its messages.
func (s *session) Decode([]byte, codec.Output) (int, int, error) {
	return 0, 0, fmt.Errorf("engineio: a session decodes delivered messages only: %w", codec.ErrProtocol)
}

// DecodeMessage decodes the data of one message packet.
func (s *session) DecodeMessage(data []byte, binary bool, out codec.Output) error {
	if s.inner != nil {
		return s.inner.DecodeMessage(data, binary, out)
	}
	m := codec.Message{Kind: codec.Raw, Body: data, Binary: binary}
	out.Message(&m)
	return nil
}

// frameOutput is what a direct session's inner protocol decodes into:
// messages go to the application, replies (queued packets) leave as
// WebSocket frames on the connection, and a handshake is the
// connection's.
type frameOutput struct {
	codec.Output
	k sessionCarrier
}

func (o frameOutput) Reply(b []byte) { _ = o.k.Write(appendFrames(nil, b)) }

func (o frameOutput) Handshaken(h codec.Handshake) { o.k.Handshaken(h) }

// SessionFrom returns the engine.io session of a connection's stream: the
// stream of a session connection, or of a connection that is a direct
// session (a WebSocket-only client), possibly behind codec/hybrid.
func SessionFrom(s codec.Stream) (Session, bool) {
	for range 3 {
		switch v := s.(type) {
		case *session:
			return v, true
		case *carrierStream:
			st := v.Session()
			return st, st != nil
		}
		w, ok := s.(interface{ Inner() codec.Stream })
		if !ok {
			return nil, false
		}
		if s = w.Inner(); s == nil {
			return nil, false
		}
	}
	return nil, false
}

// Encode appends m as queued message packets (WebSocket frames for a
// direct session): the inner protocol's, or for plain engine.io one
// message carrying m's body (binary when m.Binary).
func (s *session) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if s.direct {
		q := getScratch()
		defer putScratch(q)
		var err error
		if *q, err = s.encodeQueued((*q)[:0], m); err != nil {
			return dst, err
		}
		return appendFrames(dst, *q), nil
	}
	return s.encodeQueued(dst, m)
}

func (s *session) encodeQueued(dst []byte, m *codec.Message) ([]byte, error) {
	if s.inner != nil {
		return s.inner.Encode(dst, m)
	}
	if !m.Binary && bytes.IndexByte(m.Body, Separator) >= 0 {
		return dst, ErrSeparator
	}
	return AppendQueued(dst, &Packet{Type: TypeMessage, Data: m.Body, Binary: m.Binary}), nil
}

// Format is "eio/" and the inner protocol's Format ("" when it is ""), or
// "eio/plain": the queued form serves both transports. A direct session's
// is "eio-ws/" and the same: its bytes are WebSocket frames.
func (s *session) Format() string {
	f := "plain"
	if s.inner != nil {
		if f = s.inner.Format(); f == "" {
			return ""
		}
	}
	return s.c.format(f, s.direct)
}

// Protocol is the inner protocol's, or "engine.io".
func (s *session) Protocol() string {
	if s.inner != nil {
		return s.inner.Protocol()
	}
	return "engine.io"
}

// Open appends the open packet, the session's first.
func (s *session) Open(dst []byte) ([]byte, error) {
	up := s.c.openPoll
	if s.upgraded.Load() {
		up = []string{}
	}
	dst, start := BeginQueued(dst, TypeOpen)
	dst = AppendOpen(dst, &Open{SID: s.sid, Upgrades: up, PingInterval: s.c.cfg.PingInterval,
		PingTimeout: s.c.cfg.PingTimeout, MaxPayload: s.c.cfg.MaxPayload})
	// AppendOpen writes its own type digit: drop the one BeginQueued wrote.
	copy(dst[start+queuedHeader:], dst[start+queuedHeader+1:])
	dst = dst[:len(dst)-1]
	dst = FinishQueued(dst, start)
	if s.direct {
		return s.framed(dst, start), nil
	}
	return dst, nil
}

// framed turns the queued packets of dst from start into frames, for a
// direct session.
func (s *session) framed(dst []byte, start int) []byte {
	q := getScratch()
	defer putScratch(q)
	*q = append((*q)[:0], dst[start:]...)
	return appendFrames(dst[:start], *q)
}

// Ping appends the heartbeat ping.
func (s *session) Ping(dst []byte) []byte {
	if s.direct {
		return append(dst, 0x81, 1, '0'+byte(TypePing))
	}
	return AppendQueued(dst, &Packet{Type: TypePing})
}

// PingInterval is Config.PingInterval: aio pings the session that often.
func (s *session) PingInterval() time.Duration { return s.c.cfg.PingInterval }

// SessionTimeout is how long the session lives without a pong:
// PingInterval + PingTimeout.
func (s *session) SessionTimeout() time.Duration { return s.c.pingTotal }

// AwaitHandshake reports whether the inner protocol has a handshake of
// its own (socket.io's CONNECT).
func (s *session) AwaitHandshake() bool {
	a, ok := s.inner.(interface{ AwaitHandshake() bool })
	return ok && a.AwaitHandshake()
}

// Goodbye appends the inner protocol's goodbye, then the close packet.
func (s *session) Goodbye(dst []byte, f codec.Farewell) []byte {
	start := len(dst)
	if g, ok := s.inner.(codec.Goodbyer); ok {
		dst = g.Goodbye(dst, f)
	}
	dst = AppendQueued(dst, &Packet{Type: TypeClose})
	if s.direct {
		return s.framed(dst, start)
	}
	return dst
}

// Inner returns the inner protocol's stream, nil for plain engine.io.
func (s *session) Inner() InnerStream { return s.inner }

// SID returns the session id.
func (s *session) SID() string { return s.sid }

// Transport returns "websocket" once a WebSocket carries the session,
// else "polling".
func (s *session) Transport() string {
	if s.upgraded.Load() {
		return "websocket"
	}
	return "polling"
}

// releasePoll answers the parked GET, if any, with a noop.
func (s *session) releasePoll() {
	if p := s.ps.poll.Load(); p != nil {
		if p.answer(nil, noopUnit) {
			s.sess.Detach(p)
		}
	}
}

var (
	noopUnit  = [][]byte{AppendQueued(nil, &Packet{Type: TypeNoop})}
	closeUnit = [][]byte{AppendQueued(nil, &Packet{Type: TypeClose})}
)
