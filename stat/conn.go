package stat

import (
	"sync/atomic"
	"time"
)

// Conn holds one connection's counters, t-io's ChannelStat. It sits in
// every connection, so it is kept to 64 bytes. The zero value is ready to
// use; every field is safe for concurrent use.
type Conn struct {
	ReceivedBytes, ReceivedPackets atomic.Uint64
	SentBytes, SentPackets         atomic.Uint64
	// HandledPackets counts messages the handler finished, taking
	// HandleNanos nanoseconds in total.
	HandledPackets, HandleNanos atomic.Uint64
	// LastReceived and LastSent are the Unix nanosecond times of the last
	// bytes read and written; 0 means never. The heartbeat checks the
	// first, a client's idle heartbeat the second.
	LastReceived, LastSent atomic.Int64
}

// ConnSnapshot is a plain copy of a Conn.
type ConnSnapshot struct {
	ReceivedBytes, ReceivedPackets uint64
	SentBytes, SentPackets         uint64
	HandledPackets, HandleNanos    uint64
	// LastReceived and LastSent are zero times when nothing was received
	// or sent yet.
	LastReceived, LastSent time.Time
	// HandleNanosPerPacket is HandleNanos/HandledPackets.
	HandleNanosPerPacket float64
}

// Snapshot returns a plain copy of the counters.
func (c *Conn) Snapshot() ConnSnapshot {
	s := ConnSnapshot{
		ReceivedBytes:   c.ReceivedBytes.Load(),
		ReceivedPackets: c.ReceivedPackets.Load(),
		SentBytes:       c.SentBytes.Load(),
		SentPackets:     c.SentPackets.Load(),
		HandledPackets:  c.HandledPackets.Load(),
		HandleNanos:     c.HandleNanos.Load(),
		LastReceived:    unixNano(c.LastReceived.Load()),
		LastSent:        unixNano(c.LastSent.Load()),
	}
	s.HandleNanosPerPacket = ratio(s.HandleNanos, s.HandledPackets)
	return s
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
