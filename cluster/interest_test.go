package cluster_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/internal/target"
)

// TestInterestRace binds and unbinds one group and one user from many
// connections at once: whatever the interleaving, the bus's interest ends
// matching Node.Holds.
func TestInterestRace(t *testing.T) {
	for _, f := range factories {
		t.Run(f.name, func(t *testing.T) {
			tc := f.make(t, 2, cluster.RejectNew)
			srv := tc.nodes[0].srv
			const conns = 8
			for range conns {
				dial(t, tc.nodes[0])
			}
			waitFor(t, "connections", func() bool { return srv.Count(aio.All()) == conns })
			cs := srv.Conns(aio.All())
			for round := range 100 {
				g, u := fmt.Sprintf("g%d", round), fmt.Sprintf("u%d", round)
				var wg sync.WaitGroup
				for i, c := range cs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := rand.New(rand.NewPCG(uint64(round), uint64(i)))
						for range 8 {
							if r.IntN(2) == 0 {
								_ = c.BindGroup(g)
							} else {
								c.UnbindGroup(g)
							}
							if r.IntN(2) == 0 {
								_ = c.BindUser(u)
							} else {
								c.BindUser("")
							}
						}
						// Most rounds end empty, some with one member left.
						if round%2 == 1 && i == 0 {
							_ = c.BindGroup(g)
							_ = c.BindUser(u)
						} else {
							c.UnbindGroup(g)
							c.BindUser("")
						}
					}()
				}
				wg.Wait()
				for _, tg := range []aio.Target{group(g), user(u)} {
					want := holds(srv, tg)
					if want != (round%2 == 1) {
						t.Fatalf("round %d: holds %v = %v", round, tg, want)
					}
					tc.waitInterest(t, 0, tg, want)
				}
			}
			for _, c := range cs {
				for _, g := range c.Groups() {
					c.UnbindGroup(g)
				}
				c.BindUser("")
			}
			waitFor(t, "no interests", func() bool { return tc.stats(0).Interests == 0 })
		})
	}
}

// holds reports whether srv has local members of t, as its Node tells
// the bus.
func holds(srv *aio.Server, t aio.Target) bool {
	switch t.Kind {
	case target.Group:
		return srv.Count(aio.Group(t.Key)) > 0
	case target.User:
		return srv.Count(aio.User(t.Key)) > 0
	}
	panic("holds: unexpected target kind")
}
