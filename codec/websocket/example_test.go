package websocket_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/websocket"
)

// A WebSocket server on aio: JSON envelopes on /ws, plain messages
// elsewhere, the page that opens them on the same port, and compression
// for clients that accept it. A Go client (client.Dial with gorilla/websocket
// underneath) asks it once.
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
	if err := srv.Listen("127.0.0.1:0"); err != nil { // srv.ListenAndServe(":8080")
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, "", &client.Config{
		Codec:     websocket.JSON,
		WebSocket: &client.WebSocket{URL: "ws://" + srv.Addr().String() + "/ws", Text: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cl.Close()
	resp, err := cl.Request(ctx, "chat.send", []byte(`{"text":"hi"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cl.Protocol(), resp.Kind, string(resp.Body))
	// Output: ws response {"text":"hi"}
}

// A foreign codec rides inside WebSocket messages by its route: here
// pomelo's. Each whole message is decoded by the inner stream until
// consumed; each Encode of it leaves as one binary message. A connection
// reports the inner protocol over WebSocket ("pomelo-ws"), or "ws" when the
// inner codec names none (Plain, JSON).
func ExampleRoute() {
	ws := websocket.New(&websocket.Config{Routes: []websocket.Route{
		{Path: "/pomelo", Inner: pomelo.NewWS(nil), Binary: true},
		{Subprotocol: "json", Inner: websocket.JSON},
		{},
	}})
	for _, path := range []string{"/pomelo", "/"} {
		s := ws.NewStream(codec.ConnInfo{})
		req := "GET " + path + " HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
		codectest.DecodeAll(s, []byte(req), &codectest.Recorder{})
		fmt.Println(path, s.Protocol())
	}
	// Output:
	// /pomelo pomelo-ws
	// / ws
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
