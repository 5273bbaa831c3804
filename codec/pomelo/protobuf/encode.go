package protobuf

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/gotio/gotio/codec/internal/jsjson"
	"google.golang.org/protobuf/encoding/protowire"
)

// ErrBody reports a JSON body that does not fit the route's message: a
// missing required field, a value of the wrong JSON type, a number out of
// range, JSON that does not parse.
var ErrBody = errors.New("protobuf: body does not fit its message")

// Encode appends to dst the pomelo-protobuf bytes of body, a JSON object,
// as the message of route, byte for byte what pomelo-protobuf's
// encoder.encode(route, JSON.parse(body)) returns:
//
//   - fields are written in the order of the object's keys (JavaScript's
//     order: array-index keys first), keys the message does not declare
//     are skipped, a repeated field with an empty array is left out;
//   - integers go through parseInt (3.7 is 3, -0.5 is 0), int32 and
//     sInt32 are zig-zag encoded, uInt32 refuses negative numbers;
//   - float is rounded to 32 bits, string is UTF-8, a message is written
//     with its length;
//   - a repeated number is one tag, the element count, the elements; a
//     repeated string or message is a tag and value per element.
//
// Where pomelo-protobuf would throw or write garbage, Encode returns an
// error wrapping ErrBody: a missing required field, a wrong JSON type, a
// key written twice. A null value counts as absent for an optional field
// and is refused for a required one. Invalid UTF-8 inside JSON strings is
// copied as is. Encode does not allocate.
func (s *Schema) Encode(dst []byte, route string, body []byte) ([]byte, error) {
	if s == nil {
		return dst, fmt.Errorf("%w %q", ErrNoRoute, route)
	}
	m := s.byKey[route]
	if m == nil {
		return dst, fmt.Errorf("%w %q", ErrNoRoute, route)
	}
	sc := scanner{b: body}
	if sc.peek() != '{' {
		return dst, fmt.Errorf("%w: route %q: want a JSON object, got %s", ErrBody, route, sc.kindName())
	}
	start := len(dst)
	dst, err := encodeObject(dst, &sc, m, 0)
	if err == nil && sc.peek() != 0 {
		err = sc.errorf("data after the object")
	}
	if err != nil {
		return dst[:start], fmt.Errorf("%w: route %q: %w", ErrBody, route, err)
	}
	return dst, nil
}

// seenSet remembers which fields of a message a body named.
type seenSet struct {
	lo uint64
	hi []bool // fields past the 64th, allocated only for such messages
}

// add marks field i and reports whether it was new.
func (s *seenSet) add(i, n int) bool {
	if i < 64 {
		bit := uint64(1) << i
		if s.lo&bit != 0 {
			return false
		}
		s.lo |= bit
		return true
	}
	if s.hi == nil {
		s.hi = make([]bool, n)
	}
	if s.hi[i] {
		return false
	}
	s.hi[i] = true
	return true
}

func (s *seenSet) has(i int) bool {
	if i < 64 {
		return s.lo&(uint64(1)<<i) != 0
	}
	return s.hi != nil && s.hi[i]
}

// lookup finds the field a raw (still escaped, when escaped) key names.
func (m *message) lookup(raw []byte, escaped bool) *field {
	if !escaped {
		return m.byName[string(raw)]
	}
	var buf [128]byte
	return m.byName[string(appendUnescaped(buf[:0], raw))]
}

