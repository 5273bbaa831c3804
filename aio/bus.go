package aio

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/group"
)

// TargetKind says what a Target names.
type TargetKind uint8

const (
	TargetUser TargetKind = iota + 1
	TargetGroup
	TargetToken
	TargetBsID
	TargetAll
)

// Target names who a message is for: a user, a group, a token, a business
// id, or everyone (Key unused).
type Target struct {
	Kind TargetKind
	Key  string
}

// Bus carries sends beyond this node (package cluster implements it over
// NATS and in process). aio publishes a send to the bus after delivering
// it locally; the bus delivers it on every other node that holds members
// of the target, through Node.Deliver. Filters and exclusions of a send do
// not cross nodes.
type Bus interface {
	// Attach connects a node to the bus; the bus subscribes to what the
	// node holds (Node.Holds) as InterestChanged reports it.
	Attach(n Node) error
	// Detach removes the node from the bus.
	Detach(n Node) error
	// Publish sends m to the members of t on other nodes.
	Publish(from Node, t Target, m *codec.Message) error
	// InterestChanged reports that n's membership of t may have changed
	// (its first member joined or its last left); the bus asks n.Holds.
	InterestChanged(n Node, t Target)
}

// Node is what a Bus sees of a server. *Server implements it.
type Node interface {
	NodeID() string
	// Holds reports whether the node has local members of t.
	Holds(t Target) bool
	// Deliver sends m to the local members of t, and returns how many.
	Deliver(t Target, m *codec.Message) int
}

var _ Node = (*Server)(nil)

// Holds reports whether the server has local members of t.
func (s *Server) Holds(t Target) bool {
	switch t.Kind {
	case TargetUser:
		return s.users.Count(t.Key) > 0
	case TargetGroup:
		return s.groups.Count(t.Key) > 0
	case TargetToken:
		return s.tokens.Count(t.Key) > 0
	case TargetBsID:
		_, ok := s.bsids.Get(t.Key)
		return ok
	case TargetAll:
		return true
	}
	return false
}

// Deliver sends m to the local members of t, never to the bus.
func (s *Server) Deliver(t Target, m *codec.Message) int {
	return s.sendLocal(t, m, sendOptions{})
}

func (s *Server) indexAdd(x *group.Index[*ChannelContext], kind TargetKind, key string, c *ChannelContext) {
	if _, first := x.Add(key, c); first && s.cfg.Bus != nil {
		s.cfg.Bus.InterestChanged(s, Target{Kind: kind, Key: key})
	}
}

func (s *Server) indexRemove(x *group.Index[*ChannelContext], kind TargetKind, key string, c *ChannelContext) {
	if _, last := x.Remove(key, c); last && s.cfg.Bus != nil {
		s.cfg.Bus.InterestChanged(s, Target{Kind: kind, Key: key})
	}
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
