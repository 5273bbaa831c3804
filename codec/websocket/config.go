package websocket

import (
	"compress/flate"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gotio/gotio/codec"
)

// Defaults of the Config limits.
const (
	DefaultMaxHeaderBytes = 8 << 10
	DefaultMaxHeaders     = 64
	DefaultMaxBodyBytes   = 64 << 10
	DefaultMaxMessageSize = 16 << 20
	DefaultDeflateLevel   = flate.BestSpeed
	DefaultDeflateMinSize = 256
	DefaultClientWindow   = 12
)

// Config configures a WebSocket codec. The zero value serves Plain text and
// binary messages on every path to same-origin browsers and any non-browser
// client, without compression.
type Config struct {
	// Routes choose the inner codec of a connection from the upgrade
	// request's path and the subprotocols the client offers. The first
	// route that matches wins, so list specific routes first and a
	// catch-all Route{} last as the default. Nil means one catch-all route
	// carrying Plain. An upgrade no route matches is refused: 404 when no
	// route's path matches, 400 when a path matches but no subprotocol.
	Routes []Route

	// CheckOrigin decides whether a browser page from r's Origin may
	// connect; false refuses the upgrade with 403. Nil means same origin:
	// a request carrying Origin is accepted only when Origin's host equals
	// the Host header (clients that are not browsers send no Origin and
	// pass). AnyOrigin accepts every origin.
	CheckOrigin func(r *Request) bool

	// Accept, when set, sees every upgrade that passed validation, the
	// origin check and route selection, and may refuse it: a status other
	// than 0 and 101 is sent as the reply, with header, and the connection
	// closes. When it accepts, header is added to the 101 reply (a cookie,
	// say). It runs on the connection's read path: keep it quick.
	Accept func(r *Request) (status int, header http.Header)

	// HTTP serves requests that are not WebSocket upgrades, so that a page
	// and its WebSocket share a port. The response is buffered, sent with
	// Content-Length and Connection: close, and the connection closes
	// after it (one request per connection). Nil answers 404.
	HTTP http.Handler

	// MaxHeaderBytes limits the request line and headers of an HTTP
	// request; a larger request is answered 431. Zero means
	// DefaultMaxHeaderBytes (8 KiB).
	MaxHeaderBytes int
	// MaxHeaders limits the number of header lines; more are answered
	// 431. Zero means DefaultMaxHeaders (64).
	MaxHeaders int
	// MaxBodyBytes limits the body of a request served by HTTP (by
	// Content-Length; chunked bodies are refused with 411); a larger one
	// is answered 413. Zero means DefaultMaxBodyBytes (64 KiB); negative
	// refuses every body.
	MaxBodyBytes int

	// MaxMessageSize limits a message's payload, reassembled from its
	// fragments and decompressed. The limit is checked on each frame
	// header, before the frame is buffered, and a breach closes with 1009.
	// It bounds what one connection buffers for a message in flight: the
	// frame aio holds until it is whole, plus the reassembled fragments or
	// the decompressed message, each at most this size. Zero means
	// DefaultMaxMessageSize (16 MiB, the largest message of the standard
	// test suite, case 9.1.6). aio refuses a frame over its MaxFrameSize
	// before this codec sees it: keep MaxMessageSize plus 14 bytes of
	// header (and 1/16 plus 64 bytes more for compressed frames) within
	// aio's limit, or a single-frame message near the limit is closed by
	// aio without 1009. A compressed message may take 1/16 more than the
	// limit on the wire (incompressible data grows a little when
	// deflated); decompressed, it must fit the limit.
	MaxMessageSize int
	// MaxFragments, when positive, limits the frames of one fragmented
	// message; more close with 1009. Zero means no count limit: a
	// fragment costs memory only for its payload, which MaxMessageSize
	// already bounds, so a count limit would only refuse messages the
	// size limit allows (4 MiB in 64-byte fragments is 65,536 frames).
	MaxFragments int

	// PingInterval is how long a server connection may stay silent
	// before aio sends it a ping frame (codec.Pinger): browser JavaScript
	// cannot ping, so a quiet page is kept alive, and proved alive, by
	// the pong its browser answers with. Zero means aio's default, a
	// third of the connection's heartbeat timeout; negative turns the
	// server's pings off.
	PingInterval time.Duration

	// Deflate enables permessage-deflate (RFC 7692). Nil means off.
	Deflate *Deflate
}

