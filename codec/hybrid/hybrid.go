// Package hybrid serves every protocol on one port. It is not a protocol:
// its stream reads the first bytes of a new connection, chooses the codec
// that speaks what it sees, and from then on is that codec's stream.
//
//	first bytes                 codec
//	0xC7                        Config.TCP: gotio TCP (codec/tcp)
//	0x01                        Config.PomeloTCP: pomelo over TCP
//	an HTTP method and a space  Config.Paths by the request path's prefix (engine.io/socket.io),
//	                            else Config.HTTP: the WebSocket codec, which also answers plain HTTP
//	0x16 0x03 (TLS ClientHello) refused with ErrTLS
//	anything else               refused with ErrUnknownProtocol
//
// It never decides on too few bytes: "GE" asks for more, "GET " is HTTP.
package hybrid

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
)

// Config says which codec serves each protocol. A nil codec means the
// protocol is not served on this port: a peer speaking it is refused with
// ErrNotServed.
type Config struct {
	// TCP serves connections whose first byte is 0xC7: gotio TCP
	// (tcp.New(nil)).
	TCP codec.Codec
	// PomeloTCP serves connections whose first byte is 0x01, a pomelo
	// handshake package.
	PomeloTCP codec.Codec
	// HTTP serves connections that start with an HTTP method token and a
	// space (GET, POST, PUT, HEAD, DELETE, OPTIONS, PATCH, CONNECT,
	// TRACE): the WebSocket codec, which upgrades and answers plain HTTP.
	HTTP codec.Codec
	// Paths serve HTTP requests by path before HTTP does: a connection
	// whose first request's path starts with a route's Prefix goes to
	// that route's codec (codec/engineio at "/socket.io/", say), every
	// other HTTP connection to HTTP. The first matching route wins.
	Paths []PathRoute
	// Logger receives a debug line for each choice and each refusal. The
	// zero value logs nothing.
	Logger zerolog.Logger
}

// PathRoute serves the HTTP connections whose first request's path starts
// with Prefix.
type PathRoute struct {
	Prefix string
	Codec  codec.Codec
}

// maxTarget bounds the bytes read to find a request's path: a longer
// request line goes to Config.HTTP, which refuses what it must.
const maxTarget = 8 << 10

// Codec chooses, per connection, between the codecs of its Config. It is
// safe for concurrent use.
type Codec struct {
	cfg Config
}

// New returns a Codec choosing between the codecs of cfg; nil serves
// nothing.
func New(cfg *Config) *Codec {
	h := &Codec{cfg: Config{Logger: zerolog.Nop()}}
	if cfg != nil {
		h.cfg = *cfg
	}
	return h
}

// Check checks every codec of the Config (codec.Checker).
func (h *Codec) Check() error {
	for _, c := range []codec.Codec{h.cfg.TCP, h.cfg.PomeloTCP, h.cfg.HTTP} {
		if err := codec.Check(c); err != nil {
			return err
		}
	}
	for _, p := range h.cfg.Paths {
		if err := codec.Check(p.Codec); err != nil {
			return err
		}
	}
	return nil
}

// NewStream returns a stream that decides its protocol on the first bytes
// it decodes. Hybrid serves the accepting side of a connection: a client
// knows what it dials and uses that codec itself. info is handed unchanged
// to the chosen codec's NewStream.
func (h *Codec) NewStream(info codec.ConnInfo) codec.Stream {
	return &Stream{h: h, info: info}
}

// class is a protocol family recognised from the first bytes.
type class uint8

const (
	classTCP class = iota + 1
	classPomeloTCP
	classHTTP
)

var classNames = [...]string{classTCP: "tcp", classPomeloTCP: "pomelo-tcp", classHTTP: "http"}

// codecFor returns the codec configured for c, or an ErrNotServed error.
func (h *Codec) codecFor(c class, first byte) (codec.Codec, error) {
	var cc codec.Codec
	switch c {
	case classTCP:
		cc = h.cfg.TCP
	case classPomeloTCP:
		cc = h.cfg.PomeloTCP
	case classHTTP:
		cc = h.cfg.HTTP
	}
	if cc == nil {
		return nil, fmt.Errorf("%w: %s (first byte 0x%02x)", ErrNotServed, classNames[c], first)
	}
	return cc, nil
}
