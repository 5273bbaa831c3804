// Package testcodec is the length-prefixed codec gotio's tests speak over
// real sockets (the codec docs/guide.md builds): each frame is a 4-byte
// big-endian length and that many bytes of body. It also reads and writes
// such frames on a plain net.Conn, as a raw test client.
package testcodec

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gotio/gotio/codec"
)

// Length is the codec; Max bounds a frame's body (zero: unbounded).
type Length struct{ Max int }

// NewStream returns a stream of the codec.
func (l Length) NewStream(codec.ConnInfo) codec.Stream { return &stream{max: l.Max} }

type stream struct {
	max int
	msg codec.Message
}

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

func (s *stream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return AppendFrame(dst, m.Body), nil
}

func (s *stream) Format() string   { return "length" }
func (s *stream) Protocol() string { return "length" }

// AppendFrame appends body as one frame.
func AppendFrame(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	return append(dst, body...)
}

// ReadFrame reads one frame from r, within d on nc.
func ReadFrame(nc net.Conn, r *bufio.Reader, d time.Duration) (string, error) {
	_ = nc.SetReadDeadline(time.Now().Add(d))
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", err
	}
	b := make([]byte, binary.BigEndian.Uint32(h[:]))
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}
