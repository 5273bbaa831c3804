package pomelo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/internal/intern"
	"github.com/gotio/gotio/codec/internal/jsjson"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Protocol names a stream reports, by transport.
const (
	ProtocolTCP = "pomelo-tcp"
	ProtocolWS  = "pomelo-ws"
)

// Codec is pomelo as a codec.Codec. It is safe for concurrent use and
// immutable but for its counters (OldClients) and its client cache; every stream it makes shares its dictionary, schemas
// and precomputed handshake replies.
type Codec struct {
	err        error // the configuration's, reported by Check
	protocol   string
	maxBody    int
	maxInflate int
	heartbeat  time.Duration // 0: off
	timeout    time.Duration
	// clientTimeout is Config.HeartbeatTimeout as given: a client stream
	// falls back to twice the interval the server announces.
	clientTimeout time.Duration

	dict                       *Dict
	serverProtos, clientProtos *protobuf.Schema
	protoVersion               string
	useProto                   bool
	serverMsgs, clientMsgs     map[string]protoreflect.MessageType
	onHandshake                func(*HandshakeInfo) (int, any)
	minVersions                minVersions
	oldClients                 atomic.Uint64 // handshakes refused with 501

	// sys[withDict][withProtos] is the handshake reply's sys object.
	sys    [2][2][]byte
	format string // what Format reports once handshaken (server)
	fprint string // configuration fingerprint, for client formats

	hello            *hello // a client stream's handshake, without versions
	store            Store  // what client streams keep from handshakes
	onHandshakeReply func(int, json.RawMessage) error

	routes *intern.Table
}

// New returns a Codec for pomelo over TCP (and over TLS: the bytes are the
// same). A pomelo TCP client opens with a handshake package, first byte
// 0x01, which is what codec/hybrid looks for. cfg nil means the zero
// Config. New never fails: a configuration that cannot work (a route bound
// both to a schema and to a Go message on the same side, a nil Go
// message, a malformed MinClientVersion) is reported by Check, which aio
// calls when a server starts serving and in Dial; the streams of such a
// Codec fail with the same error.
func New(cfg *Config) *Codec { return build(cfg, ProtocolTCP) }

// NewWS returns a Codec for pomelo over WebSocket, to be the inner codec
// of codec/websocket: each binary WebSocket message carries one or more
// whole packages, the inner stream's Decode gets a message's payload and
// its Encode output becomes one binary message. Its streams report
// "pomelo-ws"; everything else is New's.
func NewWS(cfg *Config) *Codec { return build(cfg, ProtocolWS) }

// build is New: newCodec, or a Codec that reports why it cannot.
func build(cfg *Config, protocol string) *Codec {
	c, err := newCodec(cfg, protocol)
	if err != nil {
		c, _ = newCodec(nil, protocol)
		c.err = err
	}
	return c
}

// Check reports a configuration that cannot work (codec.Checker).
func (c *Codec) Check() error { return c.err }

func newCodec(cfg *Config, protocol string) (*Codec, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := &Codec{
		protocol:      protocol,
		maxBody:       cfg.MaxBody,
		maxInflate:    cfg.MaxInflate,
		heartbeat:     cfg.Heartbeat,
		timeout:       cfg.HeartbeatTimeout,
		clientTimeout: cfg.HeartbeatTimeout,
		dict:          cfg.Dict,
		serverProtos:  cfg.ServerProtos,
		clientProtos:  cfg.ClientProtos,
		onHandshake:   cfg.OnHandshake,
		routes:        intern.New(),
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	c.maxBody = min(c.maxBody, MaxBodyLimit)
	if c.maxInflate <= 0 {
		c.maxInflate = c.maxBody
	}
	if c.heartbeat == 0 {
		c.heartbeat = DefaultHeartbeat
	}
	if c.heartbeat < 0 {
		c.heartbeat = 0
	}
	if c.timeout <= 0 {
		c.timeout = 2 * c.heartbeat
	}
	c.useProto = c.serverProtos != nil || c.clientProtos != nil
	c.protoVersion = protobuf.Version(c.clientProtos, c.serverProtos)
	var err error
	if c.minVersions, err = parseMinVersions(cfg.MinClientVersion); err != nil {
		return nil, err
	}
	if c.serverMsgs, err = messageTypes(cfg.ServerMessages, c.serverProtos, "server"); err != nil {
		return nil, err
	}
	if c.clientMsgs, err = messageTypes(cfg.ClientMessages, c.clientProtos, "client"); err != nil {
		return nil, err
	}
	for d := range 2 {
		for p := range 2 {
			c.sys[d][p] = c.appendSys(nil, d == 1, p == 1)
		}
	}
	c.fprint = c.fingerprint()
	c.format = protocol + ":" + c.fprint
	if c.hello, err = newHello(cfg); err != nil {
		return nil, err
	}
	if c.store = cfg.ClientStore; c.store == nil {
		c.store = new(MemoryStore)
	}
	c.onHandshakeReply = cfg.OnHandshakeReply
	return c, nil
}

func messageTypes(m map[string]proto.Message, schema *protobuf.Schema, side string) (map[string]protoreflect.MessageType, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]protoreflect.MessageType, len(m))
	for route, msg := range m {
		if msg == nil {
			return nil, fmt.Errorf("pomelo: %s message for route %q is nil", side, route)
		}
		if schema.Has(route) {
			return nil, fmt.Errorf("pomelo: route %q has both a %s pomelo-protobuf schema and a Go message", route, side)
		}
		out[route] = msg.ProtoReflect().Type()
	}
	return out, nil
}

