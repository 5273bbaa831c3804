package aio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/goid"
	"github.com/gotio/gotio/stat"
)

// workerCounts are the two ways handlers run: inline (no workers) and on a
// pool of workers.
var workerCounts = []int{0, 8}

func modeName(workers int) string {
	if workers > 0 {
		return "queued"
	}
	return "inline"
}

// TestSendSyncFromOwnHandler: SendSync on the handler's own connection,
// with a context that never ends, returns once written instead of waiting
// for a flush that could only start after the handler.
func TestSendSyncFromOwnHandler(t *testing.T) {
	for _, tr := range transports {
		for _, workers := range workerCounts {
			t.Run(string(tr)+"/"+modeName(workers), func(t *testing.T) {
				errs := make(chan error, 4)
				s := startServer(t, aio.Config{Transport: tr, Workers: workers, Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
					_ = c.Send(&codec.Message{Body: []byte("queued first")})
					errs <- c.SendSync(context.Background(), &codec.Message{Body: append([]byte("sync "), m.Body...)})
				})})
				p := dial(t, s)
				p.send("a")
				p.mustRecv("queued first")
				p.mustRecv("sync a")
				select {
				case err := <-errs:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("SendSync in the handler did not return")
				}
			})
		}
	}
}

// TestPipelinedRepliesCountAsMessages: twenty requests in one write,
// answered into one coalesced buffer, count twenty messages everywhere.
func TestPipelinedRepliesCountAsMessages(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			ips := &stat.IPStats{}
			s := startServer(t, aio.Config{Transport: tr, IPStats: ips, Handler: aio.HandlerFunc(echo)})
			p := dial(t, s)
			var batch []byte
			for i := range 20 {
				batch = appendFrame(batch, string(rune('a'+i)))
			}
			if _, err := p.nc.Write(batch); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				p.mustRecv(string(rune('a' + i)))
			}
			waitFor(t, "counters", func() bool { return s.Stats().SentPackets == 20 })
			st := s.Stats()
			if st.DecodedPackets != 20 || st.Protocols["length"].MessagesOut != 20 || st.Protocols["length"].MessagesIn != 20 {
				t.Fatalf("decoded %d, protocol in %d out %d; want 20 each", st.DecodedPackets, st.Protocols["length"].MessagesIn, st.Protocols["length"].MessagesOut)
			}
			if st.Writes >= 20 {
				t.Fatalf("%d writes for 20 replies: not coalesced, the test proves nothing", st.Writes)
			}
			c := s.Conns(aio.All())[0]
			if cs := c.Stats(); cs.SentPackets != 20 || cs.ReceivedPackets != 20 {
				t.Fatalf("connection sent %d received %d", cs.SentPackets, cs.ReceivedPackets)
			}
			var sent uint64
			for _, w := range ips.Snapshot("127.0.0.1") {
				sent = max(sent, w.SentPackets)
			}
			if sent != 20 {
				t.Fatalf("per-IP sent packets %d", sent)
			}
			if v := scrapeValue(t, s, "gotio_packets_sent_total", ""); v != 20 {
				t.Fatalf("prometheus packets sent %v", v)
			}
			if v := scrapeValue(t, s, "gotio_messages_sent_total", `protocol="length"`); v != 20 {
				t.Fatalf("prometheus messages sent %v", v)
			}
		})
	}
}

// scrapeValue reads one sample of the server's /metrics text.
func scrapeValue(t *testing.T, s *aio.Server, name, labels string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		key := name
		if labels != "" {
			key += "{" + labels + "}"
		}
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("metric %s{%s} missing", name, labels)
	return 0
}

// interestBus records whether the connection's lock was free while
// InterestChanged ran: it asks the connection for its groups from another
// goroutine and waits a little.
type interestBus struct {
	conn    atomic.Pointer[aio.ChannelContext]
	calls   atomic.Int32
	blocked atomic.Int32
}

func (b *interestBus) Attach(aio.Node) error                              { return nil }
func (b *interestBus) Detach(aio.Node) error                              { return nil }
func (b *interestBus) Publish(aio.Node, aio.Target, *codec.Message) error { return nil }
func (b *interestBus) InterestChanged(n aio.Node, t aio.Target) {
	b.calls.Add(1)
	c := b.conn.Load()
	if c == nil {
		return
	}
	done := make(chan struct{})
	go func() { c.Groups(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		b.blocked.Add(1)
		<-done
	}
}

func TestInterestChangedRunsWithoutConnectionLock(t *testing.T) {
	bus := &interestBus{}
	s := startServer(t, aio.Config{Bus: bus, Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
		bus.conn.Store(c)
		_ = c.BindGroup(string(m.Body))
		_ = c.BindUser("u-" + string(m.Body))
		c.UnbindGroup(string(m.Body))
		_ = c.Send(m)
	})})
	p := dial(t, s)
	p.send("g1")
	p.mustRecv("g1")
	p.nc.Close()
	waitFor(t, "close", func() bool { return s.Count(aio.All()) == 0 })
	if bus.calls.Load() < 4 || bus.blocked.Load() != 0 {
		t.Fatalf("InterestChanged %d calls, %d with the connection locked", bus.calls.Load(), bus.blocked.Load())
	}
}

