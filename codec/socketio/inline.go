package socketio

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gotio/gotio/codec"
)

// Attachments in a codec.Message. codec.Message has one body, so an event
// or ack whose attachments are not a single binary argument (two buffers,
// a buffer inside an object, a buffer beside a JSON argument) carries them
// inside its JSON body: each placeholder gains the attachment's bytes,
// base64 (standard, padded), under "base64":
//
//	{"_placeholder":true,"num":0,"base64":"AQID"}
//
// The server codec does this for what it decodes, and undoes it for what
// it encodes: a body (of a Push, Notify, Request or Response) holding such
// objects leaves as a BINARY_EVENT or BINARY_ACK whose attachments are the
// decoded bytes, numbered in the order the objects appear. So a handler
// that echoes the body sends the client its buffers back. InlineBody and
// SplitBody are the two directions, for code that builds or reads such
// bodies itself.

// InlineBody appends to dst the JSON b with each attachment placeholder
// replaced by the same placeholder carrying its attachment's bytes
// ("base64"). A placeholder whose num is out of range is refused.
func InlineBody(dst, b []byte, atts [][]byte) ([]byte, error) {
	spans, ok := placeholderSpans(b, nil)
	if !ok {
		return dst, malformed("bad JSON around placeholders")
	}
	last := 0
	for _, sp := range spans {
		n, err := strconv.Atoi(string(sp.num))
		if err != nil || n < 0 || n >= len(atts) {
			return dst, malformed("placeholder without its attachment")
		}
		dst = append(dst, b[last:sp.start]...)
		dst = append(dst, `{"_placeholder":true,"num":`...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, `,"base64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, atts[n])
		dst = append(dst, `"}`...)
		last = sp.end
	}
	return append(dst, b[last:]...), nil
}

// SplitBody is InlineBody's inverse: it appends to dst the JSON b with
// each placeholder that carries "base64" replaced by a plain placeholder,
// renumbered in order of appearance, and returns the decoded attachments.
// A body with no such placeholder comes back unchanged, with no
// attachments.
func SplitBody(dst, b []byte) ([]byte, [][]byte, error) {
	if !hasInline(b) {
		return append(dst, b...), nil, nil
	}
	spans, ok := placeholderSpans(b, nil)
	if !ok {
		return dst, nil, fmt.Errorf("socketio: body is not JSON: %w", codec.ErrUnsupported)
	}
	var atts [][]byte
	last := 0
	for _, sp := range spans {
		if sp.b64 == nil {
			continue
		}
		var s string
		if err := json.Unmarshal(sp.b64, &s); err != nil {
			return dst, nil, fmt.Errorf("socketio: placeholder base64 is not a string: %w", codec.ErrUnsupported)
		}
		bin, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return dst, nil, fmt.Errorf("socketio: placeholder base64: %v: %w", err, codec.ErrUnsupported)
		}
		dst = append(dst, b[last:sp.start]...)
		dst = appendPlaceholder(dst, len(atts))
		atts = append(atts, bin)
		last = sp.end
	}
	return append(dst, b[last:]...), atts, nil
}

// hasInline reports whether b may hold a placeholder with its bytes.
func hasInline(b []byte) bool {
	return bytes.Contains(b, []byte(`"_placeholder"`)) && bytes.Contains(b, []byte(`"base64"`))
}

// span is a placeholder object of a JSON text: b[start:end], its raw num
// and its raw "base64" value (nil when it has none).
type span struct {
	start, end int
	num, b64   []byte
}

// placeholderSpans returns the placeholder objects of the JSON value b, in
// order; false for bad JSON.
func placeholderSpans(b []byte, spans []span) ([]span, bool) {
	end := walkPlaceholders(b, skipSpace(b, 0), 0, &spans)
	if end < 0 || skipSpace(b, end) != len(b) {
		return nil, false
	}
	return spans, true
}

// walkPlaceholders walks the JSON value at b[i:], appending its
// placeholder objects to spans; it returns the index past the value, or
// -1 on bad JSON. Like checkPlaceholders, it bounds its depth.
func walkPlaceholders(b []byte, i, depth int, spans *[]span) int {
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
			if i = walkPlaceholders(b, i, depth+1, spans); i < 0 {
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
		start, mark := i, len(*spans)
		sp := span{start: i}
		placeholder := false
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
			vEnd := walkPlaceholders(b, vStart, depth+1, spans)
			if vEnd < 0 {
				return -1
			}
			switch key {
			case "_placeholder":
				placeholder = string(b[vStart:vEnd]) == "true"
			case "num":
				sp.num = b[vStart:vEnd]
			case "base64":
				sp.b64 = b[vStart:vEnd]
			}
			i = skipSpace(b, vEnd)
			if i >= len(b) {
				return -1
			}
			if b[i] == '}' {
				if placeholder {
					// The object stands for an attachment: whatever its
					// values held is not one of ours.
					sp.start, sp.end = start, i+1
					*spans = append((*spans)[:mark], sp)
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
