package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"

	"github.com/gotio/gotio/bench/internal/wire"
)

func TestFrameCodec(t *testing.T) {
	s := frameCodec{}.NewStream(codec.ConnInfo{})
	in := wire.Append(wire.Append(nil, []byte("one")), []byte("two"))
	var rec codectest.Recorder
	n, need, err := s.Decode(in[:5], &rec)
	if n != 0 || need != 7 || err != nil || len(rec.Messages) != 0 {
		t.Fatalf("Decode(partial) = %d, %d, %v, %d messages; want 0, 7, nil, 0", n, need, err, len(rec.Messages))
	}
	n, _, err = s.Decode(in, &rec)
	if n != len(in) || err != nil || len(rec.Messages) != 2 {
		t.Fatalf("Decode(two frames) = %d, %v, %d messages", n, err, len(rec.Messages))
	}
	if m := rec.Messages[1]; m.Kind != codec.Raw || !m.Binary || string(m.Body) != "two" {
		t.Fatalf("second message = %+v", m)
	}
	out, err := s.Encode(nil, &rec.Messages[0])
	if err != nil || !bytes.Equal(out, in[:7]) {
		t.Fatalf("Encode = %q, %v; want %q", out, err, in[:7])
	}
	if _, _, err := s.Decode([]byte{0xff, 0, 0, 0}, &rec); !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("Decode(huge header) error = %v, want codec.ErrTooLarge", err)
	}
}

func FuzzFrameDecode(f *testing.F) {
	f.Add(wire.Append(nil, []byte("hello")))
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := frameCodec{}.NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		n, need, err := s.Decode(b, &rec)
		switch {
		case err != nil:
			if !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("error %v does not wrap codec.ErrTooLarge", err)
			}
		case n == 0:
			if need <= len(b) {
				t.Fatalf("n == 0 with need %d <= %d", need, len(b))
			}
		case n > len(b):
			t.Fatalf("consumed %d of %d bytes", n, len(b))
		}
		for _, m := range rec.Messages {
			if _, err := s.Encode(nil, &m); err != nil {
				t.Fatalf("Encode of a decoded message: %v", err)
			}
		}
	})
}
