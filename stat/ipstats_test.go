package stat

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// clock is a fake time source for IPStats.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestIPStatsWindows(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now} // default windows: 1m, 10m
	t0 := clk.Now()
	s.Record("10.0.0.1", Delta{Accepted: 1})
	clk.Advance(30 * time.Second)
	s.Record("10.0.0.1", Delta{ReceivedBytes: 100, ReceivedPackets: 2, Reads: 1, DecodeErrors: 1})
	got := s.Snapshot("10.0.0.1")
	want := []IPWindow{
		{IP: "10.0.0.1", Start: t0, Duration: time.Minute, Delta: Delta{Accepted: 1, ReceivedBytes: 100, ReceivedPackets: 2, Reads: 1, DecodeErrors: 1}},
		{IP: "10.0.0.1", Start: t0, Duration: 10 * time.Minute, Delta: Delta{Accepted: 1, ReceivedBytes: 100, ReceivedPackets: 2, Reads: 1, DecodeErrors: 1}},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("at 30s:\n%+v\nwant\n%+v", got, want)
	}

	// At 60s the 1-minute window has elapsed: reported empty, starting now.
	clk.Advance(30 * time.Second)
	got = s.Snapshot("10.0.0.1")
	if got[0].Start != clk.Now() || got[0].Delta != (Delta{}) {
		t.Fatalf("elapsed 1m window = %+v", got[0])
	}
	if got[1].Delta != want[1].Delta {
		t.Fatalf("10m window = %+v", got[1])
	}

	// A record opens a fresh 1-minute window; the 10-minute one goes on.
	s.Record("10.0.0.1", Delta{SentBytes: 7, SentPackets: 1, HandledPackets: 3, HandleNanos: 900})
	got = s.Snapshot("10.0.0.1")
	if got[0].Start != clk.Now() || got[0].Delta != (Delta{SentBytes: 7, SentPackets: 1, HandledPackets: 3, HandleNanos: 900}) {
		t.Fatalf("fresh 1m window = %+v", got[0])
	}
	w10 := want[1].Delta
	w10.SentBytes, w10.SentPackets, w10.HandledPackets, w10.HandleNanos = 7, 1, 3, 900
	if got[1].Start != t0 || got[1].Delta != w10 {
		t.Fatalf("10m window = %+v", got[1])
	}

	if s.Snapshot("10.9.9.9") != nil {
		t.Fatal("Snapshot of an unknown IP is not nil")
	}
}

func TestIPStatsExpiry(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now, Windows: []time.Duration{time.Second, time.Minute}}
	s.Record("a", Delta{Accepted: 1})
	clk.Advance(30 * time.Second)
	s.Record("b", Delta{Accepted: 1})
	if s.Len() != 2 {
		t.Fatalf("Len = %d", s.Len())
	}
	clk.Advance(30 * time.Second) // a idle for the longest window
	if s.Len() != 1 || s.Snapshot("a") != nil || s.Snapshot("b") == nil {
		t.Fatalf("after a's expiry: Len=%d a=%v", s.Len(), s.Snapshot("a"))
	}
	// Recording keeps b alive past its first minute.
	clk.Advance(29 * time.Second)
	s.Record("b", Delta{Accepted: 1})
	clk.Advance(59 * time.Second)
	if s.Snapshot("b") == nil {
		t.Fatal("b expired although it recorded within the window")
	}
	clk.Advance(time.Second)
	if s.Len() != 0 {
		t.Fatalf("Len = %d after every IP idled", s.Len())
	}
}

func TestIPStatsBadWindows(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now, Windows: []time.Duration{0, -time.Second}}
	s.Record("a", Delta{Reads: 1})
	got := s.Snapshot("a")
	if len(got) != 2 || got[0].Duration != time.Minute || got[1].Duration != 10*time.Minute || got[0].Reads != 1 {
		t.Fatalf("non-positive windows did not fall back to the defaults: %+v", got)
	}
	s2 := &IPStats{Now: clk.Now, Windows: []time.Duration{0, time.Second}}
	s2.Record("a", Delta{Reads: 1})
	if got := s2.Snapshot("a"); len(got) != 1 || got[0].Duration != time.Second {
		t.Fatalf("windows = %+v", got)
	}
}

