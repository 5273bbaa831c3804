// Package jsjson writes and reads JSON the way JavaScript does, byte for
// byte: JSON.stringify's string escaping and number formatting, and
// JSON.parse's property order. pomelo's versions are md5 sums of
// JSON.stringify output, so gotio must produce the very same text.
package jsjson

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted as JSON.stringify quotes a string: only ",
// \ and control characters are escaped (\b \t \n \f \r by name, the others
// as \u00xx), everything else, U+2028 and U+2029 included, is written as
// is. Bytes that are not UTF-8 become U+FFFD the way Node's Buffer
// toString replaces them (one per maximal invalid subpart), because that is
// what a JavaScript peer would have seen.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		_, size, ok := decodeRuneString(s[i:])
		if !ok {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendBytes is AppendString for a byte slice.
func AppendBytes(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, b[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		_, size, ok := DecodeRune(b[i:])
		if !ok {
			dst = append(dst, b[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, b[start:]...)
	return append(dst, '"')
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\f':
		return append(dst, '\\', 'f')
	case '\r':
		return append(dst, '\\', 'r')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// AppendNumber appends f as JSON.stringify writes a number: the shortest
// digits that read back as f, in fixed notation from 1e-6 up to 1e21 and
// in exponent notation (1e+21, 1.5e-7) outside; -0 is 0; NaN and the
// infinities are null.
func AppendNumber(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		return append(dst, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	// Go writes 1e-07 and 1e+21; JavaScript writes 1e-7 and 1e+21.
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	e := start
	for dst[e] != 'e' {
		e++
	}
	if dst[e+2] == '0' { // one leading zero at most: exponents have 2+ digits
		copy(dst[e+2:], dst[e+3:])
		dst = dst[:len(dst)-1]
	}
	return dst
}

// ParseInt returns parseInt(String(f)), which is how pomelo-protobuf turns
// a number into an integer before it writes a varint: the integer part in
// the fixed-notation range, and for numbers written in exponent notation
// (|f| ≥ 1e21 or < 1e-6) the leading digit, since parseInt stops at the
// '.' or the 'e'.
func ParseInt(f float64) float64 {
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		return math.Trunc(f)
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], abs, 'e', -1, 64)
	d := float64(b[0] - '0')
	if f < 0 {
		return -d
	}
	return d
}

// DecodeRune decodes the UTF-8 sequence at the front of b as the WHATWG
// decoder (Node's Buffer toString) does. For an invalid sequence it
// returns ok == false and size, the length of its maximal subpart: the
// bytes that one U+FFFD replaces.
func DecodeRune(b []byte) (r rune, size int, ok bool) {
	if len(b) == 0 {
		return utf8.RuneError, 0, false
	}
	c := b[0]
	if c < 0x80 {
		return rune(c), 1, true
	}
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return utf8.RuneError, 1, false
	}
	for i := 1; i <= need; i++ {
		if i >= len(b) || b[i] < lo || b[i] > hi {
			return utf8.RuneError, i, false
		}
		lo, hi = 0x80, 0xBF
	}
	r, size = utf8.DecodeRune(b[:need+1])
	return r, size, true
}

func decodeRuneString(s string) (r rune, size int, ok bool) {
	var buf [4]byte
	n := copy(buf[:], s)
	return DecodeRune(buf[:n])
}
