package stat

import (
	"sync/atomic"
	"time"
)

// Server holds the server-wide counters of one gotio server, t-io's
// ServerGroupStat. The zero value is ready to use; every field and method is
// safe for concurrent use and lock-free on the hot path. A Server must not
// be copied after first use.
//
// Package aio increments the counters; applications read them with
// Snapshot.
type Server struct {
	// Accepted counts connections accepted; Closed counts those closed
	// again; Active is the number open now. Rejected counts connections
	// refused at accept by a limit (they are not counted in Accepted).
	Accepted, Closed, Rejected atomic.Uint64
	Active                     atomic.Int64

	// ReceivedBytes counts bytes read from sockets in Reads reads;
	// DecodedPackets counts messages the codecs decoded from them;
	// HandledPackets counts messages the handler finished, taking
	// HandleNanos nanoseconds in total.
	ReceivedBytes, Reads, DecodedPackets, HandledPackets, HandleNanos atomic.Uint64

	// SentBytes counts bytes written to sockets in Writes writes, carrying
	// SentPackets encoded messages.
	SentBytes, SentPackets, Writes atomic.Uint64

	// HeartbeatTimeouts counts connections found silent past their
	// heartbeat timeout; DecodeErrors counts streams that failed to decode.
	HeartbeatTimeouts, DecodeErrors atomic.Uint64
	// Pings counts keepalive probes the server sent to silent peers (a
	// WebSocket ping) and heartbeats a client sent while idle.
	Pings atomic.Uint64

	// RateLimited counts messages refused by a per-connection rate limit;
	// BusErrors counts failed publishes to the cluster bus.
	RateLimited, BusErrors atomic.Uint64

	reasons labels[atomic.Uint64]
	protos  labels[Proto]
}

// Proto holds the counters of one protocol (codec) on a server.
type Proto struct {
	// Active is the number of open connections speaking the protocol;
	// Accepted counts connections that were identified as speaking it.
	Active   atomic.Int64
	Accepted atomic.Uint64
	// MessagesIn and MessagesOut count decoded and encoded messages;
	// BytesIn and BytesOut the bytes they arrived and left in.
	MessagesIn, MessagesOut, BytesIn, BytesOut atomic.Uint64
}

// CloseReason returns the counter of connections closed for reason, a short
// code such as "heartbeat_timeout". After the first call for a reason the
// lookup is lock-free and allocates nothing. Reasons are a label of the
// Prometheus metrics, so they must come from a small fixed set; beyond
// MaxLabels distinct reasons, new ones are counted under Other.
func (s *Server) CloseReason(reason string) *atomic.Uint64 {
	return s.reasons.get(reason)
}

// Protocol returns the counters of protocol name, such as "websocket". After
// the first call for a name the lookup is lock-free and allocates nothing.
// Beyond MaxLabels distinct names, new ones are counted under Other.
func (s *Server) Protocol(name string) *Proto {
	return s.protos.get(name)
}

// Snapshot is a plain copy of a Server's counters at one moment, with
// figures derived from them. The counters are read one by one, not as one
// atomic unit, so figures taken while traffic flows may disagree by the
// events of that instant.
type Snapshot struct {
	// Time is when the snapshot was taken.
	Time time.Time

	Accepted, Closed, Rejected uint64
	Active                     int64
	// Sessions is the number of open sessions (engine.io) whose
	// connection may outlive its transport; aio.Server.Stats fills it.
	Sessions int64

	ReceivedBytes, Reads, DecodedPackets, HandledPackets, HandleNanos uint64
	SentBytes, SentPackets, Writes                                    uint64
	HeartbeatTimeouts, DecodeErrors, Pings                            uint64
	RateLimited, BusErrors                                            uint64

	// CloseReasons maps each close reason to the connections closed for
	// it. Never nil.
	CloseReasons map[string]uint64
	// Protocols maps each protocol name to its counters. Never nil.
	Protocols map[string]ProtoSnapshot

	// BytesPerRead is ReceivedBytes/Reads, and PacketsPerRead
	// DecodedPackets/Reads: how well reads are batched.
	BytesPerRead, PacketsPerRead float64
	// BytesPerWrite is SentBytes/Writes, and PacketsPerWrite
	// SentPackets/Writes: how well writes are coalesced.
	BytesPerWrite, PacketsPerWrite float64
	// HandleNanosPerPacket is HandleNanos/HandledPackets, the mean
	// handler cost.
	HandleNanosPerPacket float64
}

// ProtoSnapshot is a plain copy of a Proto.
type ProtoSnapshot struct {
	Active                                     int64
	Accepted                                   uint64
	MessagesIn, MessagesOut, BytesIn, BytesOut uint64
}

// Snapshot returns a plain copy of the counters.
func (s *Server) Snapshot() Snapshot {
	out := Snapshot{
		Time:              time.Now(),
		Accepted:          s.Accepted.Load(),
		Closed:            s.Closed.Load(),
		Rejected:          s.Rejected.Load(),
		Active:            s.Active.Load(),
		ReceivedBytes:     s.ReceivedBytes.Load(),
		Reads:             s.Reads.Load(),
		DecodedPackets:    s.DecodedPackets.Load(),
		HandledPackets:    s.HandledPackets.Load(),
		HandleNanos:       s.HandleNanos.Load(),
		SentBytes:         s.SentBytes.Load(),
		SentPackets:       s.SentPackets.Load(),
		Writes:            s.Writes.Load(),
		HeartbeatTimeouts: s.HeartbeatTimeouts.Load(),
		DecodeErrors:      s.DecodeErrors.Load(),
		Pings:             s.Pings.Load(),
		RateLimited:       s.RateLimited.Load(),
		BusErrors:         s.BusErrors.Load(),
		CloseReasons:      map[string]uint64{},
		Protocols:         map[string]ProtoSnapshot{},
	}
	s.reasons.each(func(name string, v *atomic.Uint64) {
		// Names that differ only in invalid UTF-8 share a label.
		out.CloseReasons[labelValue(name)] += v.Load()
	})
	s.protos.each(func(name string, p *Proto) {
		k := labelValue(name)
		ps := out.Protocols[k]
		ps.Active += p.Active.Load()
		ps.Accepted += p.Accepted.Load()
		ps.MessagesIn += p.MessagesIn.Load()
		ps.MessagesOut += p.MessagesOut.Load()
		ps.BytesIn += p.BytesIn.Load()
		ps.BytesOut += p.BytesOut.Load()
		out.Protocols[k] = ps
	})
	out.BytesPerRead = ratio(out.ReceivedBytes, out.Reads)
	out.PacketsPerRead = ratio(out.DecodedPackets, out.Reads)
	out.BytesPerWrite = ratio(out.SentBytes, out.Writes)
	out.PacketsPerWrite = ratio(out.SentPackets, out.Writes)
	out.HandleNanosPerPacket = ratio(out.HandleNanos, out.HandledPackets)
	return out
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