// Route chooses the inner codec of connections by path and subprotocol.
type Route struct {
	// Path matches the request path: "" matches every path, a path ending
	// in "/" matches itself and every path below it, any other path
	// matches exactly.
	Path string
	// Subprotocol, when set, matches only clients that offer it in
	// Sec-WebSocket-Protocol, and is the subprotocol the server selects.
	// "" matches every client and selects none.
	Subprotocol string
	// Inner is the codec carried in the messages: Plain, JSON, or any
	// codec.Codec (pomelo's). Nil means Plain. An inner stream that
	// implements codec.MessageDecoder gets each message whole with its
	// frame type (engine.io's), and its Raw messages are sent in the frame
	// type their Binary field names.
	Inner codec.Codec
	// Binary sends the inner codec's output in binary frames; false sends
	// text frames. Raw messages of Plain, JSON and codec.MessageDecoder
	// inner streams use their own Binary field instead.
	Binary bool
}

// Deflate configures permessage-deflate (RFC 7692). The server always
// answers server_no_context_takeover: each message it sends is compressed
// alone, so the bytes of a broadcast are shared by every connection
// (Format stays non-empty) and compressors are pooled, not kept per
// connection (a compress/flate writer holds hundreds of KiB).
type Deflate struct {
	// Level is the compress/flate level (1 to 9, or flate.HuffmanOnly).
	// Zero means DefaultDeflateLevel (flate.BestSpeed).
	Level int
	// MinSize is the payload size under which messages are sent
	// uncompressed: compressing small messages costs CPU and saves
	// nothing. Zero means DefaultDeflateMinSize (256 bytes); negative
	// compresses every message.
	MinSize int
	// ClientContext accepts clients that keep their compression context
	// from message to message, as browsers do (they do not offer
	// client_no_context_takeover). Decompressing their messages needs
	// their sliding window, kept per connection for its whole life:
	// 2^ClientWindowBits bytes. False, the default, declines such offers,
	// so that an idle connection holds no compression state: those
	// clients then connect without compression.
	ClientContext bool
	// ClientWindowBits is the client_max_window_bits the server asks for
	// when ClientContext accepts a client that offers the parameter (9 to
	// 15; 8 is read as 9 because zlib cannot use 8). A client that does
	// not offer it uses 15 (32 KiB). Zero means DefaultClientWindow (12,
	// 4 KiB per connection).
	ClientWindowBits int
}

// Request is a valid upgrade request, as Config.CheckOrigin and
// Config.Accept see it.
type Request struct {
	// HTTP is the parsed request. Its body is empty; RemoteAddr is set.
	HTTP *http.Request
	// Path is the request path, HTTP.URL.Path.
	Path string
	// Origin is the Origin header, "" for clients that are not browsers.
	Origin string
	// Subprotocols are the subprotocols the client offers, in its order.
	Subprotocols []string
	// Subprotocol is the one the matching route selects, "" for none.
	Subprotocol string
	// RemoteAddr and LocalAddr are the connection's addresses.
	RemoteAddr, LocalAddr net.Addr
}

// AnyOrigin is a Config.CheckOrigin that accepts every origin. Use it when
// pages of other origins may connect and the server authenticates by
// something a page cannot forge, not by cookies.
func AnyOrigin(*Request) bool { return true }

// Codec is the server side of RFC 6455 WebSocket as a codec.Codec. It has
// no client side: see NewStream. A Codec is safe for concurrent use. Make
// one with New.
type Codec struct {
	cfg     Config
	routes  []Route
	level   int
	minSize int
	window  int
	// compressors pools *compressor at cfg's level; huffman pools them at
	// flate.HuffmanOnly, for clients that limit the server's window.
	compressors, huffman sync.Pool
	// deflateTag and huffmanTag are the Format parts naming the
	// compression settings.
	deflateTag, huffmanTag string
	// prefixes[i] are route i's Format prefixes without compression, with
	// it, and with Huffman-only compression, built once rather than per
	// connection.
	prefixes [][3]string
	// names interns the Format and Protocol strings streams derive from
	// their inner stream's, so that a connection stores a pointer to a
	// shared entry instead of building its own strings.
	names struct {
		mu sync.RWMutex
		m  map[[2]string]*[2]string
	}
}

