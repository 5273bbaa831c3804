// Package length is the guide's codec (docs/guide.md): every frame is a
// 4-byte big-endian length and that many bytes of body, as many devices
// speak.
package length

import (
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Codec frames messages with a length prefix. Max refuses a frame whose
// header announces more bytes than that, before its body is read; zero
// leaves the limit to aio's Config.MaxFrameSize.
type Codec struct{ Max int }

// NewStream returns the state of one connection: none but a reused message.
func (lc Codec) NewStream(codec.ConnInfo) codec.Stream { return &stream{max: lc.Max} }

type stream struct {
	max int
	msg codec.Message // reused: Decode allocates nothing
}

// Decode reports every whole frame at the front of in; when there is
// none, need is the number of bytes the next one takes.
func (s *stream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	for len(in)-n >= 4 {
		size := int(binary.BigEndian.Uint32(in[n:]))
		if s.max > 0 && size > s.max {
			return n, 0, fmt.Errorf("length: frame of %d bytes: %w", size, codec.ErrTooLarge)
		}
		if len(in)-n < 4+size {
			break
		}
		s.msg = codec.Message{Kind: codec.Raw, Body: in[n+4 : n+4+size]}
		out.Message(&s.msg)
		n += 4 + size
	}
	if n == 0 {
		need = 4
		if len(in) >= 4 {
			need = 4 + int(binary.BigEndian.Uint32(in))
		}
	}
	return n, need, nil
}

// Encode appends m's body with its length in front.
func (s *stream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Body)))
	return append(dst, m.Body...), nil
}

// Format says every stream encodes alike: a broadcast is encoded once.
func (s *stream) Format() string { return "length" }

// Protocol names the protocol in statistics and logs.
func (s *stream) Protocol() string { return "length" }
