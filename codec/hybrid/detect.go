package hybrid

import (
	"bytes"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// First bytes that name a protocol.
const (
	firstTCP       = 0xC7 // tcp.Magic
	firstPomeloTCP = 0x01 // pomelo's handshake package type
	firstTLS       = 0x16 // TLS record type handshake
	tlsMajor       = 0x03 // TLS record version major, SSL 3.0 to TLS 1.3
)

// httpMethods are the request-line prefixes that mean HTTP. Each is a full
// token and a space, so no prefix of one is mistaken for another.
var httpMethods = [...]string{"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "}

// sentinel is an exported refusal: it wraps codec.ErrProtocol, so aio
// treats it as a protocol error, while callers can tell which with
// errors.Is.
type sentinel struct{ msg string }

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return codec.ErrProtocol }

var (
	// ErrTLS refuses a TLS ClientHello: this port speaks plain TCP.
	// Terminate TLS in front of gotio, or serve a TLS listener. It wraps
	// codec.ErrProtocol.
	ErrTLS error = &sentinel{"hybrid: TLS is not supported on this port (got a TLS ClientHello)"}
	// ErrUnknownProtocol refuses first bytes no configured protocol
	// starts with. The error returned wraps it and names the first byte.
	// It wraps codec.ErrProtocol.
	ErrUnknownProtocol error = &sentinel{"hybrid: unknown protocol"}
	// ErrNotServed refuses a protocol recognised but not configured on
	// this port (its Config entry is nil). It wraps codec.ErrProtocol.
	ErrNotServed error = &sentinel{"hybrid: protocol not served on this port"}
)

// detect recognises the protocol at the front of in. It returns the class,
// or need > len(in) when in is too short to tell, or an error wrapping
// codec.ErrProtocol.
func detect(in []byte) (c class, need int, err error) {
	if len(in) == 0 {
		return 0, 1, nil
	}
	switch in[0] {
	case firstTCP:
		return classTCP, 0, nil
	case firstPomeloTCP:
		return classPomeloTCP, 0, nil
	case firstTLS:
		if len(in) < 2 {
			return 0, 2, nil
		}
		if in[1] == tlsMajor {
			return 0, 0, ErrTLS
		}
		return 0, 0, unknown(in)
	}
	// The shortest method in is still a prefix of decides how many bytes
	// to wait for; none means no HTTP.
	for _, m := range httpMethods {
		k := min(len(in), len(m))
		if string(in[:k]) != m[:k] {
			continue
		}
		if k == len(m) {
			return classHTTP, 0, nil
		}
		if need == 0 || len(m) < need {
			need = len(m)
		}
	}
	if need > 0 {
		return 0, need, nil
	}
	return 0, 0, unknown(in)
}

// unknown is the refusal of in, naming its first byte.
func unknown(in []byte) error {
	return fmt.Errorf("%w: first byte 0x%02x (%q)", ErrUnknownProtocol, in[0], in[:min(len(in), 8)])
}

// pathCodec returns the codec of the Paths route the request at the front
// of in asks for, nil for none, or more > len(in) while the request
// target is not whole yet.
func (h *Codec) pathCodec(in []byte) (cc codec.Codec, more int) {
	sp := bytes.IndexByte(in, ' ')
	rest := in[sp+1:]
	end := bytes.IndexAny(rest, " ?\r\n")
	if end < 0 {
		if len(in) >= maxTarget {
			return nil, 0
		}
		return nil, len(in) + 1
	}
	path := rest[:end]
	for _, r := range h.cfg.Paths {
		if r.Codec != nil && bytes.HasPrefix(path, []byte(r.Prefix)) {
			return r.Codec, 0
		}
	}
	return nil, 0
}
