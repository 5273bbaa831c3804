package cluster

import (
	"context"
	"errors"
	"sync"

	"github.com/gotio/gotio/aio"
)

// Policy is an application's rule for a user who logs in while logged in
// elsewhere, on this node or any other.
type Policy uint8

const (
	// RejectNew refuses the newcomer while the old session lives
	// (chatofpomelo's rule: "duplicate log in" answers code 500). A
	// session whose node is gone or no longer has the connection is stale
	// and is replaced.
	RejectNew Policy = iota
	// KickOld closes the old session, wherever it is, and lets the
	// newcomer in. Login returns only after the old session's node has
	// closed it (or is known gone), so a group never holds the user twice.
	KickOld
)

// String returns the policy's name.
func (p Policy) String() string {
	switch p {
	case RejectNew:
		return "reject-new"
	case KickOld:
		return "kick-old"
	}
	return "unknown"
}

// Location names one connection in the cluster: its node and its
// connection id there. A Directory holds a user's session as the Location
// of its connection.
type Location struct {
	Node string `json:"node"`
	Conn uint64 `json:"conn"`
}

// LocationOf returns where a server connection is: the node its server is
// attached as to a bus of this package (aio.Config.Bus; its NodeID), and
// its connection id. Node is "" for a server attached to no bus.
func LocationOf(c *aio.ChannelContext) Location {
	node, _ := attached.Load(c.Server())
	id, _ := node.(string)
	return Location{Node: id, Conn: c.ID()}
}

// attached maps each server attached to a bus of this process to its node
// id, for LocationOf: aio hands a bus a Node, not its Server's name.
var attached sync.Map // *aio.Server → string

// serverOf is what aio's Node offers beyond aio.Node: its server.
type serverOf interface{ Server() *aio.Server }

// noteAttached records n's server under n's id; noteDetached forgets it.
func noteAttached(n aio.Node) {
	if so, ok := n.(serverOf); ok {
		attached.Store(so.Server(), n.NodeID())
	}
}

func noteDetached(n aio.Node) {
	if so, ok := n.(serverOf); ok {
		attached.CompareAndDelete(so.Server(), n.NodeID())
	}
}

// Directory keeps at most one session per user across the cluster.
//
// Call Login before binding the user (and before joining any group), and
// Logout when the connection closes (Listener.OnBeforeClose). All methods
// are safe for concurrent use.
type Directory interface {
	// Login claims user for s. ok reports whether s may proceed;
	// kickedOld whether a live older session was closed to make room. An
	// error means ok is false: the directory could not decide (NATS
	// unreachable, or under RejectNew the old session's node did not
	// answer). Under KickOld a kick that gets no answer does not undo the
	// claim: ok is true, kickedOld false, and Stats().KickFailures counts it.
	// Logging in again with the session that holds the user succeeds and
	// kicks nothing (pomelo issue #745: a second login on one connection
	// must not double its pushes).
	Login(ctx context.Context, user string, s Location) (ok, kickedOld bool, err error)
	// Logout releases user if s still holds it; a newer session's claim is
	// left alone.
	Logout(ctx context.Context, user string, s Location) error
	// Lookup returns the session holding user.
	Lookup(ctx context.Context, user string) (s Location, ok bool, err error)
}

// ErrContention is returned by Login when the claim on a user kept
// changing under it (another login raced it on every attempt).
var ErrContention = errors.New("cluster: login contention: user's claim kept changing")

// ErrUnreachable wraps a kick or probe that got no answer in time.
var ErrUnreachable = errors.New("cluster: node did not answer")

// maxLoginAttempts bounds Login's compare-and-set loop.
const maxLoginAttempts = 16

// DefaultKickReason is what a kicked session's peer is told.
const DefaultKickReason = "logged in elsewhere"

// controller reaches sessions on any node of a bus.
type controller interface {
	// probe reports whether s is an open connection. A node that is gone
	// answers false; a node that does not answer is an error.
	probe(ctx context.Context, s Location) (bool, error)
	// kick closes s with reason and reports whether it was open.
	kick(ctx context.Context, s Location, reason string) (bool, error)
}

// LocalDirectory is the in-memory Directory of a Local bus. Create it with
// NewLocalDirectory.
type LocalDirectory struct {
	ctl    controller
	policy Policy
	reason string

	mu       sync.Mutex
	sessions map[string]Location
}

var _ Directory = (*LocalDirectory)(nil)

// NewLocalDirectory returns a directory for the nodes of bus.
func NewLocalDirectory(bus *Local, policy Policy) *LocalDirectory {
	return &LocalDirectory{ctl: bus, policy: policy, reason: DefaultKickReason, sessions: make(map[string]Location)}
}

// Login claims user for s under the directory's policy.
func (d *LocalDirectory) Login(ctx context.Context, user string, s Location) (ok, kickedOld bool, err error) {
	for range maxLoginAttempts {
		d.mu.Lock()
		old, held := d.sessions[user]
		if !held || old == s {
			d.sessions[user] = s
			d.mu.Unlock()
			return true, false, nil
		}
		d.mu.Unlock()

		// Ask the old session's node without holding the lock: a kick
		// closes a connection, whose close path may call Logout.
		if d.policy == RejectNew {
			alive, err := d.ctl.probe(ctx, old)
			if err != nil || alive {
				return false, false, err
			}
		}
		d.mu.Lock()
		if cur, held := d.sessions[user]; !held || cur != old {
			d.mu.Unlock()
			continue // changed meanwhile: decide again
		}
		d.sessions[user] = s
		d.mu.Unlock()
		if d.policy == KickOld {
			// A kick that fails is counted by the bus; the claim stands.
			kicked, _ := d.ctl.kick(ctx, old, d.reason)
			return true, kicked, nil
		}
		return true, false, nil
	}
	return false, false, ErrContention
}

// Logout releases user if s holds it.
func (d *LocalDirectory) Logout(_ context.Context, user string, s Location) error {
	d.mu.Lock()
	if cur, held := d.sessions[user]; held && cur == s {
		delete(d.sessions, user)
	}
	d.mu.Unlock()
	return nil
}

// Lookup returns the session holding user.
func (d *LocalDirectory) Lookup(_ context.Context, user string) (Location, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[user]
	return s, ok, nil
}
