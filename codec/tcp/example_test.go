package tcp_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// Example runs a gotio TCP session between a client stream and a server
// stream without a socket: handshake, a request, its response. aio does the
// same over a connection.
func Example() {
	c := tcp.New(&tcp.Config{HeartbeatInterval: 30 * time.Second})
	client := c.NewStream(codec.ConnInfo{Client: true})
	server := c.NewStream(codec.ConnInfo{})

	// The client speaks first: the handshake, then (without waiting) a request.
	wire, _ := client.(codec.Opener).Open(nil)
	wire, _ = client.Encode(wire, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"msg":"hi"}`)})
	fmt.Printf("client sends % x\n", wire[:2])

	var atServer codectest.Recorder
	n, need, err := server.Decode(wire, &atServer)
	fmt.Println("server consumed", n, "of", len(wire), need, err)
	req := atServer.Messages[0]
	fmt.Println("server got", req.Kind, req.ID, req.Route, string(req.Body))

	// The server's replies (the handshake-ack) and its response go back.
	back := atServer.Replies
	back, _ = server.Encode(back, &codec.Message{Kind: codec.Response, ID: req.ID, Body: []byte(`{"ok":true}`)})

	var atClient codectest.Recorder
	codectest.DecodeAll(client, back, &atClient)
	fmt.Println("client handshake:", atClient.Handshakes[0].Protocol, "heartbeat every", client.(*tcp.ClientStream).HeartbeatInterval())
	resp := atClient.Messages[0]
	fmt.Println("client got", resp.Kind, resp.ID, string(resp.Body))
	fmt.Println("format", server.Format())
	// Output:
	// client sends c7 01
	// server consumed 30 of 30 0 <nil>
	// server got request 1 chat.send {"msg":"hi"}
	// client handshake: tcp heartbeat every 30s
	// client got response 1 {"ok":true}
	// format tcp/1
}

// ExampleCloseError shows how a client learns why the server closed.
func ExampleCloseError() {
	c := tcp.New(nil)
	server := c.NewStream(codec.ConnInfo{})
	client := c.NewStream(codec.ConnInfo{Client: true})

	bye := server.(codec.Goodbyer).Goodbye(nil, codec.Farewell{Reason: "duplicate login"})
	_, _, err := client.Decode(bye, &codectest.Recorder{})

	var ce *tcp.CloseError
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, "/", ce.Reason)
	}
	fmt.Println(errors.Is(err, codec.ErrPeerClosed))
	// Output:
	// kicked / duplicate login
	// true
}
