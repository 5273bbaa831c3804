package pomelo

import (
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

type nopOutput struct{ n int }

func (o *nopOutput) Message(m *codec.Message)   { o.n += len(m.Body) }
func (o *nopOutput) Reply(b []byte)             {}
func (o *nopOutput) Handshaken(codec.Handshake) {}

func benchDecode(b *testing.B, name string) {
	g := golden(b)
	c := mustNew(b, chatConfig(b))
	s := handshaken(b, c, g)
	in := g.bytes(b, name)
	var out nopOutput
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if n, _, err := s.Decode(in, &out); err != nil || n != len(in) {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkDecodeRequestJSON: a request with a text route and a JSON body,
// the route interned: no allocation.
func BenchmarkDecodeRequestJSON(b *testing.B) { benchDecode(b, "req_json") }

// BenchmarkDecodeRequestProtobuf: a dictionary route and a pomelo-protobuf
// body transcoded to JSON in pooled scratch space.
func BenchmarkDecodeRequestProtobuf(b *testing.B) { benchDecode(b, "req_code_pb") }

func benchEncode(b *testing.B, m *codec.Message) {
	g := golden(b)
	s := handshaken(b, mustNew(b, chatConfig(b)), g)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Encode(buf[:0], m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkEncodePushJSON(b *testing.B) {
	benchEncode(b, &codec.Message{Kind: codec.Push, Route: "onSystem", Body: []byte(`{"text":"hello, everyone in the room","n":1}`)})
}

func BenchmarkEncodePushProtobuf(b *testing.B) {
	benchEncode(b, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hello, everyone in the room","from":"alice","target":"*"}`)})
}

func BenchmarkEncodeResponseJSON(b *testing.B) {
	benchEncode(b, &codec.Message{Kind: codec.Response, ID: 1234, Route: "area.playerHandler.move", Body: []byte(`{"code":200,"ok":true}`)})
}

func BenchmarkDecodeBatch(b *testing.B) {
	g := golden(b)
	c := mustNew(b, chatConfig(b))
	s := c.NewStream(codec.ConnInfo{Client: true})
	var rec codectest.Recorder
	decodeAll(b, s, g.bytes(b, "reply_full"), &rec)
	in := g.bytes(b, "batch")
	var out nopOutput
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if n, _, err := s.Decode(in, &out); err != nil || n != len(in) {
			b.Fatal(n, err)
		}
	}
}
