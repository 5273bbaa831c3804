package engineio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// ErrNoCarrier is returned by a stream whose connection offers no
// codec.Carrier (a client connection, or a server that carries no
// sessions).
var ErrNoCarrier = fmt.Errorf("engineio: the connection cannot carry sessions: %w", codec.ErrUnsupported)

// errParked refuses bytes on a connection whose GET is parked: HTTP/1.1
// clients do not pipeline behind a long poll.
var errParked = fmt.Errorf("engineio: request behind a parked poll: %w", codec.ErrProtocol)

// errTransportClosed is the close reason of a session whose carrier
// closed under it (engine.io's "transport close").
var errTransportClosed = fmt.Errorf("engineio: transport closed: %w", codec.ErrPeerClosed)

// ErrSessionClosedByPeer is the close reason of a session whose client
// sent the close packet.
var ErrSessionClosedByPeer = fmt.Errorf("engineio: client closed the session: %w", codec.ErrPeerClosed)

// carrierStream is the stream of one HTTP connection on the engine.io
// path: it answers long-polling requests (keep-alive, one after another),
// parks a GET until its session has something to say, and hands a
// WebSocket upgrade to a websocket stream whose inner stream carries the
// session.
type carrierStream struct {
	c *Codec
	// The connection (a server's: ConnInfo.Client is false), kept as
	// three fields rather than a ConnInfo, which would round the stream up
	// a size class; see connInfo.
	k             codec.Carrier
	local, remote net.Addr

	ws         atomic.Pointer[websocket.Stream] // set at the WebSocket upgrade
	merged     atomic.Pointer[session]          // the direct session this connection is, set at its upgrade
	poll       atomic.Pointer[pollSink]         // the GET parked here, for Goodbye
	parked     atomic.Bool                      // a GET of this connection is parked
	handshaken bool

	// post is the POST whose body is awaited, nil when none: a carrier
	// that is not receiving a body holds nothing of one.
	post *pendingPost
}

// pendingPost is a POST whose body is awaited: its head ends at head, its
// body is size bytes, for st.
type pendingPost struct {
	st   *session
	head int
	size int // -1: chunked
	ri   reqInfo
}

// reqInfo is what a response needs of its request.
type reqInfo struct {
	origin string // the Origin to allow, "" for no CORS headers
	close  bool   // close the connection after the response
}

// Decode answers the requests at the front of in.
func (s *carrierStream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	if ws := s.ws.Load(); ws != nil {
		return ws.Decode(in, out)
	}
	for n < len(in) {
		if s.parked.Load() {
			return n, 0, errParked
		}
		used, more, err := s.decodeRequest(in[n:], out)
		n += used
		if err != nil {
			return n, 0, err
		}
		if ws := s.ws.Load(); ws != nil {
			if n < len(in) {
				m, need, err := ws.Decode(in[n:], out)
				if m == 0 && err == nil {
					return n, 0, nil // frames wait for the next call
				}
				return n + m, need, err
			}
			return n, 0, nil
		}
		if used == 0 {
			if n == 0 {
				return 0, more, nil
			}
			break
		}
	}
	return n, 0, nil
}