func encodeObject(dst []byte, sc *scanner, m *message, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, sc.errorf("nested too deeply")
	}
	start := sc.i
	if m.indexNames {
		// JavaScript enumerates array-index keys first, in numeric
		// order: write those fields before the walk below skips them.
		var err error
		if dst, err = encodeIndexFields(dst, sc, m, depth); err != nil {
			return dst, err
		}
		sc.i = start
	}
	sc.i++ // '{'
	var seen seenSet
	if sc.peek() == '}' {
		sc.i++
		return dst, checkRequired(m, &seen)
	}
	for {
		if sc.peek() != '"' {
			return dst, sc.errorf("want a key")
		}
		raw, esc, err := sc.str()
		if err != nil {
			return dst, err
		}
		if err := sc.expect(':'); err != nil {
			return dst, err
		}
		f := m.lookup(raw, esc)
		switch {
		case f == nil:
			err = sc.skip(depth + 1)
		case !seen.add(f.index, len(m.fields)):
			err = fmt.Errorf("key %q written twice", f.name)
		case m.indexNames && jsjson.IsArrayIndex(f.name):
			err = sc.skip(depth + 1) // written already
		default:
			dst, err = encodeField(dst, sc, f, depth)
		}
		if err != nil {
			return dst, err
		}
		switch sc.peek() {
		case ',':
			sc.i++
		case '}':
			sc.i++
			return dst, checkRequired(m, &seen)
		default:
			return dst, sc.errorf("want ',' or '}'")
		}
	}
}

