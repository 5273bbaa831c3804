package protobuf

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/gotio/gotio/codec/internal/jsjson"
	"google.golang.org/protobuf/encoding/protowire"
)

// ErrBytes reports pomelo-protobuf bytes that do not decode as the route's
// message: a truncated value, an undeclared tag, nesting past the limit.
var ErrBytes = errors.New("protobuf: bytes do not decode")

// Decode appends to dst, as a JSON object, the message of route that data
// holds: what JSON.stringify(decoder.decode(route, data)) writes. Fields
// come in the order the bytes carry them; a repeated field's elements form
// one array; numbers, strings and non-finite floats (null) are written as
// JavaScript writes them. Like pomelo-protobuf it trusts the schema, not
// the wire type in the key, and does not check required fields.
//
// Where pomelo-protobuf would throw or read past the end, Decode returns
// an error wrapping ErrBytes: an undeclared tag, a truncated value, a
// non-repeated field given twice, a repeated one given in two runs.
// Decode does not allocate beyond growing dst.
func (s *Schema) Decode(dst []byte, route string, data []byte) ([]byte, error) {
	if s == nil {
		return dst, fmt.Errorf("%w %q", ErrNoRoute, route)
	}
	m := s.byKey[route]
	if m == nil {
		return dst, fmt.Errorf("%w %q", ErrNoRoute, route)
	}
	d := decoder{b: data}
	start := len(dst)
	dst, err := d.message(dst, m, len(data), 0)
	if err != nil {
		return dst[:start], fmt.Errorf("%w: route %q: %w", ErrBytes, route, err)
	}
	return dst, nil
}

type decoder struct {
	b []byte
	i int
}

var errTruncated = errors.New("truncated")

func (d *decoder) varint(end int) (uint64, error) {
	v, n := protowire.ConsumeVarint(d.b[d.i:end])
	if n < 0 {
		return 0, fmt.Errorf("at offset %d: %w", d.i, protowire.ParseError(n))
	}
	d.i += n
	return v, nil
}

func (d *decoder) message(dst []byte, m *message, end, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, errors.New("nested too deeply")
	}
	dst = append(dst, '{')
	var seen seenSet
	var open *field // the repeated field whose array is open
	first := true
	for d.i < end {
		at := d.i
		key, err := d.varint(end)
		if err != nil {
			return dst, err
		}
		// pomelo-protobuf computes tag>>3 on a 32-bit integer.
		tag := int32(uint32(key)) >> 3
		var f *field
		if tag > 0 {
			f = m.byTag[uint32(tag)]
		}
		if f == nil {
			return dst, fmt.Errorf("at offset %d: undeclared tag %d", at, tag)
		}
		if open != nil && open != f {
			dst = append(dst, ']')
			open = nil
		}
		if open == nil {
			if !seen.add(f.index, len(m.fields)) {
				return dst, fmt.Errorf("at offset %d: field %q given twice", at, f.name)
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.jsKey...)
		}
		if f.option != repeated {
			if dst, err = d.value(dst, f, end, depth); err != nil {
				return dst, err
			}
			continue
		}
		empty := open == nil
		if empty {
			dst = append(dst, '[')
			open = f
		}
		if f.kind > kDouble { // string or message: one element per key
			if !empty {
				dst = append(dst, ',')
			}
			if dst, err = d.value(dst, f, end, depth); err != nil {
				return dst, err
			}
			continue
		}
		count, err := d.varint(end)
		if err != nil {
			return dst, err
		}
		for ; count > 0; count-- {
			if d.i >= end { // every element takes a byte at least
				return dst, fmt.Errorf("field %q: %w", f.name, errTruncated)
			}
			if !empty {
				dst = append(dst, ',')
			}
			empty = false
			if dst, err = d.value(dst, f, end, depth); err != nil {
				return dst, err
			}
		}
	}
	if open != nil {
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// value decodes one value of f's type, without its key.
func (d *decoder) value(dst []byte, f *field, end, depth int) ([]byte, error) {
	switch f.kind {
	case kUInt32:
		v, err := d.varint(end)
		if err != nil {
			return dst, err
		}
		if v <= 1<<53 {
			return strconv.AppendUint(dst, v, 10), nil
		}
		return jsjson.AppendNumber(dst, float64(v)), nil
	case kSInt32, kInt32:
		v, err := d.varint(end)
		if err != nil {
			return dst, err
		}
		if v <= 1<<53 {
			return strconv.AppendInt(dst, protowire.DecodeZigZag(v), 10), nil
		}
		n := float64(v) // JavaScript's arithmetic, past 2^53
		r := (math.Mod(n, 2) + n) / 2
		if math.Mod(n, 2) == 1 {
			r = -r
		}
		return jsjson.AppendNumber(dst, r), nil
	case kFloat:
		if end-d.i < 4 {
			return dst, fmt.Errorf("field %q: %w", f.name, errTruncated)
		}
		v, _ := protowire.ConsumeFixed32(d.b[d.i:end])
		d.i += 4
		return jsjson.AppendNumber(dst, float64(math.Float32frombits(v))), nil
	case kDouble:
		if end-d.i < 8 {
			return dst, fmt.Errorf("field %q: %w", f.name, errTruncated)
		}
		v, _ := protowire.ConsumeFixed64(d.b[d.i:end])
		d.i += 8
		return jsjson.AppendNumber(dst, math.Float64frombits(v)), nil
	}
	n, err := d.varint(end)
	if err != nil {
		return dst, err
	}
	if n > uint64(end-d.i) {
		return dst, fmt.Errorf("field %q: length %d past the end: %w", f.name, n, errTruncated)
	}
	stop := d.i + int(n)
	if f.kind == kString {
		dst = jsjson.AppendBytes(dst, d.b[d.i:stop])
		d.i = stop
		return dst, nil
	}
	dst, err = d.message(dst, f.msg, stop, depth+1)
	if err != nil {
		return dst, fmt.Errorf("%s.%w", f.name, err)
	}
	return dst, nil
}
