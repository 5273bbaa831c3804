package protobuf

import "testing"

func BenchmarkEncodeChat(b *testing.B) {
	s := loadTestSchema(b, "serverProtos.json")
	body := []byte(`{"msg":"hello, everyone in the room","from":"alice","target":"*"}`)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var err error
		if buf, err = s.Encode(buf[:0], "onChat", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeChat(b *testing.B) {
	s := loadTestSchema(b, "serverProtos.json")
	enc, err := s.Encode(nil, "onChat", []byte(`{"msg":"hello, everyone in the room","from":"alice","target":"*"}`))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if buf, err = s.Decode(buf[:0], "onChat", enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeAllTypes(b *testing.B) {
	s := loadTestSchema(b, "all.json")
	body := []byte(`{"u":300,"i":-1,"s":-2147483648,"f":0.1,"d":-1.5e-7,"str":"text","ru":[0,1,127,128],"inner":{"name":"n","pts":[{"x":-1,"y":2},{"x":100000,"y":-100000}],"deep":{"v":9}}}`)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Encode(buf[:0], "all.types", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAllTypes(b *testing.B) {
	s := loadTestSchema(b, "all.json")
	enc, err := s.Encode(nil, "all.types", []byte(`{"u":300,"i":-1,"s":-2147483648,"f":0.1,"d":-1.5e-7,"str":"text","ru":[0,1,127,128],"inner":{"name":"n","pts":[{"x":-1,"y":2},{"x":100000,"y":-100000}],"deep":{"v":9}}}`))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = s.Decode(buf[:0], "all.types", enc); err != nil {
			b.Fatal(err)
		}
	}
}
