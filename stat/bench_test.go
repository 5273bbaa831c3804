package stat

import "testing"

// BenchmarkCloseReason is the close path's counter lookup after first use:
// lock-free and allocation-free.
func BenchmarkCloseReason(b *testing.B) {
	var s Server
	reasons := []string{"heartbeat_timeout", "peer_closed", "slow_consumer", "protocol_error", "kicked"}
	for _, r := range reasons {
		s.CloseReason(r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.CloseReason(reasons[i%len(reasons)]).Add(1)
	}
}

// BenchmarkProtocol is the per-message protocol counter lookup.
func BenchmarkProtocol(b *testing.B) {
	var s Server
	names := []string{"tcp", "websocket", "pomelo"}
	for _, n := range names {
		s.Protocol(n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.Protocol(names[i%len(names)]).MessagesIn.Add(1)
	}
}

func BenchmarkProtocolParallel(b *testing.B) {
	var s Server
	s.Protocol("websocket")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Protocol("websocket").MessagesIn.Add(1)
		}
	})
}

// BenchmarkCloseReasonOverflow is a lookup of a name beyond MaxLabels: it
// takes the mutex but still allocates nothing.
func BenchmarkCloseReasonOverflow(b *testing.B) {
	var s Server
	for i := range MaxLabels {
		s.CloseReason(string(rune('A' + i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.CloseReason("made-up").Add(1)
	}
}

func BenchmarkServerSnapshot(b *testing.B) {
	var s Server
	s.CloseReason("a")
	s.CloseReason("b")
	s.Protocol("tcp")
	s.Protocol("websocket")
	b.ReportAllocs()
	for range b.N {
		s.Snapshot()
	}
}

func BenchmarkIPStatsRecord(b *testing.B) {
	s := &IPStats{}
	ips := []string{"192.0.2.1", "192.0.2.2", "198.51.100.7", "203.0.113.9"}
	b.ReportAllocs()
	for i := range b.N {
		s.Record(ips[i%len(ips)], Delta{ReceivedBytes: 100, Reads: 1, ReceivedPackets: 1})
	}
}
