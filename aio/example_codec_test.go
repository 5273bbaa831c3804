package aio_test

import (
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// lengthCodec is a complete custom codec: each frame is a 4-byte big-endian
// length and that many bytes of body, the protocol of docs/guide.md (whose
// own copy, a program a reader can paste, is examples/guide/length). aio's
// tests use this one; aio's tests cannot import a program.
type lengthCodec struct{ max int }

func (lc lengthCodec) NewStream(codec.ConnInfo) codec.Stream { return &lengthStream{max: lc.max} }

type lengthStream struct {
	max int
	msg codec.Message // reused: Decode allocates nothing
}

func (s *lengthStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
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

func (s *lengthStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Body)))
	return append(dst, m.Body...), nil
}

func (s *lengthStream) Format() string   { return "length" }
func (s *lengthStream) Protocol() string { return "length" }