// decodeRequest handles one request at the front of in.
func (s *carrierStream) decodeRequest(in []byte, out codec.Output) (int, int, error) {
	if s.post != nil {
		return s.finishPost(in, out)
	}
	end := bytes.Index(in, []byte("\r\n\r\n"))
	if end < 0 {
		if len(in) >= s.c.cfg.MaxHeaderBytes {
			s.reply(out, http.StatusRequestHeaderFieldsTooLarge, "text/plain; charset=UTF-8", []byte("request header too large"), reqInfo{close: true})
			return 0, 0, fmt.Errorf("engineio: request head over %d bytes: %w", s.c.cfg.MaxHeaderBytes, codec.ErrTooLarge)
		}
		return 0, len(in) + 1, nil
	}
	end += 4
	req, err := readRequest(in[:end])
	if err != nil {
		s.reply(out, http.StatusBadRequest, "text/plain; charset=UTF-8", []byte("malformed request"), reqInfo{close: true})
		return 0, 0, fmt.Errorf("engineio: malformed request: %w", codec.ErrProtocol)
	}
	if s.remote != nil {
		req.RemoteAddr = s.remote.String()
	}
	q := rawQuery(req.URL.RawQuery)
	direct := s.directUpgrade(req, q)
	if !s.handshaken {
		s.handshaken = true
		// A WebSocket that opens a session becomes that session: its
		// handshake is the session's (socket.io's CONNECT), reported then.
		if !direct {
			out.Handshaken(codec.Handshake{Protocol: "engine.io-http", HeartbeatTimeout: s.c.pingTotal + 5*time.Second, Path: req.URL.Path})
		}
	}
	ri := reqInfo{close: req.Close || !req.ProtoAtLeast(1, 1)}
	if !strings.HasPrefix(req.URL.Path, s.c.cfg.Path) {
		s.reply(out, http.StatusNotFound, "text/plain; charset=UTF-8", []byte("not found"), reqInfo{close: true})
		return end, 0, fmt.Errorf("engineio: %s %s: 404: %w", req.Method, req.URL.Path, codec.ErrPeerClosed)
	}
	if o := req.Header.Get("Origin"); o != "" {
		if !s.c.cfg.CheckOrigin(req) {
			return 0, 0, s.refuse(out, &RequestError{Code: CodeForbidden, Reason: "ORIGIN_NOT_ALLOWED"}, reqInfo{close: true})
		}
		if s.c.corsActive {
			ri.origin = o
		}
	}
	if req.Method == http.MethodOptions {
		s.preflight(out, req, ri)
		return end, 0, nil
	}
	if s.k == nil {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "NO_CARRIER"}, reqInfo{close: true})
	}
	transport := q.Get("transport")
	switch {
	case transport != "polling" && transport != "websocket", transport == "websocket" && s.c.cfg.NoWebSocket:
		return 0, 0, s.refuse(out, &RequestError{Code: CodeUnknownTransport, Reason: "UNKNOWN_TRANSPORT"}, ri)
	case q.Has("j"):
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "JSONP_UNSUPPORTED"}, ri)
	}
	upgrade := hasToken(req.Header, "Upgrade", "websocket")
	if transport == "websocket" && !upgrade {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "TRANSPORT_HANDSHAKE_ERROR"}, ri)
	}
	sid := q.Get("sid")
	if sid == "" {
		if req.Method != http.MethodGet {
			return 0, 0, s.refuse(out, &RequestError{Code: CodeBadHandshakeMethod, Reason: "BAD_HANDSHAKE_METHOD"}, ri)
		}
		if q.Get("EIO") != "4" {
			return 0, 0, s.refuse(out, &RequestError{Code: CodeUnsupportedProtocolVersion, Reason: "UNSUPPORTED_PROTOCOL_VERSION"}, ri)
		}
		if upgrade {
			return s.upgrade(in[:end], req, nil, direct, out)
		}
		return s.handshake(end, req, ri, out)
	}
	cs := s.k.Session(sid)
	st, _ := sessionOf(cs)
	if st == nil {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeUnknownSID, Reason: "UNKNOWN_SID"}, ri)
	}
	if st.upgraded.Load() {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "TRANSPORT_MISMATCH"}, ri)
	}
	if upgrade {
		return s.upgrade(in[:end], req, st, false, out)
	}
	switch req.Method {
	case http.MethodGet:
		return s.pollGet(end, st, ri, out)
	case http.MethodPost:
		return s.startPost(in, end, req, st, ri, out)
	}
	return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "METHOD_NOT_ALLOWED"}, ri)
}

// rawQuery reads the few parameters engine.io looks at straight from a
// request's raw query, with no map: url.Values would cost every request
// hundreds of bytes of garbage.
type rawQuery string

// Get returns the first value of key, unescaped, "" when absent (as
// url.Values.Get).
func (q rawQuery) Get(key string) string {
	v, _ := q.lookup(key)
	return v
}

// Has reports whether key is present (as url.Values.Has).
func (q rawQuery) Has(key string) bool {
	_, ok := q.lookup(key)
	return ok
}

