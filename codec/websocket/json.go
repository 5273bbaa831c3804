package websocket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gotio/gotio/codec"
)

// JSON is the inner codec of a JSON envelope around the common Message, one
// envelope per text message (binary with Route.Binary):
//
//	request   {"id":1,"route":"chat.send","body":{…}}
//	notify    {"route":"chat.typing","body":{…}}
//	response  {"id":1,"body":{…}}
//	push      {"route":"onChat","body":{…}}
//
// body is any JSON value, carried as raw bytes, never re-encoded; a Message
// with an empty Body is sent without "body", and "body":null arrives as an
// empty Body. A received object with "route" and "id" is a Request, with
// "id" only a Response, with "route" only a Notify on a server and a Push
// on a client (codec.ConnInfo.Client). Any other message (not
// JSON, not an object, or an object without either key) arrives as Raw, and
// a Raw message is sent as its Body, unchanged. "id" must be an integer in
// 0…2^64-1 and "route" a string: other types fail the connection with 1007.
// Encode refuses a Body that is not valid JSON (codec.ErrUnsupported): it
// would break the envelope.
//
// Its Format is "json" and its Protocol "", so its connections report "ws".
var JSON codec.Codec = jsonCodec{}

type jsonCodec struct{}

func (jsonCodec) NewStream(info codec.ConnInfo) codec.Stream {
	return jsonStream{client: info.Client}
}

// jsonStream is stateless but for its side: a route without an id is a
// notify from a client and a push from a server.
type jsonStream struct{ client bool }

func (jsonStream) Format() string   { return "json" }
func (jsonStream) Protocol() string { return "" }

// Decode decodes in as one envelope: outside a WebSocket, the caller
// frames messages.
func (j jsonStream) Decode(in []byte, out codec.Output) (int, int, error) {
	if len(in) == 0 {
		return 0, 1, nil
	}
	var m codec.Message
	if err := j.decodeMessage(in, false, &m, out); err != nil {
		return 0, 0, err
	}
	return len(in), 0, nil
}

func (j jsonStream) decodeMessage(p []byte, binary bool, m *codec.Message, out codec.Output) error {
	ok, err := parseEnvelope(p, m)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		*m = codec.Message{Kind: codec.Raw, Body: p, Binary: binary}
	case j.client && m.Kind == codec.Notify:
		m.Kind = codec.Push
	}
	out.Message(m)
	return nil
}

func (jsonStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	if m.Kind == codec.Raw {
		return append(dst, m.Body...), nil
	}
	if len(m.Body) > 0 && !json.Valid(m.Body) {
		return dst, fmt.Errorf("websocket: json: body of %q is not JSON: %w", m.Route, codec.ErrUnsupported)
	}
	sep := byte('{')
	switch m.Kind {
	case codec.Request, codec.Response:
		dst = append(dst, `{"id":`...)
		dst = strconv.AppendUint(dst, m.ID, 10)
		sep = ','
	case codec.Notify, codec.Push:
	default:
		return dst, fmt.Errorf("websocket: json: kind %v: %w", m.Kind, codec.ErrUnsupported)
	}
	if m.Kind != codec.Response {
		dst = append(dst, sep)
		dst = append(dst, `"route":`...)
		dst = appendJSONString(dst, m.Route)
		sep = ','
	}
	if len(m.Body) > 0 {
		dst = append(dst, sep)
		dst = append(dst, `"body":`...)
		dst = append(dst, m.Body...)
	} else if sep == '{' {
		dst = append(dst, '{')
	}
	return append(dst, '}'), nil
}

var errJSONEnvelope = fmt.Errorf("websocket: json: \"id\" must be an unsigned integer and \"route\" a string: %w", codec.ErrProtocol)

// parseEnvelope decodes an envelope into m. It reports false, with no
// error, when p is not a JSON object with "id" or "route". Body aliases p.
func parseEnvelope(p []byte, m *codec.Message) (bool, error) {
	i := skipSpace(p, 0)
	if i == len(p) || p[i] != '{' || !json.Valid(p) {
		return false, nil
	}
	*m = codec.Message{}
	var hasID, hasRoute bool
	i = skipSpace(p, i+1)
	for i < len(p) && p[i] != '}' {
		if p[i] == ',' {
			i = skipSpace(p, i+1)
			continue
		}
		kEnd := skipValue(p, i) // p is valid JSON: a key string is here
		key := p[i+1 : kEnd-1]
		i = skipSpace(p, kEnd)
		i = skipSpace(p, i+1) // ':'
		vEnd := skipValue(p, i)
		v := p[i:vEnd]
		switch string(key) {
		case "id":
			id, ok := parseUint(v)
			if !ok {
				return false, errJSONEnvelope
			}
			m.ID, hasID = id, true
		case "route":
			if v[0] != '"' {
				return false, errJSONEnvelope
			}
			m.Route, hasRoute = routeName(v), true
		case "body":
			if string(v) == "null" {
				m.Body = nil
			} else {
				m.Body = v
			}
		}
		i = skipSpace(p, vEnd)
	}
	switch {
	case hasID && hasRoute:
		m.Kind = codec.Request
	case hasRoute:
		m.Kind = codec.Notify
	case hasID:
		m.Kind = codec.Response
	default:
		return false, nil
	}
	return true, nil
}

// parseUint parses a JSON number that must be an unsigned 64-bit integer.
func parseUint(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at p[i], in p known
// to be valid JSON.
func skipValue(p []byte, i int) int {
	switch p[i] {
	case '"':
		for i++; i < len(p); i++ {
			switch p[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(p)
	case '{', '[':
		depth := 0
		for ; i < len(p); i++ {
			switch p[i] {
			case '"':
				i = skipValue(p, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(p)
	}
	for ; i < len(p); i++ {
		switch p[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// routeName returns the string of the JSON string literal v, interning
// routes without escapes: a server sees few distinct routes, and a route
// string per message would be an allocation per message.
func routeName(v []byte) string {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') >= 0 || !utf8.Valid(raw) {
		// Escapes, or invalid UTF-8 (which encoding/json turns into
		// U+FFFD): let encoding/json decode it, as rare as it is.
		var s string
		_ = json.Unmarshal(v, &s) // v is valid JSON
		return s
	}
	routes.mu.RLock()
	s, ok := routes.m[string(raw)]
	routes.mu.RUnlock()
	if ok {
		return s
	}
	s = string(raw)
	routes.mu.Lock()
	if len(routes.m) < maxInterned {
		routes.m[s] = s
	}
	routes.mu.Unlock()
	return s
}

// maxInterned bounds the route intern table: a client inventing routes
// costs an allocation per message, not unbounded memory.
const maxInterned = 4096

var routes = struct {
	mu sync.RWMutex
	m  map[string]string
}{m: make(map[string]string)}

// appendJSONString appends s as a JSON string literal. Invalid UTF-8
// becomes U+FFFD, as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
