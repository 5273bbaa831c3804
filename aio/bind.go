package aio

import (
	"slices"

	"github.com/gotio/gotio/group"
)

// Bindings tie a connection to the names an application sends to: a user
// (who may hold several connections), groups (a connection may be in
// many), a token, and a business id (one connection per id). A closed
// connection loses every binding on its one close path, exactly once; a
// bind on a closed connection fails with ErrClosed.
//
// All binding methods are safe from any goroutine. Index updates happen
// under the connection's lock, so concurrent binds of one connection and
// its close path cannot leave a stale index entry.

// BindUser binds the connection to user, replacing its previous user.
func (c *ChannelContext) BindUser(user string) error {
	return c.bindOne(&c.user, &c.srv.users, TargetUser, user)
}

// UnbindUser removes the connection's user binding.
func (c *ChannelContext) UnbindUser() { c.unbindOne(&c.user, &c.srv.users, TargetUser) }

// User returns the bound user, "" when none.
func (c *ChannelContext) User() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// BindGroup adds the connection to group.
func (c *ChannelContext) BindGroup(group string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == stateClosed {
		return ErrClosed
	}
	if slices.Contains(c.groups, group) {
		return nil
	}
	c.groups = append(c.groups, group)
	c.srv.indexAdd(&c.srv.groups, TargetGroup, group, c)
	return nil
}

// UnbindGroup removes the connection from group.
func (c *ChannelContext) UnbindGroup(group string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.groups, group)
	if i < 0 {
		return
	}
	c.groups = slices.Delete(c.groups, i, i+1)
	c.srv.indexRemove(&c.srv.groups, TargetGroup, group, c)
}

// Groups returns the groups the connection is in.
func (c *ChannelContext) Groups() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.groups)
}

// InGroup reports whether the connection is in group.
func (c *ChannelContext) InGroup(group string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.groups, group)
}

// BindToken binds the connection to token, replacing its previous token.
// Several connections may share a token.
func (c *ChannelContext) BindToken(token string) error {
	return c.bindOne(&c.token, &c.srv.tokens, TargetToken, token)
}

// UnbindToken removes the connection's token binding.
func (c *ChannelContext) UnbindToken() { c.unbindOne(&c.token, &c.srv.tokens, TargetToken) }

// bindOne sets a single-valued binding (user, token) held in field and
// moves the connection's entry in its index.
func (c *ChannelContext) bindOne(field *string, x *group.Index[*ChannelContext], kind TargetKind, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == stateClosed {
		return ErrClosed
	}
	if *field == value {
		return nil
	}
	if *field != "" {
		c.srv.indexRemove(x, kind, *field, c)
	}
	*field = value
	c.srv.indexAdd(x, kind, value, c)
	return nil
}

// unbindOne clears a single-valued binding and its index entry.
func (c *ChannelContext) unbindOne(field *string, x *group.Index[*ChannelContext], kind TargetKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *field != "" {
		c.srv.indexRemove(x, kind, *field, c)
		*field = ""
	}
}

// Token returns the bound token, "" when none.
func (c *ChannelContext) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// BindBsID binds the connection to a business id. An id names one
// connection: binding it here takes it from the connection that held it.
func (c *ChannelContext) BindBsID(id string) error {
	s := c.srv
	c.mu.Lock()
	if c.state.Load() == stateClosed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.bsid == id {
		c.mu.Unlock()
		return nil
	}
	if c.bsid != "" {
		s.bsids.Delete(c.bsid, c)
	}
	c.bsid = id
	prev, replaced := s.bsids.Set(id, c)
	c.mu.Unlock()
	if replaced && prev != c {
		prev.mu.Lock()
		if prev.bsid == id {
			prev.bsid = ""
		}
		prev.mu.Unlock()
	}
	return nil
}

// UnbindBsID removes the connection's business id.
func (c *ChannelContext) UnbindBsID() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bsid != "" {
		c.srv.bsids.Delete(c.bsid, c)
		c.bsid = ""
	}
}

// BsID returns the bound business id, "" when none.
func (c *ChannelContext) BsID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bsid
}

// unbindAll removes c from every index, on the close path, after the state
// became closed (so no bind can follow).
func (s *Server) unbindAll(c *ChannelContext) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.user != "" {
		s.indexRemove(&s.users, TargetUser, c.user, c)
	}
	if c.token != "" {
		s.indexRemove(&s.tokens, TargetToken, c.token, c)
	}
	if c.bsid != "" {
		s.bsids.Delete(c.bsid, c)
	}
	for _, g := range c.groups {
		s.indexRemove(&s.groups, TargetGroup, g, c)
	}
	c.user, c.token, c.bsid, c.groups = "", "", "", nil
	if c.ip != "" {
		s.ips.Remove(c.ip, c)
	}
}