func (q rawQuery) lookup(key string) (string, bool) {
	s := string(q)
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if strings.Contains(kv, ";") {
			continue // url.ParseQuery refuses a pair with a semicolon
		}
		k, v, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(k, "%+") {
			uk, err := url.QueryUnescape(k)
			if err != nil {
				continue // url.ParseQuery drops what it cannot unescape
			}
			k = uk
		}
		if k != key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			uv, err := url.QueryUnescape(v)
			if err != nil {
				continue
			}
			v = uv
		}
		return v, true
	}
	return "", false
}

// headReader reads one request head; pooled, since every request of every
// carrier parses one.
type headReader struct {
	br *bufio.Reader
	rd bytes.Reader
}

var headReaders = sync.Pool{New: func() any {
	h := &headReader{}
	h.br = bufio.NewReaderSize(&h.rd, 1024)
	return h
}}

// readRequest parses head, a whole request head.
func readRequest(head []byte) (*http.Request, error) {
	h := headReaders.Get().(*headReader)
	h.rd.Reset(head)
	h.br.Reset(&h.rd)
	req, err := http.ReadRequest(h.br)
	if req != nil {
		// The body is read from the carrier's bytes, never from the
		// pooled reader.
		req.Body = http.NoBody
	}
	h.rd.Reset(nil)
	h.br.Reset(&h.rd)
	headReaders.Put(h)
	return req, err
}

// connInfo is the ConnInfo the stream was made with.
func (s *carrierStream) connInfo() codec.ConnInfo {
	return codec.ConnInfo{LocalAddr: s.local, RemoteAddr: s.remote, Carrier: s.k}
}

// sessionOf returns the engine.io state of a session opened by this
// package.
func sessionOf(cs codec.Session) (*session, codec.Session) {
	if cs == nil {
		return nil, nil
	}
	st, _ := cs.Stream().(*session)
	return st, cs
}

// handshake opens a polling session: its open packet answers this GET.
func (s *carrierStream) handshake(end int, req *http.Request, ri reqInfo, out codec.Output) (int, int, error) {
	st, err := s.open(req, false)
	if err != nil {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "SESSION_REFUSED: " + err.Error()}, ri)
	}
	if !s.park(st, ri) {
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "GET_OVERLAP"}, ri)
	}
	return end, 0, nil
}

// open creates a session.
func (s *carrierStream) open(req *http.Request, ws bool) (*session, error) {
	st := &session{c: s.c, sid: newSID(), ps: &pollState{}}
	st.upgraded.Store(ws)
	if s.c.cfg.Inner != nil {
		st.inner = s.c.cfg.Inner.NewSession(SessionInfo{SID: st.sid, Request: req, Conn: s.connInfo()})
	}
	cs, err := s.k.OpenSession(st.sid, st)
	if err != nil {
		return nil, err
	}
	st.sess = cs
	return st, nil
}

// pollGet parks a GET of an open session.
func (s *carrierStream) pollGet(end int, st *session, ri reqInfo, out codec.Output) (int, int, error) {
	st.ps.mu.Lock()
	probing := st.ps.probing != nil
	st.ps.mu.Unlock()
	if probing {
		// The client pauses polling to upgrade: answer at once.
		s.reply(out, http.StatusOK, "text/plain; charset=UTF-8", appendPollBody(nil, noopUnit), ri)
		return end, 0, nil
	}
	if !s.park(st, ri) {
		st.sess.Close(fmt.Errorf("engineio: overlapping GET: %w", codec.ErrProtocol))
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "GET_OVERLAP"}, ri)
	}
	return end, 0, nil
}

// park makes this connection's GET the session's sink; false when a GET
// is parked already.
func (s *carrierStream) park(st *session, ri reqInfo) bool {
	p := &pollSink{s: s, st: st, ri: ri}
	if !st.ps.poll.CompareAndSwap(nil, p) {
		return false
	}
	s.poll.Store(p)
	s.parked.Store(true)
	s.k.OnClose(func(error) {
		if p.answer(nil, nil) { // not answered: the client went away
			st.sess.Close(fmt.Errorf("engineio: poll connection closed prematurely: %w", errTransportClosed))
		}
	})
	st.sess.Attach(p)
	return true
}

