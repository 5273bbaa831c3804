package aio

// Lookups return snapshots: the connections bound when called. All are safe
// from any goroutine. Counts and pages cover this node only.

// Conn returns the open connection with id, or nil.
func (s *Server) Conn(id uint64) *ChannelContext { return s.conns.get(id) }

// Conns returns every open connection.
func (s *Server) Conns() []*ChannelContext { return s.conns.snapshot(nil) }

// ConnCount returns the number of open connections.
func (s *Server) ConnCount() int { return s.conns.len() }

// ByUser returns the connections of user.
func (s *Server) ByUser(user string) []*ChannelContext { return s.users.Members(user, nil) }

// ByGroup returns the members of group.
func (s *Server) ByGroup(group string) []*ChannelContext { return s.groups.Members(group, nil) }

// ByToken returns the connections bound to token.
func (s *Server) ByToken(token string) []*ChannelContext { return s.tokens.Members(token, nil) }

// ByIP returns the connections from ip.
func (s *Server) ByIP(ip string) []*ChannelContext { return s.ips.Members(ip, nil) }

// ByBsID returns the connection bound to a business id, or nil.
func (s *Server) ByBsID(id string) *ChannelContext {
	c, _ := s.bsids.Get(id)
	return c
}

// UserCount returns the number of users with at least one connection.
func (s *Server) UserCount() int { return s.users.Len() }

// GroupCount returns the number of groups with at least one member.
func (s *Server) GroupCount() int { return s.groups.Len() }

// GroupSize returns the number of members of group.
func (s *Server) GroupSize(group string) int { return s.groups.Count(group) }

// UserConnCount returns the number of connections of user.
func (s *Server) UserConnCount(user string) int { return s.users.Count(user) }

// TokenCount returns the number of tokens bound.
func (s *Server) TokenCount() int { return s.tokens.Len() }

// BsIDCount returns the number of business ids bound.
func (s *Server) BsIDCount() int { return s.bsids.Len() }

// IPCount returns the number of distinct peer IPs.
func (s *Server) IPCount() int { return s.ips.Len() }

// GroupPage returns members offset..offset+limit of group in a stable order
// while membership does not change, and the group's size.
func (s *Server) GroupPage(group string, offset, limit int) ([]*ChannelContext, int) {
	return s.groups.Page(group, offset, limit, nil)
}

// UsersPage returns user names offset..offset+limit in sorted order, and
// the number of users.
func (s *Server) UsersPage(offset, limit int) ([]string, int) {
	return s.users.KeysPage(offset, limit)
}

// GroupsPage returns group names offset..offset+limit in sorted order, and
// the number of groups.
func (s *Server) GroupsPage(offset, limit int) ([]string, int) {
	return s.groups.KeysPage(offset, limit)
}
