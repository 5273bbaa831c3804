package socketio

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/gotio/gotio/codec/internal/intern"
	"github.com/gotio/gotio/codec/internal/jsjson"
)

// keys and names intern object keys met in placeholders and event names.
var (
	keys  = intern.New()
	names = intern.New()
)

// A small scanner over JSON that encoding/json has already validated
// (json.Valid): it finds array elements and placeholder objects without
// building values. Every function stays in bounds on any input, valid or
// not, so a bug here is a wrong answer, never a panic.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i],
// or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '[', '{':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j)
				if j < 0 {
					return -1
				}
				j--
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != ']' && b[j] != '}' && b[j] != ':' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// skipString returns the index just past the string starting at b[i] (a
// quote), or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// arrayElems calls fn with each element of the JSON array b (trimmed, so
// b[0] is '['), in order, until fn returns false. It reports false when b
// is not an array it can walk.
func arrayElems(b []byte, fn func(elem []byte) bool) bool {
	if len(b) == 0 || b[0] != '[' {
		return false
	}
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == ']' {
		return true
	}
	for i < len(b) {
		end := skipValue(b, i)
		if end < 0 {
			return false
		}
		if !fn(b[i:end]) {
			return true
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return false
		}
		if b[i] == ']' {
			return true
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
	return false
}

// unquote returns the string a JSON string literal s stands for; a
// string without escapes comes from t without allocating when t has seen
// it.
func unquote(s []byte, t *intern.Table) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return t.String(inner), true
	}
	var v string
	if err := json.Unmarshal(s, &v); err != nil {
		return "", false
	}
	return v, true
}

// checkPlaceholders walks the JSON value at b[i:] and reports whether every
// object whose "_placeholder" key is true has a "num" that is an integer in
// [0, n): socket.io-parser's reconstructPacket throws "illegal attachments"
// otherwise. It returns the index past the value, or -1 on a bad
// placeholder or bad JSON. depth bounds the recursion.
func checkPlaceholders(b []byte, i, n, depth int) int {
	i = skipSpace(b, i)
	if i >= len(b) || depth > maxDepth {
		return -1
	}
	switch b[i] {
	case '[':
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		for i < len(b) {
			if i = checkPlaceholders(b, i, n, depth+1); i < 0 {
				return -1
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == ']' {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i++
		}
		return -1
	case '{':
		placeholder := false
		var num []byte
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1
		}
		for i < len(b) {
			kEnd := skipString(b, i)
			if kEnd < 0 {
				return -1
			}
			key, ok := unquote(b[i:kEnd], keys)
			if !ok {
				return -1
			}
			i = skipSpace(b, kEnd)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			vStart := skipSpace(b, i+1)
			vEnd := checkPlaceholders(b, vStart, n, depth+1)
			if vEnd < 0 {
				return -1
			}
			switch key {
			case "_placeholder":
				placeholder = string(b[vStart:vEnd]) == "true"
			case "num":
				num = b[vStart:vEnd]
			}
			i = skipSpace(b, vEnd)
			if i >= len(b) {
				return -1
			}
			if b[i] == '}' {
				if placeholder && !validNum(num, n) {
					return -1
				}
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = skipSpace(b, i+1)
		}
		return -1
	default:
		return skipValue(b, i)
	}
}

// maxDepth bounds the nesting checkPlaceholders follows; encoding/json
// refuses deeper documents anyway.
const maxDepth = 10000

func validNum(num []byte, n int) bool {
	if len(num) == 0 || num[0] == '-' || num[0] == '"' {
		return false
	}
	f, err := strconv.ParseFloat(string(num), 64)
	return err == nil && f >= 0 && f < float64(n) && f == float64(int(f))
}

// appendJSONString appends s as JavaScript's JSON.stringify writes a
// string (codec/internal/jsjson, shared with pomelo's codec).
func appendJSONString(dst []byte, s string) []byte { return jsjson.AppendString(dst, s) }
