package websocket_test

import (
	"context"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// TestAioClientOverRawTCP: aio's client dials plain TCP and lets this
// package's client stream do the upgrade and the masking: a request is
// answered and a push arrives, JSON envelopes both ways.
func TestAioClientOverRawTCP(t *testing.T) {
	routes := []websocket.Route{{Path: "/rpc", Inner: websocket.JSON}}
	s := aio.NewServer(&aio.Config{
		Codec: websocket.New(&websocket.Config{Routes: routes}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			if m.Kind == codec.Request {
				_ = c.Send(&codec.Message{Kind: codec.Push, Route: "onSeen", Body: []byte(`{"route":"` + m.Route + `"}`)})
				_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Body: m.Body})
			}
		}),
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pushed := make(chan string, 1)
	cl, err := aio.Dial(ctx, s.Addr().String(), &aio.ClientConfig{
		Codec: websocket.New(&websocket.Config{Routes: routes, Dial: &websocket.Dial{Host: "localhost", Path: "/rpc"}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cl.OnPush("onSeen", func(m *codec.Message) { pushed <- string(m.Body) })
	resp, err := cl.Request(ctx, "chat.send", []byte(`{"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Kind != codec.Response || string(resp.Body) != `{"text":"hi"}` {
		t.Fatalf("response %+v", resp)
	}
	select {
	case p := <-pushed:
		if p != `{"route":"chat.send"}` {
			t.Fatalf("push %s", p)
		}
	case <-ctx.Done():
		t.Fatal("no push")
	}
	if p := cl.Protocol(); p != "ws" {
		t.Fatalf("client protocol %q", p)
	}
}
