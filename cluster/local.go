package cluster

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// ErrDuplicateNode is returned by Attach for a node id already attached.
var ErrDuplicateNode = errors.New("cluster: a node with this id is already attached")

// connFinder is what a bus needs of a node to kick or probe a session;
// *aio.Server has it.
type connFinder interface {
	Conn(id uint64) *aio.ChannelContext
}

// Local is a Bus for several aio.Servers in one process: give each
// server's Config.Bus the same *Local. A send is delivered to the other
// servers synchronously, on the sender's goroutine, so order and delivery
// are those of a local send. Zero setup, no network; a test or a process
// serving several ports uses it.
//
// All methods are safe for concurrent use.
type Local struct {
	mu      sync.RWMutex
	nodes   map[string]*localNode
	all     []*localNode                // copy-on-write: Publish reads it without copying
	holders map[aio.Target][]*localNode // copy-on-write per target
	locks   keyLocks[interestKey]
	stats   counters
}

type localNode struct {
	id    string
	node  aio.Node
	conns connFinder // nil when the node cannot look connections up
}

var _ aio.Bus = (*Local)(nil)

// NewLocal returns an in-process bus.
func NewLocal() *Local {
	return &Local{nodes: make(map[string]*localNode), holders: make(map[aio.Target][]*localNode)}
}

// Attach joins n to the bus. aio calls it when the server starts serving.
func (b *Local) Attach(n aio.Node) error {
	ln := &localNode{id: n.NodeID(), node: n}
	ln.conns, _ = n.(connFinder)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.nodes[ln.id]; dup {
		return ErrDuplicateNode
	}
	b.nodes[ln.id] = ln
	b.all = append(slices.Clone(b.all), ln)
	noteAttached(n)
	return nil
}

// Detach removes n from the bus with all its interests. aio calls it when
// the server stops.
func (b *Local) Detach(n aio.Node) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	ln := b.nodes[n.NodeID()]
	if ln == nil || ln.node != n {
		return nil
	}
	delete(b.nodes, ln.id)
	b.all = without(b.all, ln)
	noteDetached(n)
	for t, list := range b.holders {
		if i := slices.Index(list, ln); i >= 0 {
			b.setHolders(t, without(list, ln))
			b.stats.interests.Add(-1)
		}
	}
	return nil
}

// without returns a new slice: list minus ln.
func without(list []*localNode, ln *localNode) []*localNode {
	out := make([]*localNode, 0, len(list))
	for _, x := range list {
		if x != ln {
			out = append(out, x)
		}
	}
	return out
}

func (b *Local) setHolders(t aio.Target, list []*localNode) {
	if len(list) == 0 {
		delete(b.holders, t)
		return
	}
	b.holders[t] = list
}

// Publish delivers m to the members of t on every other attached node.
func (b *Local) Publish(from aio.Node, t aio.Target, m *codec.Message) error {
	var list []*localNode
	b.mu.RLock()
	switch t.Kind {
	case target.All, target.BsID, target.IP:
		// Business ids and IPs report no interest; every node looks its
		// own up.
		list = b.all
	default:
		list = b.holders[t]
	}
	b.mu.RUnlock()
	b.stats.published.Add(1)
	origin := from.NodeID()
	for _, ln := range list {
		if ln.id == origin {
			b.stats.echoes.Add(1)
			continue
		}
		n := ln.node.Deliver(t, m)
		b.stats.received.Add(1)
		b.stats.delivered.Add(uint64(n))
	}
	return nil
}

// InterestChanged re-reads n.Holds(t) and records whether n holds t.
// Calls for one node and target are serialized, so the last call to run
// always records the current answer.
func (b *Local) InterestChanged(n aio.Node, t aio.Target) {
	if !interestKind(t.Kind) {
		return
	}
	k := interestKey{node: n.NodeID(), target: t}
	kl := b.locks.lock(k)
	defer b.locks.unlock(k, kl)
	held := n.Holds(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	ln := b.nodes[k.node]
	if ln == nil || ln.node != n {
		return
	}
	list := b.holders[t]
	i := slices.Index(list, ln)
	switch {
	case held && i < 0:
		b.holders[t] = append(slices.Clone(list), ln)
		b.stats.interests.Add(1)
	case !held && i >= 0:
		b.setHolders(t, without(list, ln))
		b.stats.interests.Add(-1)
	}
}

// Holders returns the ids of the nodes recorded as holding t, for tests
// and diagnostics.
func (b *Local) Holders(t aio.Target) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var ids []string
	for _, ln := range b.holders[t] {
		ids = append(ids, ln.id)
	}
	slices.Sort(ids)
	return ids
}

// Stats returns the bus's counters.
func (b *Local) Stats() Stats { return b.stats.snapshot() }

// interestKind reports whether aio reports interest for targets of kind k.
func interestKind(k target.Kind) bool {
	return k == target.User || k == target.Group || k == target.Token
}

// probe reports whether session s is an open connection of an attached
// node.
func (b *Local) probe(_ context.Context, s Location) (bool, error) {
	c := b.conn(s)
	return c != nil && c.Err() == nil, nil
}

// kick closes session s with reason; it reports whether s was open.
func (b *Local) kick(_ context.Context, s Location, reason string) (bool, error) {
	c := b.conn(s)
	if c == nil || c.Err() != nil {
		return false, nil
	}
	c.Kick(reason)
	b.stats.kicks.Add(1)
	return true, nil
}

func (b *Local) conn(s Location) *aio.ChannelContext {
	b.mu.RLock()
	ln := b.nodes[s.Node]
	b.mu.RUnlock()
	if ln == nil || ln.conns == nil {
		return nil
	}
	return ln.conns.Conn(s.Conn)
}
