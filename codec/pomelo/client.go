package pomelo

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// pendingSlots bounds the request routes a client stream remembers for
// responses (pomelo responses carry no route, but a protobuf response's
// schema is its request's route). Requests are numbered in sequence, so
// 256 slots cover 256 requests in flight; an older one still pending when
// its slot is reused gets its response with Route "" and the body as it
// came.
const pendingSlots = 256

type pendingRoute struct {
	id    uint64
	route string
	used  bool
}

// clientStream is the dialing side. Decode runs on one goroutine at a
// time; Encode, Format, Protocol, Heartbeat and Goodbye may run on any,
// concurrently: the handshake's result is published once, atomically, and
// the request routes are guarded by mu.
type clientStream struct {
	c       *Codec
	working bool   // Decode's goroutine only
	cached  *Cache // what Open announced; Decode's goroutine after Open
	sess    atomic.Pointer[clientSession]
	msg     codec.Message

	mu      sync.Mutex
	pending *[pendingSlots]pendingRoute // allocated on the first request
}

// Protocol returns "pomelo-tcp" or "pomelo-ws".
func (s *clientStream) Protocol() string { return s.c.protocol }

// Format identifies the dictionary and schemas the server gave this
// stream; "" before the handshake reply.
func (s *clientStream) Format() string {
	if sess := s.sess.Load(); sess != nil {
		return sess.format
	}
	return ""
}

// Open appends the client's handshake package:
// {"sys":{"type":"gotio-go","version":"1.0.0"},"user":{}} by default,
// with "dictVersion" and "protoVersion" in sys when the Codec's
// ClientStore holds a dictionary or schemas from an earlier handshake.
func (s *clientStream) Open(dst []byte) ([]byte, error) {
	s.cached = s.c.store.Load()
	return s.c.hello.appendTo(dst, s.cached)
}

// Heartbeat appends a heartbeat package. A pomelo client sends one every
// HeartbeatInterval; the server answers each at once.
func (s *clientStream) Heartbeat(dst []byte) []byte {
	return append(dst, heartbeatPackage...)
}

// HeartbeatInterval returns the interval the server announced in its
// handshake reply, zero before it or when the server announced none.
func (s *clientStream) HeartbeatInterval() time.Duration {
	if sess := s.sess.Load(); sess != nil {
		return time.Duration(sess.heartbeat * float64(time.Second))
	}
	return 0
}

// Goodbye appends nothing: pomelo gives clients no way to say why they
// leave.
func (s *clientStream) Goodbye(dst []byte, _ codec.Farewell) []byte { return dst }

// Decode reads whole packages from in; see codec.Stream. A kick from the
// server ends the session with an error that carries the server's reason
// and wraps codec.ErrPeerKicked, or codec.ErrPeerShutdown when the reason
// is "shutdown"; a refused handshake wraps codec.ErrPeerRefused. All three
// wrap codec.ErrPeerClosed.
func (s *clientStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	return decodePackages(in, s.c.maxBody, out, s.handle)
}

func (s *clientStream) handle(typ byte, body []byte, out codec.Output) error {
	switch typ {
	case TypeHandshake:
		if s.working {
			return nil
		}
		return s.handshakeReply(body, out)
	case TypeHeartbeat:
		return nil // aio sends ours when we are idle; answering would ping-pong
	case TypeData:
		if !s.working {
			return fmt.Errorf("pomelo: data package before the handshake reply: %w", codec.ErrProtocol)
		}
		return s.data(body, out)
	case TypeKick:
		var k struct {
			Reason any `json:"reason"`
		}
		_ = json.Unmarshal(body, &k)
		reason, _ := k.Reason.(string)
		if reason == "" && k.Reason != nil {
			reason = fmt.Sprint(k.Reason)
		}
		if reason == "shutdown" || reason == "server_shutdown" {
			// gotio's and pomelo's words for a server going away: come back.
			return fmt.Errorf("pomelo: server shutting down: %q: %w", reason, codec.ErrPeerShutdown)
		}
		return fmt.Errorf("pomelo: kicked by the server: %q: %w", reason, codec.ErrPeerKicked)
	default: // TypeHandshakeAck
		return fmt.Errorf("pomelo: handshake ack from a server: %w", codec.ErrProtocol)
	}
}

