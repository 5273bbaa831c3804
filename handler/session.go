package handler

import (
	"fmt"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// Session is a connection seen the way pomelo's session sees it: an id, a
// bound uid, settings, pushes, a kick and a close hook
// (Router.OnSessionClose). It is a view of the aio.ChannelContext, not a
// copy: every method reads and writes the connection, so a *Session may be
// kept, compared and used from any goroutine, and SessionOf(c) is always
// the same pointer for the same connection. It costs nothing to obtain.
//
// A Session outlives its connection as a ChannelContext does: after the
// close, pushes fail with aio.ErrClosed and the uid is gone.
type Session aio.ChannelContext

// SessionOf returns the session of connection c.
func SessionOf(c *aio.ChannelContext) *Session { return (*Session)(c) }

// Conn returns the session's connection.
func (s *Session) Conn() *aio.ChannelContext { return (*aio.ChannelContext)(s) }

// ID returns the session id, the connection's id.
func (s *Session) ID() uint64 { return s.Conn().ID() }

// UID returns the uid bound with Bind, "" when none.
func (s *Session) UID() string { return s.Conn().User() }

// Bind binds the session to uid (pomelo's session.bind): the server's
// SendToUser and KickUser reach it from then on. A user may hold several
// sessions; binding replaces the session's previous uid. It fails with
// aio.ErrClosed on a closed connection.
func (s *Session) Bind(uid string) error { return s.Conn().BindUser(uid) }

// Unbind removes the session's uid.
func (s *Session) Unbind() { s.Conn().BindUser("") }

// settingKey keeps session settings apart from the connection's other
// attributes.
type settingKey string

// Set stores a setting on the session (pomelo's session.set); a nil value
// deletes it. Settings are connection attributes under keys private to
// this package: read them with Get.
func (s *Session) Set(key string, value any) { s.Conn().Set(settingKey(key), value) }

// Get returns a setting stored with Set, or nil.
func (s *Session) Get(key string) any { return s.Conn().Get(settingKey(key)) }

// Push sends v, encoded as JSON ([]byte and json.RawMessage as they are),
// to the session as a push on route. It fails with the encoding error, or
// as aio's ChannelContext.Send fails.
func (s *Session) Push(route string, v any) error {
	m, err := NewPush(route, v)
	if err != nil {
		return err
	}
	return s.Conn().Send(m)
}

// Kick closes the session after telling the client reason in its
// protocol's words (a pomelo kick, a WebSocket close, a gotio TCP close
// frame). The close reason is aio.ErrKicked with reason as its detail.
func (s *Session) Kick(reason string) { s.Conn().Kick(reason) }

// Err returns nil while the session's connection is open and why it
// closed once it is closing or closed (aio's ChannelContext.Err).
func (s *Session) Err() error { return s.Conn().Err() }

// String describes the session for logs.
func (s *Session) String() string {
	return fmt.Sprintf("session %d uid %q", s.ID(), s.UID())
}

// KickUser kicks every open connection of uid on srv with reason (pomelo's
// sessionService.kick) and returns how many it kicked; connections already
// closing are left to their close. It reaches this node's connections only.
func KickUser(srv *aio.Server, uid, reason string) int {
	n := 0
	for _, c := range srv.Conns(aio.User(uid)) {
		if c.Err() == nil {
			c.Kick(reason)
			n++
		}
	}
	return n
}

// NewPush returns a push message on route with v encoded as JSON ([]byte
// and json.RawMessage as they are): the message to give the server's
// SendToUser, SendToGroup or SendToAll, which encode it once per wire
// format.
func NewPush(route string, v any) (*codec.Message, error) {
	body, err := marshal(v)
	if err != nil {
		return nil, err
	}
	return &codec.Message{Kind: codec.Push, Route: route, Body: body}, nil
}
