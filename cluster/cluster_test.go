package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/internal/target"
)

// testCluster is a few nodes on one bus, whatever the bus.
type testCluster struct {
	nodes []*node
	dirs  []cluster.Directory
	// interest reports whether node i's interest in t is in force: for
	// NATS, a subscription the NATS server has registered.
	interest func(i int, t aio.Target) bool
	stats    func(i int) cluster.Stats
}

type clusterFactory func(t *testing.T, n int, policy cluster.Policy) *testCluster

func localCluster(t *testing.T, n int, policy cluster.Policy) *testCluster {
	bus := cluster.NewLocal()
	dir := cluster.NewLocalDirectory(bus, policy)
	tc := &testCluster{}
	for i := range n {
		tc.nodes = append(tc.nodes, startNode(t, fmt.Sprintf("n%d", i), bus, dir))
		tc.dirs = append(tc.dirs, dir)
	}
	tc.interest = func(i int, tg aio.Target) bool {
		return slices.Contains(bus.Holders(tg), tc.nodes[i].name)
	}
	tc.stats = func(int) cluster.Stats { return bus.Stats() }
	return tc
}

func startEmbedded(t testing.TB, cfg cluster.EmbeddedConfig) *cluster.Embedded {
	t.Helper()
	emb, err := cluster.StartEmbedded(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	return emb
}

func newNATSBus(t testing.TB, url, name string) *cluster.NATS {
	t.Helper()
	bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: url, Name: name, App: "test", ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Close() })
	return bus
}

