package engineio

import (
	"encoding/base64"
	"encoding/binary"
	"sync"
)

// The queued form of a packet is how a session's stream encodes packets
// for aio's write queue, before it is known which transport will carry
// them: a kind byte ('t' a text packet, 'b' a binary message), the length
// of the data as 4 bytes big-endian, then the data (a text packet with
// its type digit: "4hello"; a binary message's bytes). The sink that
// takes them writes them in its transport's form: joined with the record
// separator in a poll answer, one frame each on a WebSocket. So the same
// queued bytes serve a polling and a WebSocket session, and a broadcast
// encodes once for both.

const queuedHeader = 5

// AppendQueued appends p in the queued form. It does not check p (see
// AppendPacket).
func AppendQueued(dst []byte, p *Packet) []byte {
	if p.Binary {
		dst = appendQueuedHead(dst, 'b', len(p.Data))
		return append(dst, p.Data...)
	}
	dst = appendQueuedHead(dst, 't', 1+len(p.Data))
	return AppendText(dst, p.Type, p.Data)
}

// BeginQueued starts a queued text packet of type t whose data the caller
// appends; FinishQueued, given the start, completes it.
func BeginQueued(dst []byte, t Type) (out []byte, start int) {
	start = len(dst)
	dst = appendQueuedHead(dst, 't', 0)
	return append(dst, '0'+byte(t)), start
}

// FinishQueued writes the length of the queued packet begun at start.
func FinishQueued(dst []byte, start int) []byte {
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-queuedHeader))
	return dst
}

func appendQueuedHead(dst []byte, kind byte, n int) []byte {
	return binary.BigEndian.AppendUint32(append(dst, kind), uint32(n))
}

// nextQueued splits the first queued packet off b. ok is false when b
// holds no whole packet.
func nextQueued(b []byte) (data []byte, bin bool, rest []byte, ok bool) {
	if len(b) < queuedHeader {
		return nil, false, nil, false
	}
	n := int(binary.BigEndian.Uint32(b[1:]))
	if len(b)-queuedHeader < n {
		return nil, false, nil, false
	}
	return b[queuedHeader : queuedHeader+n], b[0] == 'b', b[queuedHeader+n:], true
}

// appendPollBody appends queued packets as one polling payload.
func appendPollBody(dst []byte, units [][]byte) []byte {
	first := true
	for _, u := range units {
		for {
			data, bin, rest, ok := nextQueued(u)
			if !ok {
				break
			}
			if !first {
				dst = append(dst, Separator)
			}
			first = false
			if bin {
				dst = append(dst, binaryPrefix)
				dst = base64.StdEncoding.AppendEncode(dst, data)
			} else {
				dst = append(dst, data...)
			}
			u = rest
		}
	}
	return dst
}

// appendFrames appends queued packets as WebSocket frames, one each, as a
// server sends them (unmasked, uncompressed): a text frame for a text
// packet, a binary frame for a binary message. It is what wsSink writes
// for a session whose carrier compresses nothing, in the form a direct
// session encodes.
func appendFrames(dst, units []byte) []byte {
	for {
		data, bin, rest, ok := nextQueued(units)
		if !ok {
			return dst
		}
		b0 := byte(0x81) // FIN, text
		if bin {
			b0 = 0x82 // FIN, binary
		}
		switch n := len(data); {
		case n <= 125:
			dst = append(dst, b0, byte(n))
		case n <= 0xffff:
			dst = append(dst, b0, 126, byte(n>>8), byte(n))
		default:
			dst = binary.BigEndian.AppendUint64(append(dst, b0, 127), uint64(n))
		}
		dst = append(dst, data...)
		units = rest
	}
}

// scratchPool holds the buffers a direct session encodes the queued form
// into before it frames it.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getScratch() *[]byte { return scratchPool.Get().(*[]byte) }

func putScratch(b *[]byte) {
	if cap(*b) <= 64<<10 {
		scratchPool.Put(b)
	}
}
