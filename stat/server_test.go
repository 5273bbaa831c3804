package stat

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"unsafe"
)

func TestServerSnapshot(t *testing.T) {
	var s Server
	s.Accepted.Add(10)
	s.Closed.Add(4)
	s.Rejected.Add(2)
	s.Active.Add(6)
	s.ReceivedBytes.Add(1000)
	s.Reads.Add(10)
	s.DecodedPackets.Add(40)
	s.HandledPackets.Add(40)
	s.HandleNanos.Add(4000)
	s.SentBytes.Add(600)
	s.SentPackets.Add(30)
	s.Writes.Add(3)
	s.HeartbeatTimeouts.Add(1)
	s.DecodeErrors.Add(2)
	s.RateLimited.Add(5)
	s.BusErrors.Add(7)
	s.CloseReason("heartbeat_timeout").Add(1)
	s.CloseReason("peer_closed").Add(3)
	ws := s.Protocol("websocket")
	ws.Active.Add(2)
	ws.Accepted.Add(3)
	ws.MessagesIn.Add(11)
	ws.MessagesOut.Add(12)
	ws.BytesIn.Add(13)
	ws.BytesOut.Add(14)
	s.Protocol("tcp").Accepted.Add(1)

	got := s.Snapshot()
	want := Snapshot{
		Time:     got.Time,
		Accepted: 10, Closed: 4, Rejected: 2, Active: 6,
		ReceivedBytes: 1000, Reads: 10, DecodedPackets: 40, HandledPackets: 40, HandleNanos: 4000,
		SentBytes: 600, SentPackets: 30, Writes: 3,
		HeartbeatTimeouts: 1, DecodeErrors: 2, RateLimited: 5, BusErrors: 7,
		BytesPerRead: 100, PacketsPerRead: 4, BytesPerWrite: 200, PacketsPerWrite: 10,
		HandleNanosPerPacket: 100,
	}
	if got.Time.IsZero() {
		t.Error("Snapshot.Time is zero")
	}
	gotScalars, wantScalars := got, want
	gotScalars.CloseReasons, gotScalars.Protocols = nil, nil
	if !reflect.DeepEqual(gotScalars, wantScalars) {
		t.Errorf("Snapshot =\n%+v\nwant\n%+v", gotScalars, wantScalars)
	}
	if len(got.CloseReasons) != 2 || got.CloseReasons["heartbeat_timeout"] != 1 || got.CloseReasons["peer_closed"] != 3 {
		t.Errorf("CloseReasons = %v", got.CloseReasons)
	}
	wantWS := ProtoSnapshot{Active: 2, Accepted: 3, MessagesIn: 11, MessagesOut: 12, BytesIn: 13, BytesOut: 14}
	if len(got.Protocols) != 2 || got.Protocols["websocket"] != wantWS || got.Protocols["tcp"] != (ProtoSnapshot{Accepted: 1}) {
		t.Errorf("Protocols = %+v", got.Protocols)
	}
}

func TestServerSnapshotZero(t *testing.T) {
	var s Server
	got := s.Snapshot()
	if got.CloseReasons == nil || got.Protocols == nil {
		t.Fatal("maps of a zero Snapshot are nil")
	}
	if got.BytesPerRead != 0 || got.PacketsPerRead != 0 || got.BytesPerWrite != 0 ||
		got.PacketsPerWrite != 0 || got.HandleNanosPerPacket != 0 {
		t.Fatalf("derived figures of a zero Server are not 0: %+v", got)
	}
}

func TestLabelsSamePointer(t *testing.T) {
	var s Server
	if s.CloseReason("a") != s.CloseReason("a") {
		t.Error("CloseReason returned different counters for one reason")
	}
	if s.CloseReason("a") == s.CloseReason("b") {
		t.Error("CloseReason returned one counter for two reasons")
	}
	if s.Protocol("ws") != s.Protocol("ws") || s.Protocol("ws") == s.Protocol("tcp") {
		t.Error("Protocol lookups inconsistent")
	}
}

