package websocket

import (
	"bytes"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
)

// TestPingFrames checks Ping's bytes on server streams of every inner
// kind, before the upgrade and after a close.
func TestPingFrames(t *testing.T) {
	for _, inner := range []struct {
		name  string
		codec codec.Codec
	}{{"plain", Plain}, {"json", JSON}, {"foreign", lpCodec{}}} {
		t.Run(inner.name, func(t *testing.T) {
			c := New(&Config{Routes: []Route{{Inner: inner.codec, Binary: true}}})
			s := c.NewStream(codec.ConnInfo{RemoteAddr: testAddr, LocalAddr: testAddr}).(*Stream)
			if got := s.Ping([]byte("x")); !bytes.Equal(got, []byte("x")) {
				t.Fatalf("before the upgrade Ping appended % x", got[1:])
			}
			s, _ = openOn(t, c)
			if got := s.Ping([]byte{0xAA}); !bytes.Equal(got, []byte{0xAA, 0x89, 0x00}) {
				t.Fatalf("Ping = % x, want aa 89 00", got)
			}
			_ = s.Goodbye(nil, codec.Farewell{Reason: "bye"}) // a close frame was sent
			if got := s.Ping(nil); len(got) != 0 {
				t.Fatalf("Ping after close = % x", got)
			}
		})
	}
}

func TestPingInterval(t *testing.T) {
	for _, d := range []time.Duration{0, 5 * time.Second, -1} {
		s := New(&Config{PingInterval: d}).NewStream(codec.ConnInfo{}).(*Stream)
		if got := s.PingInterval(); got != d {
			t.Fatalf("PingInterval = %v, want %v", got, d)
		}
	}
}

// TestPongIsSilent checks that a pong, solicited or not, with or without a
// payload, between fragments too, gives no message and no reply.
func TestPongIsSilent(t *testing.T) {
	s, rec := openServer(t, nil)
	in := cat(cframe(finBit|opPong, nil), cframe(finBit|opPong, []byte("keepalive")),
		cframe(opText, []byte("he")), cframe(finBit|opPong, []byte("x")), cframe(finBit|opContinuation, []byte("llo")))
	if n, err := feed(s, in, rec); err != nil || n != len(in) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if len(rec.Replies) != 0 {
		t.Fatalf("pong answered: % x", rec.Replies)
	}
	if len(rec.Messages) != 1 || string(rec.Messages[0].Body) != "hello" {
		t.Fatalf("messages %+v, want only the text message", rec.Messages)
	}
}
