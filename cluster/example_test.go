package cluster_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/testcodec"
)

// Two servers in one process share a Local bus: a send on one reaches a
// user held by the other.
func ExampleNewLocal() {
	bus := cluster.NewLocal()
	login := aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
		_ = c.BindUser(string(m.Body)) // the client says who it is
		_ = c.Send(&codec.Message{Body: []byte("welcome")})
	})
	a := aio.NewServer(&aio.Config{Codec: testcodec.Length{}, Bus: bus, NodeID: "a"})
	b := aio.NewServer(&aio.Config{Codec: testcodec.Length{}, Bus: bus, NodeID: "b", Handler: login})
	for _, s := range []*aio.Server{a, b} {
		if err := s.Listen("127.0.0.1:0"); err != nil {
			panic(err)
		}
		defer s.Close()
	}

	bob := exampleDial(b)
	defer bob.nc.Close()
	_ = bob.send("bob")
	welcome, _ := bob.recv(5 * time.Second)
	fmt.Println(welcome)

	n, err := a.SendToUser("bob", &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte("hello from a")})
	fmt.Println("local connections reached on a:", n, "bus error:", err)
	got, _ := bob.recv(5 * time.Second)
	fmt.Println(got)
	// Output:
	// welcome
	// local connections reached on a: 0 bus error: <nil>
	// hello from a
}

// A NATS server inside the process, and a bus joined to it: what
// `go run ./examples/chat` does when no -nats URL is given.
func ExampleStartEmbedded() {
	emb, err := cluster.StartEmbedded(cluster.EmbeddedConfig{})
	if err != nil {
		panic(err)
	}
	defer emb.Shutdown()
	bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: emb.URL, Name: "connector-1", App: "chat"})
	if err != nil {
		panic(err)
	}
	defer bus.Close()
	// srv := aio.NewServer(&aio.Config{Codec: …, Bus: bus}) — then serve;
	// close the server before the bus.
	fmt.Println("connected:", bus.Conn().IsConnected(), "app:", bus.App())
	// Output: connected: true app: chat
}

// A unique-login directory in NATS JetStream key-value.
func ExampleNewDirectory() {
	emb, err := cluster.StartEmbedded(cluster.EmbeddedConfig{})
	if err != nil {
		panic(err)
	}
	defer emb.Shutdown()
	bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: emb.URL, App: "chat"})
	if err != nil {
		panic(err)
	}
	defer bus.Close()
	ctx := context.Background()
	kv, err := bus.SessionBucket(ctx)
	if err != nil {
		panic(err)
	}
	dir := cluster.NewDirectory(bus, kv, cluster.RejectNew)

	// In a handler: s := cluster.LocationOf(c); on success, c.BindUser.
	s := cluster.Location{Node: "connector-1", Conn: 42}
	ok, kicked, err := dir.Login(ctx, "alice", s)
	fmt.Println(ok, kicked, err)
	ok, kicked, err = dir.Login(ctx, "alice", s) // the same session again
	fmt.Println(ok, kicked, err)
	holder, _, _ := dir.Lookup(ctx, "alice")
	fmt.Println(holder.Node, holder.Conn)
	// In Listener.OnBeforeClose:
	_ = dir.Logout(ctx, "alice", s)
	_, held, _ := dir.Lookup(ctx, "alice")
	fmt.Println("held after logout:", held)
	// Output:
	// true false <nil>
	// true false <nil>
	// connector-1 42
	// held after logout: false
}
