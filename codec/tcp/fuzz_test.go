package tcp_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// fuzzLimit keeps the fuzzer's frames small, so it explores headers, not
// memory.
const fuzzLimit = 1 << 16

func FuzzDecodeServer(f *testing.F) {
	in, _ := conversation(f)
	f.Add(in)
	f.Add([]byte{0xC7, 0x01})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	for _, tc := range serverErrors {
		f.Add(unhex(f, tc.in))
	}
	for _, tc := range roundTrips {
		b, _ := tcp.AppendMessage(tcp.AppendHandshake(nil), &tc.m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStream(t, data, newServer)
	})
}

func FuzzDecodeClient(f *testing.F) {
	f.Add(tcp.AppendHandshakeAck(nil, 30000))
	for _, tc := range clientErrors {
		f.Add(unhex(f, tc.in))
	}
	for _, tc := range roundTrips {
		b, _ := tcp.AppendMessage(tcp.AppendHandshakeAck(nil, 0), &tc.m)
		f.Add(tcp.AppendHeartbeat(b))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStream(t, data, newClient)
	})
}

// fuzzStream decodes data whole and byte by byte and checks that both end
// the same way, that no call breaks the Decode contract, and that every
// message decoded re-encodes to one that decodes the same.
func fuzzStream(t *testing.T, data []byte, mk func(*tcp.Codec) codec.Stream) {
	c := tcp.New(&tcp.Config{MaxFrameSize: fuzzLimit})
	var whole, bytewise codectest.Recorder
	n1, err1 := decodeChecked(t, mk(c), data, len(data), &whole)
	n2, err2 := decodeChecked(t, mk(c), data, 1, &bytewise)
	if (err1 == nil) != (err2 == nil) || n1 != n2 {
		t.Fatalf("whole: n=%d err=%v; byte by byte: n=%d err=%v", n1, err1, n2, err2)
	}
	if err1 != nil {
		if !errors.Is(err1, codec.ErrProtocol) && !errors.Is(err1, codec.ErrTooLarge) && !errors.Is(err1, codec.ErrPeerClosed) {
			t.Fatalf("error %v wraps no codec sentinel", err1)
		}
		if err1.Error() != err2.Error() {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
	}
	if len(whole.Messages) != len(bytewise.Messages) || !bytes.Equal(whole.Replies, bytewise.Replies) {
		t.Fatalf("whole and byte by byte disagree: %d/%d messages, replies % x / % x",
			len(whole.Messages), len(bytewise.Messages), whole.Replies, bytewise.Replies)
	}
	for i, m := range whole.Messages {
		if !sameMessage(m, bytewise.Messages[i]) {
			t.Fatalf("message %d: %+v / %+v", i, m, bytewise.Messages[i])
		}
		b, err := tcp.AppendMessage(nil, &m)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", m, err)
		}
		var rec codectest.Recorder
		if _, err := codectest.DecodeAll(handshaken(t, c), b, &rec); err != nil || len(rec.Messages) != 1 || !sameMessage(rec.Messages[0], m) {
			t.Fatalf("re-encoded %+v decodes to %+v, %v", m, rec.Messages, err)
		}
	}
}

// decodeChecked feeds data in chunks of step bytes, as aio would, and
// returns the bytes consumed and the error that ended decoding, if any.
func decodeChecked(t *testing.T, s codec.Stream, data []byte, step int, out codec.Output) (int, error) {
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
				if need <= len(buf) || need > fuzzLimit+4 {
					t.Fatalf("need %d with %d buffered", need, len(buf))
				}
				break
			}
		}
	}
	return consumed, nil
}
