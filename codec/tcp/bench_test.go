package tcp_test

import (
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

var benchMessage = codec.Message{Kind: codec.Request, ID: 12345, Route: "chat.chatHandler.send",
	Body: []byte(`{"rid":"room-1","content":"hello, world","from":"alice","target":"*"}`)}

func BenchmarkDecodeServer(b *testing.B) {
	c := tcp.New(nil)
	s := handshaken(b, c)
	frame := encode(b, newClient(c), benchMessage)
	var out countingOutput
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if n, _, err := s.Decode(frame, &out); err != nil || n != len(frame) {
			b.Fatalf("n=%d err=%v", n, err)
		}
	}
}

func BenchmarkDecodeClient(b *testing.B) {
	c := tcp.New(nil)
	s := acked(b, c)
	m := benchMessage
	m.Kind, m.ID = codec.Push, 0
	frame := encode(b, handshaken(b, c), m)
	var out countingOutput
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if n, _, err := s.Decode(frame, &out); err != nil || n != len(frame) {
			b.Fatalf("n=%d err=%v", n, err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	s := handshaken(b, tcp.New(nil))
	m := benchMessage
	m.Kind, m.ID = codec.Push, 0
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Encode(buf[:0], &m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
