package websocket

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// sink is an Output that keeps nothing, as a handler that copies nothing.
type sink struct{ bytes, replies int }

func (o *sink) Message(m *codec.Message)   { o.bytes += len(m.Body) }
func (o *sink) Reply(b []byte)             { o.replies += len(b) }
func (o *sink) Handshaken(codec.Handshake) {}

// decodeOnce decodes frame (a copy: Decode unmasks in place) and fails on
// anything but one whole frame consumed.
func decodeOnce(tb testing.TB, s *Stream, buf, frame []byte, out codec.Output) {
	buf = buf[:len(frame)]
	copy(buf, frame)
	if n, _, err := s.Decode(buf, out); n != len(frame) || err != nil {
		tb.Fatalf("n=%d err=%v", n, err)
	}
}

func TestHotPathAllocs(t *testing.T) {
	text := cframe(finBit|opText, []byte(strings.Repeat("hello ", 20)))
	env := cframe(finBit|opText, []byte(`{"id":9,"route":"chat.send","body":{"text":"hi"}}`))
	frags := cat(cframe(opBinary, make([]byte, 100)), cframe(finBit|opPing, nil), cframe(finBit|opContinuation, make([]byte, 100)))
	plain, _ := openServer(t, nil)
	js, _ := openServer(t, &Config{Routes: []Route{{Inner: JSON}}})
	buf := make([]byte, 1024)
	out := &sink{}
	push := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"text":"hello"}`)}
	raw := &codec.Message{Kind: codec.Raw, Body: make([]byte, 300)}
	dst := make([]byte, 0, 1024)
	cases := []struct {
		name string
		f    func()
	}{
		{"decode text", func() { decodeOnce(t, plain, buf, text, out) }},
		{"decode json", func() { decodeOnce(t, js, buf, env, out) }},
		{"decode fragments and ping", func() { decodeOnce(t, plain, buf, frags, out) }},
		{"encode raw", func() { dst, _ = plain.Encode(dst[:0], raw) }},
		{"encode json", func() { dst, _ = js.Encode(dst[:0], push) }},
		{"format", func() { _ = js.Format() }},
	}
	shared := New(nil)
	fresh := make([]*Stream, 202)
	for i := range fresh {
		fresh[i], _ = openOn(t, shared)
	}
	cases = append(cases, struct {
		name string
		f    func()
	}{"first Format and Protocol of a connection", func() {
		s := fresh[0]
		fresh = fresh[1:]
		_, _ = s.Format(), s.Protocol()
	}})
	for _, c := range cases {
		c.f() // warm pools and caches
		if a := testing.AllocsPerRun(200, c.f); a != 0 && !raceEnabled {
			t.Errorf("%s: %v allocs per op", c.name, a)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, n := range []int{16, 1024, 64 << 10} {
		for _, op := range []byte{opBinary, opText} {
			name := map[byte]string{opBinary: "binary", opText: "text"}[op] + "-" + sizeName(n)
			b.Run(name, func(b *testing.B) {
				s, _ := openServer(b, nil)
				frame := cframe(finBit|op, bytes.Repeat([]byte{'a'}, n))
				buf := make([]byte, len(frame))
				out := &sink{}
				b.SetBytes(int64(len(frame)))
				b.ReportAllocs()
				for b.Loop() {
					decodeOnce(b, s, buf, frame, out)
				}
			})
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	s, _ := openServer(b, &Config{Routes: []Route{{Inner: JSON}}})
	frame := cframe(finBit|opText, []byte(`{"id":9,"route":"chat.send","body":{"room":"lobby","text":"hello there"}}`))
	buf := make([]byte, len(frame))
	out := &sink{}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		decodeOnce(b, s, buf, frame, out)
	}
}

func BenchmarkDecodeDeflate(b *testing.B) {
	s, _ := openServer(b, &Config{Deflate: &Deflate{}}, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover")
	msg := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog ", 25))
	frame := cframe(finBit|rsv1Bit|opText, compressOne(&testing.T{}, msg))
	buf := make([]byte, len(frame))
	out := &sink{}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		decodeOnce(b, s, buf, frame, out)
	}
}

func BenchmarkEncode(b *testing.B) {
	cases := []struct {
		name string
		cfg  *Config
		ext  string
		m    *codec.Message
	}{
		{"raw-16", nil, "", &codec.Message{Kind: codec.Raw, Body: make([]byte, 16)}},
		{"raw-1K", nil, "", &codec.Message{Kind: codec.Raw, Body: make([]byte, 1024)}},
		{"raw-64K", nil, "", &codec.Message{Kind: codec.Raw, Body: make([]byte, 64<<10)}},
		{"json-push", &Config{Routes: []Route{{Inner: JSON}}}, "", &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"from":"ann","text":"hello there"}`)}},
		{"deflate-1K", &Config{Deflate: &Deflate{}}, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover",
			&codec.Message{Kind: codec.Raw, Body: []byte(strings.Repeat("compressible text ", 57))}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var extra []string
			if c.ext != "" {
				extra = append(extra, c.ext)
			}
			s, _ := openServer(b, c.cfg, extra...)
			dst := make([]byte, 0, 128<<10)
			b.SetBytes(int64(len(c.m.Body)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if dst, err = s.Encode(dst[:0], c.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpgrade(b *testing.B) {
	c := New(nil)
	req := []byte(upgradeReq("/chat", "Origin: http://example.com", "Sec-WebSocket-Protocol: chat"))
	out := &sink{}
	b.ReportAllocs()
	for b.Loop() {
		s := c.NewStream(codec.ConnInfo{})
		if n, _, err := s.Decode(req, out); n != len(req) || err != nil {
			b.Fatal(err)
		}
	}
}

func sizeName(n int) string {
	if n >= 1<<10 {
		return strconv.Itoa(n>>10) + "K"
	}
	return strconv.Itoa(n)
}

// TestIdleConnectionMemory: an upgraded, idle connection holds its stream
// and session only — no buffers, no compressor.
func TestIdleConnectionMemory(t *testing.T) {
	for _, cfg := range []*Config{nil, {Routes: []Route{{Inner: JSON}}, Deflate: &Deflate{}}} {
		c := New(cfg)
		const n = 2000
		keep := make([]*Stream, n)
		req := []byte(upgradeReq("/", "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"))
		msg := cframe(finBit|opText, []byte("some traffic first"))
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range keep {
			s := c.NewStream(codec.ConnInfo{}).(*Stream)
			in := append(append([]byte(nil), req...), msg...)
			if _, err := codectest.DecodeAll(s, in, &sink{}); err != nil {
				t.Fatal(err)
			}
			_, _ = s.Format(), s.Protocol()
			keep[i] = s
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
		t.Logf("%d bytes per idle connection", per)
		if per > 512 {
			t.Fatalf("%d bytes per idle connection", per)
		}
		runtime.KeepAlive(keep)
	}
}
