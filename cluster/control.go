package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Control requests travel on a node's control subject
// (gotio.<app>.node.<id>) as NATS request/reply:
//
//	byte 0    op: 'p' probe (is the connection open?), 'k' kick
//	uvarint   connection id
//	rest      kick reason, told to the peer
//
// The reply is one byte: 1 when the connection was open (and, for a kick,
// is now closing), 0 when the node does not have it.
const (
	opProbe = 'p'
	opKick  = 'k'
)

var errFlushTimeout = errors.New("timed out")

// control serves a control request to nn.
func (b *NATS) control(nn *natsNode, m *nats.Msg) {
	if len(m.Data) < 2 || (m.Data[0] != opProbe && m.Data[0] != opKick) {
		b.stats.malformed.Add(1)
		return
	}
	id, n := binary.Uvarint(m.Data[1:])
	if n <= 0 {
		b.stats.malformed.Add(1)
		return
	}
	var open bool
	if m.Data[0] == opKick {
		open = b.kickLocal(nn, id, string(m.Data[1+n:]))
	} else {
		open = probeLocal(nn, id)
	}
	reply := []byte{0}
	if open {
		reply[0] = 1
	}
	if m.Reply != "" {
		_ = m.Respond(reply)
	}
}

func probeLocal(nn *natsNode, id uint64) bool {
	if nn.conns == nil {
		return false
	}
	c := nn.conns.Conn(id)
	return c != nil && c.Err() == nil
}

func (b *NATS) kickLocal(nn *natsNode, id uint64, reason string) bool {
	if nn.conns == nil {
		return false
	}
	c := nn.conns.Conn(id)
	if c == nil || c.Err() != nil {
		return false
	}
	// Kick marks the connection closing before it returns: from here on no
	// send reaches it, so the newcomer may join the old session's groups.
	c.Kick(reason)
	b.stats.kicks.Add(1)
	b.log.Info().Str("node", nn.id).Uint64("conn", id).Str("reason", reason).Msg("cluster: session kicked")
	return true
}

// attached returns the attached node named id, nil when it is elsewhere.
func (b *NATS) attached(id string) *natsNode {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.nodes[id]
}

func (b *NATS) probe(ctx context.Context, s Location) (bool, error) {
	if nn := b.attached(s.Node); nn != nil {
		return probeLocal(nn, s.Conn), nil
	}
	return b.request(ctx, s, opProbe, "")
}

func (b *NATS) kick(ctx context.Context, s Location, reason string) (bool, error) {
	if nn := b.attached(s.Node); nn != nil {
		return b.kickLocal(nn, s.Conn, reason), nil
	}
	return b.request(ctx, s, opKick, reason)
}

// request asks s's node. A node with no subscriber on its control subject
// is gone (its connection to NATS ended): its sessions are not open.
func (b *NATS) request(ctx context.Context, s Location, op byte, reason string) (bool, error) {
	if !b.up.Load() {
		b.stats.kickFailures.Add(1)
		return false, fmt.Errorf("cluster: %s request to node %s: %w", opName(op), s.Node, ErrDisconnected)
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.RequestTimeout)
	defer cancel()
	data := binary.AppendUvarint([]byte{op}, s.Conn)
	data = append(data, reason...)
	reply, err := b.nc.RequestWithContext(ctx, b.subj.node(s.Node), data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return false, nil
	case err != nil:
		b.stats.kickFailures.Add(1)
		b.log.Warn().Err(err).Str("node", s.Node).Uint64("conn", s.Conn).Msg("cluster: session request unanswered")
		return false, fmt.Errorf("cluster: %s request to node %s: %w (%w)", opName(op), s.Node, ErrUnreachable, err)
	}
	return len(reply.Data) == 1 && reply.Data[0] == 1, nil
}

func opName(op byte) string {
	if op == opKick {
		return "kick"
	}
	return "probe"
}

var _ controller = (*NATS)(nil)
var _ controller = (*Local)(nil)
