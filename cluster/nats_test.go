package cluster_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// TestNATSSharedBus: two servers in one process on one NATS client (a TCP
// port and another port, say) reach each other's members, and a third
// node elsewhere reaches both, once each.
func TestNATSSharedBus(t *testing.T) {
	emb := startEmbedded(t, cluster.EmbeddedConfig{})
	shared := newNATSBus(t, emb.URL, "shared")
	other := newNATSBus(t, emb.URL, "other")
	dir := cluster.NewLocalDirectory(cluster.NewLocal(), cluster.RejectNew) // login bookkeeping only
	s0 := startNode(t, "s0", shared, dir)
	s1 := startNode(t, "s1", shared, dir)
	s2 := startNode(t, "s2", other, dir)
	a, b, c := dial(t, s0), dial(t, s1), dial(t, s2)
	for _, p := range []*peer{a, b, c} {
		p.mustCall("join room", "ok join")
	}
	b.mustCall("login bob", "ok login kicked=false")
	waitFor(t, "subscriptions", func() bool {
		return shared.Subscribed("s0", group("room")) && shared.Subscribed("s1", group("room")) &&
			shared.Subscribed("s1", user("bob")) && other.Subscribed("s2", group("room"))
	})
	for _, bus := range []*cluster.NATS{shared, other} {
		if err := bus.Flush(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	a.mustCall("to bob hi", "ok to")
	b.waitMsg("hi")
	a.mustCall("group room X", "ok group")
	c.mustCall("group room F", "ok group") // another publisher: fence after X reached c
	a.mustCall("group room F2", "ok group")
	for i, p := range []*peer{a, b, c} {
		if got := p.countUntil("X", "F2"); got != 1 {
			t.Fatalf("member %d got X %d times", i, got)
		}
	}
	// s0's own publication came back on the shared client and was skipped.
	if st := shared.Stats(); st.Echoes == 0 {
		t.Fatalf("no echo skipped: %+v", st)
	}
	if st := shared.Stats(); st.Interests != 3 {
		t.Fatalf("interests %d, want 3", st.Interests)
	}
	// A stopped server leaves the bus with all its subscriptions.
	_ = s1.srv.Close()
	if shared.Subscribed("s1", group("room")) || shared.Subscribed("s1", user("bob")) {
		t.Fatal("s1 still subscribed after its server closed")
	}
	if st := shared.Stats(); st.Interests != 1 {
		t.Fatalf("interests %d after s1 closed, want 1", st.Interests)
	}
	waitFor(t, "s1's subscriptions gone at the server", func() bool {
		for _, s := range serverSubs(t, emb, "shared") {
			if s == subjectOf("test", user("bob")) {
				return false
			}
		}
		return slices.Contains(serverSubs(t, emb, "shared"), subjectOf("test", group("room")))
	})
}

// TestNATSMalformed: garbage on gotio's subjects is counted and dropped,
// and an envelope replayed on a subject other than its target's is
// refused: a message reaches the members of its own subject only.
func TestNATSMalformed(t *testing.T) {
	emb := startEmbedded(t, cluster.EmbeddedConfig{})
	bus := newNATSBus(t, emb.URL, "n0")
	n0 := startNode(t, "n0", bus, nil)
	p := dial(t, n0)
	p.mustCall("join room", "ok join")
	waitFor(t, "subscription", func() bool { return bus.Subscribed("n0", group("room")) })
	if err := bus.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}

	raw, err := nats.Connect(emb.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	capture, err := raw.SubscribeSync(subjectOf("test", group("room")))
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Flush(); err != nil {
		t.Fatal(err)
	}
	other := newNATSBus(t, emb.URL, "other")
	if err := other.Publish(fakeNode("x"), group("room"), push("legit")); err != nil {
		t.Fatal(err)
	}
	p.waitMsg("legit")
	env, err := capture.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}

	_ = raw.Publish(subjectOf("test", aio.Target{Kind: target.All}), []byte{9, 9, 9})
	_ = raw.Publish(subjectOf("test", aio.Target{Kind: target.All}), nil)
	_ = raw.Publish("gotio.test.node."+b64url("n0"), []byte{'z'})
	_ = raw.Publish(subjectOf("test", aio.Target{Kind: target.All}), env.Data) // replayed on the wrong subject
	if err := raw.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "malformed counted", func() bool { return bus.Stats().Malformed == 4 })
	if err := other.Publish(fakeNode("x"), aio.Target{Kind: target.All}, push("fine")); err != nil {
		t.Fatal(err)
	}
	p.waitMsg("fine")
	for _, f := range p.inbox {
		if f == "msg legit" {
			t.Fatal("replayed envelope delivered")
		}
	}

	// After Close, publishing fails and is counted.
	_ = n0.srv.Close()
	_ = bus.Close()
	lost := bus.Stats().Lost
	if err := bus.Publish(fakeNode("n0"), group("room"), push("late")); !errors.Is(err, cluster.ErrBusClosed) {
		t.Fatalf("publish after close: %v", err)
	}
	if bus.Stats().Lost != lost+1 {
		t.Fatal("publish after close not counted lost")
	}
}

// fakeNode is a Node that holds nothing, to publish from.
type fakeNode string

func (f fakeNode) NodeID() string                       { return string(f) }
func (fakeNode) Holds(aio.Target) bool                  { return false }
func (fakeNode) Deliver(aio.Target, *codec.Message) int { return 0 }

// blockNode holds everything and blocks in Deliver until released.
type blockNode struct {
	countNode
	release chan struct{}
}

func (b *blockNode) Deliver(t aio.Target, m *codec.Message) int {
	<-b.release
	return b.countNode.Deliver(t, m)
}

// TestNATSDropped: a node that cannot keep up loses messages, counted in
// Stats.Dropped, instead of growing its queue without bound.
func TestNATSDropped(t *testing.T) {
	emb := startEmbedded(t, cluster.EmbeddedConfig{})
	bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: emb.URL, Name: "slow", App: "test", Workers: 1, QueueLen: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Close() })
	pub := newNATSBus(t, emb.URL, "pub")
	slow := &blockNode{countNode: countNode{id: "slow"}, release: make(chan struct{})}
	if err := bus.Attach(slow); err != nil {
		t.Fatal(err)
	}
	if err := bus.Attach(slow); !errors.Is(err, cluster.ErrDuplicateNode) {
		t.Fatalf("second attach: %v", err)
	}
	g := group("room")
	bus.InterestChanged(slow, g)
	if err := bus.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	const sends = 100
	for range sends {
		if err := pub.Publish(fakeNode("pub"), g, push("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// One in Deliver, four queued: the rest of the 100 are dropped.
	waitFor(t, "drops counted", func() bool { return bus.Stats().Dropped >= sends-5 })
	close(slow.release)
	waitFor(t, "queue drained", func() bool { return bus.Stats().Received+bus.Stats().Dropped == sends })
	if got := slow.n.Load(); got < 1 || got > 5 {
		t.Fatalf("delivered %d", got)
	}
	if err := bus.Detach(slow); err != nil {
		t.Fatal(err)
	}
	if st := bus.Stats(); st.Interests != 0 || st.Dropped < sends-5 {
		t.Fatalf("after detach: %+v", st)
	}
}
