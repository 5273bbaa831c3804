package cluster

import "sync/atomic"

// Stats counts what a bus carried. Every counter only grows, except
// Interests.
type Stats struct {
	// Published counts sends handed to the bus (for NATS: accepted by the
	// client library on a connected client).
	Published uint64
	// Lost counts sends the bus knew it could not hand on: published while
	// disconnected from NATS, or refused by the client library. Each is
	// also returned to aio as an error (aio counts it in BusErrors).
	Lost uint64
	// Received counts messages from other nodes handed to a local node.
	Received uint64
	// Delivered counts local connections those messages were queued to.
	Delivered uint64
	// Echoes counts this node's own publications that came back and were
	// skipped: aio had already delivered them locally.
	Echoes uint64
	// Dropped counts messages NATS delivered to this client that were
	// dropped because the delivery queue was full (a slow consumer).
	Dropped uint64
	// Malformed counts messages on gotio's subjects that failed to decode.
	Malformed uint64
	// Disconnects and Reconnects count the client's NATS connection losses
	// and recoveries.
	Disconnects uint64
	Reconnects  uint64
	// Interests is the number of user, group and token subscriptions held
	// now, over all attached nodes.
	Interests int64
	// Kicks counts sessions closed for a unique login (on this bus's
	// nodes, by request of any node); KickFailures counts kick and probe
	// requests that got no answer in time.
	Kicks        uint64
	KickFailures uint64
}

type counters struct {
	published, lost, received, delivered, echoes, dropped, malformed atomic.Uint64
	disconnects, reconnects, kicks, kickFailures                     atomic.Uint64
	interests                                                        atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Published:    c.published.Load(),
		Lost:         c.lost.Load(),
		Received:     c.received.Load(),
		Delivered:    c.delivered.Load(),
		Echoes:       c.echoes.Load(),
		Dropped:      c.dropped.Load(),
		Malformed:    c.malformed.Load(),
		Disconnects:  c.disconnects.Load(),
		Reconnects:   c.reconnects.Load(),
		Interests:    c.interests.Load(),
		Kicks:        c.kicks.Load(),
		KickFailures: c.kickFailures.Load(),
	}
}
