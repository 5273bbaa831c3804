package hybrid

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// Stream is one connection of a hybrid port. Until its first Decode has
// seen enough bytes it is undecided: Format and Protocol return "" and
// Encode returns codec.ErrNotReady. Then it is the chosen codec's stream
// in every method.
//
// Decode must be called by one goroutine at a time; the other methods may
// be called from any goroutine, concurrently with Decode.
type Stream struct {
	h    *Codec
	info codec.ConnInfo
	// inner is written once, by Decode, before decided is set; readers on
	// other goroutines load decided first, which orders the two.
	inner   codec.Stream
	decided atomic.Bool
}

var (
	_ codec.Heartbeater = (*Stream)(nil)
	_ codec.Goodbyer    = (*Stream)(nil)
	_ codec.Pinger      = (*Stream)(nil)
)

// chosen returns the inner stream, or nil before the decision.
func (s *Stream) chosen() codec.Stream {
	if s.decided.Load() {
		return s.inner
	}
	return nil
}

// Decode chooses the protocol from the first bytes, then hands in, first
// bytes included, to the chosen stream. Before it can choose it returns
// need > len(in); bytes no configured codec speaks are refused with an
// error wrapping codec.ErrProtocol (ErrTLS, ErrUnknownProtocol,
// ErrNotServed).
func (s *Stream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	if s.inner != nil { // only Decode writes inner, so it may read it plainly
		return s.inner.Decode(in, out)
	}
	c, need, err := detect(in)
	if err == nil && c != 0 {
		var cc codec.Codec
		if c == classHTTP && len(s.h.cfg.Paths) > 0 {
			var more int
			if cc, more = s.h.pathCodec(in); more > 0 {
				return 0, more, nil
			}
		}
		if cc != nil {
			s.inner = cc.NewStream(s.info)
			s.decided.Store(true)
			s.h.cfg.Logger.Debug().Str("protocol", "http-path").Stringer("remote", s.info.RemoteAddr).Msg("hybrid: protocol chosen")
			return s.inner.Decode(in, out)
		}
		if cc, err = s.h.codecFor(c, in[0]); err == nil {
			s.inner = cc.NewStream(s.info)
			s.decided.Store(true)
			s.h.cfg.Logger.Debug().Str("protocol", classNames[c]).Stringer("remote", s.info.RemoteAddr).Msg("hybrid: protocol chosen")
			return s.inner.Decode(in, out)
		}
	}
	if err != nil {
		s.h.cfg.Logger.Debug().Err(err).Stringer("remote", s.info.RemoteAddr).Msg("hybrid: connection refused")
		return 0, 0, err
	}
	return 0, need, nil
}

// Encode encodes with the chosen stream; before the choice it returns an
// error wrapping codec.ErrNotReady.
func (s *Stream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	inner := s.chosen()
	if inner == nil {
		return dst, fmt.Errorf("hybrid: encode before the protocol is known: %w", codec.ErrNotReady)
	}
	return inner.Encode(dst, m)
}

// Format is the chosen stream's Format, "" before the choice.
func (s *Stream) Format() string {
	if inner := s.chosen(); inner != nil {
		return inner.Format()
	}
	return ""
}

// Protocol is the chosen stream's Protocol, "" before the choice.
func (s *Stream) Protocol() string {
	if inner := s.chosen(); inner != nil {
		return inner.Protocol()
	}
	return ""
}

// Heartbeat appends the chosen stream's heartbeat; it returns dst unchanged
// before the choice or when that protocol has no heartbeat.
func (s *Stream) Heartbeat(dst []byte) []byte {
	if hb, ok := s.chosen().(codec.Heartbeater); ok {
		return hb.Heartbeat(dst)
	}
	return dst
}

// Ping appends the chosen stream's ping (a WebSocket ping frame); it
// returns dst unchanged before the choice or when that protocol cannot
// ping (gotio TCP and pomelo over TCP have client heartbeats instead).
func (s *Stream) Ping(dst []byte) []byte {
	if p, ok := s.chosen().(codec.Pinger); ok {
		return p.Ping(dst)
	}
	return dst
}

// PingInterval is the chosen stream's: its own PingInterval when it has
// one, 0 (aio's default) for a codec.Pinger without one, and -1 (off) for
// a protocol that cannot ping. Before the choice it is 0, and Ping sends
// nothing: a caller that asked before the handshake should ask again
// after it.
func (s *Stream) PingInterval() time.Duration {
	inner := s.chosen()
	if inner == nil {
		return 0
	}
	if _, ok := inner.(codec.Pinger); !ok {
		return -1
	}
	if pi, ok := inner.(interface{ PingInterval() time.Duration }); ok {
		return pi.PingInterval()
	}
	return 0
}

// Goodbye appends the chosen stream's goodbye; it returns dst unchanged
// before the choice (the peer's protocol is unknown, so nothing can be said
// to it) or when that protocol has no goodbye.
func (s *Stream) Goodbye(dst []byte, f codec.Farewell) []byte {
	if g, ok := s.chosen().(codec.Goodbyer); ok {
		return g.Goodbye(dst, f)
	}
	return dst
}

// Inner returns the chosen codec's stream, nil before the choice. It lets
// aio and tests reach methods of the inner stream hybrid does not forward.
func (s *Stream) Inner() codec.Stream { return s.chosen() }
