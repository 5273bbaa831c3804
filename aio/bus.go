package aio

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

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

// Node is what a Bus sees of a server: Attach, Detach and Publish hand a
// server's Node to the bus, which delivers what other nodes publish
// through it.
type Node interface {
	NodeID() string
	// Holds reports whether the node has local members of t.
	Holds(t Target) bool
	// Deliver sends m to the local members of t, never to the bus, and
	// returns how many it was queued to.
	Deliver(t Target, m *codec.Message) int
}

// serverNode is a Server as its Bus sees it; the methods only a bus needs
// stay off the Server's own surface.
type serverNode struct{ s *Server }

// node returns the server's Node; equal for every call, so a bus may key
// on it.
func (s *Server) node() Node { return serverNode{s} }

func (n serverNode) NodeID() string { return n.s.nodeID }

// Conn lets a bus find a connection to kick or probe for a unique login.
func (n serverNode) Conn(id uint64) *ChannelContext { return n.s.Conn(id) }

// Server lets a bus tell which server a connection's node is (package
// cluster's LocationOf).
func (n serverNode) Server() *Server { return n.s }

func (n serverNode) Holds(t Target) bool {
	s := n.s
	switch t.Kind {
	case target.User:
		return s.users.Count(t.Key) > 0
	case target.Group:
		return s.groups.Count(t.Key) > 0
	case target.Token:
		return s.tokens.Count(t.Key) > 0
	case target.BsID:
		_, ok := s.bsids.Get(t.Key)
		return ok
	case target.IP:
		return s.ips.Count(t.Key) > 0
	case target.All:
		return true
	}
	return false
}

func (n serverNode) Deliver(t Target, m *codec.Message) int {
	return n.s.sendLocal(t, m, sendOptions{})
}

// interestChanged tells the bus that the server's membership of t may have
// changed. It runs with no gotio lock held; the bus asks Holds.
func (s *Server) interestChanged(t Target) {
	if s.cfg.Bus != nil {
		s.cfg.Bus.InterestChanged(s.node(), t)
	}
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