// appendSys writes the sys object of a handshake reply as pomelo 2.2.7's
// handshake command builds it, key for key.
func (c *Codec) appendSys(dst []byte, withDict, withProtos bool) []byte {
	dst = append(dst, '{')
	sep := func() {
		if dst[len(dst)-1] != '{' {
			dst = append(dst, ',')
		}
	}
	if c.heartbeat > 0 {
		dst = append(dst, `"heartbeat":`...)
		dst = jsjson.AppendNumber(dst, c.heartbeat.Seconds())
	}
	if c.dict != nil {
		if withDict {
			sep()
			dst = append(dst, `"dict":`...)
			dst = append(dst, c.dict.dict...)
			dst = append(dst, `,"routeToCode":`...)
			dst = append(dst, c.dict.dict...)
			dst = append(dst, `,"codeToRoute":`...)
			dst = append(dst, c.dict.abbrs...)
			dst = append(dst, `,"dictVersion":`...)
			dst = jsjson.AppendString(dst, c.dict.version)
		}
		sep()
		dst = append(dst, `"useDict":true`...)
	}
	if c.useProto {
		if withProtos {
			sep()
			s, _ := c.serverProtos.MarshalJSON()
			cl, _ := c.clientProtos.MarshalJSON()
			dst = append(dst, `"protos":{"server":`...)
			dst = append(dst, s...)
			dst = append(dst, `,"client":`...)
			dst = append(dst, cl...)
			dst = append(dst, `,"version":`...)
			dst = jsjson.AppendString(dst, c.protoVersion)
			dst = append(dst, '}')
		}
		sep()
		dst = append(dst, `"useProto":true`...)
	}
	return append(dst, '}')
}

// fingerprint sums up everything that decides the bytes a handshaken
// server stream encodes: two codecs with equal fingerprints (and
// transports) encode every message alike.
func (c *Codec) fingerprint() string {
	h := sha256.New()
	if c.dict != nil {
		h.Write(c.dict.dict)
	}
	h.Write([]byte{0xff})
	for _, s := range []*protobuf.Schema{c.serverProtos, c.clientProtos} {
		if s != nil {
			j, _ := s.MarshalJSON()
			h.Write(j)
		}
		h.Write([]byte{0xff})
	}
	for _, side := range []map[string]protoreflect.MessageType{c.serverMsgs, c.clientMsgs} {
		routes := make([]string, 0, len(side))
		for r := range side {
			routes = append(routes, r)
		}
		slices.Sort(routes)
		for _, r := range routes {
			fmt.Fprintf(h, "\x00%s\x00%s", r, side[r].Descriptor().FullName())
		}
		h.Write([]byte{0xff})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// fingerprintBytes is a short, printable digest of b.
func fingerprintBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// NewStream returns a server stream, or a client stream when info.Client
// is set. A client stream implements codec.Opener and codec.Heartbeater;
// both implement codec.Goodbyer (a client has nothing to say: pomelo
// clients cannot kick).
func (c *Codec) NewStream(info codec.ConnInfo) codec.Stream {
	if c.err != nil {
		return brokenStream{c.err}
	}
	if info.Client {
		return &clientStream{c: c}
	}
	return &serverStream{c: c, info: info}
}

// OldClients returns how many handshakes the codec's server streams
// refused with CodeOldClient (501), by Config.MinClientVersion or by
// Config.OnHandshake. Safe for concurrent use.
func (c *Codec) OldClients() uint64 { return c.oldClients.Load() }

// Protocol returns the protocol name the codec's streams report:
// "pomelo-tcp" or "pomelo-ws".
func (c *Codec) Protocol() string { return c.protocol }

// brokenStream is a stream of a Codec whose configuration cannot work: it
// fails at once, with the configuration's error.
type brokenStream struct{ err error }

func (s brokenStream) Decode([]byte, codec.Output) (int, int, error) { return 0, 0, s.err }
func (s brokenStream) Encode(dst []byte, _ *codec.Message) ([]byte, error) {
	return dst, s.err
}
func (brokenStream) Format() string   { return "" }
func (brokenStream) Protocol() string { return "" }