func (s *clientStream) handshakeReply(body []byte, out codec.Output) error {
	c := s.c
	sess, code, user, save, err := c.parseReply(body, s.cached)
	if err != nil {
		return err
	}
	if save != nil {
		c.store.Save(save)
	}
	if c.onHandshakeReply != nil {
		if err := c.onHandshakeReply(code, user); err != nil {
			return fmt.Errorf("pomelo: handshake reply: %w", err)
		}
	}
	if code == CodeOldClient {
		return fmt.Errorf("%w with code %d: %w: %w", ErrRefused, code, ErrOldClient, codec.ErrPeerRefused)
	}
	if code != CodeOK {
		return fmt.Errorf("%w with code %d: %w", ErrRefused, code, codec.ErrPeerRefused)
	}
	out.Reply(ackPackage)
	s.sess.Store(sess)
	s.working = true
	timeout := c.clientTimeout
	if timeout <= 0 {
		timeout = time.Duration(2 * sess.heartbeat * float64(time.Second))
	}
	out.Handshaken(codec.Handshake{Protocol: c.protocol, HeartbeatTimeout: timeout})
	return nil
}

func (s *clientStream) data(body []byte, out codec.Output) error {
	c := s.c
	sess := s.sess.Load()
	m, err := parseMessage(body)
	if err != nil {
		return err
	}
	var kind codec.Kind
	var route string
	switch m.typ {
	case msgResponse:
		kind, route = codec.Response, s.recall(m.id)
	case msgPush:
		kind = codec.Push
		if m.compressed {
			var ok bool
			if route, ok = sess.abbrs[m.code]; !ok {
				return fmt.Errorf("pomelo: route code %d not in the server's dictionary: %w", m.code, codec.ErrProtocol)
			}
		} else {
			route = c.routes.String(m.route)
		}
	default:
		return fmt.Errorf("pomelo: message type %d from a server: %w", m.typ, codec.ErrProtocol)
	}
	return c.deliver(&s.msg, kind, m, route, bodyCodec{sess.serverProtos, c.serverMsgs}, out)
}

// Encode appends the data package that carries m: a Request (its route
// and ID remembered for the response) or a Notify, the route compressed
// and the body transcoded as the server's handshake said. It returns an
// error wrapping codec.ErrNotReady before the handshake reply and
// codec.ErrUnsupported for other kinds. Safe for concurrent use.
func (s *clientStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	sess := s.sess.Load()
	if sess == nil {
		return dst, fmt.Errorf("pomelo: encode before the handshake reply: %w", codec.ErrNotReady)
	}
	var typ byte
	switch m.Kind {
	case codec.Request:
		typ = msgRequest
	case codec.Notify:
		typ = msgNotify
	default:
		return dst, fmt.Errorf("pomelo: a client cannot send a %s: %w", m.Kind, codec.ErrUnsupported)
	}
	code, compressed := sess.dict[m.Route]
	dst, err := appendData(dst, typ, m, code, compressed, bodyCodec{sess.clientProtos, s.c.clientMsgs})
	if err == nil && typ == msgRequest {
		s.remember(m.ID, m.Route)
	}
	return dst, err
}

func (s *clientStream) remember(id uint64, route string) {
	s.mu.Lock()
	if s.pending == nil {
		s.pending = new([pendingSlots]pendingRoute)
	}
	s.pending[id%pendingSlots] = pendingRoute{id, route, true}
	s.mu.Unlock()
}

func (s *clientStream) recall(id uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		return ""
	}
	p := &s.pending[id%pendingSlots]
	if !p.used || p.id != id {
		return ""
	}
	route := p.route
	*p = pendingRoute{}
	return route
}
