package aio

import (
	"slices"
	"sort"

	"github.com/gotio/gotio/internal/target"
)

// Lookups return snapshots: the connections bound when called. All are safe
// from any goroutine and cover this node only.

// Conn returns the open connection with id, or nil.
func (s *Server) Conn(id uint64) *ChannelContext { return s.conns.get(id) }

// Conns returns the connections t names on this node: a user's
// connections, a group's members, the connections bound to a token, the
// one bound to a business id, those from an IP, or every open one (All).
func (s *Server) Conns(t Target) []*ChannelContext {
	switch t.Kind {
	case target.User:
		return s.users.Members(t.Key, nil)
	case target.Group:
		return s.groups.Members(t.Key, nil)
	case target.Token:
		return s.tokens.Members(t.Key, nil)
	case target.IP:
		return s.ips.Members(t.Key, nil)
	case target.BsID:
		if c, ok := s.bsids.Get(t.Key); ok {
			return []*ChannelContext{c}
		}
		return nil
	case target.All:
		return s.conns.snapshot(nil)
	}
	return nil
}

// Count returns how many connections t names on this node, without
// building the list: Count(All()) is the number of open connections,
// Count(Group("r1")) the size of a group.
func (s *Server) Count(t Target) int {
	switch t.Kind {
	case target.User:
		return s.users.Count(t.Key)
	case target.Group:
		return s.groups.Count(t.Key)
	case target.Token:
		return s.tokens.Count(t.Key)
	case target.IP:
		return s.ips.Count(t.Key)
	case target.BsID:
		if _, ok := s.bsids.Get(t.Key); ok {
			return 1
		}
		return 0
	case target.All:
		return s.conns.len()
	}
	return 0
}

// Page returns the connections offset..offset+limit of those t names, in
// an order that is stable while they do not change (by connection id for
// All), and how many there are in all. limit <= 0 means no limit.
func (s *Server) Page(t Target, offset, limit int) ([]*ChannelContext, int) {
	switch t.Kind {
	case target.User:
		return s.users.Page(t.Key, offset, limit, nil)
	case target.Group:
		return s.groups.Page(t.Key, offset, limit, nil)
	case target.Token:
		return s.tokens.Page(t.Key, offset, limit, nil)
	case target.IP:
		return s.ips.Page(t.Key, offset, limit, nil)
	}
	all := s.Conns(t)
	slices.SortFunc(all, func(a, b *ChannelContext) int { return cmpID(a.conn.id, b.conn.id) })
	return window(all, offset, limit), len(all)
}

// Keys returns the keys of one kind bound on this node, offset..
// offset+limit in sorted order (limit <= 0: all from offset), and how many
// there are. kind is the constructor of that kind of Target:
// Keys(aio.User, 0, 50) lists user names, Keys(aio.Group, …) groups, and
// Token, BsID and IP their keys.
func (s *Server) Keys(kind func(key string) Target, offset, limit int) ([]string, int) {
	switch kind("").Kind {
	case target.User:
		return s.users.KeysPage(offset, limit)
	case target.Group:
		return s.groups.KeysPage(offset, limit)
	case target.Token:
		return s.tokens.KeysPage(offset, limit)
	case target.IP:
		return s.ips.KeysPage(offset, limit)
	case target.BsID:
		var keys []string
		s.bsids.Range(func(k string, _ *ChannelContext) bool { keys = append(keys, k); return true })
		sort.Strings(keys)
		return window(keys, offset, limit), len(keys)
	}
	return nil, 0
}

func cmpID(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// window returns list[offset:offset+limit], clamped; limit <= 0 means to
// the end.
func window[T any](list []T, offset, limit int) []T {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(list) {
		return nil
	}
	if limit <= 0 {
		return list[offset:]
	}
	return list[offset:min(len(list), offset+limit)]
}
