package hybrid_test

import (
	"errors"
	"fmt"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
)

// Example serves gotio TCP on a hybrid port and shows how the first bytes
// of each connection choose its protocol. A real port also sets PomeloTCP
// (codec/pomelo) and HTTP (codec/websocket).
func Example() {
	port := hybrid.New(&hybrid.Config{TCP: tcp.New(nil)})

	for _, first := range [][]byte{
		{0xC7, 0x01},                 // gotio TCP handshake
		[]byte("GE"),                 // too short to tell
		[]byte("GET / HTTP/1.1\r\n"), // HTTP: not configured here
		{0x16, 0x03, 0x01},           // TLS ClientHello
		[]byte("hello"),              // nobody's protocol
	} {
		s := port.NewStream(codec.ConnInfo{})
		var out codectest.Recorder
		n, need, err := s.Decode(first, &out)
		switch {
		case errors.Is(err, hybrid.ErrTLS):
			fmt.Println("refused TLS")
		case err != nil:
			fmt.Println("refused:", err)
		case n == 0:
			fmt.Printf("%q: need %d bytes\n", first, need)
		default:
			fmt.Printf("protocol %s, replied % x\n", s.Protocol(), out.Replies)
		}
	}
	// Output:
	// protocol tcp, replied 00 00 00 01 01
	// "GE": need 4 bytes
	// refused: hybrid: protocol not served on this port: http (first byte 0x47)
	// refused TLS
	// refused: hybrid: unknown protocol: first byte 0x68 ("hello")
}
