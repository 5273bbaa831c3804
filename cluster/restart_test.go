package cluster_test

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/cluster"
)

// TestNATSRestart stops the NATS server under traffic and starts it again
// on the same port: nodes keep serving local traffic, count every send
// they could not hand on, reconnect, subscribe again to what they hold,
// and deliver again.
func TestNATSRestart(t *testing.T) {
	store := t.TempDir()
	var mu sync.Mutex
	emb, err := cluster.StartEmbedded(cluster.EmbeddedConfig{StoreDir: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mu.Lock(); emb.Shutdown(); mu.Unlock() })
	port := emb.Server.Addr().(*net.TCPAddr).Port

	bus0, bus1 := newNATSBus(t, emb.URL, "n0"), newNATSBus(t, emb.URL, "n1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := bus0.SessionBucket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kv1, err := bus1.SessionBucket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n0 := startNode(t, "n0", bus0, cluster.NewDirectory(bus0, kv, cluster.RejectNew))
	n1 := startNode(t, "n1", bus1, cluster.NewDirectory(bus1, kv1, cluster.RejectNew))

	a, b := dial(t, n0), dial(t, n1)
	a.mustCall("login alice", "ok login kicked=false")
	b.mustCall("login bob", "ok login kicked=false")
	a.mustCall("join room", "ok join")
	b.mustCall("join room", "ok join")
	bobSubjects := []string{subjectOf("test", user("bob")), subjectOf("test", group("room"))}
	hasAll := func(subs, want []string) bool {
		for _, s := range want {
			if !slices.Contains(subs, s) {
				return false
			}
		}
		return true
	}
	waitFor(t, "bob's subscriptions", func() bool { mu.Lock(); defer mu.Unlock(); return hasAll(serverSubs(t, emb, "n1"), bobSubjects) })
	a.mustCall("to bob before", "ok to")
	b.waitMsg("before")

	// Background traffic from n0 to bob for the whole outage.
	var sent atomic.Int64
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(1)
	go func() {
		defer bg.Done()
		for i := 0; i < 3000; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			n0.sent(n0.srv.SendToUser("bob", push("bg "+strconv.Itoa(i))))
			sent.Add(1)
		}
	}()

	mu.Lock()
	emb.Shutdown()
	mu.Unlock()
	waitFor(t, "both nodes to notice", func() bool {
		return !bus0.Conn().IsConnected() && !bus1.Conn().IsConnected()
	})
	lostAtOutage := bus0.Stats().Lost

	// Local traffic goes on; cross-node sends are lost and counted.
	a.mustCall("to alice local", "ok to")
	a.waitMsg("local")
	for range 5 {
		a.mustCall("to bob lost", "ok to")
	}
	if lost := bus0.Stats().Lost; lost < lostAtOutage+6 {
		t.Fatalf("lost %d, want at least %d", lost, lostAtOutage+6)
	}
	// Interests change while disconnected: b joins a group, a leaves one.
	b.mustCall("join late", "ok join")
	a.mustCall("leave room", "ok leave")

	mu.Lock()
	emb, err = cluster.StartEmbedded(cluster.EmbeddedConfig{Port: port, StoreDir: store})
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reconnect", func() bool {
		return bus0.Conn().IsConnected() && bus1.Conn().IsConnected() &&
			bus0.Stats().Reconnects >= 1 && bus1.Stats().Reconnects >= 1
	})
	// nats.go subscribes again to everything the node holds, including
	// what changed while it was away, and not what it left.
	bobSubjects = append(bobSubjects, subjectOf("test", group("late")))
	waitFor(t, "bob's subscriptions again", func() bool { mu.Lock(); defer mu.Unlock(); return hasAll(serverSubs(t, emb, "n1"), bobSubjects) })
	waitFor(t, "alice's subscriptions again", func() bool {
		mu.Lock()
		defer mu.Unlock()
		subs := serverSubs(t, emb, "n0")
		return slices.Contains(subs, subjectOf("test", user("alice"))) && !slices.Contains(subs, subjectOf("test", group("room")))
	})
	close(stop)
	bg.Wait()

	a.mustCall("to bob after", "ok to")
	a.mustCall("group late after-group", "ok group")
	a.mustCall("to bob after-fence", "ok to") // same publisher and subject as "after" and bg: ordered after them
	seen := map[string]int{}
	for _, f := range b.inbox {
		seen[f]++
	}
	b.inbox = nil
	for seen["msg after-group"] == 0 || seen["msg after-fence"] == 0 {
		f, err := b.recv(10 * time.Second)
		if err != nil {
			t.Fatalf("waiting for delivery after restart: %v", err)
		}
		seen[f]++
	}
	if seen["msg after"] != 1 || seen["msg lost"] != 0 {
		t.Fatalf("after restart: %d × after, %d × lost", seen["msg after"], seen["msg lost"])
	}
	bgGot := 0
	for f, n := range seen {
		if strings.HasPrefix(f, "msg bg ") {
			if n != 1 {
				t.Fatalf("%q delivered %d times", f, n)
			}
			bgGot++
		}
	}
	s0 := bus0.Stats()
	if s0.Disconnects < 1 || s0.Lost < 6 {
		t.Fatalf("stats %+v", s0)
	}
	// Every send is accounted for: delivered to bob, or counted lost, or
	// lost in the moment between the server's death and the client
	// noticing (at-most-once: those are the only uncounted ones).
	total := sent.Load() + 10 // bg + before, local, 5 × lost, after, after-group, after-fence
	if int64(s0.Published+s0.Lost) != total {
		t.Fatalf("published %d + lost %d != %d sends", s0.Published, s0.Lost, total)
	}
	// Nothing is both delivered and counted lost.
	if lostBg := int64(s0.Lost) - 6; int64(bgGot)+lostBg > sent.Load() {
		t.Fatalf("bob got %d and %d were counted lost of %d background sends", bgGot, lostBg, sent.Load())
	}
	if got := n0.srv.Stats().BusErrors; got != s0.Lost || got != uint64(n0.busErrs.Load()) {
		t.Fatalf("aio counted %d bus errors, the sends returned %d, the bus lost %d", got, n0.busErrs.Load(), s0.Lost)
	}
	t.Logf("background: %d sent, %d delivered, %d lost (counted)", sent.Load(), bgGot, s0.Lost-6)
}
