package socketio_test

import (
	"fmt"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/socketio"
)

// A socket.io request reaches a handler as the pomelo request with the
// same route and body would; the handler's response becomes the ack.
func ExampleToMessage() {
	// socket.emit("connector.entryHandler.enter", {username: "ann", rid: "r1"}, ack)
	var d socketio.Decoder
	p, done, err := d.Text([]byte(`27["connector.entryHandler.enter",{"username":"ann","rid":"r1"}]`))
	if err != nil || !done {
		fmt.Println(err)
		return
	}
	m, _, _ := socketio.ToMessage(nil, &p)
	fmt.Println(m.Kind, m.ID, m.Route, string(m.Body))

	ack, _ := socketio.AppendMessage(nil, p.Namespace, &codec.Message{Kind: codec.Response, ID: m.ID, Body: []byte(`{"users":["ann"]}`)})
	fmt.Println(string(ack))
	push, _ := socketio.AppendMessage(nil, "/", &codec.Message{Kind: codec.Push, Route: "onAdd", Body: []byte(`{"user":"bob"}`)})
	fmt.Println(string(push))
	// Output:
	// request 7 connector.entryHandler.enter {"username":"ann","rid":"r1"}
	// 37[{"users":["ann"]}]
	// 2["onAdd",{"user":"bob"}]
}

// Binary arguments become placeholders; their bytes follow the packet as
// engine.io binary messages, and the Decoder puts them back in order.
func ExampleAppendEvent() {
	args := []socketio.Arg{{JSON: []byte(`"photo.png"`)}, {Binary: []byte{0x89, 'P', 'N', 'G'}}}
	text, _ := socketio.AppendEvent(nil, socketio.Header{Namespace: "/upload"}, "file", args...)
	fmt.Println(string(text))

	var d socketio.Decoder
	_, done, _ := d.Text(text)
	fmt.Println("complete:", done, "awaiting:", d.Awaiting())
	p, done, _ := d.Binary(args[1].Binary)
	fmt.Printf("complete: %v %s attachment 0: %q\n", done, p.Data, p.Attachments[0])
	// Output:
	// 51-/upload,["file","photo.png",{"_placeholder":true,"num":0}]
	// complete: false awaiting: 1
	// complete: true ["file","photo.png",{"_placeholder":true,"num":0}] attachment 0: "\x89PNG"
}

// Joining namespaces: the client's CONNECT with its auth payload, and the
// server's two possible answers.
func ExampleParsePacket() {
	p, _ := socketio.ParsePacket([]byte(`0/admin,{"token":"123"}`), 0)
	fmt.Println(p.Type, p.Namespace, string(p.Data))
	ok, _ := socketio.AppendConnect(nil, "/admin", "oSO0OpakMV_3jnilAAAA")
	refused, _ := socketio.AppendConnectError(nil, "/nope", "Invalid namespace", nil)
	fmt.Println(string(ok))
	fmt.Println(string(refused))
	// Output:
	// CONNECT /admin {"token":"123"}
	// 0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}
	// 4/nope,{"message":"Invalid namespace"}
}
