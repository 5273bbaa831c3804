package hybrid_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
)

// FuzzDecode feeds a hybrid port (real gotio TCP, fake pomelo and HTTP)
// whole and byte by byte: both must end alike, every need must exceed what
// is buffered, and every refusal must wrap a codec sentinel.
func FuzzDecode(f *testing.F) {
	cl := tcp.New(nil).NewStream(codec.ConnInfo{Client: true})
	hello, _ := cl.(codec.Opener).Open(nil)
	hello, _ = cl.Encode(hello, &codec.Message{Kind: codec.Request, ID: 1, Route: "r", Body: []byte("{}")})
	for _, seed := range [][]byte{
		hello, {0xC7}, {0x01, 0, 0, 2, '{', '}'}, []byte("GET / HTTP/1.1\r\n\r\n"), []byte("OPTIONS * HTTP/1.1\r\n"),
		[]byte("PO"), {0x16, 0x03, 0x01}, {0x16, 0x00}, {0}, []byte("PRI * HTTP/2.0"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		newStream := func() codec.Stream {
			h := hybrid.New(&hybrid.Config{TCP: tcp.New(&tcp.Config{MaxFrameSize: 1 << 16}),
				PomeloTCP: &fakeCodec{name: "pomelo-tcp"}, HTTP: &fakeCodec{name: "ws"}})
			return h.NewStream(codec.ConnInfo{})
		}
		var whole, bytewise codectest.Recorder
		n1, err1 := feed(t, newStream(), data, len(data), &whole)
		n2, err2 := feed(t, newStream(), data, 1, &bytewise)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("whole: %v; byte by byte: %v", err1, err2)
		}
		if err1 != nil && !errors.Is(err1, codec.ErrProtocol) && !errors.Is(err1, codec.ErrTooLarge) && !errors.Is(err1, codec.ErrPeerClosed) {
			t.Fatalf("error %v wraps no codec sentinel", err1)
		}
		// The fakes report whatever they are shown, in chunks that depend
		// on the feeding; gotio TCP must agree exactly.
		if len(data) > 0 && data[0] == tcp.Magic {
			if n1 != n2 || len(whole.Messages) != len(bytewise.Messages) || !bytes.Equal(whole.Replies, bytewise.Replies) {
				t.Fatalf("tcp: whole n=%d %d messages; byte by byte n=%d %d messages", n1, len(whole.Messages), n2, len(bytewise.Messages))
			}
		}
	})
}

// feed decodes data in chunks of step bytes into a buffer the stream
// consumes from, as aio would, and returns bytes consumed and the error
// that ended decoding.
func feed(t *testing.T, s codec.Stream, data []byte, step int, out codec.Output) (int, error) {
	consumed, end := 0, 0
	for end < len(data) {
		end = min(end+step, len(data))
		for consumed < end {
			buf := data[consumed:end]
			n, need, err := s.Decode(buf, out)
			if n < 0 || n > len(buf) {
				t.Fatalf("n=%d of %d", n, len(buf))
			}
			consumed += n
			if err != nil {
				return consumed, err
			}
			if n == 0 {
				if need <= len(buf) {
					t.Fatalf("need %d with %d buffered (% x)", need, len(buf), buf)
				}
				break
			}
		}
	}
	return consumed, nil
}