func natsCluster(t *testing.T, n int, policy cluster.Policy) *testCluster {
	emb := startEmbedded(t, cluster.EmbeddedConfig{})
	tc := &testCluster{}
	var buses []*cluster.NATS
	for i := range n {
		name := fmt.Sprintf("n%d", i)
		bus := newNATSBus(t, emb.URL, name)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		kv, err := bus.SessionBucket(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		dir := cluster.NewDirectory(bus, kv, policy)
		buses = append(buses, bus)
		tc.dirs = append(tc.dirs, dir)
		tc.nodes = append(tc.nodes, startNode(t, name, bus, dir))
	}
	tc.interest = func(i int, tg aio.Target) bool {
		subject := subjectOf("test", tg)
		return buses[i].Subscribed(tc.nodes[i].name, tg) && slices.Contains(serverSubs(t, emb, buses[i].Conn().Opts.Name), subject)
	}
	tc.stats = func(i int) cluster.Stats { return buses[i].Stats() }
	return tc
}

// serverSubs returns the subjects the NATS server holds for the client
// named name.
func serverSubs(t testing.TB, emb *cluster.Embedded, name string) []string {
	t.Helper()
	cz, err := emb.Server.Connz(&server.ConnzOptions{Subscriptions: true, Limit: 1024})
	if err != nil {
		t.Fatal(err)
	}
	var subs []string
	for _, c := range cz.Conns {
		if c.Name == name {
			subs = append(subs, c.Subs...)
		}
	}
	return subs
}

// subjectOf is the documented subject of t (docs/cluster.md), computed
// here independently of the package.
func subjectOf(app string, t aio.Target) string {
	kinds := map[target.Kind]string{target.User: "user", target.Group: "group", target.Token: "token", target.BsID: "bsid"}
	if t.Kind == target.All {
		return "gotio." + app + ".all"
	}
	key := "_"
	if t.Key != "" {
		key = b64url(t.Key)
	}
	return "gotio." + app + "." + kinds[t.Kind] + "." + key
}

func user(k string) aio.Target  { return aio.Target{Kind: target.User, Key: k} }
func group(k string) aio.Target { return aio.Target{Kind: target.Group, Key: k} }

func (tc *testCluster) waitInterest(t *testing.T, i int, tg aio.Target, want bool) {
	t.Helper()
	waitFor(t, fmt.Sprintf("node %d interest in %v = %v", i, tg, want), func() bool { return tc.interest(i, tg) == want })
}

var factories = []struct {
	name string
	make clusterFactory
}{
	{"local", localCluster},
	{"nats", natsCluster},
}

// TestCrossNode: users on three nodes message each other, a group and
// everyone spanning the nodes get each broadcast exactly once per member,
// and unbinding removes interest.
func TestCrossNode(t *testing.T) {
	for _, f := range factories {
		t.Run(f.name, func(t *testing.T) {
			tc := f.make(t, 3, cluster.RejectNew)
			n0, n1, n2 := tc.nodes[0], tc.nodes[1], tc.nodes[2]
			a, b, c := dial(t, n0), dial(t, n1), dial(t, n2)
			d, e := dial(t, n1), dial(t, n2) // d: second member on n1; e: in no group
			a.mustCall("login alice", "ok login kicked=false")
			b.mustCall("login bob", "ok login kicked=false")
			c.mustCall("login carol", "ok login kicked=false")
			for i, u := range []string{"alice", "bob", "carol"} {
				tc.waitInterest(t, i, user(u), true)
			}
			if tc.interest(0, user("bob")) || tc.interest(1, user("alice")) {
				t.Fatal("a node subscribed to a user it does not hold")
			}

			// SendToUser across nodes, each way.
			a.mustCall("to bob hello bob", "ok to")
			b.waitMsg("hello bob")
			b.mustCall("to alice hi alice", "ok to")
			a.waitMsg("hi alice")
			c.mustCall("to alice from carol", "ok to")
			a.waitMsg("from carol")

			// A group spanning the nodes, two members on n1.
			for _, p := range []*peer{a, b, c, d} {
				p.mustCall("join room", "ok join")
			}
			for i := range 3 {
				tc.waitInterest(t, i, group("room"), true)
			}
			a.mustCall("group room X1", "ok group")
			a.mustCall("group room F1", "ok group")
			for i, p := range []*peer{a, b, c, d} {
				if got := p.countUntil("X1", "F1"); got != 1 {
					t.Fatalf("member %d got the group broadcast %d times, want 1", i, got)
				}
			}
			// Everyone, sent from n2.
			c.mustCall("all Y1", "ok all")
			c.mustCall("all G1", "ok all")
			for i, p := range []*peer{a, b, c, d, e} {
				if got := p.countUntil("Y1", "G1"); got != 1 {
					t.Fatalf("connection %d got the broadcast to all %d times, want 1", i, got)
				}
			}
			// An IP, sent from n0: every connection comes from 127.0.0.1,
			// on every node; nobody comes from 127.0.0.2.
			a.mustCall("ip 127.0.0.2 Z0", "ok ip")
			a.mustCall("ip 127.0.0.1 Z1", "ok ip")
			a.mustCall("ip 127.0.0.1 H1", "ok ip")
			for i, p := range []*peer{a, b, c, d, e} {
				if got := p.countUntil("Z1", "H1"); got != 1 {
					t.Fatalf("connection %d got the send to its IP %d times, want 1", i, got)
				}
			}
			// Z0 would show as a late frame below.
			// e is in no group: the group broadcast never reached it.
			for _, p := range []*peer{a, b, c, d, e} {
				if f, ok := p.quiet(50 * time.Millisecond); !ok {
					t.Fatalf("late frame %q", f)
				}
			}

			// Unbinding: n1 keeps its interest while one member is left,
			// and drops it with the last.
			// Order holds per publisher and subject only: members are
			// fenced on the group's subject, others on everyone's.
			d.mustCall("leave room", "ok leave")
			a.mustCall("group room X2", "ok group")
			a.mustCall("group room F2", "ok group")
			a.mustCall("all F2all", "ok all")
			if got := b.countUntil("X2", "F2"); got != 1 {
				t.Fatalf("b got X2 %d times", got)
			}
			if got := d.countUntil("X2", "F2all"); got != 0 {
				t.Fatalf("d left the group but got X2 %d times", got)
			}
			b.mustCall("leave room", "ok leave")
			tc.waitInterest(t, 1, group("room"), false)
			tc.waitInterest(t, 0, group("room"), true)
			a.mustCall("group room X3", "ok group")
			a.mustCall("group room F3", "ok group")
			a.mustCall("all F3all", "ok all")
			if got := b.countUntil("X3", "F3all"); got != 0 {
				t.Fatalf("b left the group but got X3 %d times", got)
			}
			if got := c.countUntil("X3", "F3"); got != 1 {
				t.Fatalf("c got X3 %d times", got)
			}
			b.mustCall("logout", "ok logout")
			tc.waitInterest(t, 1, user("bob"), false)
			// A closed connection takes its interests with it.
			c.nc.Close()
			tc.waitInterest(t, 2, user("carol"), false)
			tc.waitInterest(t, 2, group("room"), false)

			var published, delivered uint64
			for i := range tc.nodes {
				s := tc.stats(i)
				published += s.Published
				delivered += s.Delivered
			}
			if published == 0 || delivered == 0 {
				t.Fatalf("stats: published %d delivered %d", published, delivered)
			}
		})
	}
}

// loginResult is what one client saw of a login and the join after it.
type loginResult struct {
	login, join string
	err         error
}

// concurrentLogins logs user in on every peer at once, each joining
// groupName after a successful login.
func concurrentLogins(peers []*peer, userName, groupName string) []loginResult {
	res := make([]loginResult, len(peers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := &res[i]
			if r.login, r.err = p.call("login " + userName); r.err != nil || !strings.HasPrefix(r.login, "ok") {
				return
			}
			r.join, r.err = p.call("join " + groupName)
		}()
	}
	close(start)
	wg.Wait()
	return res
}

// userConns counts the open connections of user over the cluster.
func (tc *testCluster) userConns(u string) int {
	n := 0
	for _, nd := range tc.nodes {
		n += nd.srv.Count(aio.User(u))
	}
	return n
}

func (tc *testCluster) groupSize(g string) int {
	n := 0
	for _, nd := range tc.nodes {
		n += nd.srv.Count(aio.Group(g))
	}
	return n
}

// TestUniqueLoginRejectNew: chatofpomelo's rule across nodes.
func TestUniqueLoginRejectNew(t *testing.T) {
	for _, f := range factories {
		t.Run(f.name, func(t *testing.T) {
			tc := f.make(t, 3, cluster.RejectNew)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for round := range 5 {
				u := fmt.Sprintf("dup%d", round)
				p0, p1 := dial(t, tc.nodes[0]), dial(t, tc.nodes[1])
				res := concurrentLogins([]*peer{p0, p1}, u, "hall"+u)
				var won, lost int
				for _, r := range res {
					switch {
					case r.err != nil:
						t.Fatalf("round %d: %v", round, r.err)
					case r.login == "ok login kicked=false":
						won++
					case r.login == "rejected":
						lost++
					default:
						t.Fatalf("round %d: login reply %q", round, r.login)
					}
				}
				if won != 1 || lost != 1 {
					t.Fatalf("round %d: %d won, %d rejected; want 1 and 1", round, won, lost)
				}
				if n := tc.userConns(u); n != 1 {
					t.Fatalf("round %d: user has %d connections", round, n)
				}
				winner, loser := p0, p1
				if res[1].login != "rejected" {
					winner, loser = p1, p0
				}
				// The winner is reached from a third node, once; the loser never.
				wi := 0
				if winner == p1 {
					wi = 1
				}
				tc.waitInterest(t, wi, user(u), true)
				sender := dial(t, tc.nodes[2])
				sender.mustCall("to "+u+" Z", "ok to")
				sender.mustCall("to "+u+" F", "ok to")
				sender.mustCall("all Fall", "ok all")
				if got := winner.countUntil("Z", "F"); got != 1 {
					t.Fatalf("winner got %d", got)
				}
				if got := loser.countUntil("Z", "Fall"); got != 0 {
					t.Fatalf("rejected session got %d", got)
				}
				// When the winner leaves, the user is free again.
				winner.nc.Close()
				waitFor(t, "logout on close", func() bool {
					_, held, err := tc.dirs[0].Lookup(ctx, u)
					return err == nil && !held
				})
				loser.mustCall("login "+u, "ok login kicked=false")
			}

			// A claim whose node is gone is stale and replaced.
			ghost := cluster.Location{Node: "ghost", Conn: 7}
			if ok, _, err := tc.dirs[0].Login(ctx, "vera", ghost); err != nil || !ok {
				t.Fatalf("ghost login: %v %v", ok, err)
			}
			p := dial(t, tc.nodes[1])
			p.mustCall("login vera", "ok login kicked=false")
			s, held, err := tc.dirs[2].Lookup(ctx, "vera")
			if err != nil || !held || s.Node != "n1" {
				t.Fatalf("lookup vera: %+v %v %v", s, held, err)
			}
			// A claim whose connection is gone on a live node is stale too.
			gone := cluster.Location{Node: "n0", Conn: 1 << 60}
			if ok, _, err := tc.dirs[0].Login(ctx, "walt", gone); err != nil || !ok {
				t.Fatalf("stale login: %v %v", ok, err)
			}
			dial(t, tc.nodes[2]).mustCall("login walt", "ok login kicked=false")

			// pomelo issue #745: one connection logging in twice is not
			// a duplicate and is not pushed to twice.
			q := dial(t, tc.nodes[0])
			q.mustCall("login wu", "ok login kicked=false")
			q.mustCall("join lobby", "ok join")
			q.mustCall("login wu", "ok login kicked=false")
			q.mustCall("join lobby", "ok join")
			s2 := dial(t, tc.nodes[1])
			tc.waitInterest(t, 0, group("lobby"), true)
			s2.mustCall("group lobby L", "ok group")
			s2.mustCall("group lobby LF", "ok group")
			if got := q.countUntil("L", "LF"); got != 1 {
				t.Fatalf("double login: pushed %d times", got)
			}
		})
	}
}

// TestUniqueLoginKickOld: the newcomer wins wherever the old session is,
// and the user is never twice in a group.
func TestUniqueLoginKickOld(t *testing.T) {
	for _, f := range factories {
		t.Run(f.name, func(t *testing.T) {
			tc := f.make(t, 3, cluster.KickOld)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			// Sequential: the old session on n0 is kicked by a login on n1.
			old := dial(t, tc.nodes[0])
			old.mustCall("login ann", "ok login kicked=false")
			old.mustCall("join room", "ok join")
			fresh := dial(t, tc.nodes[1])
			fresh.mustCall("login ann", "ok login kicked=true")
			old.expectClosed()
			fresh.mustCall("join room", "ok join")
			// The kicked connection stopped receiving when kicked; its
			// bindings go on its close path, which may lag the socket's close.
			waitFor(t, "one session in room", func() bool { return tc.userConns("ann") == 1 && tc.groupSize("room") == 1 })
			s, held, err := tc.dirs[2].Lookup(ctx, "ann")
			if want := cluster.LocationOf(tc.nodes[1].srv.Conns(aio.User("ann"))[0]); err != nil || !held || s != want {
				t.Fatalf("lookup ann: %+v %v %v, want %+v", s, held, err, want)
			}
			tc.waitInterest(t, 0, group("room"), false)
			tc.waitInterest(t, 1, group("room"), true)
			sender := dial(t, tc.nodes[2])
			sender.mustCall("group room X", "ok group")
			sender.mustCall("group room F", "ok group")
			if got := fresh.countUntil("X", "F"); got != 1 {
				t.Fatalf("new session got %d", got)
			}

			// Concurrent: two logins race; exactly one session survives,
			// alone in the group.
			for round := range 5 {
				u, g := fmt.Sprintf("race%d", round), fmt.Sprintf("hall%d", round)
				p0, p1 := dial(t, tc.nodes[0]), dial(t, tc.nodes[1])
				res := concurrentLogins([]*peer{p0, p1}, u, g)
				kicked := 0
				for _, r := range res {
					if r.login == "ok login kicked=true" {
						kicked++
					}
				}
				if kicked != 1 {
					t.Fatalf("round %d: %d logins kicked another, want 1: %+v", round, kicked, res)
				}
				surv, gone, si := p0, p1, 0
				if res[1].login == "ok login kicked=true" {
					surv, gone, si = p1, p0, 1
				}
				if res[si].err != nil || res[si].join != "ok join" {
					t.Fatalf("round %d: survivor: %+v", round, res[si])
				}
				gone.expectClosed()
				waitFor(t, "one session", func() bool { return tc.userConns(u) == 1 && tc.groupSize(g) == 1 })
				tc.waitInterest(t, si, group(g), true)
				tc.waitInterest(t, 1-si, group(g), false)
				sender.mustCall("group "+g+" X", "ok group")
				sender.mustCall("group "+g+" F", "ok group")
				if got := surv.countUntil("X", "F"); got != 1 {
					t.Fatalf("round %d: survivor got %d", round, got)
				}
			}

			// pomelo issue #745 under KickOld: a second login on the same
			// connection kicks nothing, least of all itself.
			q := dial(t, tc.nodes[0])
			q.mustCall("login wu", "ok login kicked=false")
			q.mustCall("join lobby", "ok join")
			q.mustCall("login wu", "ok login kicked=false")
			q.mustCall("join lobby", "ok join")
			tc.waitInterest(t, 0, group("lobby"), true)
			sender.mustCall("group lobby L", "ok group")
			sender.mustCall("group lobby LF", "ok group")
			if got := q.countUntil("L", "LF"); got != 1 {
				t.Fatalf("double login: pushed %d times", got)
			}

			// A claim whose node is gone is replaced without a kick.
			ghost := cluster.Location{Node: "ghost", Conn: 7}
			if ok, _, err := tc.dirs[0].Login(ctx, "gus", ghost); err != nil || !ok {
				t.Fatalf("ghost login: %v %v", ok, err)
			}
			dial(t, tc.nodes[2]).mustCall("login gus", "ok login kicked=false")
			var kicks uint64
			for i := range tc.nodes {
				kicks += tc.stats(i).Kicks
			}
			if f.name == "local" {
				kicks = tc.stats(0).Kicks // one shared bus
			}
			if kicks != 6 {
				t.Fatalf("kicks %d, want 6", kicks)
			}
		})
	}
}
