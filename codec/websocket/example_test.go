package websocket_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/websocket"
)

// A WebSocket server on aio: JSON envelopes on /ws, plain messages
// elsewhere, the page that opens them on the same port, and compression
// for clients that accept it.
func ExampleNew() {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<script>new WebSocket("ws://"+location.host+"/ws").onmessage = e => console.log(e.data)</script>`)
	})
	ws := websocket.New(&websocket.Config{
		Routes: []websocket.Route{
			{Path: "/ws", Inner: websocket.JSON},
			{}, // everything else: Plain
		},
		HTTP:    page,
		Deflate: &websocket.Deflate{ClientContext: true},
	})
	srv := aio.NewServer(&aio.Config{
		Codec: ws,
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body})
		}),
	})
	_ = srv // srv.ListenAndServe(":8080")
}

// A foreign codec rides inside WebSocket messages by its route: here
// gotio's own JSON stands in for pomelo. Each whole message is decoded by
// the inner stream until consumed; each Encode of it leaves as one binary
// message. Its connections report Protocol "<inner>-ws".
func ExampleRoute() {
	var pomelo codec.Codec = websocket.JSON // codec/pomelo's codec in a real server
	_ = websocket.New(&websocket.Config{Routes: []websocket.Route{
		{Path: "/pomelo", Inner: pomelo, Binary: true},
		{Subprotocol: "json", Inner: websocket.JSON},
		{},
	}})
}

// The codec is pure: a server stream is shown bytes and answers with
// bytes, no socket involved. Here the client's side is written by hand: an
// upgrade request and one masked frame.
func Example_inMemory() {
	ws := websocket.New(&websocket.Config{Routes: []websocket.Route{{Inner: websocket.JSON}}})
	server := ws.NewStream(codec.ConnInfo{})
	out := &codectest.Recorder{}

	req := "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	codectest.DecodeAll(server, []byte(req), out)
	status, _, _ := bytes.Cut(out.Replies, []byte("\r\n"))
	fmt.Printf("%s, path %s\n", status, out.Handshakes[0].Path)

	codectest.DecodeAll(server, maskedText(`{"id":1,"route":"chat.send","body":{"text":"hi"}}`), out)
	m := out.Messages[0]
	fmt.Printf("%s %d %s %s over %s\n", m.Kind, m.ID, m.Route, m.Body, server.Protocol())

	push, _ := server.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"text":"hello"}`)})
	fmt.Printf("push on the wire: %q\n", push)
	// Output:
	// HTTP/1.1 101 Switching Protocols, path /chat
	// request 1 chat.send {"text":"hi"} over ws
	// push on the wire: "\x81*{\"route\":\"onChat\",\"body\":{\"text\":\"hello\"}}"
}

// maskedText is a client's text frame (payload under 126 bytes), masked
// with a fixed key: fine for an example, where a real client draws a fresh
// key per frame.
func maskedText(payload string) []byte {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	b := append([]byte{0x81, 0x80 | byte(len(payload))}, key[:]...)
	for i := 0; i < len(payload); i++ {
		b = append(b, payload[i]^key[i%4])
	}
	return b
}

// A Go client reaches the server's JSON route with aio.Dial and
// aio.ClientConfig.WebSocket, which dials with gorilla/websocket; Codec is
// the inner codec. This package has no client side: given to aio.Dial over
// TCP, it fails the Dial with an error wrapping codec.ErrUnsupported.
func Example_goClient() {
	ctx := context.Background()
	cl, err := aio.Dial(ctx, "", &aio.ClientConfig{
		Codec:     websocket.JSON,
		WebSocket: &aio.WebSocketDial{URL: "ws://127.0.0.1:8080/ws", Text: true},
	})
	if err != nil {
		return
	}
	defer cl.Close()
	resp, _ := cl.Request(ctx, "chat.send", []byte(`{"text":"hi"}`))
	_ = resp
}
