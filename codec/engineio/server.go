package engineio

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// Defaults of the server Config.
const (
	DefaultPath           = "/engine.io/"
	DefaultMaxHeaderBytes = 8 << 10
)

// Config configures the engine.io server codec. The zero value serves
// plain engine.io messages at DefaultPath to same-origin browsers and any
// client that is not a browser, with engine.io@6's timings.
type Config struct {
	// Path is the path prefix of every engine.io request. Zero means
	// DefaultPath ("/engine.io/"); socket.io's is "/socket.io/".
	Path string
	// PingInterval is how often the server pings a session; PingTimeout
	// how long it waits for the pong before it closes the session. A
	// session whose polls stop is closed PingInterval + PingTimeout after
	// its last pong. Zero means DefaultPingInterval (25 s) and
	// DefaultPingTimeout (20 s).
	PingInterval, PingTimeout time.Duration
	// MaxPayload is the largest POST body and WebSocket message accepted,
	// announced in the open packet. Zero means DefaultMaxPayload (1 MB).
	MaxPayload int
	// MaxHeaderBytes limits a request's head. Zero means
	// DefaultMaxHeaderBytes (8 KiB).
	MaxHeaderBytes int
	// CheckOrigin decides whether a browser page from r's Origin may use
	// the server; false answers 403 (code 4, Forbidden). Nil means same
	// origin: a request carrying Origin is served only when Origin's host
	// is the Host header, and responses carry no CORS headers. With any
	// CheckOrigin set, an accepted request with Origin is answered with
	// Access-Control-Allow-Origin (that origin) and -Credentials, and a
	// preflight OPTIONS with 204 and the methods and headers asked for.
	// AnyOrigin accepts every origin.
	CheckOrigin func(r *http.Request) bool
	// Inner is the protocol carried in the message packets: nil means
	// plain engine.io messages, each a codec.Message of Kind Raw (Binary
	// set for binary ones); codec/socketio's codec carries Socket.IO.
	Inner Inner
	// Deflate enables permessage-deflate on the WebSocket transport. Nil
	// means off, as in engine.io@6.
	Deflate *websocket.Deflate
	// NoWebSocket serves long-polling only: the open packet offers no
	// upgrade and WebSocket requests are refused (code 0).
	NoWebSocket bool
}

// AnyOrigin is a Config.CheckOrigin that accepts every origin.
func AnyOrigin(*http.Request) bool { return true }

// Inner is a protocol carried in an engine.io session's message packets.
type Inner interface {
	// NewSession returns the protocol state of a new session.
	NewSession(info SessionInfo) InnerStream
}

// SessionInfo describes a new session to its Inner protocol.
type SessionInfo struct {
	// SID is the engine.io session id.
	SID string
	// Request is the handshake request (its body is empty).
	Request *http.Request
	// Conn describes the carrier connection of the handshake.
	Conn codec.ConnInfo
}

// InnerStream is the protocol state of one session. DecodeMessage gets
// the data of each message packet (binary set for binary ones) and
// reports what it decodes to out; its replies (out.Reply) and its Encode
// output are packets in the session's queued form (AppendQueued). Encode,
// Format and Protocol are called from any goroutine.
//
// An InnerStream may also implement codec.Goodbyer (what to say before
// the session closes for a kick or a shutdown, as queued packets) and
// AwaitHandshake() bool (true: the session has a handshake of its own, and
// the server's handshake deadline applies until the stream reports
// out.Handshaken).
type InnerStream interface {
	codec.MessageDecoder
	Encode(dst []byte, m *codec.Message) ([]byte, error)
	Format() string
	Protocol() string
}

// Codec is the server side of Engine.IO v4 as a codec.Codec: its streams
// serve the HTTP connections of the engine.io path (long-polling requests
// and the WebSocket upgrade) and open one session per handshake with the
// server (codec.Carrier), which the application sees as one connection.
// Serve it behind codec/hybrid, which hands it the requests of its path.
// A Codec is safe for concurrent use.
type Codec struct {
	cfg        Config
	ws         *websocket.Codec
	openPoll   []string
	pingTotal  time.Duration
	corsActive bool
	// formats caches the last Format names built: {inner, queued name,
	// direct name}, so that Format per broadcast target allocates nothing.
	formats atomic.Pointer[[3]string]
}

// format is the Format of a session whose inner protocol's is inner.
func (c *Codec) format(inner string, direct bool) string {
	p := c.formats.Load()
	if p == nil || p[0] != inner {
		p = &[3]string{inner, "eio/" + inner, "eio-ws/" + inner}
		c.formats.Store(p)
	}
	if direct {
		return p[2]
	}
	return p[1]
}

// New returns an engine.io server codec for cfg; nil means the zero
// Config.
func New(cfg *Config) *Codec {
	c := &Codec{}
	if cfg != nil {
		c.cfg = *cfg
	}
	d := &c.cfg
	if d.Path == "" {
		d.Path = DefaultPath
	}
	if !strings.HasSuffix(d.Path, "/") {
		d.Path += "/"
	}
	if d.PingInterval <= 0 {
		d.PingInterval = DefaultPingInterval
	}
	if d.PingTimeout <= 0 {
		d.PingTimeout = DefaultPingTimeout
	}
	if d.MaxPayload <= 0 {
		d.MaxPayload = DefaultMaxPayload
	}
	if d.MaxHeaderBytes <= 0 {
		d.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	c.corsActive = d.CheckOrigin != nil
	if d.CheckOrigin == nil {
		d.CheckOrigin = sameOrigin
	}
	c.pingTotal = d.PingInterval + d.PingTimeout
	c.openPoll = []string{"websocket"}
	if d.NoWebSocket {
		c.openPoll = []string{}
	}
	c.ws = websocket.New(&websocket.Config{
		Routes: []websocket.Route{{Inner: wsInnerCodec{c}}},
		// The carrier stream checked the upgrade's Origin with
		// d.CheckOrigin before it handed the request over (and gives it
		// the request line without its query).
		CheckOrigin:    websocket.AnyOrigin,
		MaxHeaderBytes: d.MaxHeaderBytes,
		MaxMessageSize: d.MaxPayload,
		PingInterval:   -1, // engine.io pings by itself
		Deflate:        d.Deflate,
	})
	return c
}

// Path returns the path prefix the codec serves.
func (c *Codec) Path() string { return c.cfg.Path }

// NewStream returns the stream of a new HTTP connection. It needs
// info.Carrier (aio's server sets it); without one every request is
// refused.
func (c *Codec) NewStream(info codec.ConnInfo) codec.Stream {
	return &carrierStream{c: c, k: info.Carrier, local: info.LocalAddr, remote: info.RemoteAddr}
}

// sameOrigin is the default CheckOrigin: no Origin, or an Origin whose
// host is the Host header.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// newSID returns a random session id of 20 URL-safe characters, as
// engine.io's base64id does.
func newSID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
