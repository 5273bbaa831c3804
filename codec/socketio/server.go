package socketio

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
)

// DefaultPath is where socket.io clients look for the server.
const DefaultPath = "/socket.io/"

// ServerConfig configures the Socket.IO server codec. The zero value
// serves the main namespace "/" to every client.
type ServerConfig struct {
	// Namespaces are the namespaces served besides "/", each starting with
	// "/" and holding no ",". A CONNECT to any other is answered
	// CONNECT_ERROR {"message":"Invalid namespace"}, as socket.io@4 does.
	Namespaces []string
	// AnyNamespace serves every namespace a client asks for.
	AnyNamespace bool
	// Auth, when set, sees every CONNECT to a served namespace, with the
	// client's auth payload, and may refuse it: the error's text is sent
	// as CONNECT_ERROR {"message":…} (with "data" when the error is a
	// *AuthError carrying Data). It runs on the session's decode path:
	// keep it quick.
	Auth func(r *ConnectRequest) error
	// MaxAttachments limits the binary attachments of one packet. Zero
	// means DefaultMaxAttachments (10).
	MaxAttachments int
}

// ConnectRequest is a client's CONNECT as ServerConfig.Auth sees it.
type ConnectRequest struct {
	// Namespace is the namespace asked for ("/" for the main one).
	Namespace string
	// Auth is the client's auth payload (socket.io-client's auth
	// option), JSON, nil when it sent none.
	Auth []byte
	// SID is the engine.io session id.
	SID string
	// Request is the engine.io handshake request.
	Request *http.Request
}

// AuthError refuses a CONNECT with a message and JSON data, as a
// socket.io middleware's next(err) with err.data does.
type AuthError struct {
	Message string
	Data    []byte // JSON, or nil
}

func (e *AuthError) Error() string { return e.Message }

// Server is the Socket.IO v5 protocol on engine.io sessions: give it to
// engineio.Config.Inner (NewServer does). Each session serves the
// namespaces its client connects to; events reach the application as
// codec.Messages and its messages reach the client as events or acks:
//
//   - An EVENT with an ack id is a Request (ID = the ack id), without one a
//     Notify; Route is the event name in the main namespace, and
//     "<namespace>#<event>" in another ("/admin#ban"). A Response answers
//     with an ACK in the namespace of its Route (handlers set the request's
//     route on their response). The body mapping is ToMessage's and
//     AppendMessage's: one argument is the body, several a JSON array.
//   - An event whose one argument is binary (emit("file", buffer)) arrives
//     with Body = the bytes and Binary set, and a message with Binary set
//     leaves as an event (or ack) with one binary argument. Attachments of
//     any other shape (two buffers, a buffer in an object) arrive inside
//     the JSON body, each placeholder carrying its bytes in base64
//     ({"_placeholder":true,"num":0,"base64":"AQID"}), and a body holding
//     such placeholders leaves as a binary event or ack with those bytes
//     (see InlineBody).
//   - A Push or Notify leaves as an EVENT named by its Route ("onChat"
//     goes to the main namespace, "/admin#news" to /admin), so a room of
//     the application (an aio group) reaches socket.io clients as events.
//   - After a namespace is granted, the application gets a Notify routed
//     "connect" ("/admin#connect") with the auth payload as its body, and
//     a Notify "disconnect" when the client leaves it: socket.io reserves
//     these names, so no client event can take them.
type Server struct {
	cfg  ServerConfig
	nsps map[string]bool
}

// NewServerCodec returns the Socket.IO server protocol for cfg (nil: the
// zero config), to use as engineio.Config.Inner.
func NewServerCodec(cfg *ServerConfig) *Server {
	s := &Server{nsps: map[string]bool{MainNamespace: true}}
	if cfg != nil {
		s.cfg = *cfg
	}
	for _, n := range s.cfg.Namespaces {
		s.nsps[n] = true
	}
	return s
}

// NewServer returns an engine.io server codec carrying Socket.IO: eio's
// settings (nil: the defaults) with Path DefaultPath unless eio sets one,
// and cfg's Socket.IO server as its Inner.
func NewServer(cfg *ServerConfig, eio *engineio.Config) *engineio.Codec {
	var e engineio.Config
	if eio != nil {
		e = *eio
	}
	if e.Path == "" {
		e.Path = DefaultPath
	}
	e.Inner = NewServerCodec(cfg)
	return engineio.New(&e)
}

