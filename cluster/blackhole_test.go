package cluster_test

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gotio/gotio/cluster"
)

// TestNATSBlackhole: while nats.go is stuck reconnecting to a server that
// accepts TCP and never answers (it holds its connection lock meanwhile),
// the node still serves local traffic: binds and sends return at once,
// and cross-node sends are counted lost.
func TestNATSBlackhole(t *testing.T) {
	emb, err := cluster.StartEmbedded(cluster.EmbeddedConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	port := emb.Server.Addr().(*net.TCPAddr).Port
	bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: emb.URL, Name: "n0", App: "test",
		ReconnectWait: 10 * time.Millisecond,
		// A handshake wait far longer than the test's hang guards.
		Options: []nats.Option{nats.Timeout(time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Close() })
	n0 := startNode(t, "n0", bus, cluster.NewLocalDirectory(cluster.NewLocal(), cluster.RejectNew))
	a := dial(t, n0)
	a.mustCall("login alice", "ok login kicked=false")
	a.mustCall("join room", "ok join")
	if err := bus.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}

	emb.Shutdown()
	waitFor(t, "disconnect noticed", func() bool { return !bus.Connected() })
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	accepted := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // never answered
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	release := func() {
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}
	defer release()
	select {
	case <-accepted:
	case <-time.After(15 * time.Second):
		t.Fatal("client never tried to reconnect")
	}

	lost := bus.Stats().Lost
	// Each call has a 10 s hang guard; a bus waiting on nats.go's lock
	// would hang for the minute of the handshake timeout.
	a.mustCall("join lobby", "ok join")
	a.mustCall("leave room", "ok leave")
	a.mustCall("to alice still here", "ok to")
	a.waitMsg("still here")
	a.mustCall("group lobby local", "ok group")
	a.waitMsg("local")
	if got := bus.Stats().Lost; got != lost+2 {
		t.Fatalf("lost %d, want %d", got, lost+2)
	}
	release()
}
