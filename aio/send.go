package aio

import (
	"fmt"
	"sync"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// SendOption refines a send to many connections.
type SendOption func(*sendOptions)

type sendOptions struct {
	filter  func(*ChannelContext) bool
	exclude *ChannelContext
	local   bool
}

// Filter delivers only to connections for which keep returns true. Filters
// apply on this node only.
func Filter(keep func(*ChannelContext) bool) SendOption {
	return func(o *sendOptions) { o.filter = keep }
}

// Exclude skips one connection (typically the sender).
func Exclude(c *ChannelContext) SendOption {
	return func(o *sendOptions) { o.exclude = c }
}

// LocalOnly keeps a SendTo* on this node: the cluster bus is not used.
func LocalOnly() SendOption {
	return func(o *sendOptions) { o.local = true }
}

func (o *sendOptions) skip(c *ChannelContext) bool {
	return c == o.exclude || (o.filter != nil && !o.filter(c))
}

// The SendTo* methods share one rule. Each reaches every node of the
// cluster (Config.Bus), unless LocalOnly says otherwise, and never blocks.
// It returns n, how many connections on this node m was queued to, and
// err, the bus's failure to hand m to the other nodes (nil without a Bus
// or with LocalOnly; counted as BusErrors and logged too). A send to
// nobody is not an error: n is 0. What happens to m on one connection
// (a slow consumer, a close) is that connection's, as for
// ChannelContext.Send.

// SendToUser sends m to every connection of user.
func (s *Server) SendToUser(user string, m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(User(user), m, opts)
}

// SendToGroup sends m to every member of group, encoding it once per wire
// format.
func (s *Server) SendToGroup(group string, m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(Group(group), m, opts)
}

// SendToToken sends m to every connection bound to token.
func (s *Server) SendToToken(token string, m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(Token(token), m, opts)
}

// SendToBsID sends m to the connection bound to a business id.
func (s *Server) SendToBsID(id string, m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(BsID(id), m, opts)
}

// SendToAll sends m to every connection.
func (s *Server) SendToAll(m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(All(), m, opts)
}

// SendToIP sends m to every connection from ip.
func (s *Server) SendToIP(ip string, m *codec.Message, opts ...SendOption) (n int, err error) {
	return s.sendTo(IP(ip), m, opts)
}

func (s *Server) sendTo(t Target, m *codec.Message, opts []SendOption) (n int, err error) {
	var o sendOptions
	for _, f := range opts {
		f(&o)
	}
	n = s.sendLocal(t, m, o)
	if s.cfg.Bus != nil && !o.local {
		if err = s.cfg.Bus.Publish(s.node(), t, m); err != nil {
			s.ep.stats.BusErrors.Add(1)
			s.logBusError(err, t)
			err = fmt.Errorf("aio: bus: %w", err)
		}
	}
	return n, err
}

func (s *Server) sendLocal(t Target, m *codec.Message, o sendOptions) int {
	buf := getMembers()
	defer putMembers(buf)
	switch t.Kind {
	case target.User:
		buf.list = s.users.Members(t.Key, buf.list[:0])
	case target.Group:
		buf.list = s.groups.Members(t.Key, buf.list[:0])
	case target.Token:
		buf.list = s.tokens.Members(t.Key, buf.list[:0])
	case target.BsID:
		if c, ok := s.bsids.Get(t.Key); ok {
			buf.list = append(buf.list[:0], c)
		}
	case target.IP:
		buf.list = s.ips.Members(t.Key, buf.list[:0])
	case target.All:
		buf.list = s.conns.snapshot(buf.list[:0])
	}
	return s.broadcast(buf.list, m, &o)
}

// broadcast queues m to members, encoding it once per wire format and
// sharing the bytes.
func (s *Server) broadcast(members []*ChannelContext, m *codec.Message, o *sendOptions) int {
	type encoded struct {
		format string
		buf    *outBuf
	}
	var small [4]encoded
	encs := small[:0]
	n := 0
	for _, c := range members {
		if o.skip(c) || c.state.Load() != stateOpen {
			continue
		}
		format := c.stream.Format()
		if format == "" {
			if c.send(m) == nil {
				n++
			}
			continue
		}
		var ob *outBuf
		for i := range encs {
			if encs[i].format == format {
				ob = encs[i].buf
				break
			}
		}
		if ob == nil {
			var err error
			if ob, err = c.encode(m); err != nil {
				continue
			}
			encs = append(encs, encoded{format, ob})
		}
		if c.enqueue(ob, nil, false, 1) == nil {
			n++
		}
	}
	for _, e := range encs {
		e.buf.release()
	}
	return n
}

// members is a pooled scratch list for sends to many.
type members struct{ list []*ChannelContext }

var membersPool = sync.Pool{New: func() any { return new(members) }}

func getMembers() *members { return membersPool.Get().(*members) }

func putMembers(m *members) {
	clear(m.list)
	m.list = m.list[:0]
	if cap(m.list) > 1<<16 {
		m.list = nil
	}
	membersPool.Put(m)
}

// logBusError logs a failed publish at most once a second: while the bus is
// down every cross-node send fails, and the counter (BusErrors) has them all.
func (s *Server) logBusError(err error, t Target) {
	now := time.Now().UnixNano()
	last := s.busLogged.Load()
	if now-last < int64(time.Second) || !s.busLogged.CompareAndSwap(last, now) {
		return
	}
	s.ep.logger.Warn().Err(err).Uint8("target", uint8(t.Kind)).Str("key", t.Key).
		Uint64("failed_total", s.ep.stats.BusErrors.Load()).Msg("aio: cluster publish failed (logged at most once a second)")
}
