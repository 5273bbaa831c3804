package hybrid_test

import (
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
)

type nopOutput struct{ messages int }

func (o *nopOutput) Message(*codec.Message)     { o.messages++ }
func (o *nopOutput) Reply([]byte)               {}
func (o *nopOutput) Handshaken(codec.Handshake) {}

// BenchmarkDecodeDelegated is the steady state of a hybrid connection: a
// gotio TCP request decoded through the hybrid stream.
func BenchmarkDecodeDelegated(b *testing.B) {
	s := hybrid.New(&hybrid.Config{TCP: tcp.New(nil)}).NewStream(codec.ConnInfo{})
	var out nopOutput
	if _, _, err := s.Decode(tcp.AppendHandshake(nil), &out); err != nil {
		b.Fatal(err)
	}
	frame, _ := tcp.AppendMessage(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"msg":"hello"}`)})
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if n, _, err := s.Decode(frame, &out); err != nil || n != len(frame) {
			b.Fatalf("n=%d err=%v", n, err)
		}
	}
}

// BenchmarkEncodeDelegated encodes a push through the hybrid stream.
func BenchmarkEncodeDelegated(b *testing.B) {
	s := hybrid.New(&hybrid.Config{TCP: tcp.New(nil)}).NewStream(codec.ConnInfo{})
	if _, _, err := s.Decode(tcp.AppendHandshake(nil), &nopOutput{}); err != nil {
		b.Fatal(err)
	}
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hello"}`)}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Encode(buf[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetect is the decision on a new connection, tcp stream included.
func BenchmarkDetect(b *testing.B) {
	h := hybrid.New(&hybrid.Config{TCP: tcp.New(nil)})
	in := tcp.AppendHandshake(nil)
	var out nopOutput
	b.ReportAllocs()
	for b.Loop() {
		s := h.NewStream(codec.ConnInfo{})
		if _, _, err := s.Decode(in, &out); err != nil {
			b.Fatal(err)
		}
	}
}
