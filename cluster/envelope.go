package cluster

import (
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// The envelope is what one send looks like on the bus: the codec.Message
// and where it came from, encoded once per send whatever the wire formats
// of the receivers.
//
//	byte 0    version, 1
//	byte 1    target kind (target.Kind: 1 user … 5 all, 6 ip)
//	byte 2    message kind (codec.Kind: 0 raw … 4 push)
//	byte 3    flags: bit 0 Binary, bit 1 NoCompress; other bits must be 0
//	uvarint   message ID
//	uvarint n, n bytes   origin node id
//	uvarint n, n bytes   target key
//	uvarint n, n bytes   route
//	rest      body
const envelopeVersion = 1

const (
	flagBinary = 1 << iota
	flagNoCompress
	flagsKnown = flagBinary | flagNoCompress
)

// maxEnvelopeString bounds the origin, key and route fields: names, not
// payloads. The body is bounded only by NATS's max_payload.
const maxEnvelopeString = 1 << 16

// appendEnvelope appends the envelope of a send of m to t from origin.
func appendEnvelope(dst []byte, origin string, t aio.Target, m *codec.Message) []byte {
	var flags byte
	if m.Binary {
		flags |= flagBinary
	}
	if m.NoCompress {
		flags |= flagNoCompress
	}
	dst = append(dst, envelopeVersion, byte(t.Kind), byte(m.Kind), flags)
	dst = binary.AppendUvarint(dst, m.ID)
	dst = appendString(dst, origin)
	dst = appendString(dst, t.Key)
	dst = appendString(dst, m.Route)
	return append(dst, m.Body...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// envelope is a decoded envelope. Its byte fields alias the decoded data.
type envelope struct {
	target target.Kind
	kind   codec.Kind
	binary bool
	noComp bool
	id     uint64
	origin []byte
	key    []byte
	route  []byte
	body   []byte
}

// decodeEnvelope decodes b. Errors wrap codec.ErrProtocol, or
// codec.ErrTooLarge for an over-long name field.
func decodeEnvelope(b []byte, e *envelope) error {
	if len(b) < 4 {
		return fmt.Errorf("cluster: envelope of %d bytes: %w", len(b), codec.ErrProtocol)
	}
	if b[0] != envelopeVersion {
		return fmt.Errorf("cluster: envelope version %d: %w", b[0], codec.ErrProtocol)
	}
	tk, mk, flags := target.Kind(b[1]), codec.Kind(b[2]), b[3]
	if tk < target.User || tk > target.IP {
		return fmt.Errorf("cluster: envelope target kind %d: %w", tk, codec.ErrProtocol)
	}
	if mk > codec.Push {
		return fmt.Errorf("cluster: envelope message kind %d: %w", mk, codec.ErrProtocol)
	}
	if flags&^flagsKnown != 0 {
		return fmt.Errorf("cluster: envelope flags %#x: %w", flags, codec.ErrProtocol)
	}
	rest := b[4:]
	id, n := binary.Uvarint(rest)
	if n <= 0 {
		return fmt.Errorf("cluster: envelope id: %w", codec.ErrProtocol)
	}
	rest = rest[n:]
	var err error
	var origin, key, route []byte
	if origin, rest, err = readString(rest, "origin"); err != nil {
		return err
	}
	if key, rest, err = readString(rest, "key"); err != nil {
		return err
	}
	if route, rest, err = readString(rest, "route"); err != nil {
		return err
	}
	*e = envelope{target: tk, kind: mk, binary: flags&flagBinary != 0, noComp: flags&flagNoCompress != 0, id: id,
		origin: origin, key: key, route: route, body: rest}
	return nil
}

func readString(b []byte, what string) (s, rest []byte, err error) {
	l, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, nil, fmt.Errorf("cluster: envelope %s length: %w", what, codec.ErrProtocol)
	}
	if l > maxEnvelopeString {
		return nil, nil, fmt.Errorf("cluster: envelope %s of %d bytes: %w", what, l, codec.ErrTooLarge)
	}
	b = b[n:]
	if uint64(len(b)) < l {
		return nil, nil, fmt.Errorf("cluster: envelope %s of %d bytes, %d left: %w", what, l, len(b), codec.ErrProtocol)
	}
	return b[:l:l], b[l:], nil
}
