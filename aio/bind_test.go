package aio_test

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// commandHandler lets a raw client drive the bind APIs: "user bob",
// "group g", "token t", "bsid b", "ungroup g", "unuser", "echo x".
func commandHandler(c *aio.ChannelContext, m *codec.Message) {
	var verb, arg string
	fmt.Sscan(string(m.Body), &verb, &arg)
	switch verb {
	case "user":
		_ = c.BindUser(arg)
	case "unuser":
		c.BindUser("")
	case "group":
		_ = c.BindGroup(arg)
	case "ungroup":
		c.UnbindGroup(arg)
	case "token":
		_ = c.BindToken(arg)
	case "bsid":
		_ = c.BindBsID(arg)
	}
	_ = c.Send(&codec.Message{Body: []byte("ok " + verb)})
}

func (p *peer) do(cmd string) {
	p.t.Helper()
	p.send(cmd)
	var verb string
	fmt.Sscan(cmd, &verb)
	p.mustRecv("ok " + verb)
}

func TestSendAPIs(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(commandHandler)})
			alice1, alice2, bob, carol := dial(t, s), dial(t, s), dial(t, s), dial(t, s)
			alice1.do("user alice")
			alice2.do("user alice")
			bob.do("user bob")
			carol.do("user carol")
			for _, p := range []*peer{alice1, bob} {
				p.do("group room")
			}
			carol.do("group room")
			carol.do("token tk")
			bob.do("token tk")
			bob.do("bsid order-1")

			push := func(s string) *codec.Message { return &codec.Message{Kind: codec.Push, Route: "r", Body: []byte(s)} }
			if n, err := s.SendToUser("alice", push("to alice")); err != nil || n != 2 {
				t.Fatalf("SendToUser reached %d", n)
			}
			alice1.mustRecv("to alice")
			alice2.mustRecv("to alice")
			if n, err := s.SendToGroup("room", push("to room")); err != nil || n != 3 {
				t.Fatalf("SendToGroup reached %d", n)
			}
			for _, p := range []*peer{alice1, bob, carol} {
				p.mustRecv("to room")
			}
			bobConn := s.Conns(aio.User("bob"))[0]
			if n, err := s.SendToGroup("room", push("not bob"), aio.Exclude(bobConn)); err != nil || n != 2 {
				t.Fatalf("exclude reached %d", n)
			}
			alice1.mustRecv("not bob")
			carol.mustRecv("not bob")
			if n, err := s.SendToGroup("room", push("only carol"), aio.Filter(func(c *aio.ChannelContext) bool { return c.User() == "carol" })); err != nil || n != 1 {
				t.Fatalf("filter reached %d", n)
			}
			carol.mustRecv("only carol")
			if n, err := s.SendToToken("tk", push("to token")); err != nil || n != 2 {
				t.Fatalf("SendToToken reached %d", n)
			}
			bob.mustRecv("to token")
			carol.mustRecv("to token")
			if n, err := s.SendToBsID("order-1", push("to bsid")); err != nil || n != 1 {
				t.Fatalf("SendToBsID reached %d", n)
			}
			bob.mustRecv("to bsid")
			if n, err := s.SendToIP("127.0.0.1", push("to ip")); err != nil || n != 4 {
				t.Fatalf("SendToIP reached %d", n)
			}
			if n, err := s.SendToAll(push("to all")); err != nil || n != 4 {
				t.Fatalf("SendToAll reached %d", n)
			}
			for _, p := range []*peer{alice1, alice2, bob, carol} {
				if p == alice1 || p == alice2 || p == bob || p == carol {
					p.mustRecv("to ip")
					p.mustRecv("to all")
				}
			}
			// Lookups, counts and pages.
			if keyCount(s, aio.User) != 3 || s.Count(aio.Group("room")) != 3 || s.Count(aio.User("alice")) != 2 || keyCount(s, aio.BsID) != 1 || keyCount(s, aio.Token) != 1 {
				t.Fatalf("counts: users %d room %d alice %d bsids %d tokens %d", keyCount(s, aio.User), s.Count(aio.Group("room")), s.Count(aio.User("alice")), keyCount(s, aio.BsID), keyCount(s, aio.Token))
			}
			users, total := s.Keys(aio.User, 1, 5)
			if total != 3 || fmt.Sprint(users) != "[bob carol]" {
				t.Fatalf("users page %v of %d", users, total)
			}
			page1, n := s.Page(aio.Group("room"), 0, 2)
			page2, _ := s.Page(aio.Group("room"), 2, 2)
			if n != 3 || len(page1) != 2 || len(page2) != 1 {
				t.Fatalf("group pages %d+%d of %d", len(page1), len(page2), n)
			}
			// A business id names one connection: binding it elsewhere moves it.
			carol.do("bsid order-1")
			if cs := s.Conns(aio.BsID("order-1")); len(cs) != 1 || cs[0].User() != "carol" || bobConn.BsID() != "" {
				t.Fatalf("bsid moved to %v; bob keeps %q", cs, bobConn.BsID())
			}
			// Unbind.
			carol.do("ungroup room")
			alice1.do("unuser")
			if s.Count(aio.Group("room")) != 2 || s.Count(aio.User("alice")) != 1 {
				t.Fatalf("after unbind: room %d alice %d", s.Count(aio.Group("room")), s.Count(aio.User("alice")))
			}
			groups := s.Conns(aio.User("bob"))[0].Groups()
			sort.Strings(groups)
			if fmt.Sprint(groups) != "[room]" {
				t.Fatalf("bob's groups %v", groups)
			}
		})
	}
}

