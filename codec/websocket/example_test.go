package websocket_test

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
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

// The codec is pure: a client stream and a server stream of this package
// talk through byte slices, no socket involved.
func Example_inMemory() {
	cfg := &websocket.Config{
		Routes: []websocket.Route{{Inner: websocket.JSON}},
		Dial:   &websocket.Dial{Host: "example.com", Path: "/chat"},
	}
	ws := websocket.New(cfg)
	client := ws.NewStream(codec.ConnInfo{Client: true})
	server := ws.NewStream(codec.ConnInfo{})
	toServer, toClient := &codec.Recorder{}, &codec.Recorder{}

	req, _ := client.(codec.Opener).Open(nil)
	codec.DecodeAll(server, req, toServer)
	status, _, _ := bytes.Cut(toServer.Replies, []byte("\r\n"))
	fmt.Printf("%s, path %s\n", status, toServer.Handshakes[0].Path)

	codec.DecodeAll(client, toServer.Replies, toClient)
	frame, _ := client.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"text":"hi"}`)})
	codec.DecodeAll(server, frame, toServer)
	m := toServer.Messages[0]
	fmt.Printf("%s %d %s %s over %s\n", m.Kind, m.ID, m.Route, m.Body, server.Protocol())

	push, _ := server.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"text":"hello"}`)})
	fmt.Printf("push on the wire: %q\n", push)
	// Output:
	// HTTP/1.1 101 Switching Protocols, path /chat
	// request 1 chat.send {"text":"hi"} over ws
	// push on the wire: "\x81*{\"route\":\"onChat\",\"body\":{\"text\":\"hello\"}}"
}
