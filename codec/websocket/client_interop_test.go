package websocket_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// TestAioDialOverTCPRefused: a user who gives this server-only codec to
// client.Dial over TCP gets, at once, an error wrapping codec.ErrUnsupported
// that says to use client.Config.WebSocket, and writes no byte to
// the server.
func TestAioDialOverTCPRefused(t *testing.T) {
	received := make(chan int, 16)
	s := aio.NewServer(&aio.Config{
		Codec:      websocket.New(nil),
		Handler:    aio.HandlerFunc(func(*aio.ChannelContext, *codec.Message) {}),
		OnReceived: byteCounter{n: received}.OnReceived,
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{
		Codec:       websocket.New(nil),
		DialTimeout: 5 * time.Second,
	})
	if err == nil {
		cl.Close()
		t.Fatal("client.Dial over TCP with codec/websocket succeeded")
	}
	if !errors.Is(err, codec.ErrUnsupported) || !strings.Contains(err.Error(), "client.Config.WebSocket") {
		t.Fatalf("err %v, want codec.ErrUnsupported naming client.Config.WebSocket", err)
	}
	t.Logf("Dial: %v", err)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Dial took %v: it must fail at once, not at DialTimeout", d)
	}
	select {
	case n := <-received:
		t.Fatalf("the client wrote %d bytes", n)
	case <-time.After(100 * time.Millisecond):
	}
}

// byteCounter reports each read's byte count.
type byteCounter struct {
	n chan<- int
}

func (l byteCounter) OnReceived(_ *aio.ChannelContext, n int) {
	select {
	case l.n <- n:
	default:
	}
}

// TestAioClientOverGorilla: aio's client dials the server's JSON route
// the one way Go clients dial WebSocket, with client.Config.WebSocket
// (gorilla/websocket) and the inner codec as Codec: a request is answered
// and a push arrives, JSON envelopes both ways, on a "ws" server connection.
func TestAioClientOverGorilla(t *testing.T) {
	routes := []websocket.Route{{Path: "/rpc", Inner: websocket.JSON}}
	protocols := make(chan string, 1)
	s := aio.NewServer(&aio.Config{
		Codec: websocket.New(&websocket.Config{Routes: routes}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			if m.Kind == codec.Request {
				select {
				case protocols <- c.Protocol():
				default:
				}
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
	cl, err := client.Dial(ctx, "", &client.Config{
		Codec:     websocket.JSON,
		WebSocket: &client.WebSocket{URL: "ws://" + s.Addr().String() + "/rpc", Text: true},
		Handler: func(_ *client.Client, m *codec.Message) {
			if m.Route == "onSeen" {
				pushed <- string(m.Body)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
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
	if p := <-protocols; p != "ws" {
		t.Fatalf("server connection protocol %q", p)
	}
}
