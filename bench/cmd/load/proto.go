package main

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/gotio/gotio/bench/internal/wire"
)

// tcpProto speaks the benchmark's length-prefixed frames.
type tcpProto struct{}

func (tcpProto) open(*conn) []byte { return nil }

func (tcpProto) decode(l *loop, c *conn, in []byte) (int, error) {
	used := 0
	for {
		payload, n, err := wire.Parse(in[used:])
		if err != nil {
			return used, err
		}
		if n == 0 {
			return used, nil
		}
		used += n
		if err := l.w.message(l, c, payload); err != nil {
			return used, err
		}
	}
}

func (tcpProto) request(dst []byte, _ *conn, payload []byte) []byte {
	return wire.Append(dst, payload)
}

func (tcpProto) bcast(dst []byte, n, size int) []byte {
	return wire.Append(dst, wire.BcastCmd(n, size))
}

// wsProto speaks RFC 6455 as a client: an HTTP upgrade, then masked binary
// frames out and unmasked frames in.
type wsProto struct{ path string }

const wsUpgrade = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

// wsMask is the masking key of every client frame. A constant key is
// allowed by the wire format; servers unmask it like any other.
var wsMask = [4]byte{0x5a, 0x17, 0xc3, 0x8e}

type wsState struct{ upgraded bool }

func (p wsProto) open(c *conn) []byte {
	c.st = &wsState{}
	return fmt.Appendf(nil, wsUpgrade, p.path)
}

func (p wsProto) decode(l *loop, c *conn, in []byte) (int, error) {
	return wsDecode(l, c, c.st.(*wsState), in, p)
}

func (wsProto) upgraded(l *loop, c *conn) error { return l.onReady(c) }

func (wsProto) message(l *loop, c *conn, _ byte, payload []byte) error {
	return l.w.message(l, c, payload)
}

// wsHandler is what runs on a WebSocket client's connection: once its
// upgrade is answered, then for each whole data message.
type wsHandler interface {
	upgraded(l *loop, c *conn) error
	message(l *loop, c *conn, op byte, payload []byte) error
}

// wsDecode consumes the upgrade answer and the whole server frames at the
// front of in for h: pings are answered, a close or a fragmented message
// ends the connection.
func wsDecode(l *loop, c *conn, st *wsState, in []byte, h wsHandler) (int, error) {
	used := 0
	if !st.upgraded {
		i := bytes.Index(in, []byte("\r\n\r\n"))
		if i < 0 {
			if len(in) > 16<<10 {
				return 0, fmt.Errorf("load: websocket: oversized upgrade response")
			}
			return 0, nil
		}
		if !bytes.HasPrefix(in, []byte("HTTP/1.1 101")) {
			line, _, _ := bytes.Cut(in, []byte("\r\n"))
			return 0, fmt.Errorf("load: websocket: upgrade refused: %q", line)
		}
		st.upgraded = true
		used = i + 4
		if err := h.upgraded(l, c); err != nil {
			return used, err
		}
	}
	for {
		b := in[used:]
		if len(b) < 2 {
			return used, nil
		}
		op, masked, plen := b[0]&0x0f, b[1]&0x80 != 0, int(b[1]&0x7f)
		hl := 2
		switch plen {
		case 126:
			if len(b) < 4 {
				return used, nil
			}
			plen, hl = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return used, nil
			}
			plen, hl = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if masked {
			return used, fmt.Errorf("load: websocket: masked frame from server")
		}
		if plen > wire.MaxPayload {
			return used, fmt.Errorf("load: websocket: frame of %d bytes", plen)
		}
		if len(b) < hl+plen {
			return used, nil
		}
		payload := b[hl : hl+plen]
		used += hl + plen
		switch op {
		case 0x1, 0x2:
			if b[0]&0x80 == 0 {
				return used, fmt.Errorf("load: websocket: fragmented message")
			}
			if err := h.message(l, c, op, payload); err != nil {
				return used, err
			}
		case 0x8:
			return used, fmt.Errorf("load: websocket: server sent close")
		case 0x9:
			if err := l.send(c, wsFrame(nil, 0xA, payload)); err != nil {
				return used, err
			}
		}
	}
}

// wsFrame appends a masked client frame of opcode op carrying payload.
func wsFrame(dst []byte, op byte, payload []byte) []byte {
	dst = append(dst, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, 0x80|byte(n))
	case n < 1<<16:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, wsMask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	maskBytes(dst[start:])
	return dst
}

func maskBytes(b []byte) {
	key := binary.LittleEndian.Uint32(wsMask[:])
	k64 := uint64(key) | uint64(key)<<32
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k64)
	}
	for ; i < len(b); i++ {
		b[i] ^= wsMask[i&3]
	}
}

func (wsProto) request(dst []byte, _ *conn, payload []byte) []byte {
	return wsFrame(dst, 0x2, payload)
}

func (wsProto) bcast(dst []byte, n, size int) []byte {
	return wsFrame(dst, 0x2, wire.BcastCmd(n, size))
}
