package engineio

import (
	"io"
	"testing"
)

// A POST body as socket.io-client batches it: three events and a pong.
var benchBody = []byte("42[\"chat.chatHandler.send\",{\"rid\":\"r1\",\"content\":\"hello\",\"from\":\"ann\",\"target\":\"*\"}]\x1e3\x1e42[\"typing\"]\x1ebAQIDBAUGBwgJCgsMDQ4P")

func BenchmarkPayloadDecode(b *testing.B) {
	scratch := make([]byte, 0, 64)
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewPayloadDecoder(benchBody)
		for {
			_, _, err := d.Next(scratch[:0])
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAppendPayload(b *testing.B) {
	packets := []Packet{
		{Type: TypeMessage, Data: []byte(`2["onChat",{"msg":"hello","from":"ann","target":"*"}]`)},
		{Type: TypePing},
		{Type: TypeMessage, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, Binary: true},
	}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AppendPayload(dst[:0], packets...); err != nil {
			b.Fatal(err)
		}
	}
}
