package socketio

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/internal/intern"
)

// Protocol is the Socket.IO protocol revision this package speaks.
const Protocol = 5

// Type is a Socket.IO packet type: the first character of a packet, '0'+Type.
type Type byte

// Packet types, as the protocol numbers them.
const (
	// Connect asks to join a namespace (client, optionally with an auth
	// object) or grants it (server, with {"sid":…}).
	Connect Type = iota
	// Disconnect leaves a namespace; it carries no payload.
	Disconnect
	// Event carries an array: the event name, then its arguments.
	Event
	// Ack answers an Event that had an ack id, with an array of
	// arguments.
	Ack
	// ConnectError refuses a Connect, with {"message":…} (or a string).
	ConnectError
	// BinaryEvent is an Event whose arguments hold binary attachments.
	BinaryEvent
	// BinaryAck is an Ack whose arguments hold binary attachments.
	BinaryAck
)

var typeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the protocol's name of t ("EVENT", "BINARY_ACK", …).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", byte(t))
}

// Valid reports whether t is one of the seven packet types.
func (t Type) Valid() bool { return t <= BinaryAck }

// IsBinary reports whether packets of type t announce attachments.
func (t Type) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// MainNamespace is the namespace a packet without one belongs to.
const MainNamespace = "/"

// DefaultMaxAttachments is the number of attachments a packet may announce
// when a limit is zero: socket.io-parser's default (maxAttachments).
const DefaultMaxAttachments = 10

// reservedEvents are the event names socket.io-parser refuses in an
// incoming EVENT: the reference implementations use them for themselves.
var reservedEvents = [...]string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReserved reports whether name is an event name socket.io reserves
// ("connect", "disconnect", …): no EVENT may carry it.
func IsReserved(name string) bool {
	for _, r := range reservedEvents {
		if name == r {
			return true
		}
	}
	return false
}

// Packet is one Socket.IO packet.
//
// A decoded Packet's Data and Attachments alias the decoder's input or
// buffers: copy what outlives the next decoder call.
type Packet struct {
	Type Type
	// Namespace is "/" for the main namespace.
	Namespace string
	// ID is the acknowledgement id; HasID says whether there is one.
	ID    uint64
	HasID bool
	// Data is the JSON payload as it is on the wire (placeholders
	// included), nil when the packet has none.
	Data []byte
	// NumAttachments is the count a BinaryEvent or BinaryAck announces;
	// zero for the other types.
	NumAttachments int
	// Attachments are a complete binary packet's attachments, in order:
	// the placeholder {"_placeholder":true,"num":i} in Data stands for
	// Attachments[i]. Set by Decoder, and read by AppendPacket's caller,
	// which sends each as an engine.io binary message after the packet.
	Attachments [][]byte
}

