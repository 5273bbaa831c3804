package websocket

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
)

// Stream is one WebSocket connection's codec state, on the server side.
//
// Decode is called by one goroutine at a time. Encode, Format, Protocol,
// Goodbye, Heartbeat, Ping and PingInterval may be called from any goroutine, concurrently with
// Decode and with each other: what they read is fixed at the upgrade and
// published atomically.
//
// Decode modifies in: it unmasks each frame it consumes in place, so that
// a message's payload reaches the inner codec without a copy. Bytes it
// does not consume (a partial frame) are left untouched, so a caller may
// present them again with more bytes appended.
type Stream struct {
	c     *Codec
	info  codec.ConnInfo
	state uint8

	// sess is what the upgrade settled, nil before it. rs is the same
	// pointer for the reading goroutine, which needs no atomic load.
	sess atomic.Pointer[session]
	rs   *session
	// closeSent is set once a close frame was produced (a reply, a
	// failure, a Goodbye), so that no second one follows.
	closeSent atomic.Bool

	// The fragmented message in flight: frag is nil when none is, so an
	// idle connection holds no buffer.
	frag      *[]byte
	fragOp    byte
	fragComp  bool
	frags     int
	fragValid int // bytes of *frag known to be valid UTF-8

	// dict is the client's compression window, kept only when the client
	// keeps its compression context (Deflate.ClientContext).
	dict []byte

	// msg is reused for every message Plain and JSON deliver.
	msg  codec.Message
	iout innerOut

	// format and proto point at the Codec's shared entry {inner name,
	// derived name} last used, so that Format per broadcast target costs
	// a load and a compare.
	format atomic.Pointer[[2]string]
	proto  atomic.Pointer[[2]string]
}

// The optional interfaces aio looks for.
var (
	_ codec.Goodbyer    = (*Stream)(nil)
	_ codec.Heartbeater = (*Stream)(nil)
	_ codec.Pinger      = (*Stream)(nil)
)

const (
	stateUpgrade = iota
	stateOpen
	stateClosed
)

// session is what the upgrade settled. It never changes after.
type session struct {
	inner       codec.Stream
	dec         messageDecoder       // inner as a Plain or JSON decoder, else nil
	md          codec.MessageDecoder // else inner taking whole messages with their frame type (engine.io's), else nil
	binary      bool
	path        string
	subprotocol string
	deflate     bool // permessage-deflate in use
	huffman     bool // compress Huffman-only: the client limits our window
	// clientContext is set when the client keeps its compression context;
	// window is then the log2 size of the window Decode keeps.
	clientContext bool
	window        int
	// formatPrefix goes before the inner Format: it names everything
	// besides the inner codec that shapes Encode's bytes.
	formatPrefix string
}

var errClosed = fmt.Errorf("websocket: decode after close: %w", codec.ErrPeerClosed)

