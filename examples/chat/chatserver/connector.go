package chatserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/handler"
)

// Connector is one of chatofpomelo's connectors: a hybrid port where
// clients of every protocol enter a room and chat. It also does the work
// of chatofpomelo's chat servers: a room is a gotio group on every
// connector, and a send to it reaches the members on the other connectors
// through the cluster bus.
type Connector struct {
	app    *App
	id     string
	bus    aio.Bus
	nats   *cluster.NATS // the bus when it is NATS, closed with the connector
	dir    cluster.Directory
	roster Roster
	rooms  RoomLock
	router *handler.Router
	cfg    aio.Config

	mu   sync.Mutex
	srv  *aio.Server
	addr string // the address served, kept across Restart
}

// enterRequest is connector.entryHandler.enter's body.
type enterRequest struct {
	Username string `json:"username"`
	Rid      string `json:"rid"`
}

// enterReply is enter's answer: {users:[…]}, or {code:500, error:true}
// for a name already in the room, as chatofpomelo answers.
type enterReply struct {
	Users []string `json:"users,omitempty"`
	Code  int      `json:"code,omitempty"`
	Error bool     `json:"error,omitempty"`
}

var duplicateLogin = &enterReply{Code: handler.CodeInternal, Error: true}

// sendRequest is chat.chatHandler.send's body. Like chatofpomelo, the
// connector takes the sender and room from the session, not from the
// body's from and rid.
type sendRequest struct {
	Rid     string `json:"rid"`
	Content string `json:"content"`
	From    string `json:"from"`
	Target  string `json:"target"`
}

// sendReply echoes the route, as chatofpomelo's chatHandler does.
type sendReply struct {
	Route string `json:"route"`
}

// userEvent is the body of onAdd and onLeave.
type userEvent struct {
	User string `json:"user"`
}

// chatEvent is the body of onChat.
type chatEvent struct {
	Msg    string `json:"msg"`
	From   string `json:"from"`
	Target string `json:"target"`
}

// member is a connection's place in a room, from enter to leave. Its
// mutex orders enter against the leave that the connection's close
// starts, which may come at any moment.
type member struct {
	name string
	rid  string
	uid  string // chatofpomelo's session uid: name*rid
	sess cluster.Location

	mu       sync.Mutex
	loggedIn bool // the directory holds uid for sess
	joined   bool // bound to the room's group and in the roster
	left     bool
}

type memberKey struct{}

func memberOf(c *aio.ChannelContext) *member {
	m, _ := c.Get(memberKey{}).(*member)
	return m
}

func (c *Connector) routes() *handler.Router {
	r := handler.New()
	handler.Handle(r, RouteEnter, c.enter)
	handler.Handle(r, RouteSend, c.send)
	// A plain WebSocket client keeps its connection alive with pings or
	// any message; a message that is not an envelope ({}) is ignored.
	r.Fallback(func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil })
	r.OnSessionClose(c.closed)
	return r
}

// enter is connector.entryHandler.enter: claim name*rid in the cluster's
// directory (a second login with the same name in the same room is
// refused), then, holding the room's lock, join the room's group and the
// roster, answer with the room's users and tell them of the newcomer.
//
// The lock makes entering atomic: nobody enters or leaves the room from
// the moment the newcomer is in the group until the room has been told.
// So every member hears exactly one onAdd per member that came after it,
// and the list a newcomer is answered with names exactly those it will
// hear no onAdd of. The answer is queued before the lock is released, so
// the newcomer has its list before any onAdd or onLeave of a later change
// reaches it.
func (c *Connector) enter(hc *handler.Context, req *enterRequest) (*enterReply, error) {
	if req.Username == "" || req.Rid == "" {
		return nil, handler.Error{Code: handler.CodeInternal, Message: "username and rid are required"}
	}
	conn := hc.Conn()
	if memberOf(conn) != nil {
		return duplicateLogin, nil // this connection entered already
	}
	m := &member{name: req.Username, rid: req.Rid, uid: uidOf(req.Username, req.Rid), sess: cluster.LocationOf(conn)}
	conn.Set(memberKey{}, m)
	// From here on the connection's close hook finds m and leaves.
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.left || conn.Err() != nil {
		return nil, aio.ErrClosed
	}
	opCtx, cancel := context.WithTimeout(context.Background(), c.app.cfg.OpTimeout)
	defer cancel()
	ok, _, err := c.dir.Login(opCtx, m.uid, m.sess)
	if err != nil || !ok {
		conn.Set(memberKey{}, nil)
		if err != nil {
			return nil, fmt.Errorf("chat: enter %q: %w", m.uid, err)
		}
		return duplicateLogin, nil
	}
	m.loggedIn = true
	if err := conn.BindUser(m.uid); err != nil {
		return nil, err
	}
	unlock, err := c.rooms.Lock(opCtx, m.rid)
	if err != nil {
		return nil, err
	}
	defer unlock()
	m.joined = true
	if err := conn.BindGroup(m.rid); err != nil {
		return nil, err
	}
	if c.nats != nil {
		// The bus subscribes to the user's and the room's subjects on its
		// own goroutine: go on once they are in force, so that whatever
		// the room sends after it lists the newcomer reaches it.
		if err := c.nats.Flush(c.app.cfg.OpTimeout); err != nil {
			c.app.cfg.Logger.Warn().Err(err).Str("uid", m.uid).Msg("chat: cluster subscriptions not confirmed")
		}
	}
	members, fresh, err := c.roster.Join(opCtx, m.rid, Member{Name: m.name, Conn: m.sess})
	if err != nil {
		m.joined = false
		return nil, err
	}
	// The answer first, then the room. A failed answer (the connection is
	// gone) still tells the room: the roster has the newcomer, and its
	// leave will say onLeave.
	rerr := hc.Respond(&enterReply{Users: names(members)})
	if fresh {
		c.tell(m, members, RouteOnAdd)
	}
	return nil, rerr
}

