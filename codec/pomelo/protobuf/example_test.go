package protobuf_test

import (
	"fmt"

	"github.com/gotio/gotio/codec/pomelo/protobuf"
)

// A chatofpomelo serverProtos.json: the server pushes onChat with three
// strings.
func ExampleParse() {
	s, err := protobuf.Parse([]byte(`{
		"onChat": {
			"required string msg": 1,
			"required string from": 2,
			"required string target": 3
		}
	}`))
	if err != nil {
		panic(err)
	}
	enc, err := s.Encode(nil, "onChat", []byte(`{"msg":"hi","from":"alice","target":"*"}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", enc)
	dec, _ := s.Decode(nil, "onChat", enc)
	fmt.Println(string(dec))
	// Output:
	// 0a 02 68 69 12 05 61 6c 69 63 65 1a 01 2a
	// {"msg":"hi","from":"alice","target":"*"}
}

// pomelo-protobuf has no bool and spells its integer types in camel case:
// a schema that says uint32 is refused when it loads, not when a message
// comes out garbled.
func ExampleParse_misspelt() {
	_, err := protobuf.Parse([]byte(`{"onMove": {"required uint32 x": 1}}`))
	fmt.Println(err)
	// Output:
	// protobuf: bad schema: onMove.x: unknown type "uint32" (pomelo-protobuf spells it uInt32 / sInt32)
}
