package stat

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Delta is what happened on behalf of one IP address, to be added to its
// windows by IPStats.Record. Zero fields add nothing.
type Delta struct {
	// Accepted counts connections accepted from the IP (t-io's request
	// count).
	Accepted        uint64
	DecodeErrors    uint64
	ReceivedBytes   uint64
	ReceivedPackets uint64
	Reads           uint64
	HandledPackets  uint64
	HandleNanos     uint64
	SentBytes       uint64
	SentPackets     uint64
}

func (d *Delta) add(o *Delta) {
	d.Accepted += o.Accepted
	d.DecodeErrors += o.DecodeErrors
	d.ReceivedBytes += o.ReceivedBytes
	d.ReceivedPackets += o.ReceivedPackets
	d.Reads += o.Reads
	d.HandledPackets += o.HandledPackets
	d.HandleNanos += o.HandleNanos
	d.SentBytes += o.SentBytes
	d.SentPackets += o.SentPackets
}

// IPWindow is one IP address's counters over one time window, t-io's
// IpStat.
type IPWindow struct {
	IP string
	// Start is when the window opened: the first Record after the
	// previous window of the same Duration ended.
	Start    time.Time
	Duration time.Duration
	Delta
}

// DefaultWindows are the windows of an IPStats whose Windows is empty.
var DefaultWindows = []time.Duration{time.Minute, 10 * time.Minute}

// DefaultMaxIPs is the cap on tracked addresses of an IPStats whose MaxIPs
// is zero.
const DefaultMaxIPs = 10000

// IPStats counts traffic per IP address over time windows, t-io's IpStats.
//
// Each window is tumbling: it opens at an address's first Record, collects
// until its Duration has passed, and the next Record then opens a fresh one.
// An address is forgotten once its longest window has passed without a
// Record, and at most MaxIPs addresses are kept: when a new address arrives
// at the cap, the one that recorded least recently is forgotten. Memory is
// therefore bounded by MaxIPs × len(Windows) windows.
//
// Set the fields before first use and do not change them afterwards. All
// methods are safe for concurrent use; they share one mutex, held briefly.
type IPStats struct {
	// Windows are the window lengths to keep per address; lengths <= 0
	// are ignored. Empty means DefaultWindows (1 minute and 10 minutes).
	Windows []time.Duration
	// MaxIPs caps the number of addresses tracked. Zero means
	// DefaultMaxIPs; when the cap is reached, the address that recorded
	// least recently is evicted.
	MaxIPs int
	// Now returns the current time. Nil means time.Now; tests set a fake
	// clock.
	Now func() time.Time

	mu    sync.Mutex
	ips   map[string]*ipEntry
	lru   ipEntry // sentinel of the recency list: lru.next is the newest
	wins  []time.Duration
	limit int
	span  time.Duration // longest window
}

// ipEntry is one tracked address, linked into the recency list.
type ipEntry struct {
	ip         string
	last       time.Time // last Record
	wins       []ipWin
	prev, next *ipEntry
}

type ipWin struct {
	start time.Time
	Delta
}

// init applies the defaults; it runs under s.mu.
func (s *IPStats) init() {
	if s.ips != nil {
		return
	}
	for _, d := range s.Windows {
		if d > 0 {
			s.wins = append(s.wins, d)
		}
	}
	if len(s.wins) == 0 {
		s.wins = slices.Clone(DefaultWindows)
	}
	for _, d := range s.wins {
		s.span = max(s.span, d)
	}
	s.limit = s.MaxIPs
	if s.limit <= 0 {
		s.limit = DefaultMaxIPs
	}
	s.ips = make(map[string]*ipEntry)
	s.lru.next, s.lru.prev = &s.lru, &s.lru
}

func (s *IPStats) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *IPStats) unlink(e *ipEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (s *IPStats) pushFront(e *ipEntry) {
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

// expire forgets addresses idle for the longest window; it runs under s.mu.
// The recency list is ordered by last Record, so it stops at the first
// address still live: amortised O(1) per Record.
func (s *IPStats) expire(now time.Time) {
	for e := s.lru.prev; e != &s.lru && !now.Before(e.last.Add(s.span)); e = s.lru.prev {
		s.unlink(e)
		delete(s.ips, e.ip)
	}
}

// Record adds d to every window of ip.
func (s *IPStats) Record(ip string, d Delta) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.expire(now)
	e := s.ips[ip]
	if e == nil {
		if len(s.ips) >= s.limit {
			old := s.lru.prev
			s.unlink(old)
			delete(s.ips, old.ip)
		}
		e = &ipEntry{ip: ip, wins: make([]ipWin, len(s.wins))}
		for i := range e.wins {
			e.wins[i].start = now
		}
		s.ips[ip] = e
	} else {
		s.unlink(e)
	}
	s.pushFront(e)
	if now.After(e.last) {
		// A clock that steps back never moves last backwards; expiry
		// at worst comes late for entries behind e, bounded by MaxIPs.
		e.last = now
	}
	for i := range e.wins {
		w := &e.wins[i]
		if !now.Before(w.start.Add(s.wins[i])) {
			*w = ipWin{start: now}
		}
		w.add(&d)
	}
}

// window returns the current window i of e as seen at now.
func (s *IPStats) window(e *ipEntry, i int, now time.Time) IPWindow {
	w := e.wins[i]
	if !now.Before(w.start.Add(s.wins[i])) {
		// Elapsed: what the next Record would find.
		w = ipWin{start: now}
	}
	return IPWindow{IP: e.ip, Start: w.start, Duration: s.wins[i], Delta: w.Delta}
}

// Snapshot returns ip's windows, one per window length in the order of
// Windows, or nil when ip is not tracked. A window whose duration has passed
// is reported empty, starting now.
func (s *IPStats) Snapshot(ip string) []IPWindow {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.expire(now)
	e := s.ips[ip]
	if e == nil {
		return nil
	}
	out := make([]IPWindow, len(e.wins))
	for i := range e.wins {
		out[i] = s.window(e, i, now)
	}
	return out
}

// Top returns the windows of length window of the (at most) n addresses
// with the largest by, largest first; ties go to the smaller address. A nil
// by ranks by ReceivedBytes. It returns nil when window is not one of the
// configured lengths. by is called with the mutex held and must not call s.
func (s *IPStats) Top(n int, window time.Duration, by func(*IPWindow) uint64) []IPWindow {
	if n <= 0 {
		return nil
	}
	if by == nil {
		by = func(w *IPWindow) uint64 { return w.ReceivedBytes }
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.expire(now)
	wi := slices.Index(s.wins, window)
	if wi < 0 {
		return nil
	}
	type ranked struct {
		key uint64
		w   IPWindow
	}
	all := make([]ranked, 0, len(s.ips))
	for _, e := range s.ips {
		w := s.window(e, wi, now)
		all = append(all, ranked{by(&w), w})
	}
	slices.SortFunc(all, func(a, b ranked) int {
		if c := cmp.Compare(b.key, a.key); c != 0 {
			return c
		}
		return cmp.Compare(a.w.IP, b.w.IP)
	})
	out := make([]IPWindow, min(n, len(all)))
	for i := range out {
		out[i] = all[i].w
	}
	return out
}

// Len returns the number of addresses tracked.
func (s *IPStats) Len() int {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.expire(now)
	return len(s.ips)
}

// Forget drops ip's counters at once.
func (s *IPStats) Forget(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if e := s.ips[ip]; e != nil {
		s.unlink(e)
		delete(s.ips, ip)
	}
}