// startPost checks a POST's head and waits for its body.
func (s *carrierStream) startPost(in []byte, end int, req *http.Request, st *session, ri reqInfo, out codec.Output) (int, int, error) {
	size := int(req.ContentLength)
	switch {
	case len(req.TransferEncoding) == 1 && req.TransferEncoding[0] == "chunked":
		size = -1
	case len(req.TransferEncoding) > 0:
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "TRANSFER_ENCODING"}, ri)
	case req.ContentLength > int64(s.c.cfg.MaxPayload):
		st.sess.Close(fmt.Errorf("engineio: POST body of %d bytes over maxPayload: %w", req.ContentLength, codec.ErrTooLarge))
		ri.close = true
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "PAYLOAD_TOO_LARGE"}, ri)
	}
	st.ps.mu.Lock()
	overlap := st.ps.posting
	st.ps.posting = true
	st.ps.mu.Unlock()
	if overlap {
		st.sess.Close(fmt.Errorf("engineio: overlapping POST: %w", codec.ErrProtocol))
		return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "POST_OVERLAP"}, ri)
	}
	s.post = &pendingPost{st: st, head: end, size: size, ri: ri}
	// A connection that closes before the body is whole takes the
	// session with it, as engine.io's "data request connection closed
	// prematurely" does.
	s.k.OnClose(func(error) {
		st.sess.Close(fmt.Errorf("engineio: POST connection closed prematurely: %w", errTransportClosed))
	})
	return s.finishPost(in, out)
}

// finishPost decodes the awaited POST body once it is whole.
func (s *carrierStream) finishPost(in []byte, out codec.Output) (int, int, error) {
	pp := s.post
	st, ri := pp.st, pp.ri
	var body []byte
	total := pp.head + pp.size
	if pp.size < 0 {
		var err error
		body, total, err = dechunk(nil, in[pp.head:], s.c.cfg.MaxPayload)
		if err != nil {
			s.post = nil
			st.sess.Close(err)
			return 0, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "BAD_CHUNKED_BODY"}, ri)
		}
		if total == 0 {
			return 0, len(in) + 1, nil
		}
		total += pp.head
	} else {
		if len(in) < total {
			return 0, total, nil
		}
		body = in[pp.head:total]
	}
	s.post = nil
	s.k.OnClose(nil)
	err := s.deliverPayload(st, body)
	st.ps.mu.Lock()
	st.ps.posting = false
	st.ps.mu.Unlock()
	if err != nil {
		st.sess.Close(err)
		return total, 0, s.refuse(out, &RequestError{Code: CodeBadRequest, Reason: "PARSE_ERROR"}, ri)
	}
	s.reply(out, http.StatusOK, "text/html", []byte("ok"), ri)
	if ri.close {
		return total, 0, fmt.Errorf("engineio: connection: close: %w", codec.ErrPeerClosed)
	}
	return total, 0, nil
}

// deliverPayload hands each packet of a POST body to its session.
func (s *carrierStream) deliverPayload(st *session, body []byte) error {
	d := NewPayloadDecoder(body)
	var scratch []byte
	for {
		p, sc, err := d.Next(scratch[:0])
		scratch = sc
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := st.packet(&p); err != nil {
			return err
		}
	}
}

// packet handles one packet from the client on either transport.
func (st *session) packet(p *Packet) error {
	switch p.Type {
	case TypeMessage:
		if st.sess.Closed() {
			return nil // a packet after the close: dropped
		}
		if err := st.sess.Deliver(p.Data, p.Binary); err != nil {
			return err
		}
	case TypePong:
		st.sess.Alive()
	case TypeClose:
		st.sess.Close(ErrSessionClosedByPeer)
	}
	// Other types from a client carry nothing for the session.
	return nil
}