func TestIPStatsCap(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now, MaxIPs: 3}
	for _, ip := range []string{"a", "b", "c"} {
		s.Record(ip, Delta{Accepted: 1})
		clk.Advance(time.Second)
	}
	s.Record("a", Delta{Accepted: 1}) // a is now the most recent; b the oldest
	s.Record("d", Delta{Accepted: 1})
	if s.Len() != 3 {
		t.Fatalf("Len = %d, cap 3", s.Len())
	}
	if s.Snapshot("b") != nil {
		t.Fatal("b, the least recent, was not evicted")
	}
	for _, ip := range []string{"a", "c", "d"} {
		if s.Snapshot(ip) == nil {
			t.Fatalf("%s evicted", ip)
		}
	}
	s.Forget("a")
	if s.Len() != 2 || s.Snapshot("a") != nil {
		t.Fatal("Forget did not drop a")
	}
	s.Forget("zzz")

	// Many addresses through a small cap: bounded.
	big := &IPStats{Now: clk.Now, MaxIPs: 50}
	for i := range 5000 {
		big.Record(fmt.Sprint("ip", i), Delta{Reads: 1})
	}
	if big.Len() != 50 || big.Snapshot("ip4999") == nil || big.Snapshot("ip4949") != nil {
		t.Fatalf("Len = %d with cap 50", big.Len())
	}
}

func TestIPStatsTop(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now}
	s.Record("a", Delta{ReceivedBytes: 10, DecodeErrors: 5})
	s.Record("b", Delta{ReceivedBytes: 30})
	s.Record("c", Delta{ReceivedBytes: 20, DecodeErrors: 1})
	s.Record("d", Delta{ReceivedBytes: 30})

	ips := func(ws []IPWindow) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.IP)
		}
		return out
	}
	if got := ips(s.Top(3, time.Minute, nil)); !slices.Equal(got, []string{"b", "d", "c"}) {
		t.Fatalf("Top by bytes = %v", got)
	}
	byErr := func(w *IPWindow) uint64 { return w.DecodeErrors }
	if got := ips(s.Top(2, 10*time.Minute, byErr)); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("Top by errors = %v", got)
	}
	if got := s.Top(10, time.Minute, nil); len(got) != 4 || got[0].ReceivedBytes != 30 {
		t.Fatalf("Top(10) = %+v", got)
	}
	if s.Top(3, time.Hour, nil) != nil || s.Top(0, time.Minute, nil) != nil {
		t.Fatal("Top of an unknown window or n=0 not nil")
	}
	// After the 1-minute window elapses everything ranks 0: order by IP.
	clk.Advance(time.Minute)
	s.Record("c", Delta{ReceivedBytes: 1})
	if got := ips(s.Top(4, time.Minute, nil)); !slices.Equal(got, []string{"c", "a", "b", "d"}) {
		t.Fatalf("Top after the window = %v", got)
	}
}

func TestIPStatsConcurrent(t *testing.T) {
	clk := newClock()
	s := &IPStats{Now: clk.Now, MaxIPs: 100}
	var wg sync.WaitGroup
	const workers, rounds = 8, 400
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				s.Record(fmt.Sprint("ip", (w*rounds+i)%20), Delta{Reads: 1})
				if i%40 == 0 {
					s.Top(5, time.Minute, nil)
					s.Snapshot("ip1")
					clk.Advance(time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	var total uint64
	for i := range 20 {
		total += s.Snapshot(fmt.Sprint("ip", i))[1].Reads
	}
	if total != workers*rounds {
		t.Fatalf("10m windows hold %d reads, want %d", total, workers*rounds)
	}
}
