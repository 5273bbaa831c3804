package wire

import (
	"bytes"
	"errors"
	"testing"
)

func TestAppendParseRoundTrip(t *testing.T) {
	var buf []byte
	payloads := [][]byte{{}, []byte("a"), bytes.Repeat([]byte("x"), 512)}
	for _, p := range payloads {
		buf = Append(buf, p)
	}
	for i, want := range payloads {
		got, n, err := Parse(buf)
		if err != nil || n != HeaderLen+len(want) || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: Parse = %q, %d, %v; want %q", i, got, n, err, want)
		}
		buf = buf[n:]
	}
	if len(buf) != 0 {
		t.Fatalf("%d bytes left over", len(buf))
	}
}

func TestParsePartial(t *testing.T) {
	f := Append(nil, []byte("hello"))
	for cut := 0; cut < len(f); cut++ {
		if p, n, err := Parse(f[:cut]); p != nil || n != 0 || err != nil {
			t.Fatalf("Parse(%d of %d bytes) = %q, %d, %v; want incomplete", cut, len(f), p, n, err)
		}
	}
	if got := Need(f[:2]); got != HeaderLen {
		t.Fatalf("Need(short header) = %d, want %d", got, HeaderLen)
	}
	if got := Need(f[:4]); got != len(f) {
		t.Fatalf("Need(header) = %d, want %d", got, len(f))
	}
}

func TestParseTooLarge(t *testing.T) {
	_, _, err := Parse([]byte{0x7f, 0xff, 0xff, 0xff})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse(huge header) error = %v, want ErrTooLarge", err)
	}
}

func TestBcast(t *testing.T) {
	n, size, ok := ParseBcast(BcastCmd(100, 512))
	if !ok || n != 100 || size != 512 {
		t.Fatalf("ParseBcast(BcastCmd(100, 512)) = %d, %d, %v", n, size, ok)
	}
	echo := make([]byte, 14) // an echo payload of the command's length, counter first
	if _, _, ok := ParseBcast(echo); ok {
		t.Fatal("an echo payload parsed as a broadcast command")
	}
	if _, _, ok := ParseBcast(BcastCmd(1, 2)); ok {
		t.Fatal("a command for pushes smaller than the sequence number was accepted")
	}
	p := PushPayload(7, 16)
	if len(p) != 16 || p[3] != 7 || p[4] != 'x' {
		t.Fatalf("PushPayload(7, 16) = %q", p)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Append(nil, []byte("hello")))
	f.Add([]byte{0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1})
	f.Add(Append(Append(nil, BcastCmd(3, 512)), []byte("tail")))
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			p, n, err := Parse(b)
			if err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if n == 0 {
				if Need(b) <= len(b) {
					t.Fatalf("incomplete frame but Need = %d <= %d", Need(b), len(b))
				}
				return
			}
			if n != HeaderLen+len(p) || n > len(b) {
				t.Fatalf("n = %d for a %d-byte payload in %d bytes", n, len(p), len(b))
			}
			ParseBcast(p)
			b = b[n:]
		}
	})
}
