package cluster_test

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// countNode holds every target and counts deliveries.
type countNode struct {
	id string
	n  atomic.Int64
}

func (c *countNode) NodeID() string                         { return c.id }
func (*countNode) Holds(aio.Target) bool                    { return true }
func (c *countNode) Deliver(aio.Target, *codec.Message) int { c.n.Add(1); return 1 }

// BenchmarkNATSCrossNode publishes a 128-byte push to a group on one node
// and waits until the other node has had every one delivered: the bus's
// cost per cross-node send over a loopback NATS server (encode, publish,
// NATS, receive, decode, hand to the node).
func BenchmarkNATSCrossNode(b *testing.B) {
	emb := startEmbedded(b, cluster.EmbeddedConfig{})
	pub, sub := newNATSBus(b, emb.URL, "pub"), newNATSBus(b, emb.URL, "sub")
	from, to := &countNode{id: "pub"}, &countNode{id: "sub"}
	for _, x := range []struct {
		bus  *cluster.NATS
		node *countNode
	}{{pub, from}, {sub, to}} {
		if err := x.bus.Attach(x.node); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = x.bus.Detach(x.node) })
	}
	g := aio.Target{Kind: target.Group, Key: "room-42"}
	sub.InterestChanged(to, g)
	if err := sub.Flush(5 * time.Second); err != nil {
		b.Fatal(err)
	}
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: bytes.Repeat([]byte("x"), 128)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pub.Publish(from, g, m); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			// Keep the receiver's queue from overflowing: this measures
			// delivery, not drops.
			for to.n.Load() < int64(i+1-4000) {
				time.Sleep(50 * time.Microsecond)
			}
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for to.n.Load() < int64(b.N) {
		if time.Now().After(deadline) || sub.Stats().Dropped > 0 {
			b.Fatalf("delivered %d of %d, dropped %d", to.n.Load(), b.N, sub.Stats().Dropped)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// BenchmarkNATSPublish is the publishing side alone: envelope and
// subject encoding, and handing the bytes to nats.go.
func BenchmarkNATSPublish(b *testing.B) {
	emb := startEmbedded(b, cluster.EmbeddedConfig{})
	pub := newNATSBus(b, emb.URL, "pub")
	from := &countNode{id: "pub"}
	g := aio.Target{Kind: target.Group, Key: "room-42"}
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: bytes.Repeat([]byte("x"), 128)}
	b.ReportAllocs()
	for b.Loop() {
		if err := pub.Publish(from, g, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocalPublish is a send crossing to another server in process.
func BenchmarkLocalPublish(b *testing.B) {
	bus := cluster.NewLocal()
	from, to := &countNode{id: "a"}, &countNode{id: "b"}
	_ = bus.Attach(from)
	_ = bus.Attach(to)
	g := aio.Target{Kind: target.Group, Key: "room-42"}
	bus.InterestChanged(to, g)
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte("hello")}
	b.ReportAllocs()
	for b.Loop() {
		_ = bus.Publish(from, g, m)
	}
	if to.n.Load() == 0 {
		b.Fatal("nothing delivered")
	}
}
