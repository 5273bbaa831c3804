package websocket

import (
	"bytes"
	"testing"
)

func TestMaskBytesMatchesNaive(t *testing.T) {
	key := [4]byte{1, 2, 0x80, 0xff}
	for n := 0; n < 40; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		want := append([]byte(nil), b...)
		for i := range want {
			want[i] ^= key[i%4]
		}
		maskBytes(key, b)
		if !bytes.Equal(b, want) {
			t.Fatalf("n=%d: got % x want % x", n, b, want)
		}
	}
}

func TestFinishFrameLengths(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte{'x'}, n)
		prefix := []byte("prefix")
		got := appendFrame(prefix, finBit|opBinary, payload)
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("n=%d: prefix lost", n)
		}
		fs := parseFrames(t, got[len("prefix"):])
		if len(fs) != 1 || fs[0].op != opBinary || !fs[0].fin || fs[0].masked || !bytes.Equal(fs[0].payload, payload) {
			t.Fatalf("n=%d: bad frame", n)
		}
		if want := hframe(finBit|opBinary, false, payload); !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("n=%d: encoding differs from the hand-built frame", n)
		}
	}
}

func TestParseHeaderRejectsHugeLength(t *testing.T) {
	b := []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}
	var h frameHeader
	if parseHeader(b, &h) {
		t.Fatal("length with the top bit set accepted")
	}
	b[2] = 0x7f
	if !parseHeader(b, &h) || h.length != 0x7f00000000000001 || h.size != 10 {
		t.Fatalf("parse: %+v", h)
	}
}

func TestTruncateReason(t *testing.T) {
	long := string(bytes.Repeat([]byte("é"), 100)) // 200 bytes
	r := truncateReason(long)
	if len(r) > maxCloseReason || len(r) != 122 {
		t.Fatalf("len %d", len(r))
	}
	if got := truncateReason("a\xffb"); got != "a?b" {
		t.Fatalf("invalid UTF-8 kept: %q", got)
	}
}

func TestValidUTF8Prefix(t *testing.T) {
	cases := []struct {
		in   string
		tail int
		ok   bool
	}{
		{"", 0, true},
		{"abc", 0, true},
		{"é", 0, true},
		{"\xc3", 1, true},
		{"a\xe2\x82", 2, true},
		{"\xf0\x9f\x98", 3, true},
		{"\xf0\x9f\x98\x80", 0, true},
		{"\xc0", 0, false},        // cannot lead
		{"\xe0\x80", 0, false},    // overlong prefix
		{"\xed\xa0", 0, false},    // surrogate prefix
		{"\xf4\x90", 0, false},    // above U+10FFFF
		{"\xf5", 0, false},        // cannot lead
		{"\x80", 0, false},        // lone continuation
		{"a\xffb", 0, false},      // invalid byte inside
		{"\xce\xba\xe1", 1, true}, // complete then partial
	}
	for _, c := range cases {
		tail, ok := validUTF8Prefix([]byte(c.in))
		if ok != c.ok || (ok && tail != c.tail) {
			t.Errorf("%q: got tail=%d ok=%v, want %d %v", c.in, tail, ok, c.tail, c.ok)
		}
	}
}