// TestLabelsCap checks that made-up reasons beyond MaxLabels share the Other
// counter instead of growing the map.
func TestLabelsCap(t *testing.T) {
	var s Server
	for i := range MaxLabels {
		s.CloseReason(fmt.Sprint("r", i)).Add(1)
	}
	for i := range 1000 {
		s.CloseReason(fmt.Sprint("junk", i)).Add(2)
	}
	s.CloseReason("r0").Add(1) // existing names keep their own counter
	got := s.Snapshot().CloseReasons
	if len(got) != MaxLabels+1 {
		t.Fatalf("%d reasons, want %d", len(got), MaxLabels+1)
	}
	if got[Other] != 2000 || got["r0"] != 2 || got["r63"] != 1 {
		t.Fatalf("other=%d r0=%d r63=%d", got[Other], got["r0"], got["r63"])
	}
	if s.Protocol(Other) != s.Protocol(Other) {
		t.Fatal("Other protocol not stable")
	}
}

// TestLabelsInvalidUTF8 checks that a reason that is not valid UTF-8 is
// reported under a valid label (Prometheus rejects invalid label values).
func TestLabelsInvalidUTF8(t *testing.T) {
	var s Server
	s.CloseReason("bad\xff").Add(1)
	s.CloseReason("bad\xfe").Add(2)
	got := s.Snapshot().CloseReasons
	if len(got) != 1 || got["bad\uFFFD"] != 3 {
		t.Fatalf("CloseReasons = %v", got)
	}
}

func TestServerConcurrent(t *testing.T) {
	var s Server
	var wg sync.WaitGroup
	const workers, rounds = 8, 500
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				s.Accepted.Add(1)
				s.CloseReason(fmt.Sprint("r", (w+i)%5)).Add(1)
				p := s.Protocol(fmt.Sprint("p", i%3))
				p.MessagesIn.Add(1)
				if i%50 == 0 {
					s.Snapshot()
				}
			}
		}()
	}
	wg.Wait()
	snap := s.Snapshot()
	var reasons, msgs uint64
	for _, n := range snap.CloseReasons {
		reasons += n
	}
	for _, p := range snap.Protocols {
		msgs += p.MessagesIn
	}
	if snap.Accepted != workers*rounds || reasons != workers*rounds || msgs != workers*rounds {
		t.Fatalf("accepted=%d reasons=%d msgs=%d, want %d each", snap.Accepted, reasons, msgs, workers*rounds)
	}
	if len(snap.CloseReasons) != 5 || len(snap.Protocols) != 3 {
		t.Fatalf("%d reasons, %d protocols", len(snap.CloseReasons), len(snap.Protocols))
	}
}

func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n > 64 {
		t.Fatalf("Conn is %d bytes, budget 64", n)
	}
}

func TestConnSnapshot(t *testing.T) {
	var c Conn
	z := c.Snapshot()
	if !z.LastReceived.IsZero() || !z.LastSent.IsZero() || z.HandleNanosPerPacket != 0 {
		t.Fatalf("zero Conn snapshot = %+v", z)
	}
	c.ReceivedBytes.Add(100)
	c.ReceivedPackets.Add(4)
	c.SentBytes.Add(50)
	c.SentPackets.Add(2)
	c.HandledPackets.Add(4)
	c.HandleNanos.Add(1000)
	c.LastReceived.Store(1_700_000_000_000_000_001)
	c.LastSent.Store(1_700_000_000_000_000_002)
	got := c.Snapshot()
	if got.ReceivedBytes != 100 || got.ReceivedPackets != 4 || got.SentBytes != 50 || got.SentPackets != 2 ||
		got.HandledPackets != 4 || got.HandleNanos != 1000 || got.HandleNanosPerPacket != 250 {
		t.Fatalf("snapshot = %+v", got)
	}
	if got.LastReceived.UnixNano() != 1_700_000_000_000_000_001 || got.LastSent.UnixNano() != 1_700_000_000_000_000_002 {
		t.Fatalf("times = %v, %v", got.LastReceived, got.LastSent)
	}
}
