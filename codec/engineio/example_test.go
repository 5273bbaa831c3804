package engineio_test

import (
	"fmt"
	"io"
	"time"

	"github.com/gotio/gotio/codec/engineio"
)

// A server's first poll answer: the open packet.
func ExampleAppendOpen() {
	b := engineio.AppendOpen(nil, &engineio.Open{
		SID:          "lv_VI97HAXpY6yYWAAAC",
		Upgrades:     []string{"websocket"},
		PingInterval: 25 * time.Second,
		PingTimeout:  20 * time.Second,
		MaxPayload:   1_000_000,
	})
	fmt.Printf("%s\n", b)
	// Output: 0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
}

// A POST body holds several packets; base64 data is decoded into scratch.
func ExamplePayloadDecoder() {
	d := engineio.NewPayloadDecoder([]byte("4hello\x1e2\x1ebAQIDBA=="))
	var scratch []byte
	for {
		p, out, err := d.Next(scratch[:0])
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("refuse:", err)
			return
		}
		scratch = out
		fmt.Printf("%v binary=%v %q\n", p.Type, p.Binary, p.Data)
	}
	// Output:
	// message binary=false "hello"
	// ping binary=false ""
	// message binary=true "\x01\x02\x03\x04"
}

// A poll answer joins the queued packets; a WebSocket sends each in its
// own frame.
func ExampleAppendPayload() {
	text := engineio.Packet{Type: engineio.TypeMessage, Data: []byte(`2["onChat",{"msg":"hi"}]`)}
	bin := engineio.Packet{Type: engineio.TypeMessage, Data: []byte{1, 2, 3}, Binary: true}
	poll, _ := engineio.AppendPayload(nil, text, bin)
	fmt.Printf("%q\n", poll)
	frame, binary, _ := engineio.AppendPacket(nil, &bin)
	fmt.Printf("%q binary=%v\n", frame, binary)
	// Output:
	// "42[\"onChat\",{\"msg\":\"hi\"}]\x1ebAQID"
	// "\x01\x02\x03" binary=true
}

// A refused request: status, content type and body as engine.io@6 sends.
func ExampleRequestError() {
	e := &engineio.RequestError{Code: engineio.CodeUnknownSID, Reason: "no session abc"}
	fmt.Println(e.Status(), engineio.ErrorContentType, string(e.AppendBody(nil)))
	fmt.Println(e)
	// Output:
	// 400 application/json {"code":1,"message":"Session ID unknown"}
	// engineio: Session ID unknown (no session abc)
}
