package length

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
)

// collect is a codec.Output that keeps copies of the messages.
type collect struct{ bodies [][]byte }

func (c *collect) Message(m *codec.Message)   { c.bodies = append(c.bodies, bytes.Clone(m.Body)) }
func (c *collect) Reply([]byte)               {}
func (c *collect) Handshaken(codec.Handshake) {}

func frame(body string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

func TestDecode(t *testing.T) {
	s := Codec{Max: 10}.NewStream(codec.ConnInfo{})
	in := append(append(frame("login a"), frame("")...), frame("wat")[:5]...)
	var out collect
	n, need, err := s.Decode(in, &out)
	if err != nil || n != len(frame("login a"))+4 || need != 0 {
		t.Fatalf("n=%d need=%d err=%v", n, need, err)
	}
	if len(out.bodies) != 2 || string(out.bodies[0]) != "login a" || len(out.bodies[1]) != 0 {
		t.Fatalf("bodies %q", out.bodies)
	}
	// The partial frame: its whole length is needed.
	if n, need, err := s.Decode(frame("wat")[:5], &out); n != 0 || need != 7 || err != nil {
		t.Fatalf("partial: n=%d need=%d err=%v", n, need, err)
	}
	if n, need, err := s.Decode([]byte{0, 0}, &out); n != 0 || need != 4 || err != nil {
		t.Fatalf("partial header: n=%d need=%d err=%v", n, need, err)
	}
	if _, _, err := s.Decode(frame("eleven byte"), &out); !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	enc, err := s.Encode(nil, &codec.Message{Body: []byte("ok")})
	if err != nil || !bytes.Equal(enc, frame("ok")) {
		t.Fatalf("encode % x, %v", enc, err)
	}
}

// FuzzDecode: any input decodes without panic into frames that encode
// back to the bytes consumed, or fails with ErrTooLarge.
func FuzzDecode(f *testing.F) {
	f.Add(frame("login sensor-1"))
	f.Add(append(frame("a"), frame("bb")...))
	f.Add([]byte{0, 0, 0xff, 0xff})
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		s := Codec{Max: 1 << 10}.NewStream(codec.ConnInfo{})
		var out collect
		n, need, err := s.Decode(in, &out)
		if err != nil {
			if !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if n < 0 || n > len(in) || (n == 0 && need <= len(in)) {
			t.Fatalf("n=%d need=%d of %d bytes", n, need, len(in))
		}
		var back []byte
		for _, b := range out.bodies {
			back, _ = s.Encode(back, &codec.Message{Body: b})
		}
		if !bytes.Equal(back, in[:n]) {
			t.Fatalf("re-encoded % x, consumed % x", back, in[:n])
		}
	})
}