// uidOf is chatofpomelo's session uid: name*rid.
func uidOf(name, rid string) string { return name + "*" + rid }

// tell pushes route (onAdd, onLeave) about m to each of members but m's
// name. It sends to each user, not to the room's group: the members are
// exactly who the roster held under the room's lock, while the group may
// already hold, on another node, a newcomer that will list m itself.
func (c *Connector) tell(m *member, members []Member, route string) {
	push, err := handler.NewPush(route, userEvent{User: m.name})
	if err != nil {
		return
	}
	srv := c.Server()
	for _, name := range names(members) {
		if name != m.name {
			srv.SendToUser(uidOf(name, m.rid), push)
		}
	}
}

// send is chat.chatHandler.send: onChat to the whole room (target "*")
// or to one user of it.
func (c *Connector) send(hc *handler.Context, req *sendRequest) (*sendReply, error) {
	m := memberOf(hc.Conn())
	if m == nil || !m.isJoined() {
		return nil, handler.Error{Code: handler.CodeInternal, Message: "enter a room first"}
	}
	push, err := handler.NewPush(RouteOnChat, chatEvent{Msg: req.Content, From: m.name, Target: req.Target})
	if err != nil {
		return nil, err
	}
	srv := hc.Server()
	if req.Target == "*" {
		srv.SendToGroup(m.rid, push)
		return &sendReply{Route: hc.Route()}, nil
	}
	opCtx, cancel := context.WithTimeout(context.Background(), c.app.cfg.OpTimeout)
	defer cancel()
	users, err := c.roster.Users(opCtx, m.rid)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(users, req.Target) {
		return nil, handler.Errorf(handler.CodeInternal, "no user %q in room %q", req.Target, m.rid)
	}
	srv.SendToUser(uidOf(req.Target, m.rid), push)
	return &sendReply{Route: hc.Route()}, nil
}

func (m *member) isJoined() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.joined && !m.left
}

// closed is the session close hook (disconnect, heartbeat timeout, kick,
// shutdown). Leaving talks to the directory and roster, which may be a
// network away: it runs on a goroutine of its own, as a close hook must
// not block.
func (c *Connector) closed(s *handler.Session, _ error) {
	m := memberOf(s.Conn())
	if m == nil {
		return
	}
	c.app.async(func() { c.leave(m) })
}

// leave undoes enter: under the room's lock, the roster entry and
// "onLeave" to those who remain (unless the name is still in the room
// under another session); then the directory claim. The group binding
// went with the connection.
func (c *Connector) leave(m *member) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.left {
		return
	}
	m.left = true
	ctx, cancel := context.WithTimeout(context.Background(), c.app.cfg.OpTimeout)
	defer cancel()
	log := c.app.cfg.Logger
	if m.joined {
		unlock, err := c.rooms.Lock(ctx, m.rid)
		if err != nil {
			// Leave anyway: a member must not stay in the roster because
			// its room was busy.
			log.Warn().Err(err).Str("uid", m.uid).Msg("chat: leaving without the room lock")
			unlock = func() {}
		}
		members, still, err := c.roster.Leave(ctx, m.rid, Member{Name: m.name, Conn: m.sess})
		if err != nil {
			log.Warn().Err(err).Str("uid", m.uid).Msg("chat: roster leave failed")
		} else if !still {
			c.tell(m, members, RouteOnLeave)
		}
		unlock()
	}
	if m.loggedIn {
		if err := c.dir.Logout(ctx, m.uid, m.sess); err != nil {
			log.Warn().Err(err).Str("uid", m.uid).Msg("chat: directory logout failed")
		}
	}
}

// ID returns the connector's node id ("connector-server-1", …).
func (c *Connector) ID() string { return c.id }

// Addr returns the address the connector serves.
func (c *Connector) Addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addr
}

// Server returns the connector's current aio server.
func (c *Connector) Server() *aio.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.srv
}

// listen starts a server on addr.
func (c *Connector) listen(addr string) error {
	srv := aio.NewServer(&c.cfg)
	if err := srv.Listen(addr); err != nil {
		srv.Close()
		return fmt.Errorf("chat: connector %s: %w", c.id, err)
	}
	c.mu.Lock()
	c.srv, c.addr = srv, srv.Addr().String()
	c.mu.Unlock()
	c.app.cfg.Logger.Info().Str("server", c.id).Str("protocols", portProtocols).Msgf("listening on %s", srv.Addr())
	return nil
}

// Restart shuts the connector's server down (its clients are told
// "shutdown" and leave their rooms) and serves its address again with a
// new one: what the page's reconnect is for.
func (c *Connector) Restart(ctx context.Context) error {
	if err := c.Server().Shutdown(ctx); err != nil && !errors.Is(err, aio.ErrServerClosed) {
		return err
	}
	return c.listen(c.Addr())
}

// shutdown stops the server; the bus is closed by the app after every
// leave has run.
func (c *Connector) shutdown(ctx context.Context) error {
	return c.Server().Shutdown(ctx)
}
