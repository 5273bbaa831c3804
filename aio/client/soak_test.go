package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/testenv"
)

// TestFaultSoak runs reconnecting clients against a server that kicks,
// closes, removes, refuses at MaxConns, restarts on the same address and
// shuts down gracefully, at random, for a bounded time. Then it checks the
// lifecycle's promises: one dial loop per client at any moment, kicked
// clients gone for good, no reconnect storm, nothing left in the indexes,
// counters that add up, and no goroutine left behind.
func TestFaultSoak(t *testing.T) {
	const clients = 200
	soak := 20 * time.Second
	if testing.Short() {
		soak = 3 * time.Second
	}
	before := goleak.IgnoreCurrent()
	addr := freeAddr(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d clients, %v", seed, clients, soak)
	rng := rand.New(rand.NewPCG(seed, 1))

	var (
		mu       sync.Mutex
		kickedAt = map[string]time.Time{} // name → when its last kick was sent
		lastHi   = map[string]time.Time{} // name → its last hello
	)
	handler := aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
		if m.Route != "hello" {
			return
		}
		name := string(m.Body)
		mu.Lock()
		lastHi[name] = time.Now()
		mu.Unlock()
		_ = c.BindUser(name)
		_ = c.BindGroup("all")
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body})
	})
	type generation struct {
		s *aio.Server
	}
	var gens []generation
	start := func() *aio.Server {
		for {
			s := aio.NewServer(&aio.Config{Codec: tcp.New(nil), Handler: handler, MaxConns: clients - 5})
			if err := s.Listen(addr); err == nil {
				gens = append(gens, generation{s})
				return s
			}
			time.Sleep(10 * time.Millisecond) // the old socket may linger a moment
		}
	}
	srv := start()

	reconnect := &client.Reconnect{Initial: 20 * time.Millisecond, Max: 300 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), soak+60*time.Second)
	defer cancel()
	// Every client dials until it gets in: the server holds five fewer
	// places than there are clients, so some wait, refused, until kicks
	// free places for good.
	var clsMu sync.Mutex
	cls := make([]*client.Client, clients)
	names := make([]string, clients)
	var dialing sync.WaitGroup
	for i := range clients {
		names[i] = fmt.Sprintf("c%03d", i)
		name := names[i]
		cfg := &client.Config{Codec: tcp.New(nil), Reconnect: reconnect, DialTimeout: 5 * time.Second, OnConnected: func(c *client.Client) {
			_ = c.Send(&codec.Message{Kind: codec.Request, ID: 1 << 40, Route: "hello", Body: []byte(name)})
		}}
		dialing.Add(1)
		go func() {
			defer dialing.Done()
			for ctx.Err() == nil {
				c, err := client.Dial(ctx, addr, cfg)
				if err == nil {
					clsMu.Lock()
					cls[i] = c
					clsMu.Unlock()
					return
				}
				time.Sleep(reconnect.Initial)
			}
		}()
	}
	dialed := func() []*client.Client {
		clsMu.Lock()
		defer clsMu.Unlock()
		out := make([]*client.Client, 0, clients)
		for _, c := range cls {
			if c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	defer func() {
		dialing.Wait()
		for _, c := range dialed() {
			c.Close()
		}
	}()

	// One dial loop per client, sampled throughout.
	var maxLoops atomic.Int32
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-sampling:
				return
			case <-time.After(2 * time.Millisecond):
			}
			for _, c := range dialed() {
				if n := client.DialLoops(c); n > maxLoops.Load() {
					maxLoops.Store(n)
				}
			}
		}
	}()

	end := time.Now().Add(soak)
	nextRestart := time.Now().Add(soak / 4)
	for time.Now().Before(end) {
		time.Sleep(20 * time.Millisecond)
		conns := srv.Conns(aio.All())
		if len(conns) > 0 {
			c := conns[rng.IntN(len(conns))]
			switch rng.IntN(10) {
			case 0:
				if u := c.User(); u != "" {
					mu.Lock()
					kickedAt[u] = time.Now()
					mu.Unlock()
					c.Kick("duplicate login")
				}
			case 1, 2:
				c.Close(nil)
			case 3:
				c.Remove(nil)
			}
		}
		if time.Now().After(nextRestart) {
			nextRestart = time.Now().Add(soak / 4)
			if rng.IntN(2) == 0 {
				sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
				_ = srv.Shutdown(sctx)
				scancel()
			} else {
				_ = srv.Close()
			}
			srv = start()
		}
	}
	close(sampling)
	<-sampled
	dialing.Wait()
	if ctx.Err() != nil {
		t.Fatal("clients did not all get in")
	}

	// A kick that met a connection already closing (a restart, a close
	// in the same round) does not count: the first reason wins. So every
	// client either comes back or ended with ErrKicked, and the ones that
	// ended were kicked and said no hello after their last kick.
	ended := 0
	for i, c := range cls {
		for c.State() != client.StateOpen {
			select {
			case <-c.Done():
			case <-ctx.Done():
				t.Fatalf("client %s neither came back nor ended (state %v)", names[i], c.State())
			case <-time.After(5 * time.Millisecond):
				continue
			}
			break
		}
		select {
		case <-c.Done():
		default:
			continue
		}
		ended++
		mu.Lock()
		kick, wasKicked := kickedAt[names[i]]
		hi := lastHi[names[i]]
		mu.Unlock()
		if !errors.Is(c.Err(), aio.ErrKicked) || !wasKicked {
			t.Fatalf("client %s ended with %v (kicked: %v)", names[i], c.Err(), wasKicked)
		}
		if hi.After(kick.Add(50 * time.Millisecond)) {
			t.Fatalf("client %s said hello %v after its kick", names[i], hi.Sub(kick))
		}
	}
	if ended == 0 {
		t.Fatal("no client was kicked: the soak tested nothing of kicks")
	}
	if n := maxLoops.Load(); n > 1 {
		t.Fatalf("a client ran %d dial loops at once", n)
	}
	var accepted, rejected uint64
	for _, g := range gens {
		st := g.s.Stats()
		accepted += st.Accepted
		rejected += st.Rejected
	}
	// Each failed attempt waits at least Initial/2 (full jitter of 0.5):
	// a client cannot make more attempts than that allows, storm or not.
	if limit := uint64(clients) * uint64(soak/(reconnect.Initial/2)); accepted+rejected > limit {
		t.Fatalf("%d accepts + %d refusals in %v, over the backoff's %d", accepted, rejected, soak, limit)
	}
	t.Logf("kicked for good %d, accepted %d, refused %d over %d server generations", ended, accepted, rejected, len(gens))

	for _, c := range cls {
		c.Close()
	}
	// A connection its client gave up on may still wait in the accept
	// backlog and be served (and closed) a little later: indexes must
	// drain, not be empty at the first look.
	drained := func() bool {
		return srv.Count(aio.All()) == 0 && keyCount(srv, aio.User) == 0 && srv.Count(aio.Group("all")) == 0 && keyCount(srv, aio.IP) == 0
	}
	for deadline := time.Now().Add(5 * time.Second); !drained() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if keyCount(srv, aio.User) != 0 || srv.Count(aio.Group("all")) != 0 || keyCount(srv, aio.IP) != 0 {
		t.Fatalf("index entries left: users %d, group %d, ips %d", keyCount(srv, aio.User), srv.Count(aio.Group("all")), keyCount(srv, aio.IP))
	}
	_ = srv.Close()
	for i, g := range gens {
		st := g.s.Stats()
		if st.Active != 0 || st.Accepted != st.Closed {
			t.Fatalf("server %d: accepted %d, closed %d, active %d", i, st.Accepted, st.Closed, st.Active)
		}
	}
	goleak.VerifyNone(t, testenv.LeakOptions(before)...)
}