// encodeIndexFields writes the fields whose names are array indices, in
// numeric order. Such schemas are rare; this path may allocate.
func encodeIndexFields(dst []byte, sc *scanner, m *message, depth int) ([]byte, error) {
	type at struct {
		n   uint64
		f   *field
		pos int
	}
	var found []at
	sc.i++
	if sc.peek() != '}' {
		for {
			if sc.peek() != '"' {
				return dst, sc.errorf("want a key")
			}
			raw, esc, err := sc.str()
			if err != nil {
				return dst, err
			}
			if err := sc.expect(':'); err != nil {
				return dst, err
			}
			sc.ws()
			if f := m.lookup(raw, esc); f != nil && jsjson.IsArrayIndex(f.name) {
				n, _ := strconv.ParseUint(f.name, 10, 64)
				found = append(found, at{n, f, sc.i})
			}
			if err := sc.skip(depth + 1); err != nil {
				return dst, err
			}
			if sc.peek() == ',' {
				sc.i++
				continue
			}
			break
		}
	}
	slices.SortStableFunc(found, func(a, b at) int {
		if a.n < b.n {
			return -1
		}
		if a.n > b.n {
			return 1
		}
		return 0
	})
	for i, a := range found {
		if i > 0 && found[i-1].f == a.f {
			continue // a duplicate: the main walk reports it
		}
		sub := scanner{b: sc.b, i: a.pos}
		var err error
		if dst, err = encodeField(dst, &sub, a.f, depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func checkRequired(m *message, seen *seenSet) error {
	for _, f := range m.required {
		if !seen.has(f.index) {
			return fmt.Errorf("required field %q missing", f.name)
		}
	}
	return nil
}

// encodeField writes the value at sc for field f, with its tag.
func encodeField(dst []byte, sc *scanner, f *field, depth int) ([]byte, error) {
	c := sc.peek()
	if c == 'n' {
		if f.option == required {
			return dst, fmt.Errorf("required field %q is null", f.name)
		}
		return dst, sc.literal("null")
	}
	if f.option != repeated {
		dst = append(dst, f.key...)
		return encodeValue(dst, sc, f, depth)
	}
	if c != '[' {
		return dst, fmt.Errorf("field %q: want an array, got %s", f.name, sc.kindName())
	}
	sc.i++
	if sc.peek() == ']' {
		sc.i++
		return dst, nil
	}
	packed := f.kind <= kDouble // a number: tag, count, elements
	count, countAt := uint64(0), 0
	if packed {
		dst = append(dst, f.key...)
		countAt = len(dst)
		dst = append(dst, 0)
	}
	for {
		if !packed {
			dst = append(dst, f.key...)
		}
		var err error
		if dst, err = encodeValue(dst, sc, f, depth); err != nil {
			return dst, err
		}
		count++
		switch sc.peek() {
		case ',':
			sc.i++
			continue
		case ']':
			sc.i++
		default:
			return dst, sc.errorf("want ',' or ']'")
		}
		break
	}
	if packed {
		dst = putLength(dst, countAt, count)
	}
	return dst, nil
}

// encodeValue writes one value of f's type, without its tag.
func encodeValue(dst []byte, sc *scanner, f *field, depth int) ([]byte, error) {
	switch f.kind {
	case kUInt32, kSInt32, kInt32, kFloat, kDouble:
		if c := sc.peek(); c != '-' && (c < '0' || c > '9') {
			return dst, fmt.Errorf("field %q: want a number, got %s", f.name, sc.kindName())
		}
		raw, err := sc.number()
		if err != nil {
			return dst, err
		}
		switch f.kind {
		case kFloat:
			v := parseFloat(raw)
			return protowire.AppendFixed32(dst, math.Float32bits(float32(v))), nil
		case kDouble:
			return protowire.AppendFixed64(dst, math.Float64bits(parseFloat(raw))), nil
		}
		v, ok := parseInt(raw)
		if !ok {
			return dst, fmt.Errorf("field %q: %s is not a finite number", f.name, raw)
		}
		if f.kind == kUInt32 {
			if v < 0 {
				return dst, fmt.Errorf("field %q: uInt32 %s is negative", f.name, raw)
			}
		} else if v < 0 {
			v = -v*2 - 1 // zig-zag, in float64 as JavaScript computes it
		} else {
			v *= 2
		}
		if v >= 1<<64 {
			return dst, fmt.Errorf("field %q: %s is out of range", f.name, raw)
		}
		return protowire.AppendVarint(dst, uint64(v)), nil
	case kString:
		if sc.peek() != '"' {
			return dst, fmt.Errorf("field %q: want a string, got %s", f.name, sc.kindName())
		}
		raw, esc, err := sc.str()
		if err != nil {
			return dst, err
		}
		if !esc {
			dst = protowire.AppendVarint(dst, uint64(len(raw)))
			return append(dst, raw...), nil
		}
		at := len(dst)
		dst = appendUnescaped(append(dst, 0), raw)
		return putLength(dst, at, uint64(len(dst)-at-1)), nil
	default:
		if sc.peek() != '{' {
			return dst, fmt.Errorf("field %q: want an object, got %s", f.name, sc.kindName())
		}
		at := len(dst)
		dst, err := encodeObject(append(dst, 0), sc, f.msg, depth+1)
		if err != nil {
			return dst, fmt.Errorf("%s.%w", f.name, err)
		}
		return putLength(dst, at, uint64(len(dst)-at-1)), nil
	}
}

// putLength writes n as a varint over the one-byte placeholder at dst[at],
// moving what follows when n needs more than one byte.
func putLength(dst []byte, at int, n uint64) []byte {
	if n < 0x80 {
		dst[at] = byte(n)
		return dst
	}
	size := protowire.SizeVarint(n)
	end := len(dst)
	dst = slices.Grow(dst, size-1)[:end+size-1]
	copy(dst[at+size:], dst[at+1:end])
	protowire.AppendVarint(dst[:at], n)
	return dst
}

// parseFloat reads a validated JSON number as JSON.parse does. Overflow
// gives ±Inf, as in JavaScript.
func parseFloat(raw []byte) float64 {
	f, _ := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	return f
}

// parseInt returns parseInt(String(JSON.parse(raw))): pomelo-protobuf's
// integer conversion. ok is false for infinities (NaN in JavaScript).
func parseInt(raw []byte) (float64, bool) {
	// The common case, a plain integer that float64 holds exactly.
	if n := len(raw); n > 0 && n <= 16 {
		neg := raw[0] == '-'
		digits := raw
		if neg {
			digits = raw[1:]
		}
		if len(digits) > 0 && len(digits) <= 15 {
			var v int64
			for _, c := range digits {
				if c < '0' || c > '9' {
					v = -1
					break
				}
				v = v*10 + int64(c-'0')
			}
			if v >= 0 {
				if neg {
					return -float64(v), true
				}
				return float64(v), true
			}
		}
	}
	f := parseFloat(raw)
	if math.IsInf(f, 0) {
		return 0, false
	}
	return jsjson.ParseInt(f), true
}