// Errors. Every decoding error wraps ErrMalformed and codec.ErrProtocol;
// the protocol says a receiver closes the connection on one.
var (
	// ErrMalformed reports a packet that breaks the packet format.
	ErrMalformed = fmt.Errorf("socketio: malformed packet: %w", codec.ErrProtocol)
	// ErrTooManyAttachments reports a binary packet announcing more
	// attachments than the decoder allows.
	ErrTooManyAttachments = fmt.Errorf("%w: too many attachments", ErrMalformed)
	// ErrUnexpectedText reports a text packet while attachments are
	// awaited ("got plaintext data when reconstructing a packet").
	ErrUnexpectedText = fmt.Errorf("%w: text packet while awaiting attachments", ErrMalformed)
	// ErrUnexpectedBinary reports binary data nobody announced ("got
	// binary data when not reconstructing a packet").
	ErrUnexpectedBinary = fmt.Errorf("%w: binary data without a binary packet", ErrMalformed)
	// ErrNamespace reports a namespace AppendPacket cannot write: one that
	// does not start with '/' or holds a ',' (the built-in parser has no
	// escape for it).
	ErrNamespace = fmt.Errorf("socketio: namespace must start with '/' and hold no ',': %w", codec.ErrUnsupported)
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// namespaces interns decoded namespace names: there are few, and they
// repeat on every packet.
var namespaces = intern.New()

// ParsePacket decodes the text form of one packet (the data of an engine.io
// text message). maxAttachments bounds what a binary packet may announce
// (zero means DefaultMaxAttachments). The returned packet's Data aliases b;
// Attachments is nil (Decoder collects them).
//
// It accepts what socket.io-parser@4.2 accepts, with these checks on top:
// the ack id and attachment count are plain decimal digits (the reference
// also takes spaces and exponents, through JavaScript's Number), the id
// fits in 53 bits (the largest a JavaScript number holds exactly), and an
// EVENT, ACK and CONNECT_ERROR must carry their payload (the protocol says
// it is mandatory; the reference parser lets a missing one through).
func ParsePacket(b []byte, maxAttachments int) (Packet, error) {
	if maxAttachments <= 0 {
		maxAttachments = DefaultMaxAttachments
	}
	if len(b) == 0 {
		return Packet{}, malformed("empty packet")
	}
	p := Packet{Type: Type(b[0] - '0'), Namespace: MainNamespace}
	if b[0] < '0' || !p.Type.Valid() {
		return Packet{}, malformed("unknown packet type %q", b[0])
	}
	i := 1
	if p.Type.IsBinary() {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i || j >= len(b) || b[j] != '-' {
			return Packet{}, malformed("%v without an attachment count", p.Type)
		}
		n, ok := parseDigits(b[i:j])
		if !ok || n > uint64(maxAttachments) {
			return Packet{}, fmt.Errorf("%w: %s announced, limit %d", ErrTooManyAttachments, b[i:j], maxAttachments)
		}
		if n < 1 {
			return Packet{}, malformed("%v with %d attachments", p.Type, n)
		}
		p.NumAttachments = int(n)
		i = j + 1
	}
	if i < len(b) && b[i] == '/' {
		j := bytes.IndexByte(b[i:], ',')
		if j < 0 {
			j = len(b) - i
		}
		p.Namespace = namespaces.String(b[i : i+j])
		i += j + 1
	}
	if i < len(b) && b[i] >= '0' && b[i] <= '9' {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		id, ok := parseDigits(b[i:j])
		if !ok || id > maxID {
			return Packet{}, malformed("ack id %.20s out of range", b[i:j])
		}
		p.ID, p.HasID = id, true
		i = j
	}
	if i < len(b) {
		p.Data = b[i:len(b):len(b)]
	}
	if err := checkPayload(&p); err != nil {
		return Packet{}, err
	}
	return p, nil
}

// parseDigits reads decimal digits; ok is false past 2^63.
func parseDigits(b []byte) (n uint64, ok bool) {
	for _, c := range b {
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// maxID is the largest ack id: 2^53-1, JavaScript's Number.MAX_SAFE_INTEGER.
const maxID = 1<<53 - 1

// checkPayload applies socket.io-parser's isPayloadValid, and the
// placeholder checks of its reconstructPacket for binary packets.
func checkPayload(p *Packet) error {
	d := p.Data
	if d == nil {
		switch p.Type {
		case Connect, Disconnect:
			return nil
		}
		return malformed("%v without a payload", p.Type)
	}
	// The payload starts right after the header: socket.io-parser would
	// read a leading space as part of the ack id.
	if !json.Valid(d) {
		return malformed("%v payload is not JSON", p.Type)
	}
	switch p.Type {
	case Connect:
		if d[0] != '{' {
			return malformed("CONNECT payload is not an object")
		}
	case Disconnect:
		return malformed("DISCONNECT with a payload")
	case ConnectError:
		if d[0] != '{' && d[0] != '"' {
			return malformed("CONNECT_ERROR payload is neither an object nor a string")
		}
	case Event, BinaryEvent:
		if d[0] != '[' {
			return malformed("%v payload is not an array", p.Type)
		}
		if _, _, err := eventName(d); err != nil {
			return err
		}
	case Ack, BinaryAck:
		if d[0] != '[' {
			return malformed("%v payload is not an array", p.Type)
		}
	}
	if p.Type.IsBinary() && checkPlaceholders(d, 0, p.NumAttachments, 0) < 0 {
		return malformed("illegal attachments: a placeholder outside [0, %d)", p.NumAttachments)
	}
	return nil
}

// eventName returns the name of the EVENT payload d (a JSON array whose
// first element is a string or a number) and the index just past it.
func eventName(d []byte) (name string, end int, err error) {
	start := skipSpace(d, 1)
	end = skipValue(d, start)
	if end < 0 || d[start] == ']' {
		return "", 0, malformed("EVENT without a name")
	}
	first := d[start:end]
	switch c := first[0]; {
	case c == '"':
		s, ok := unquote(first, names)
		if !ok {
			return "", 0, malformed("EVENT name %.40s", first)
		}
		if IsReserved(s) {
			return "", 0, malformed("reserved event name %q", s)
		}
		return s, end, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(first), end, nil
	}
	return "", 0, malformed("EVENT name %.40s is neither a string nor a number", first)
}
