package aio

import (
	"slices"

	"github.com/gotio/gotio/group"
	"github.com/gotio/gotio/internal/target"
)

// Bindings tie a connection to the names an application sends to: a user
// (who may hold several connections), groups (a connection may be in
// many), a token, and a business id (one connection per id). A closed
// connection loses every binding on its one close path, exactly once; a
// bind on a closed connection fails with ErrClosed.
//
// All binding methods are safe from any goroutine and never block. Index
// updates happen under the connection's lock, so concurrent binds of one
// connection and its close path cannot leave a stale index entry; the
// cluster bus hears of a changed interest after the lock is released.

// BindUser binds the connection to user, replacing its previous user;
// BindUser("") unbinds it (t-io's bindUser with null).
func (c *ChannelContext) BindUser(user string) error {
	if user == "" {
		c.unbindOne(c.userField, &c.srv.users, target.User)
		return nil
	}
	return c.bindOne(c.userField, &c.srv.users, target.User, user)
}

// User returns the bound user, "" when none.
func (c *ChannelContext) User() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// BindGroup adds the connection to group.
func (c *ChannelContext) BindGroup(group string) error {
	c.mu.Lock()
	if c.state.Load() == stateClosed {
		c.mu.Unlock()
		return ErrClosed
	}
	if slices.Contains(c.groups, group) {
		c.mu.Unlock()
		return nil
	}
	c.groups = append(c.groups, group)
	first := indexAdd(&c.srv.groups, group, c)
	c.mu.Unlock()
	if first {
		c.srv.interestChanged(Target{Kind: target.Group, Key: group})
	}
	return nil
}

// UnbindGroup removes the connection from group.
func (c *ChannelContext) UnbindGroup(group string) {
	c.mu.Lock()
	i := slices.Index(c.groups, group)
	if i < 0 {
		c.mu.Unlock()
		return
	}
	c.groups = slices.Delete(c.groups, i, i+1)
	last := indexRemove(&c.srv.groups, group, c)
	c.mu.Unlock()
	if last {
		c.srv.interestChanged(Target{Kind: target.Group, Key: group})
	}
}

// Groups returns the groups the connection is in.
func (c *ChannelContext) Groups() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.groups)
}

// BindToken binds the connection to token, replacing its previous token;
// BindToken("") unbinds it. Several connections may share a token.
func (c *ChannelContext) BindToken(token string) error {
	if token == "" {
		c.unbindOne(c.tokenField, &c.srv.tokens, target.Token)
		return nil
	}
	return c.bindOne(c.tokenField, &c.srv.tokens, target.Token, token)
}

// userField and tokenField return where a binding is held; c.mu held. A
// token is rarer than a user, so it lives in the rare state.
func (c *ChannelContext) userField() *string  { return &c.user }
func (c *ChannelContext) tokenField() *string { return &c.rareLocked().token }

// bindOne sets a single-valued binding (user, token) held in the field
// fieldOf returns and moves the connection's entry in its index.
func (c *ChannelContext) bindOne(fieldOf func() *string, x *group.Index[*ChannelContext], kind target.Kind, value string) error {
	c.mu.Lock()
	if c.state.Load() == stateClosed {
		c.mu.Unlock()
		return ErrClosed
	}
	field := fieldOf()
	if *field == value {
		c.mu.Unlock()
		return nil
	}
	old, last := *field, false
	if old != "" {
		last = indexRemove(x, old, c)
	}
	*field = value
	first := indexAdd(x, value, c)
	c.mu.Unlock()
	if last {
		c.srv.interestChanged(Target{Kind: kind, Key: old})
	}
	if first {
		c.srv.interestChanged(Target{Kind: kind, Key: value})
	}
	return nil
}

// unbindOne clears a single-valued binding and its index entry.
func (c *ChannelContext) unbindOne(fieldOf func() *string, x *group.Index[*ChannelContext], kind target.Kind) {
	c.mu.Lock()
	field := fieldOf()
	old, last := *field, false
	if old != "" {
		last = indexRemove(x, old, c)
		*field = ""
	}
	c.mu.Unlock()
	if last {
		c.srv.interestChanged(Target{Kind: kind, Key: old})
	}
}

// Token returns the bound token, "" when none.
func (c *ChannelContext) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rare == nil {
		return ""
	}
	return c.rare.token
}

// BindBsID binds the connection to a business id; BindBsID("") unbinds
// it. An id names one connection: binding it here takes it from the
// connection that held it.
func (c *ChannelContext) BindBsID(id string) error {
	if id == "" {
		c.unbindBsID()
		return nil
	}
	s := c.srv
	c.mu.Lock()
	if c.state.Load() == stateClosed {
		c.mu.Unlock()
		return ErrClosed
	}
	r := c.rareLocked()
	if r.bsid == id {
		c.mu.Unlock()
		return nil
	}
	old, gone := r.bsid, false
	if old != "" {
		gone = s.bsids.Delete(old, c)
	}
	r.bsid = id
	prev, replaced := s.bsids.Set(id, c)
	c.mu.Unlock()
	if replaced && prev != c {
		prev.mu.Lock()
		if pr := prev.rare; pr != nil && pr.bsid == id {
			pr.bsid = ""
		}
		prev.mu.Unlock()
	}
	if gone {
		s.interestChanged(Target{Kind: target.BsID, Key: old})
	}
	if !replaced {
		s.interestChanged(Target{Kind: target.BsID, Key: id})
	}
	return nil
}

// unbindBsID removes the connection's business id.
func (c *ChannelContext) unbindBsID() {
	c.mu.Lock()
	var old string
	gone := false
	if r := c.rare; r != nil && r.bsid != "" {
		old = r.bsid
		gone = c.srv.bsids.Delete(old, c)
		r.bsid = ""
	}
	c.mu.Unlock()
	if gone {
		c.srv.interestChanged(Target{Kind: target.BsID, Key: old})
	}
}

// BsID returns the bound business id, "" when none.
func (c *ChannelContext) BsID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rare == nil {
		return ""
	}
	return c.rare.bsid
}

// unbindAll removes c from every index, on the close path, after the state
// became closed (so no bind can follow); the bus hears of what changed
// after c's lock is released.
func (s *Server) unbindAll(c *ChannelContext) {
	var small [4]Target
	changed := small[:0]
	c.mu.Lock()
	if c.user != "" && indexRemove(&s.users, c.user, c) {
		changed = append(changed, Target{Kind: target.User, Key: c.user})
	}
	if r := c.rare; r != nil {
		if r.token != "" && indexRemove(&s.tokens, r.token, c) {
			changed = append(changed, Target{Kind: target.Token, Key: r.token})
		}
		if r.bsid != "" && s.bsids.Delete(r.bsid, c) {
			changed = append(changed, Target{Kind: target.BsID, Key: r.bsid})
		}
		r.token, r.bsid = "", ""
	}
	for _, g := range c.groups {
		if indexRemove(&s.groups, g, c) {
			changed = append(changed, Target{Kind: target.Group, Key: g})
		}
	}
	c.user, c.groups = "", nil
	if c.ip != "" {
		s.ips.Remove(c.ip, c)
	}
	c.mu.Unlock()
	for _, t := range changed {
		s.interestChanged(t)
	}
}

// indexAdd adds c under key and reports whether it is the key's first
// member.
func indexAdd(x *group.Index[*ChannelContext], key string, c *ChannelContext) bool {
	_, first := x.Add(key, c)
	return first
}

// indexRemove removes c from key and reports whether it was the last.
func indexRemove(x *group.Index[*ChannelContext], key string, c *ChannelContext) bool {
	_, last := x.Remove(key, c)
	return last
}