// TestSlowConsumerClosedOnItsOwnGoroutine: a broadcaster that overflows a
// member's queue does not run that member's close path.
func TestSlowConsumerClosedOnItsOwnGoroutine(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			closedOn := make(chan int64, 1)
			lis := &funcListener{onClose: func(c *aio.ChannelContext, reason error) {
				if errors.Is(reason, aio.ErrSlowConsumer) {
					closedOn <- goid.ID()
				}
			}}
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: lis.OnBeforeClose, WriteQueueBytes: 64 << 10, Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
				_ = c.BindGroup("g")
				_ = c.Send(m)
			})})
			p := dial(t, s) // joins, then never reads again
			p.send("join")
			p.mustRecv("join")
			me := goid.ID()
			big := &codec.Message{Body: []byte(strings.Repeat("x", 16<<10))}
			for i := 0; i < 10_000 && s.Count(aio.Group("g")) == 1; i++ {
				s.SendToGroup("g", big)
			}
			select {
			case g := <-closedOn:
				if g == me {
					t.Fatal("the slow consumer's close path ran on the broadcaster's goroutine")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("slow consumer not closed")
			}
		})
	}
}

type funcListener struct {
	onClose func(*aio.ChannelContext, error)
}

func (l *funcListener) OnBeforeClose(c *aio.ChannelContext, reason error) { l.onClose(c, reason) }

// TestShutdownClosesListenersFirst: while Shutdown drains a connection
// that does not read, a new dial is refused by the kernel, not accepted
// and dropped.
func TestShutdownClosesListenersFirst(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			cfg := aio.Config{Transport: tr, Codec: lengthCodec{}, Handler: aio.HandlerFunc(echo)}
			s := aio.NewServer(&cfg)
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			addr := s.Addr().String()
			p := dial(t, s)
			p.send("x")
			p.mustRecv("x")
			// Fill the socket so the drain waits on the peer.
			c := s.Conns(aio.All())[0]
			for c.Send(&codec.Message{Body: []byte(strings.Repeat("q", 32<<10))}) == nil {
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Shutdown(ctx) }()
			waitFor(t, "shutdown began", func() bool { return c.Err() != nil })
			time.Sleep(20 * time.Millisecond) // the listener closes right after the flag
			accepted := s.Stats().Accepted
			nc, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				nc.Close()
				t.Fatalf("dial during shutdown connected (accepted before %d, now %d)", accepted, s.Stats().Accepted)
			}
			go io.Copy(io.Discard, p.nc) // let the drain finish
			if err := <-done; err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			if st := s.Stats(); st.Accepted != 1 || st.Active != 0 {
				t.Fatalf("accepted %d active %d", st.Accepted, st.Active)
			}
		})
	}
}

// TestShutdownBoundedByContext: a handler that never returns does not make
// Shutdown hang past its context.
func TestShutdownBoundedByContext(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			release := make(chan struct{})
			entered := make(chan struct{}, 1)
			cfg := aio.Config{Transport: tr, Codec: lengthCodec{}, Handler: aio.HandlerFunc(func(*aio.ChannelContext, *codec.Message) {
				entered <- struct{}{}
				<-release
			})}
			s := aio.NewServer(&cfg)
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			p := dial(t, s)
			p.send("stuck")
			<-entered
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Shutdown(ctx) }()
			select {
			case err := <-done:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Shutdown: %v, want the context's error", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Shutdown waited on a stuck handler past its context")
			}
			close(release) // the handler ends; nothing may be left behind (goleak)
			waitFor(t, "handler gone", func() bool { return s.Stats().HandledPackets == 1 })
		})
	}
}

// TestAdmissionIsAtomicWithShutdown: connections dialed while Shutdown
// runs are either refused or closed by it; none is left open.
func TestAdmissionIsAtomicWithShutdown(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			cfg := aio.Config{Transport: tr, Codec: lengthCodec{}, Handler: aio.HandlerFunc(echo)}
			s := aio.NewServer(&cfg)
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			addr := s.Addr().String()
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 200; i++ {
						select {
						case <-stop:
							return
						default:
						}
						nc, err := net.DialTimeout("tcp", addr, time.Second)
						if err != nil {
							continue
						}
						_, _ = nc.Write(appendFrame(nil, "hi"))
						_ = nc.SetReadDeadline(time.Now().Add(2 * time.Second))
						_, _ = io.Copy(io.Discard, nc)
						nc.Close()
					}
				}()
			}
			time.Sleep(50 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			close(stop)
			wg.Wait()
			st := s.Stats()
			if st.Active != 0 || st.Accepted != st.Closed || s.Count(aio.All()) != 0 {
				t.Fatalf("after shutdown: active %d, accepted %d, closed %d, table %d", st.Active, st.Accepted, st.Closed, s.Count(aio.All()))
			}
		})
	}
}

// TestRemoveRacingAcceptLeavesNoIndex: a connection is in the server's
// tables from its accept on, so a Remove found through a lookup can race
// the accept itself; whichever wins, no index keeps the connection after
// its close (the fault soak once found an IP entry left behind).
func TestRemoveRacingAcceptLeavesNoIndex(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(echo)})
			stop := make(chan struct{})
			removed := make(chan int)
			go func() {
				n := 0
				for {
					select {
					case <-stop:
						removed <- n
						return
					default:
					}
					for _, c := range s.Conns(aio.All()) {
						c.Remove(nil)
						n++
					}
				}
			}()
			for range 300 {
				nc, err := dialRaw(s)
				if err != nil {
					t.Fatal(err)
				}
				nc.Close()
			}
			// The kernel may hand the server a connection its client already
			// closed a while later (the accept backlog): wait until all 300
			// were accepted before asking whether any index kept one.
			waitFor(t, "every connection accepted", func() bool { return s.Stats().Accepted == 300 })
			close(stop)
			t.Logf("removed %d connections while accepting", <-removed)
			waitFor(t, "every connection closed", func() bool { return s.Count(aio.All()) == 0 })
			if n := keyCount(s, aio.IP); n != 0 {
				t.Fatalf("%d IP index entries left after every connection closed: %v", n, s.Conns(aio.IP("127.0.0.1")))
			}
		})
	}
}
