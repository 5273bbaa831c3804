package hybrid_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	ws "github.com/gotio/gotio/codec/websocket"
)

// TestPingForwarded checks that a hybrid stream pings as its WebSocket
// stream does, with its interval, and not at all as gotio TCP.
func TestPingForwarded(t *testing.T) {
	h := hybrid.New(&hybrid.Config{TCP: tcp.New(nil), HTTP: ws.New(&ws.Config{PingInterval: 7 * time.Second})})

	s := h.NewStream(codec.ConnInfo{}).(*hybrid.Stream)
	if got := s.Ping([]byte("x")); string(got) != "x" || s.PingInterval() != 0 {
		t.Fatalf("undecided: Ping % x, interval %v", got, s.PingInterval())
	}
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	rec := &codectest.Recorder{}
	if _, err := codectest.DecodeAll(s, []byte(req), rec); err != nil || !bytes.HasPrefix(rec.Replies, []byte("HTTP/1.1 101")) {
		t.Fatalf("upgrade: %v %q", err, rec.Replies)
	}
	if got := s.Ping([]byte{1}); !bytes.Equal(got, []byte{1, 0x89, 0x00}) {
		t.Fatalf("WebSocket Ping = % x, want 01 89 00", got)
	}
	if got := s.PingInterval(); got != 7*time.Second {
		t.Fatalf("WebSocket PingInterval = %v", got)
	}

	s = h.NewStream(codec.ConnInfo{}).(*hybrid.Stream)
	if _, err := codectest.DecodeAll(s, []byte{0xc7, 0x01}, &codectest.Recorder{}); err != nil {
		t.Fatal(err)
	}
	if got := s.Ping([]byte("x")); string(got) != "x" || s.PingInterval() >= 0 {
		t.Fatalf("gotio TCP: Ping % x, interval %v; want nothing, negative", got, s.PingInterval())
	}
}