// NewSession returns the Socket.IO state of a new engine.io session. It
// keeps of info only the session id and, when an Auth hook is set, the
// handshake request's head in wire form (re-read for each CONNECT Auth
// sees): an idle session holds no parsed request.
func (s *Server) NewSession(info engineio.SessionInfo) engineio.InnerStream {
	st := &serverStream{s: s, dec: Decoder{MaxAttachments: s.cfg.MaxAttachments}}
	if s.cfg.Auth != nil {
		st.auth = &authInfo{sid: info.SID}
		if r := info.Request; r != nil {
			st.auth.head = appendHead(nil, r)
			st.auth.remote = r.RemoteAddr
		}
	}
	return st
}

func (s *Server) served(nsp string) bool { return s.cfg.AnyNamespace || s.nsps[nsp] }

// serverStream is one session's Socket.IO state.
type serverStream struct {
	s    *Server
	auth *authInfo // nil without an Auth hook
	dec  Decoder   // decode path only

	// The namespaces joined (the socket ids are the client's to keep):
	// main for "/", others (nil until one is joined; replaced, never
	// changed in place) for the rest. The decode path writes them, Goodbye
	// reads them from any goroutine.
	others    atomic.Pointer[[]string]
	main      atomic.Bool
	handshook bool // decode path only
}

// authInfo is what Auth is shown of a session besides its CONNECT: the
// session id, and the handshake request's head and RemoteAddr.
type authInfo struct {
	sid    string
	head   []byte
	remote string
}

// appendHead appends r's head as a client sent it: request line, Host,
// headers, the empty line.
func appendHead(dst []byte, r *http.Request) []byte {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = append(dst, uri...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, r.Host...)
	dst = append(dst, "\r\n"...)
	var b bytes.Buffer
	_ = r.Header.Write(&b)
	dst = append(dst, b.Bytes()...)
	return append(dst, "\r\n"...)
}

// request re-reads the handshake request from its head, for Auth.
func (a *authInfo) request() *http.Request {
	if a.head == nil {
		return nil
	}
	r, err := http.ReadRequest(bufio.NewReaderSize(bytes.NewReader(a.head), len(a.head)))
	if err != nil {
		return nil
	}
	r.RemoteAddr = a.remote
	return r
}

var (
	_ engineio.InnerStream = (*serverStream)(nil)
	_ codec.Goodbyer       = (*serverStream)(nil)
)

// AwaitHandshake is true: a session counts as handshaken at its first
// granted CONNECT, so the server's handshake deadline is socket.io's
// connect timeout.
func (st *serverStream) AwaitHandshake() bool { return true }

func (st *serverStream) Format() string   { return "sio" }
func (st *serverStream) Protocol() string { return "socket.io" }

// DecodeMessage decodes the data of one engine.io message.
func (st *serverStream) DecodeMessage(data []byte, binary bool, out codec.Output) error {
	var p Packet
	var done bool
	var err error
	if binary {
		p, done, err = st.dec.Binary(data)
	} else {
		p, done, err = st.dec.Text(data)
	}
	if err != nil || !done {
		return err
	}
	switch p.Type {
	case Connect:
		return st.connect(&p, out)
	case Disconnect:
		ok := st.leave(p.Namespace)
		if ok {
			m := codec.Message{Kind: codec.Notify, Route: routeOf(p.Namespace, "disconnect")}
			out.Message(&m)
		}
		return nil
	case Event, BinaryEvent, Ack, BinaryAck:
		if !st.isConnected(p.Namespace) {
			return nil // socket.io ignores packets for a namespace not joined
		}
		// A body of several arguments is built in a pooled buffer: an
		// idle session holds none.
		buf := argsPool.Get().(*[]byte)
		defer putArgs(buf)
		m, b, err := ToMessage((*buf)[:0], &p)
		*buf = b
		if err != nil {
			return err
		}
		if m.Kind != codec.Response {
			m.Route = routeOf(p.Namespace, m.Route)
		} else {
			m.Route = routeOf(p.Namespace, "")
		}
		switch {
		case len(p.Attachments) == 1 && isPlaceholder(m.Body):
			m.Body, m.Binary = p.Attachments[0], true
		case len(p.Attachments) > 0:
			// Any other shape: the bytes go inside the body (inline.go).
			if m.Body, err = InlineBody(nil, m.Body, p.Attachments); err != nil {
				return err
			}
		}
		out.Message(&m)
		return nil
	}
	return fmt.Errorf("socketio: %v from a client: %w", p.Type, ErrMalformed)
}

