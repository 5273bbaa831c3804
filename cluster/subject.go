package cluster

import (
	"encoding/base64"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/internal/target"
)

// Subjects. With the default root "gotio" and App "chat":
//
//	gotio.chat.user.<key>    a user's connections      (interest)
//	gotio.chat.group.<key>   a group's members          (interest)
//	gotio.chat.token.<key>   a token's connections      (interest)
//	gotio.chat.bsid.<key>    a business id's connection (every node: gotio.chat.bsid.*)
//	gotio.chat.ip.<key>      the connections from an IP (every node: gotio.chat.ip.*)
//	gotio.chat.all           everyone                   (every node)
//	gotio.chat.node.<id>     control requests to one node: kick, probe
//
// <key> is the key in unpadded base64url (RFC 4648 §5), "_" for the empty
// key, so that '.', '*', '>' and spaces in names cannot change a subject's
// meaning.

const subjectRoot = "gotio"

// escapeKey returns key as one subject token: unpadded base64url, or "_"
// for "" (base64 of a non-empty key has at least two characters, so "_"
// names nothing else). The result is also a valid JetStream KV key.
func escapeKey(key string) string {
	if key == "" {
		return "_"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// appendEscapedKey appends escapeKey(key) to dst.
func appendEscapedKey(dst []byte, key string) []byte {
	if key == "" {
		return append(dst, '_')
	}
	n := base64.RawURLEncoding.EncodedLen(len(key))
	dst = grow(dst, n)
	base64.RawURLEncoding.Encode(dst[len(dst):len(dst)+n], []byte(key))
	return dst[:len(dst)+n]
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), 2*cap(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}

// validApp reports whether app may be used as one subject token and inside
// a JetStream bucket name: ASCII letters, digits, '-' and '_'.
func validApp(app string) bool {
	if app == "" || len(app) > 64 {
		return false
	}
	for i := 0; i < len(app); i++ {
		c := app[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// subjects builds the subjects of one application.
type subjects struct {
	prefix string // "gotio.<app>."
}

func newSubjects(app string) subjects { return subjects{prefix: subjectRoot + "." + app + "."} }

// kindToken is the subject token of a target kind.
func kindToken(k target.Kind) string {
	switch k {
	case target.User:
		return "user"
	case target.Group:
		return "group"
	case target.Token:
		return "token"
	case target.BsID:
		return "bsid"
	case target.IP:
		return "ip"
	case target.All:
		return "all"
	}
	return ""
}

// target returns the subject a send to t is published on.
func (s subjects) target(t aio.Target) string {
	return string(s.appendTarget(make([]byte, 0, 64), t))
}

// appendTarget appends the subject of t to dst.
func (s subjects) appendTarget(dst []byte, t aio.Target) []byte {
	dst = append(dst, s.prefix...)
	dst = append(dst, kindToken(t.Kind)...)
	if t.Kind == target.All {
		return dst
	}
	dst = append(dst, '.')
	return appendEscapedKey(dst, t.Key)
}

// bsidWildcard is the subscription every node holds for business ids.
func (s subjects) bsidWildcard() string { return s.prefix + "bsid.*" }

// ipWildcard is the subscription every node holds for sends to an IP.
func (s subjects) ipWildcard() string { return s.prefix + "ip.*" }

// node returns a node's control subject.
func (s subjects) node(id string) string { return s.prefix + "node." + escapeKey(id) }
