package chatserver_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

// entryRounds is how many times TestConcurrentEntry repeats its rounds on
// each bus: the race it guards against (issue 17) showed up once in a few
// tries.
const entryRounds = 20

// TestConcurrentEntry: 20 users of all four protocols, spread over the
// three connectors, enter one room at the same moment; then half of them
// leave while 10 newcomers enter, again at once. Every client's view —
// enter's list, then each onAdd and onLeave in the order they came — must
// end as the room's members, and every event must change the view (an
// onAdd of someone listed, or an onLeave of someone unknown, is a
// duplicate). Repeated entryRounds times on one app, for both buses.
func TestConcurrentEntry(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus, func(t *testing.T) {
			app := startApp(t, bus, nil)
			gate := app.GateAddr()
			start := time.Now()
			for round := range entryRounds {
				room := fmt.Sprintf("burst%d", round)
				first := names("u", 20)
				ms := enterAll(t, gate, room, first, 0)
				checkViews(t, room, ms, first)
				used := map[string]bool{}
				for _, m := range ms {
					used[m.Addr()] = true
				}
				if len(used) != 3 {
					t.Fatalf("%s: the room uses %d connectors, want 3", room, len(used))
				}
				if t.Failed() {
					return
				}

				// u00…u09 leave while v00…v09 enter.
				var wg sync.WaitGroup
				for _, m := range ms[:10] {
					wg.Add(1)
					go func() {
						defer wg.Done()
						m.Close()
					}()
				}
				newcomers := enterAll(t, gate, room, names("v", 10), 1)
				wg.Wait()
				stay := append(slices.Clone(ms[10:]), newcomers...)
				checkViews(t, room, stay, append(slices.Clone(first[10:]), names("v", 10)...))
				for _, m := range stay {
					m.Close()
				}
				if t.Failed() {
					return
				}
			}
			t.Logf("%d rounds in %v", entryRounds, time.Since(start).Round(time.Millisecond))
		})
	}
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// enterAll joins every name to room at once, name i over protocol
// i+shift of the four.
func enterAll(t *testing.T, gate, room string, who []string, shift int) []*member {
	t.Helper()
	ms := make([]*member, len(who))
	errs := make([]error, len(who))
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range who {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			proto := chatclient.Protos[(i+shift)%len(chatclient.Protos)]
			for attempt := 1; ; attempt++ {
				ms[i], errs[i] = join(t, gate, proto, name, room)
				// A dial that fails under this burst (netpoll's client
				// reports "connection has been closed by peer" now and
				// then) entered nothing: dial again. What this test is
				// about, enter itself, is never retried.
				if errs[i] == nil || attempt == 3 || !strings.Contains(errs[i].Error(), "aio: dial ") {
					break
				}
				t.Logf("%s: dial failed, retrying: %v", name, errs[i])
			}
		}()
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s enters %s: %v", who[i], room, err)
		}
	}
	return ms
}

// view replays what m was told: enter's list, then its onAdd and onLeave
// pushes in order. It reports each push that did not change the view.
func (m *member) view() (users []string, bad []string) {
	users = slices.Clone(m.Users())
	for _, p := range m.in.snapshot() {
		switch p.Route {
		case chatserver.RouteOnAdd:
			if slices.Contains(users, p.User) || p.User == m.in.name {
				bad = append(bad, "onAdd "+p.User)
				continue
			}
			users = append(users, p.User)
		case chatserver.RouteOnLeave:
			i := slices.Index(users, p.User)
			if i < 0 {
				bad = append(bad, "onLeave "+p.User)
				continue
			}
			users = slices.Delete(users, i, i+1)
		}
	}
	slices.Sort(users)
	return users, bad
}

// checkViews waits until every member's view is want, then gives late
// duplicates a moment to arrive and checks again.
func checkViews(t *testing.T, room string, ms []*member, want []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	deadline := time.Now().Add(wait)
	for _, m := range ms {
		for {
			users, bad := m.view()
			if len(bad) > 0 {
				t.Errorf("%s in %s: pushes that changed nothing: %v (enter listed %v)", m.in.name, room, bad, m.Users())
				break
			}
			if slices.Equal(users, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s in %s sees %v, want %v (enter listed %v)", m.in.name, room, users, want, m.Users())
				break
			}
			select {
			case <-m.in.more:
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	time.Sleep(20 * time.Millisecond)
	for _, m := range ms {
		if users, bad := m.view(); len(bad) > 0 || !slices.Equal(users, want) {
			t.Errorf("%s in %s, later: sees %v, extra pushes %v", m.in.name, room, users, bad)
		}
	}
}
