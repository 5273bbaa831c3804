package aio_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

// A server that puts every connection in a group and relays what it hears
// to the group.
func ExampleNewServer() {
	srv := aio.NewServer(&aio.Config{
		Codec: tcp.New(nil),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.BindGroup("lobby")
			c.Server().SendToGroup("lobby", &codec.Message{Kind: codec.Push, Route: "onChat", Body: m.Body})
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan string, 1)
	cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(_ *client.Client, m *codec.Message) {
		if m.Route == "onChat" {
			got <- string(m.Body)
		}
	}})
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	_ = cl.Notify("chat.send", []byte(`"hi"`))
	fmt.Println(<-got)
	// Output: "hi"
}

// Bindings name connections; sends reach them by name.
func ExampleChannelContext_BindUser() {
	srv := aio.NewServer(&aio.Config{
		Codec: tcp.New(nil),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.BindUser(string(m.Body))
			_ = c.BindToken("device-42")
			c.Server().SendToUser(string(m.Body), &codec.Message{Kind: codec.Push, Route: "welcome", Body: []byte(`"hello ` + string(m.Body) + `"`)})
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan string, 1)
	cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(_ *client.Client, m *codec.Message) {
		if m.Route == "welcome" {
			got <- string(m.Body)
		}
	}})
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	_ = cl.Notify("login", []byte("bob"))
	fmt.Println(<-got, srv.Count(aio.User("bob")), len(srv.Conns(aio.Token("device-42"))))
	// Output: "hello bob" 1 1
}

// Lookups name connections with the same Targets as the sends: Conns,
// Count and Page for the connections a Target names, Keys for the names
// bound of one kind.
func ExampleServer_Count() {
	srv := aio.NewServer(&aio.Config{
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			user, room, _ := strings.Cut(string(m.Body), "@")
			_ = c.BindUser(user)
			_ = c.BindGroup(room)
			_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID})
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, who := range []string{"ann@lobby", "bob@lobby", "cat@garden"} {
		cl, err := client.Dial(ctx, srv.Addr().String(), nil) // codec/tcp, as the server's zero Config
		if err != nil {
			panic(err)
		}
		defer cl.Close()
		if _, err := cl.Request(ctx, "enter", []byte(who)); err != nil {
			panic(err)
		}
	}
	rooms, n := srv.Keys(aio.Group, 0, 10)
	page, total := srv.Page(aio.Group("lobby"), 0, 1)
	fmt.Println(srv.Count(aio.All()), srv.Count(aio.Group("lobby")), rooms, n)
	fmt.Println(len(page), total, len(srv.Conns(aio.User("cat"))), srv.Count(aio.IP("127.0.0.1")))
	// Output:
	// 3 2 [garden lobby] 2
	// 1 2 1 3
}
