package main

import (
	"fmt"

	"github.com/gotio/gotio/codec"

	"github.com/gotio/gotio/bench/internal/wire"
)

// frameCodec is the benchmark's wire (4-byte big-endian length, payload)
// as a gotio codec: what a user with a custom protocol writes. Every frame
// decodes to a binary Raw message and every Raw message encodes to a frame.
type frameCodec struct{}

func (frameCodec) NewStream(codec.ConnInfo) codec.Stream { return &frameStream{} }

type frameStream struct {
	msg codec.Message // reused for every decoded frame: Output copies what it keeps
}

// Decode delivers every whole frame at the front of in.
func (s *frameStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	for {
		payload, k, err := wire.Parse(in[n:])
		if err != nil {
			return n, 0, fmt.Errorf("frame: %d-byte frame: %w", wire.Need(in[n:])-wire.HeaderLen, codec.ErrTooLarge)
		}
		if k == 0 {
			if n == 0 {
				return 0, wire.Need(in), nil
			}
			return n, 0, nil
		}
		n += k
		s.msg = codec.Message{Kind: codec.Raw, Body: payload, Binary: true}
		out.Message(&s.msg)
	}
}

// Encode appends m's body as one frame.
func (*frameStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if len(m.Body) > wire.MaxPayload {
		return dst, fmt.Errorf("frame: %d-byte body: %w", len(m.Body), codec.ErrTooLarge)
	}
	return wire.Append(dst, m.Body), nil
}

// Format is the same for every connection: a broadcast encodes once.
func (*frameStream) Format() string { return "bench-frame" }

func (*frameStream) Protocol() string { return "bench-frame" }
