package socketio

import (
	"testing"

	"github.com/gotio/gotio/codec"
)

// BenchmarkDecodeRequest is the inbound hot path: a socket.io request
// parsed, checked and mapped onto a codec.Message.
func BenchmarkDecodeRequest(b *testing.B) {
	in := []byte(`27["chat.chatHandler.send",{"rid":"r1","content":"hello","from":"ann","target":"*"}]`)
	var d Decoder
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		p, done, err := d.Text(in)
		if err != nil || !done {
			b.Fatal(err)
		}
		if _, _, err := ToMessage(nil, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodePush is the outbound hot path: a room push encoded once
// per broadcast.
func BenchmarkEncodePush(b *testing.B) {
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hello","from":"ann","target":"*"}`)}
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AppendMessage(dst[:0], "/", m); err != nil {
			b.Fatal(err)
		}
	}
}