// upgrade hands a WebSocket upgrade to a websocket stream: for st (an
// upgrade of a polling session, probed first), or a new session (nil),
// which this connection becomes when direct (see directUpgrade).
func (s *carrierStream) upgrade(head []byte, req *http.Request, st *session, direct bool, out codec.Output) (int, int, error) {
	ws := s.c.ws.NewStream(s.connInfo()).(*websocket.Stream)
	wout := out
	if direct {
		wout = noHandshake{out} // the session reports the handshake
	}
	// The WebSocket keeps its request line's path: without the query
	// (sid, EIO, transport, a cache buster), which engine.io read already.
	wh := withoutQuery(head)
	n, _, err := ws.Decode(wh, wout)
	if err != nil {
		return n, 0, err
	}
	if n != len(wh) {
		return n, 0, fmt.Errorf("engineio: websocket upgrade consumed %d of %d bytes: %w", n, len(wh), codec.ErrProtocol)
	}
	n = len(head)
	s.ws.Store(ws)
	inner, _ := ws.Inner().(*wsInner)
	if inner == nil {
		return n, 0, fmt.Errorf("engineio: websocket route without the engine.io inner stream: %w", codec.ErrProtocol)
	}
	inner.wss = ws
	if st == nil {
		if direct {
			return n, 0, s.becomeSession(req, inner, out)
		}
		nst, err := s.open(req, true)
		if err != nil {
			return n, 0, fmt.Errorf("engineio: session refused: %w", err)
		}
		inner.carry(nst)
		return n, 0, nil
	}
	st.ps.mu.Lock()
	busy := st.ps.probing != nil
	if !busy {
		st.ps.probing = inner
	}
	st.ps.mu.Unlock()
	if busy {
		return n, 0, fmt.Errorf("engineio: a second upgrade for session %s: %w", st.sid, codec.ErrProtocol)
	}
	inner.probe(st)
	return n, 0, nil
}

// sessionCarrier is what aio's carrier offers besides codec.Carrier: a
// connection that becomes the session it carries (aio's
// carrier.BecomeSession), and reports that session's handshake as its
// own.
type sessionCarrier interface {
	codec.Carrier
	BecomeSession(id string, timeout time.Duration) error
	Handshaken(h codec.Handshake)
}

// directUpgrade reports whether req, a request with no sid, opens a
// direct session: a WebSocket upgrade (transport=websocket) without
// compression, on a carrier that can become the session. Such a session
// can never move to another connection, so its connection serves it: no
// second connection, queue or heartbeat, and its frames are encoded once
// per broadcast, as a plain WebSocket's are.
func (s *carrierStream) directUpgrade(req *http.Request, q rawQuery) bool {
	if s.c.cfg.Deflate != nil || s.c.cfg.NoWebSocket {
		return false
	}
	if _, ok := s.k.(sessionCarrier); !ok {
		return false
	}
	return q.Get("sid") == "" && q.Get("transport") == "websocket" && hasToken(req.Header, "Upgrade", "websocket")
}

// becomeSession opens a direct session on this WebSocket: the open
// packet answers, and the connection is the session from now on.
func (s *carrierStream) becomeSession(req *http.Request, inner *wsInner, out codec.Output) error {
	k := s.k.(sessionCarrier)
	st := &session{c: s.c, sid: newSID(), direct: true}
	st.upgraded.Store(true)
	st.alive.Store(time.Now().UnixNano())
	if s.c.cfg.Inner != nil {
		st.inner = s.c.cfg.Inner.NewSession(SessionInfo{SID: st.sid, Request: req, Conn: s.connInfo()})
	}
	if err := k.BecomeSession(st.sid, st.SessionTimeout()); err != nil {
		return fmt.Errorf("engineio: session refused: %w", err)
	}
	s.merged.Store(st)
	inner.mu.Lock()
	inner.st = st
	inner.mu.Unlock()
	q := getScratch()
	b, _ := st.Open((*q)[:0])
	out.Reply(b) // copied
	*q = b
	putScratch(q)
	if !st.AwaitHandshake() {
		k.Handshaken(codec.Handshake{Protocol: st.Protocol()})
	}
	return nil
}

// withoutQuery returns the request head with the query cut from its
// request line, head itself when it has none.
func withoutQuery(head []byte) []byte {
	eol := bytes.IndexByte(head, '\n')
	if eol < 0 {
		return head
	}
	line := head[:eol]
	q := bytes.IndexByte(line, '?')
	sp := bytes.LastIndexByte(line, ' ')
	if q < 0 || sp < q {
		return head
	}
	out := make([]byte, 0, len(head)-(sp-q))
	out = append(out, line[:q]...)
	return append(out, head[sp:]...)
}

// noHandshake is an Output that drops the handshake report.
type noHandshake struct{ codec.Output }

func (noHandshake) Handshaken(codec.Handshake) {}