// Decode reads the upgrade request, then frames. See Stream for how it
// treats in.
func (s *Stream) Decode(in []byte, out codec.Output) (n, need int, err error) {
	switch s.state {
	case stateClosed:
		return 0, 0, errClosed
	case stateUpgrade:
		n, need, err = s.decodeRequest(in, out)
		if err != nil {
			s.state = stateClosed
			return n, 0, err
		}
		if n == 0 {
			return 0, need, nil
		}
	}
	for n == 0 || n < len(in) {
		used, more, err := s.decodeFrame(in[n:], out)
		n += used
		if err != nil {
			s.state = stateClosed
			s.dropFragments()
			return n, 0, err
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

// start settles the session: the route's inner stream, and what Encode
// and Format depend on.
func (s *Stream) start(route int, path, subprotocol string, dp deflateParams) *session {
	rt := &s.c.routes[route]
	sess := &session{
		inner:         rt.Inner.NewStream(s.info),
		binary:        rt.Binary,
		path:          path,
		subprotocol:   subprotocol,
		deflate:       dp.on,
		huffman:       dp.huffman,
		clientContext: dp.clientContext,
		window:        dp.window,
	}
	sess.dec, _ = sess.inner.(messageDecoder)
	if sess.dec == nil {
		sess.md, _ = sess.inner.(codec.MessageDecoder)
	}
	switch {
	case dp.huffman:
		sess.formatPrefix = s.c.prefixes[route][2]
	case dp.on:
		sess.formatPrefix = s.c.prefixes[route][1]
	default:
		sess.formatPrefix = s.c.prefixes[route][0]
	}
	s.rs = sess
	s.sess.Store(sess)
	s.state = stateOpen
	return sess
}

// Encode appends m as one WebSocket message: the inner codec's bytes, in
// a text or binary frame, compressed when permessage-deflate is in use,
// m.NoCompress is false and the payload reaches Deflate.MinSize (and only
// when compressing makes it smaller). Before the upgrade it returns an
// error wrapping codec.ErrNotReady.
func (s *Stream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	sess := s.sess.Load()
	if sess == nil {
		return dst, fmt.Errorf("websocket: encode before the upgrade: %w", codec.ErrNotReady)
	}
	orig := len(dst)
	dst, start := beginFrame(dst)
	body := len(dst)
	dst, err := sess.inner.Encode(dst, m)
	if err != nil {
		return dst[:orig], err
	}
	binary := sess.binary
	if (sess.dec != nil || sess.md != nil) && m.Kind == codec.Raw {
		binary = m.Binary
	}
	return s.finishMessage(dst, start, body, binary, !m.NoCompress, sess), nil
}

// finishMessage completes the data frame begun at start whose payload
// starts at body, compressing the payload first when it should be: when
// permessage-deflate is in use, compress allows it (a Message without
// NoCompress) and the payload reaches Deflate.MinSize.
func (s *Stream) finishMessage(dst []byte, start, body int, binary, compress bool, sess *session) []byte {
	b0 := byte(finBit | opText)
	if binary {
		b0 = finBit | opBinary
	}
	if compress && sess.deflate && len(dst)-body >= s.c.minSize {
		var ok bool
		if dst, ok = s.c.compressTail(dst, body, sess.huffman); ok {
			b0 |= rsv1Bit
		}
	}
	return finishFrame(dst, start, b0)
}

// appendMessage appends payload as one data message.
func (s *Stream) appendMessage(dst, payload []byte, binary bool, sess *session) []byte {
	dst, start := beginFrame(dst)
	body := len(dst)
	dst = append(dst, payload...)
	return s.finishMessage(dst, start, body, binary, true, sess)
}

// Format is "" before the upgrade and when the inner Format is "". Else it
// is "ws", ".bin" when the route sends binary frames, the compression
// settings when permessage-deflate is in use, "/" and the inner Format:
// "ws/json", "ws.deflate1-256/plain". Two streams reporting the same
// Format encode a Message to the same bytes.
func (s *Stream) Format() string {
	sess := s.sess.Load()
	if sess == nil {
		return ""
	}
	f := sess.inner.Format()
	if f == "" {
		return ""
	}
	if p := s.format.Load(); p != nil && p[0] == f {
		return p[1]
	}
	p := s.c.name(sess.formatPrefix, f, func() string { return sess.formatPrefix + f })
	s.format.Store(p)
	return p[1]
}

// Protocol is "ws" when the inner Protocol is "" (Plain and JSON), the
// inner Protocol itself when it ends in "-ws" (codec/pomelo's NewWS
// streams say "pomelo-ws"), else the inner Protocol without a "-tcp"
// suffix, plus "-ws": "pomelo-tcp" or "pomelo" becomes "pomelo-ws".
func (s *Stream) Protocol() string {
	sess := s.sess.Load()
	if sess == nil {
		return "ws"
	}
	p := sess.inner.Protocol()
	switch {
	case p == "":
		return "ws"
	case strings.HasSuffix(p, "-ws"):
		return p
	}
	if c := s.proto.Load(); c != nil && c[0] == p {
		return c[1]
	}
	c := s.c.name("", p, func() string { return strings.TrimSuffix(p, "-tcp") + "-ws" })
	s.proto.Store(c)
	return c[1]
}

// Goodbye appends what tells the peer why the connection ends: the inner
// codec's goodbye (a pomelo kick) as a message when the inner stream is a
// codec.Goodbyer, then a close frame with CloseGoingAway on shutdown, else
// CloseKicked, and reason cut to 123 bytes. Before the upgrade it appends
// nothing.
func (s *Stream) Goodbye(dst []byte, f codec.Farewell) []byte {
	sess := s.sess.Load()
	if sess == nil {
		return dst
	}
	if g, ok := sess.inner.(codec.Goodbyer); ok {
		d, start := beginFrame(dst)
		body := len(d)
		if d = g.Goodbye(d, f); len(d) > body {
			dst = s.finishMessage(d, start, body, sess.binary, true, sess)
		}
	}
	if s.closeSent.Swap(true) {
		return dst
	}
	code := CloseKicked
	if f.Shutdown {
		code = CloseGoingAway
	}
	return appendClose(dst, code, f.Reason)
}

// Heartbeat appends the inner codec's heartbeat as a message when the
// inner stream is a codec.Heartbeater (pomelo's), else a ping frame.
// Before the upgrade it appends nothing.
func (s *Stream) Heartbeat(dst []byte) []byte {
	sess := s.sess.Load()
	if sess == nil {
		return dst
	}
	if h, ok := sess.inner.(codec.Heartbeater); ok {
		d, start := beginFrame(dst)
		body := len(d)
		if d = h.Heartbeat(d); len(d) > body {
			return s.finishMessage(d, start, body, sess.binary, true, sess)
		}
	}
	return appendFrame(dst, finBit|opPing, nil)
}

// Ping appends a ping frame with an empty payload, whatever the inner
// codec (a pomelo or JSON route is pinged too: the browser's WebSocket
// answers pings by itself, the application's own heartbeat aside). It
// appends nothing before the upgrade or once a close frame was sent. aio
// calls it for a connection silent for PingInterval; the pong that comes
// back is consumed by Decode without a message.
func (s *Stream) Ping(dst []byte) []byte {
	if s.sess.Load() == nil || s.closeSent.Load() {
		return dst
	}
	return appendFrame(dst, finBit|opPing, nil)
}

// PingInterval returns Config.PingInterval: zero for aio's default (a
// third of the heartbeat timeout), negative for no pings.
func (s *Stream) PingInterval() time.Duration { return s.c.cfg.PingInterval }

// Subprotocol returns the subprotocol the upgrade selected, "" for none
// or before the upgrade.
func (s *Stream) Subprotocol() string {
	if sess := s.sess.Load(); sess != nil {
		return sess.subprotocol
	}
	return ""
}

// Inner returns the inner codec stream, nil before the upgrade.
func (s *Stream) Inner() codec.Stream {
	if sess := s.sess.Load(); sess != nil {
		return sess.inner
	}
	return nil
}

// replyControl sends a control frame to the peer.
func (s *Stream) replyControl(out codec.Output, op byte, payload []byte) {
	bp := getBuf()
	b := appendFrame((*bp)[:0], finBit|op, payload)
	out.Reply(b)
	putBuf(bp, b)
}

// replyMessage sends payload to the peer as one data message.
func (s *Stream) replyMessage(out codec.Output, payload []byte, binary bool, sess *session) {
	bp := getBuf()
	b := s.appendMessage((*bp)[:0], payload, binary, sess)
	out.Reply(b)
	putBuf(bp, b)
}

// fail sends a close frame with code and reason, unless one was sent, and
// returns the CloseError Decode returns.
func (s *Stream) fail(out codec.Output, code int, reason string, err error) error {
	if !s.closeSent.Swap(true) {
		bp := getBuf()
		b := appendClose((*bp)[:0], code, reason)
		out.Reply(b)
		putBuf(bp, b)
	}
	return &CloseError{Code: code, Reason: reason, Err: err}
}

// bufPool holds scratch buffers: fragments in flight, decompressed
// messages, replies. Buffers over maxPooledBuf are left to the collector
// so that one huge message does not pin memory in the pool.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledBuf = 64 << 10

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf returns bp to the pool, with b, its grown contents, as its slice.
func putBuf(bp *[]byte, b []byte) {
	if cap(b) > maxPooledBuf {
		return
	}
	*bp = b[:0]
	bufPool.Put(bp)
}
