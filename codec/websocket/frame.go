package websocket

import "encoding/binary"

// Frame opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Bits of a frame's first two bytes.
const (
	finBit  = 0x80
	rsv1Bit = 0x40
	rsvBits = 0x70
	maskBit = 0x80
)

const (
	// maxControlPayload is the largest payload of a control frame.
	maxControlPayload = 125
	// maxHeaderLen is the longest frame header: 2 bytes, a 64-bit length
	// and a masking key.
	maxHeaderLen = 14
)

// frameHeader is a decoded frame header.
type frameHeader struct {
	fin    bool
	rsv    byte // the three RSV bits, in place (0x70 mask)
	op     byte
	masked bool
	key    [4]byte
	length uint64
	size   int // bytes of the header itself
}

// headerSize returns the length of the header whose first two bytes are
// b0 b1: it depends only on the 7-bit length and the mask bit.
func headerSize(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&maskBit != 0 {
		n += 4
	}
	return n
}

// parseHeader decodes the frame header at the front of b, which holds at
// least headerSize(b[1]) bytes. It reports false when the 64-bit length
// has its most significant bit set, which RFC 6455 forbids.
func parseHeader(b []byte, h *frameHeader) bool {
	h.fin = b[0]&finBit != 0
	h.rsv = b[0] & rsvBits
	h.op = b[0] & 0x0f
	h.masked = b[1]&maskBit != 0
	p := 2
	switch l := b[1] & 0x7f; l {
	case 126:
		h.length = uint64(binary.BigEndian.Uint16(b[2:]))
		p = 4
	case 127:
		h.length = binary.BigEndian.Uint64(b[2:])
		p = 10
		if h.length>>63 != 0 {
			return false
		}
	default:
		h.length = uint64(l)
	}
	if h.masked {
		copy(h.key[:], b[p:p+4])
		p += 4
	}
	h.size = p
	return true
}

// maskBytes XORs b with the masking key, in place. Masking and unmasking
// are the same operation. Eight bytes at a time: the loads and stores
// compile to single instructions.
func maskBytes(key [4]byte, b []byte) {
	k32 := binary.LittleEndian.Uint32(key[:])
	k64 := uint64(k32)<<32 | uint64(k32)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k64)
	}
	for ; i < len(b); i++ {
		b[i] ^= key[i&3]
	}
}

// reserveLen is the room beginFrame leaves for a header: enough for a
// payload under 126 bytes, the common case, so that finishFrame rarely
// moves the payload.
const reserveLen = 2

// beginFrame appends room for a frame header to dst and returns the
// extended slice and the offset of the header. The caller appends the
// payload and calls finishFrame.
func beginFrame(dst []byte) ([]byte, int) {
	return append(dst, 0, 0), len(dst)
}

// finishFrame writes the header of the frame begun at start, whose payload
// is everything after the reserved room, moving the payload when the
// header needs more room than was reserved. b0 is the first header byte
// (FIN, RSV and opcode). Frames are unmasked: a server never masks.
func finishFrame(dst []byte, start int, b0 byte) []byte {
	plen := len(dst) - start - reserveLen
	hlen := 2
	switch {
	case plen > 0xffff:
		hlen += 8
	case plen > maxControlPayload:
		hlen += 2
	}
	if grow := hlen - reserveLen; grow > 0 {
		dst = append(dst, make([]byte, grow)...)
		copy(dst[start+hlen:], dst[start+reserveLen:start+reserveLen+plen])
	}
	h := dst[start : start+hlen]
	h[0] = b0
	switch {
	case plen > 0xffff:
		h[1] = 127
		binary.BigEndian.PutUint64(h[2:], uint64(plen))
	case plen > maxControlPayload:
		h[1] = 126
		binary.BigEndian.PutUint16(h[2:], uint16(plen))
	default:
		h[1] = byte(plen)
	}
	return dst
}

// appendFrame appends a whole frame with the given first byte and payload.
func appendFrame(dst []byte, b0 byte, payload []byte) []byte {
	dst, start := beginFrame(dst)
	dst = append(dst, payload...)
	return finishFrame(dst, start, b0)
}