// refuse answers an error body and returns it as the error that closes
// the connection when ri says so, else nil (keep-alive).
func (s *carrierStream) refuse(out codec.Output, e *RequestError, ri reqInfo) error {
	ri.close = true // an engine.io client does not reuse a refused request's connection
	s.reply(out, e.Status(), ErrorContentType, e.AppendBody(nil), ri)
	return e
}

// preflight answers a CORS preflight request.
func (s *carrierStream) preflight(out codec.Output, req *http.Request, ri reqInfo) {
	h := http.Header{}
	if ri.origin != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		if rh := req.Header.Get("Access-Control-Request-Headers"); rh != "" {
			h.Set("Access-Control-Allow-Headers", rh)
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
	s.replyHeader(out, http.StatusNoContent, "", nil, ri, h)
}

func (s *carrierStream) reply(out codec.Output, status int, ctype string, body []byte, ri reqInfo) {
	s.replyHeader(out, status, ctype, body, ri, nil)
}

func (s *carrierStream) replyHeader(out codec.Output, status int, ctype string, body []byte, ri reqInfo, h http.Header) {
	b := appendHead(nil, status, ctype, len(body), ri, h)
	out.Reply(append(b, body...))
}

// appendHead appends an HTTP/1.1 response head.
func appendHead(dst []byte, status int, ctype string, n int, ri reqInfo, h http.Header) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http.StatusText(status)...)
	dst = append(dst, "\r\n"...)
	if ctype != "" {
		dst = append(dst, "Content-Type: "...)
		dst = append(dst, ctype...)
		dst = append(dst, "\r\n"...)
	}
	if status != http.StatusNoContent {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, "\r\n"...)
	}
	if ri.origin != "" {
		dst = append(dst, "Access-Control-Allow-Origin: "...)
		dst = append(dst, sanitize(ri.origin)...)
		dst = append(dst, "\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n"...)
	}
	for k, vs := range h {
		for _, v := range vs {
			dst = append(dst, k...)
			dst = append(dst, ": "...)
			dst = append(dst, sanitize(v)...)
			dst = append(dst, "\r\n"...)
		}
	}
	if ri.close {
		dst = append(dst, "Connection: close\r\n"...)
	} else {
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// sanitize drops control bytes from a header value.
func sanitize(v string) string {
	if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return v
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v)
}

// hasToken reports whether a name header lists token, ignoring case.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Goodbye answers a GET parked on this connection with the close packet
// when the connection itself closes for a kick or a shutdown (so that the
// client hears it rather than a reset), and after an upgrade says the
// WebSocket's goodbye.
func (s *carrierStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	if st := s.merged.Load(); st != nil {
		dst = st.Goodbye(dst, f)
	}
	if ws := s.ws.Load(); ws != nil {
		return ws.Goodbye(dst, f)
	}
	p := s.poll.Load()
	if p == nil {
		return dst
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return dst
	}
	p.done = true
	p.st.ps.poll.CompareAndSwap(p, nil)
	s.poll.CompareAndSwap(p, nil)
	s.parked.Store(false)
	s.k.OnClose(nil)
	body := appendPollBody(nil, closeUnit)
	dst = appendHead(dst, http.StatusOK, "text/plain; charset=UTF-8", len(body), p.ri, nil)
	return append(dst, body...)
}

// Encode refuses, unless the connection is a direct session: a carrier
// carries sessions, not application messages (sends to many skip it).
func (s *carrierStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if st := s.merged.Load(); st != nil {
		return st.Encode(dst, m)
	}
	return dst, fmt.Errorf("engineio: a carrier connection carries no application message: %w", codec.ErrUnsupported)
}

// Format is "": nothing is shared with other connections; a direct
// session's is its session's ("eio-ws/sio").
func (s *carrierStream) Format() string {
	if st := s.merged.Load(); st != nil {
		return st.Format()
	}
	return ""
}

// Protocol is "engine.io-http", or "engine.io-ws" after an upgrade; a
// direct session's is its session's ("socket.io", "engine.io").
func (s *carrierStream) Protocol() string {
	if st := s.merged.Load(); st != nil {
		return st.Protocol()
	}
	if ws := s.ws.Load(); ws != nil {
		return ws.Protocol()
	}
	return "engine.io-http"
}