// New returns a Codec configured by cfg; nil means the zero Config.
func New(cfg *Config) *Codec {
	c := &Codec{}
	if cfg != nil {
		c.cfg = *cfg
	}
	d := &c.cfg
	d.MaxHeaderBytes = orDefault(d.MaxHeaderBytes, DefaultMaxHeaderBytes)
	d.MaxHeaders = orDefault(d.MaxHeaders, DefaultMaxHeaders)
	d.MaxMessageSize = orDefault(d.MaxMessageSize, DefaultMaxMessageSize)
	switch {
	case d.MaxBodyBytes == 0:
		d.MaxBodyBytes = DefaultMaxBodyBytes
	case d.MaxBodyBytes < 0:
		d.MaxBodyBytes = 0
	}
	c.routes = append([]Route(nil), d.Routes...)
	if len(c.routes) == 0 {
		c.routes = []Route{{}}
	}
	for i := range c.routes {
		if c.routes[i].Inner == nil {
			c.routes[i].Inner = Plain
		}
	}
	if d.Deflate != nil {
		c.initDeflate(*d.Deflate)
	}
	c.prefixes = make([][3]string, len(c.routes))
	for i, rt := range c.routes {
		p := "ws"
		if rt.Binary {
			p += ".bin"
		}
		c.prefixes[i] = [3]string{p + "/", p + c.deflateTag + "/", p + c.huffmanTag + "/"}
	}
	c.names.m = make(map[[2]string]*[2]string)
	return c
}

// Check checks the inner codec of every route (codec.Checker).
func (c *Codec) Check() error {
	for _, rt := range c.routes {
		if err := codec.Check(rt.Inner); err != nil {
			return err
		}
	}
	return nil
}

// maxNames bounds the interned names: inner codecs report few distinct
// Formats and Protocols, but a misbehaving one must not grow memory.
const maxNames = 1024

// name returns the shared entry {v, build(v)} for key; kind tells Format
// and Protocol apart in the table.
func (c *Codec) name(kind, v string, build func() string) *[2]string {
	key := [2]string{kind, v}
	c.names.mu.RLock()
	p := c.names.m[key]
	c.names.mu.RUnlock()
	if p != nil {
		return p
	}
	p = &[2]string{v, build()}
	c.names.mu.Lock()
	if len(c.names.m) < maxNames {
		c.names.m[key] = p
	}
	c.names.mu.Unlock()
	return p
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// NewStream returns the codec state of a new server connection, a *Stream.
//
// For a client connection (info.Client, as client.Dial over TCP makes) it
// returns a stream whose Open, Decode and Encode fail with an error
// wrapping codec.ErrUnsupported, so that such a Dial fails at once: this
// package frames the server side only. A Go client dials WebSocket with
// aio/client.Config.WebSocket (gorilla/websocket) and sets
// aio/client.Config.Codec to the inner codec the server's route carries
// (JSON, Plain, pomelo's).
func (c *Codec) NewStream(info codec.ConnInfo) codec.Stream {
	if info.Client {
		return clientStream{}
	}
	s := &Stream{c: c, info: info}
	s.iout.s = s
	return s
}

// matchPath reports whether the route serves path.
func (r *Route) matchPath(path string) bool {
	switch {
	case r.Path == "":
		return true
	case strings.HasSuffix(r.Path, "/"):
		return strings.HasPrefix(path, r.Path)
	}
	return path == r.Path
}

// selectRoute returns the index of the first route matching path and the
// offered subprotocols, -1 for none, and whether some route matched the
// path at all.
func (c *Codec) selectRoute(path string, offered []string) (idx int, pathMatched bool) {
	for i := range c.routes {
		rt := &c.routes[i]
		if !rt.matchPath(path) {
			continue
		}
		pathMatched = true
		if rt.Subprotocol == "" || slices.Contains(offered, rt.Subprotocol) {
			return i, true
		}
	}
	return -1, pathMatched
}
