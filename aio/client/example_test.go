package client_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

// A client that reconnects with jittered exponential backoff and answers
// requests with a deadline.
func ExampleDial() {
	srv := aio.NewServer(&aio.Config{
		Codec: tcp.New(nil),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			if m.Kind == codec.Request {
				_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`{"code":200}`)})
			}
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{
		Codec:     tcp.New(nil),
		Reconnect: &client.Reconnect{Initial: 100 * time.Millisecond, Max: 10 * time.Second, MaxAttempts: 20},
	})
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	resp, err := cl.Request(ctx, "gate.gateHandler.queryEntry", []byte(`{"uid":"bob"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(resp.Body))
	// Output: {"code":200}
}

// Pushes reach the Handler, from the first byte the server sends; a
// Request from the Handler would wait for itself and fails at once.
func ExampleConfig_handler() {
	srv := aio.NewServer(&aio.Config{
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.Send(&codec.Message{Kind: codec.Push, Route: "onChat", Body: m.Body})
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan string, 1)
	cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{
		Handler: func(c *client.Client, m *codec.Message) {
			if m.Kind == codec.Push && m.Route == "onChat" {
				_, err := c.Request(ctx, "from.handler", nil)
				got <- string(m.Body) + " / " + err.Error()
			}
		},
	})
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	_ = cl.Notify("chat.send", []byte(`"hi"`))
	fmt.Println(<-got)
	// Output: "hi" / client: Request on the client's read goroutine would wait for itself
}