// Ping appends a direct session's heartbeat ping; nothing for any other
// carrier.
func (s *carrierStream) Ping(dst []byte) []byte {
	if st := s.merged.Load(); st != nil {
		return st.Ping(dst)
	}
	return dst
}

// PingInterval is a direct session's; -1 (no pings) for any other
// carrier.
func (s *carrierStream) PingInterval() time.Duration {
	if st := s.merged.Load(); st != nil {
		return st.PingInterval()
	}
	return -1
}

// AliveAt is when a direct session's client last answered a ping (aio's
// heartbeat counts only that); 0 for any other carrier, whose reads count.
func (s *carrierStream) AliveAt() int64 {
	if st := s.merged.Load(); st != nil {
		return st.alive.Load()
	}
	return 0
}

// Session returns the engine.io session this connection is (a direct
// session), nil for any other carrier.
func (s *carrierStream) Session() Session {
	if st := s.merged.Load(); st != nil {
		return st
	}
	return nil
}

// pollSink is a parked GET as its session's sink.
type pollSink struct {
	s    *carrierStream
	st   *session
	ri   reqInfo
	mu   sync.Mutex
	done bool
}

var _ codec.Sink = (*pollSink)(nil)

// Write answers the GET with every queued packet, joined.
func (p *pollSink) Write(units [][]byte) (written, keep bool) {
	return p.answer(units, nil), false
}

// Close answers a GET still parked with the close packet.
func (p *pollSink) Close() { p.answer(nil, closeUnit) }

// answer answers the GET once with units (or, when units is nil, with
// alt; both nil: no answer, the GET is given up). It reports whether this
// call answered it.
func (p *pollSink) answer(units, alt [][]byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return false
	}
	p.done = true
	p.st.ps.poll.CompareAndSwap(p, nil)
	p.s.poll.CompareAndSwap(p, nil)
	p.s.parked.Store(false)
	if units == nil {
		units = alt
	}
	if units == nil {
		return true
	}
	k := p.s.k
	k.OnClose(nil)
	body := appendPollBody(nil, units)
	b := appendHead(nil, http.StatusOK, "text/plain; charset=UTF-8", len(body), p.ri, nil)
	if err := k.Write(append(b, body...)); err != nil {
		return false
	}
	if p.ri.close {
		k.Close(nil)
	}
	return true
}

// dechunk decodes the chunked body at the front of b, appending it to dst.
// It returns the body and the bytes of b it spans, 0 while it is not
// whole; an error (wrapping codec.ErrProtocol or codec.ErrTooLarge) for a
// malformed body or one over max bytes.
func dechunk(dst, b []byte, max int) (body []byte, n int, err error) {
	i := 0
	line := func() ([]byte, bool) {
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return nil, false
		}
		l := bytes.TrimSuffix(b[i:i+nl], []byte{'\r'})
		i += nl + 1
		return l, true
	}
	for {
		start := i
		l, ok := line()
		if !ok {
			if len(b)-start > 1024 {
				return nil, 0, fmt.Errorf("engineio: chunk size line too long: %w", codec.ErrProtocol)
			}
			return nil, 0, nil
		}
		if semi := bytes.IndexByte(l, ';'); semi >= 0 {
			l = l[:semi]
		}
		size, perr := strconv.ParseUint(string(bytes.TrimSpace(l)), 16, 31)
		if perr != nil {
			return nil, 0, fmt.Errorf("engineio: bad chunk size %q: %w", l, codec.ErrProtocol)
		}
		if size == 0 {
			for { // trailers, up to the empty line
				t, ok := line()
				if !ok {
					return nil, 0, nil
				}
				if len(t) == 0 {
					return dst, i, nil
				}
			}
		}
		if len(dst)+int(size) > max {
			return nil, 0, fmt.Errorf("engineio: chunked POST body over %d bytes: %w", max, codec.ErrTooLarge)
		}
		if len(b)-i < int(size)+2 {
			return nil, 0, nil
		}
		dst = append(dst, b[i:i+int(size)]...)
		i += int(size)
		if b[i] != '\r' || b[i+1] != '\n' {
			return nil, 0, fmt.Errorf("engineio: chunk not followed by CRLF: %w", codec.ErrProtocol)
		}
		i += 2
	}
}
