package websocket

import "unicode/utf8"

// validUTF8Prefix reports whether b is valid UTF-8 up to an incomplete but
// so far valid sequence at its end, and returns that sequence's length
// (0 to 3). A text message arriving in fragments is checked with it
// fragment by fragment, so that bad UTF-8 fails the connection as soon as
// it arrives (RFC 6455 section 8.1), not when the message ends.
func validUTF8Prefix(b []byte) (tail int, ok bool) {
	n := len(b)
	for i := n - 1; i >= 0 && i >= n-3; i-- {
		c := b[i]
		if c < 0x80 {
			break
		}
		if c < 0xC0 {
			continue // a continuation byte: look further back
		}
		need := seqLen(c)
		if need == 0 {
			return 0, false
		}
		if n-i < need {
			if !validPartial(b[i:]) {
				return 0, false
			}
			tail = n - i
		}
		break
	}
	if !utf8.Valid(b[:n-tail]) {
		return 0, false
	}
	return tail, true
}

// seqLen returns the length of the UTF-8 sequence led by c, or 0 when c
// cannot lead one (C0, C1 and F5 to FF never appear in UTF-8).
func seqLen(c byte) int {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 2
	case c >= 0xE0 && c <= 0xEF:
		return 3
	case c >= 0xF0 && c <= 0xF4:
		return 4
	}
	return 0
}

// validPartial reports whether p, a lead byte and fewer continuation bytes
// than it needs, can still become a valid sequence. The second byte's
// range depends on the lead: it excludes overlong forms, surrogates and
// code points above U+10FFFF.
func validPartial(p []byte) bool {
	for j := 1; j < len(p); j++ {
		lo, hi := byte(0x80), byte(0xBF)
		if j == 1 {
			switch p[0] {
			case 0xE0:
				lo = 0xA0
			case 0xED:
				hi = 0x9F
			case 0xF0:
				lo = 0x90
			case 0xF4:
				hi = 0x8F
			}
		}
		if p[j] < lo || p[j] > hi {
			return false
		}
	}
	return true
}
