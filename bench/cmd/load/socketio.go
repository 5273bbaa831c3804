package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
)

// sioProto speaks Socket.IO v5 on Engine.IO v4 over a WebSocket as a
// client (what socket.io-client does with transports: ["websocket"]): the
// upgrade to /socket.io/?EIO=4&transport=websocket, the engine.io open
// packet answered by a socket.io CONNECT ("40"), a "room.join" event with
// an ack whose answer makes the connection ready, pings answered with
// pongs, and "onPush" events whose {"seq":N} the workload counts.
type sioProto struct{}

type sioState struct {
	ws        wsState
	connected bool
	joined    bool
}

const sioPath = "/socket.io/?EIO=4&transport=websocket"

func (sioProto) open(c *conn) []byte {
	c.st = &sioState{}
	return fmt.Appendf(nil, wsUpgrade, sioPath)
}

func (p sioProto) decode(l *loop, c *conn, in []byte) (int, error) {
	st := c.st.(*sioState)
	return wsDecode(l, c, &st.ws, in, p)
}

// upgraded waits for engine.io's open packet: readiness is the join's ack.
func (sioProto) upgraded(*loop, *conn) error { return nil }

func (p sioProto) message(l *loop, c *conn, op byte, payload []byte) error {
	if op != 0x1 {
		return nil // engine.io binary packets: none in these workloads
	}
	return p.packet(l, c, c.st.(*sioState), payload)
}

// packet handles one engine.io packet (a text frame).
func (sioProto) packet(l *loop, c *conn, st *sioState, p []byte) error {
	if len(p) == 0 {
		return fmt.Errorf("load: socket.io: empty packet")
	}
	switch p[0] {
	case '0': // open
		return l.send(c, wsFrame(nil, 0x1, []byte("40")))
	case '2': // ping
		return l.send(c, wsFrame(nil, 0x1, []byte("3")))
	case '4':
	default:
		return nil
	}
	p = p[1:]
	switch {
	case bytes.HasPrefix(p, []byte("0")) && !st.connected: // CONNECT answered
		st.connected = true
		return l.send(c, wsFrame(nil, 0x1, []byte(`421["room.join",{}]`)))
	case bytes.HasPrefix(p, []byte("3")) && !st.joined: // the join's ack
		st.joined = true
		return l.onReady(c)
	case bytes.HasPrefix(p, []byte("2")): // an event: a push
		i := bytes.Index(p, []byte(`"seq":`))
		if i < 0 {
			return fmt.Errorf("load: socket.io: event without seq: %.60q", p)
		}
		j := i + 6
		k := j
		for k < len(p) && p[k] >= '0' && p[k] <= '9' {
			k++
		}
		seq, err := strconv.Atoi(string(p[j:k]))
		if err != nil {
			return fmt.Errorf("load: socket.io: bad seq: %w", err)
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(seq))
		return l.w.message(l, c, b[:])
	case bytes.HasPrefix(p, []byte("4")):
		return fmt.Errorf("load: socket.io: CONNECT_ERROR %s", p)
	}
	return nil
}

// request is unused for socket.io: its workloads only join and broadcast.
func (sioProto) request(dst []byte, _ *conn, payload []byte) []byte {
	return wsFrame(dst, 0x1, []byte(`42["room.echo",{}]`))
}

func (sioProto) bcast(dst []byte, n, size int) []byte {
	return wsFrame(dst, 0x1, fmt.Appendf(nil, `42["room.bcast",{"n":%d,"size":%d}]`, n, size))
}
