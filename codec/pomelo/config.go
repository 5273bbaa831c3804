package pomelo

import (
	"encoding/json"
	"net"
	"time"

	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"google.golang.org/protobuf/proto"
)

// DefaultHeartbeat is the heartbeat interval when Config.Heartbeat is zero.
const DefaultHeartbeat = 30 * time.Second

// Handshake result codes, as pomelo's connector uses them.
const (
	CodeOK        = 200 // handshake accepted
	CodeError     = 500 // handshake refused: bad request or the application said no
	CodeOldClient = 501 // handshake refused: client type or version too old
)

// Config configures a Codec. The zero value serves pomelo's JSON protocol
// with a 30-second heartbeat, no route dictionary and no protobuf.
type Config struct {
	// Heartbeat is the interval announced in the handshake reply
	// (sys.heartbeat, in seconds; fractions are kept): a pomelo client
	// sends a heartbeat this long after it received one, and the server
	// answers each at once. Zero means DefaultHeartbeat (30 s). Negative
	// turns heartbeats off as pomelo does without the option: nothing is
	// announced, client heartbeats go unanswered.
	Heartbeat time.Duration

	// HeartbeatTimeout is how long a connection may stay silent before
	// aio closes it, reported in codec.Handshake.HeartbeatTimeout when
	// the handshake completes. Zero means twice Heartbeat, pomelo's
	// default (and aio's own timeout when heartbeats are off). A client
	// stream uses it, when set, instead of twice the interval the server
	// announced.
	HeartbeatTimeout time.Duration

	// MaxBody is the largest package body a stream accepts, checked from
	// the package header before the body is buffered (codec.ErrTooLarge).
	// Zero or negative means DefaultMaxBody (1 MiB); values past
	// MaxBodyLimit (16 MiB - 1, what three length bytes hold) are capped.
	MaxBody int

	// MaxInflate bounds a compressed message body (flag 0x10, as pitaya
	// clients may send) once inflated. Zero means MaxBody.
	MaxInflate int

	// Dict is the route dictionary. When set the handshake reply carries
	// it (unless the client already holds its version), and routes in it
	// travel as 2-byte codes: pushes from the server, requests and
	// notifies from clients. Nil means routes travel as text.
	Dict *Dict

	// ServerProtos and ClientProtos are pomelo-protobuf schemas:
	// serverProtos.json (messages the server writes: pushes by their
	// route, responses by their request's route) and clientProtos.json
	// (requests and notifies clients write). When either is set the
	// handshake reply carries both (unless the client holds their
	// version) and bodies of those routes travel as pomelo-protobuf,
	// transcoded from and to the JSON of codec.Message.Body. Routes
	// without a schema stay JSON.
	ServerProtos, ClientProtos *protobuf.Schema

	// ServerMessages and ClientMessages bind routes to standard protobuf
	// messages, as pitaya does with generated Go types: bodies of those
	// routes travel as proto.Marshal bytes and Message.Body holds their
	// protojson form. The values are prototypes (only their type
	// matters). They are not announced in the handshake: both ends must
	// know them. A route may not be in both a schema and a message map
	// of the same side.
	ServerMessages, ClientMessages map[string]proto.Message

	// MinClientVersion refuses clients older than a minimum version, by
	// sys.type: {"js-websocket": "0.0.2", "*": "1.0"}. A client whose
	// sys.version is lower (dotted numbers compared part by part, "1.10"
	// after "1.9", missing parts 0, a "-…" suffix ignored; no digits at
	// all counts as older than any minimum) is answered {"code":501},
	// pomelo's CODE_OLD_CLIENT reply, and the connection closes: Decode
	// returns an error wrapping ErrOldClient, which aio logs and counts
	// as a protocol_error close, and Codec.OldClients counts. A type not
	// in the map falls back to the "*" entry; with neither it is not
	// checked. The check runs before OnHandshake, as pomelo's checkClient
	// runs before its handshake callback. Nil checks nothing. New returns
	// an error for a minimum that is not a version.
	MinClientVersion map[string]string

	// OnHandshake decides on a client's handshake. It runs inside Decode,
	// on the connection's read path, so it should be quick. It returns
	// CodeOK (or 0) to accept, and user, which is sent back as the
	// reply's "user" (encoding/json, omitted when nil); any other code
	// is sent to the client as {"code": code} and the connection closes,
	// as pomelo does for CodeError and CodeOldClient. Nil accepts every
	// handshake.
	OnHandshake func(info *HandshakeInfo) (code int, user any)

	// Client side.

	// ClientType and ClientVersion are the sys.type and sys.version a
	// client stream sends. Empty means "gotio-go" and "1.0.0".
	ClientType, ClientVersion string
	// ClientUser is sent as the handshake's "user" (encoding/json); nil
	// sends {}.
	ClientUser any
	// ClientStore keeps what a client stream's handshake reply gave it
	// (the route dictionary and protobuf schemas, with their versions),
	// so that the next handshake of any stream of the Codec, a reconnect
	// included, sends sys.dictVersion and sys.protoVersion and the server
	// can leave them out of its reply. Nil means a MemoryStore of the
	// Codec's own; a Store on disk keeps them across processes, as
	// pomelo's web client keeps its protos in localStorage. To send no
	// versions, give a Store whose Load returns nil.
	ClientStore Store
	// OnHandshakeReply, when set, sees the server's handshake reply code
	// and "user" on a client stream. An error from it ends the
	// connection.
	OnHandshakeReply func(code int, user json.RawMessage) error
}

// HandshakeInfo is what a client said in its handshake:
//
//	{"sys": {"type": "js-websocket", "version": "0.0.1", "protoVersion": "…",
//	         "dictVersion": "…", "rsa": {…}}, "user": {…}}
type HandshakeInfo struct {
	// Type and Version identify the client library (sys.type,
	// sys.version), what pomelo's checkClient looks at.
	Type, Version string
	// ProtoVersion and DictVersion are the versions the client holds;
	// when they match the server's, the reply leaves protos or the
	// dictionary out.
	ProtoVersion, DictVersion string
	// RSA is sys.rsa, the client's public key for pomelo's useCrypto.
	RSA json.RawMessage
	// Sys and User are the raw sys and user objects (User is nil when
	// absent).
	Sys, User json.RawMessage
	// RemoteAddr and LocalAddr are the connection's addresses, from
	// codec.ConnInfo.
	RemoteAddr, LocalAddr net.Addr
}