// TestChurnLeavesNoEntry runs 50,000 connect/bind/disconnect cycles over
// real sockets and checks that every index is empty afterwards and no
// goroutine is left.
func TestChurnLeavesNoEntry(t *testing.T) {
	cycles := 50_000
	if testing.Short() {
		cycles = 5_000
	}
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(commandHandler)})
			n := cycles
			if tr == aio.TransportStd {
				n = cycles / 5
			}
			const workers = 8
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < n; i += workers {
						if err := churnOnce(s, i); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			waitFor(t, "every connection closed", func() bool { return s.Count(aio.All()) == 0 })
			if keyCount(s, aio.User) != 0 || keyCount(s, aio.Group) != 0 || keyCount(s, aio.Token) != 0 || keyCount(s, aio.BsID) != 0 || keyCount(s, aio.IP) != 0 {
				t.Fatalf("index entries left: users %d groups %d tokens %d bsids %d ips %d",
					keyCount(s, aio.User), keyCount(s, aio.Group), keyCount(s, aio.Token), keyCount(s, aio.BsID), keyCount(s, aio.IP))
			}
			st := s.Stats()
			if st.Accepted != uint64(n) || st.Closed != uint64(n) || st.Active != 0 {
				t.Fatalf("accepted %d closed %d active %d, want %d", st.Accepted, st.Closed, st.Active, n)
			}
		})
	}
	runtime.GC()
}

func churnOnce(s *aio.Server, i int) error {
	p := &peer{t: nil}
	nc, err := dialRaw(s)
	if err != nil {
		return err
	}
	defer nc.Close()
	p.nc = nc
	cmd := fmt.Sprintf("user u%d\x00group g%d\x00token t%d\x00bsid b%d", i%97, i%13, i%7, i)
	var frames []byte
	for _, c := range splitNul(cmd) {
		frames = appendFrame(frames, c)
	}
	if _, err := nc.Write(frames); err != nil {
		return err
	}
	// Wait for the four acknowledgements so the bindings exist before the close.
	buf := make([]byte, 0, 64)
	tmp := make([]byte, 64)
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for countFrames(buf) < 4 {
		k, err := nc.Read(tmp)
		if err != nil {
			return fmt.Errorf("cycle %d: %w", i, err)
		}
		buf = append(buf, tmp[:k]...)
	}
	return nil
}
