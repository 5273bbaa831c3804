package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// pomeloProto speaks NetEase pomelo's protocol over TCP as a client:
// handshake, handshake ack, a "room.join" request whose response makes the
// connection ready, pushes decoded. Pushes are JSON
// bodies {"seq":N,...}; the workload sees N as a 4-byte big-endian payload,
// like a broadcast frame of the other protocols.
type pomeloProto struct{}

const (
	pkgHandshake    = 1
	pkgHandshakeAck = 2
	pkgHeartbeat    = 3
	pkgData         = 4
	pkgKick         = 5

	msgRequest  = 0
	msgNotify   = 1
	msgResponse = 2
	msgPush     = 3
)

const pomeloHandshake = `{"sys":{"type":"gotio-bench","version":"0.1.0"},"user":{}}`

type pomeloState struct {
	joined    bool
	nextID    uint64
	heartbeat time.Duration // announced in the handshake reply; 0: none
}

func pomeloPkg(dst []byte, typ byte, body []byte) []byte {
	n := len(body)
	dst = append(dst, typ, byte(n>>16), byte(n>>8), byte(n))
	return append(dst, body...)
}

// pomeloMsg appends a data package carrying a request (id > 0) or a notify.
func pomeloMsg(dst []byte, id uint64, route string, body []byte) []byte {
	var m []byte
	if id > 0 {
		m = append(m, msgRequest<<1)
		m = binary.AppendUvarint(m, id)
	} else {
		m = append(m, msgNotify<<1)
	}
	m = append(m, byte(len(route)))
	m = append(m, route...)
	m = append(m, body...)
	return pomeloPkg(dst, pkgData, m)
}

func (pomeloProto) open(c *conn) []byte {
	c.st = &pomeloState{nextID: 1}
	return pomeloPkg(nil, pkgHandshake, []byte(pomeloHandshake))
}

func (p pomeloProto) decode(l *loop, c *conn, in []byte) (int, error) {
	st := c.st.(*pomeloState)
	used := 0
	for {
		b := in[used:]
		if len(b) < 4 {
			return used, nil
		}
		n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		if len(b) < 4+n {
			return used, nil
		}
		typ, body := b[0], b[4:4+n]
		used += 4 + n
		switch typ {
		case pkgHandshake:
			var hs struct {
				Code int
				Sys  struct{ Heartbeat float64 }
			}
			if err := json.Unmarshal(body, &hs); err != nil || hs.Code != 200 {
				return used, fmt.Errorf("load: pomelo: handshake refused: %s", body)
			}
			st.heartbeat = time.Duration(hs.Sys.Heartbeat * float64(time.Second))
			out := pomeloPkg(nil, pkgHandshakeAck, nil)
			out = pomeloMsg(out, st.nextID, "room.join", []byte(`{}`))
			st.nextID++
			if err := l.send(c, out); err != nil {
				return used, err
			}
		case pkgHeartbeat:
			// A pomelo client answers a heartbeat one interval later (30 s
			// by default on both servers), not at once: answering at once
			// would start a heartbeat ping-pong. Every run is shorter than
			// an interval (the idle workload checks it, see maxSilence), so
			// the client never sends one.
		case pkgKick:
			return used, fmt.Errorf("load: pomelo: kicked: %s", body)
		case pkgData:
			if err := p.message(l, c, st, body); err != nil {
				return used, err
			}
		default:
			return used, fmt.Errorf("load: pomelo: package type %d", typ)
		}
	}
}

func (pomeloProto) message(l *loop, c *conn, st *pomeloState, b []byte) error {
	if len(b) < 1 {
		return fmt.Errorf("load: pomelo: empty message")
	}
	flag := b[0]
	b = b[1:]
	if flag&0x10 != 0 {
		return fmt.Errorf("load: pomelo: compressed body (pitaya's gzip flag); the benchmark needs plain bodies")
	}
	switch (flag >> 1) & 0x7 {
	case msgResponse:
		_, k := binary.Uvarint(b)
		if k <= 0 {
			return fmt.Errorf("load: pomelo: bad response id")
		}
		if !st.joined {
			st.joined = true
			return l.onReady(c)
		}
		return nil
	case msgPush:
		if flag&1 != 0 {
			if len(b) < 2 {
				return fmt.Errorf("load: pomelo: short route code")
			}
			b = b[2:]
		} else {
			if len(b) < 1 || len(b) < 1+int(b[0]) {
				return fmt.Errorf("load: pomelo: short route")
			}
			b = b[1+int(b[0]):]
		}
		i := bytes.Index(b, []byte(`"seq":`))
		if i < 0 {
			return fmt.Errorf("load: pomelo: push without seq: %.60q", b)
		}
		j := i + 6
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		seq, err := strconv.Atoi(string(b[j:k]))
		if err != nil {
			return fmt.Errorf("load: pomelo: bad seq: %w", err)
		}
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], uint32(seq))
		return l.w.message(l, c, p[:])
	default:
		return fmt.Errorf("load: pomelo: unexpected message flag %#x", flag)
	}
}

// request is unused for pomelo: its workloads only join and broadcast.
func (pomeloProto) request(dst []byte, _ *conn, payload []byte) []byte {
	return pomeloMsg(dst, 0, "room.echo", payload)
}

func (pomeloProto) bcast(dst []byte, n, size int) []byte {
	return pomeloMsg(dst, 0, "room.bcast", fmt.Appendf(nil, `{"n":%d,"size":%d}`, n, size))
}

// maxSilence is the shortest heartbeat interval the server announced to
// any connection (pitaya sends its first heartbeat one interval after the
// handshake; both servers close a connection silent for two). Without an
// announcement it is a minute, shorter than either server's timeout.
func (pomeloProto) maxSilence(l *loop) time.Duration {
	limit := time.Minute
	for _, c := range l.conns {
		if st, ok := c.st.(*pomeloState); ok && st.heartbeat > 0 && st.heartbeat < limit {
			limit = st.heartbeat
		}
	}
	return limit
}

// probes reports whether a protocol's readiness already proves the server
// registered the connection (pomelo's join response and socket.io's join
// ack do).
func probes(p proto) bool {
	switch p.(type) {
	case pomeloProto, sioProto:
		return true
	}
	return false
}