var argsPool = sync.Pool{New: func() any { return new([]byte) }}

func putArgs(b *[]byte) {
	if cap(*b) <= 64<<10 {
		argsPool.Put(b)
	}
}

// connect answers a CONNECT.
func (st *serverStream) connect(p *Packet, out codec.Output) error {
	nsp := p.Namespace
	if !st.s.served(nsp) {
		return st.reply(out, func(dst []byte) ([]byte, error) {
			return AppendConnectError(dst, nsp, "Invalid namespace", nil)
		})
	}
	if auth := st.s.cfg.Auth; auth != nil {
		if err := auth(&ConnectRequest{Namespace: nsp, Auth: p.Data, SID: st.auth.sid, Request: st.auth.request()}); err != nil {
			var ce *AuthError
			var data []byte
			if errors.As(err, &ce) {
				data = ce.Data
			}
			return st.reply(out, func(dst []byte) ([]byte, error) {
				return AppendConnectError(dst, nsp, err.Error(), data)
			})
		}
	}
	id := newSocketID()
	st.join(nsp)
	first := !st.handshook
	st.handshook = true
	if err := st.reply(out, func(dst []byte) ([]byte, error) { return AppendConnect(dst, nsp, id) }); err != nil {
		return err
	}
	if first {
		out.Handshaken(codec.Handshake{Protocol: "socket.io"})
	}
	m := codec.Message{Kind: codec.Notify, Route: routeOf(nsp, "connect"), Body: p.Data}
	out.Message(&m)
	return nil
}

// reply queues one Socket.IO packet as an engine.io message.
func (st *serverStream) reply(out codec.Output, fill func(dst []byte) ([]byte, error)) error {
	dst, start := engineio.BeginQueued(nil, engineio.TypeMessage)
	dst, err := fill(dst)
	if err != nil {
		return err
	}
	out.Reply(engineio.FinishQueued(dst, start))
	return nil
}

// join records nsp as connected (decode path).
func (st *serverStream) join(nsp string) {
	if nsp == MainNamespace {
		st.main.Store(true)
		return
	}
	var nsps []string
	if p := st.others.Load(); p != nil {
		if slices.Contains(*p, nsp) {
			return
		}
		nsps = slices.Clone(*p)
	}
	nsps = append(nsps, nsp)
	st.others.Store(&nsps)
}

// leave forgets nsp (decode path) and reports whether it was joined.
func (st *serverStream) leave(nsp string) bool {
	if nsp == MainNamespace {
		return st.main.Swap(false)
	}
	p := st.others.Load()
	if p == nil {
		return false
	}
	i := slices.Index(*p, nsp)
	if i < 0 {
		return false
	}
	nsps := slices.Delete(slices.Clone(*p), i, i+1)
	st.others.Store(&nsps)
	return true
}

// joined returns the namespaces joined.
func (st *serverStream) joined() []string {
	var nsps []string
	if st.main.Load() {
		nsps = append(nsps, MainNamespace)
	}
	if p := st.others.Load(); p != nil {
		nsps = append(nsps, *p...)
	}
	return nsps
}

func (st *serverStream) isConnected(nsp string) bool {
	if nsp == MainNamespace {
		return st.main.Load()
	}
	p := st.others.Load()
	return p != nil && slices.Contains(*p, nsp)
}

// Encode appends m as a Socket.IO event or ack in engine.io's queued
// form, attachments following.
func (st *serverStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	nsp, event := splitRoute(m.Route)
	orig := len(dst)
	dst, start := engineio.BeginQueued(dst, engineio.TypeMessage)
	var err error
	if m.Binary && m.Kind != codec.Raw {
		h := Header{Namespace: nsp}
		bin := Arg{Binary: m.Body}
		if bin.Binary == nil {
			bin.Binary = []byte{}
		}
		switch m.Kind {
		case codec.Response:
			h.ID, h.HasID = m.ID, true
			dst, err = AppendAck(dst, h, bin)
		case codec.Request:
			h.ID, h.HasID = m.ID, true
			fallthrough
		default:
			if event == "" {
				return dst[:orig], fmt.Errorf("socketio: %v without a route: %w", m.Kind, codec.ErrUnsupported)
			}
			dst, err = AppendEvent(dst, h, event, bin)
		}
		if err != nil {
			return dst[:orig], err
		}
		dst = engineio.FinishQueued(dst, start)
		return engineio.AppendQueued(dst, &engineio.Packet{Type: engineio.TypeMessage, Data: m.Body, Binary: true}), nil
	}
	mm := *m
	mm.Route = event
	if m.Kind != codec.Raw && hasInline(m.Body) {
		// A body carrying attachments inline (inline.go) leaves as a
		// binary packet with them.
		body, atts, err := SplitBody(nil, m.Body)
		if err != nil {
			return dst[:orig], err
		}
		if len(atts) > 0 {
			mm.Body = body
			if dst, err = appendAttached(dst, nsp, &mm, len(atts)); err != nil {
				return dst[:orig], err
			}
			dst = engineio.FinishQueued(dst, start)
			for _, a := range atts {
				dst = engineio.AppendQueued(dst, &engineio.Packet{Type: engineio.TypeMessage, Data: a, Binary: true})
			}
			return dst, nil
		}
	}
	if dst, err = AppendMessage(dst, nsp, &mm); err != nil {
		return dst[:orig], err
	}
	return engineio.FinishQueued(dst, start), nil
}

// appendAttached appends the BINARY_EVENT or BINARY_ACK m maps onto, its
// one argument m.Body holding n placeholders.
func appendAttached(dst []byte, nsp string, m *codec.Message, n int) ([]byte, error) {
	if !json.Valid(m.Body) {
		return dst, fmt.Errorf("socketio: %v body is not JSON: %w", m.Kind, codec.ErrUnsupported)
	}
	p := Packet{Type: BinaryEvent, Namespace: nsp, NumAttachments: n}
	var data []byte
	switch m.Kind {
	case codec.Push, codec.Notify, codec.Request:
		if m.Route == "" || IsReserved(m.Route) {
			return dst, fmt.Errorf("socketio: %v route %q: %w", m.Kind, m.Route, codec.ErrUnsupported)
		}
		if m.Kind == codec.Request {
			p.ID, p.HasID = m.ID, true
		}
		data = appendJSONString(append(data, '['), m.Route)
		data = append(data, ',')
	case codec.Response:
		p.Type, p.ID, p.HasID = BinaryAck, m.ID, true
		data = append(data, '[')
	default:
		return dst, fmt.Errorf("socketio: %v message: %w", m.Kind, codec.ErrUnsupported)
	}
	p.Data = append(append(data, m.Body...), ']')
	return AppendPacket(dst, &p)
}

// Goodbye appends a DISCONNECT for every namespace the client joined when
// it is kicked (socket.io-client does not reconnect after one); nothing
// on a shutdown, where the engine.io close packet that follows lets the
// client reconnect to the next server.
func (st *serverStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	if f.Shutdown {
		return dst
	}
	nsps := st.joined()
	for _, n := range nsps {
		d, start := engineio.BeginQueued(dst, engineio.TypeMessage)
		if d, err := AppendDisconnect(d, n); err == nil {
			dst = engineio.FinishQueued(d, start)
		}
	}
	return dst
}

// routeOf is the Route of event in namespace nsp.
func routeOf(nsp, event string) string {
	if nsp == MainNamespace || nsp == "" {
		return event
	}
	if event == "" {
		return nsp
	}
	return nsp + "#" + event
}

// splitRoute is routeOf's inverse.
func splitRoute(route string) (nsp, event string) {
	if !strings.HasPrefix(route, "/") {
		return MainNamespace, route
	}
	if i := strings.IndexByte(route, '#'); i >= 0 {
		return route[:i], route[i+1:]
	}
	return route, ""
}

// isPlaceholder reports whether body is exactly one attachment
// placeholder.
func isPlaceholder(body []byte) bool {
	b := strings.TrimSpace(string(body))
	return strings.HasPrefix(b, "{") && strings.Contains(b, `"_placeholder"`) && strings.Count(b, "{") == 1
}

// newSocketID returns a random socket id of 20 URL-safe characters.
func newSocketID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
