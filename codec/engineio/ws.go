package engineio

import (
	"fmt"
	"sync"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// wsInnerCodec is the inner codec of the WebSocket route: each stream is
// the engine.io end of one WebSocket carrier.
type wsInnerCodec struct{ c *Codec }

func (w wsInnerCodec) NewStream(info codec.ConnInfo) codec.Stream {
	return &wsInner{k: info.Carrier}
}

// wsInner decodes the engine.io packets of one WebSocket: probe and
// upgrade for a polling session, then (or from the start, for a
// WebSocket-only session) the session's traffic.
type wsInner struct {
	k   codec.Carrier     // the WebSocket's connection
	wss *websocket.Stream // the WebSocket around this stream, for framing

	mu      sync.Mutex
	st      *session // the session carried, or probed
	probing bool     // st is being probed, not yet carried
}

var _ codec.MessageDecoder = (*wsInner)(nil)

// carry makes this WebSocket the session's transport.
func (w *wsInner) carry(st *session) {
	w.mu.Lock()
	w.st, w.probing = st, false
	w.mu.Unlock()
	k := w.k
	k.OnClose(func(error) {
		st.sess.Close(errTransportClosed)
	})
	st.sess.Attach(&wsSink{k: k, ws: w.wss})
}

// probe starts an upgrade of st.
func (w *wsInner) probe(st *session) {
	w.mu.Lock()
	w.st, w.probing = st, true
	w.mu.Unlock()
	w.k.OnClose(func(error) {
		st.ps.mu.Lock()
		if st.ps.probing == w {
			st.ps.probing = nil
		}
		st.ps.mu.Unlock()
	})
}

func (w *wsInner) Decode([]byte, codec.Output) (int, int, error) {
	return 0, 0, fmt.Errorf("engineio: websocket carrier decodes whole messages only: %w", codec.ErrProtocol)
}

// DecodeMessage handles one WebSocket message.
func (w *wsInner) DecodeMessage(data []byte, binary bool, out codec.Output) error {
	w.mu.Lock()
	st, probing := w.st, w.probing
	w.mu.Unlock()
	if st == nil {
		return fmt.Errorf("engineio: websocket message before the session: %w", codec.ErrProtocol)
	}
	var p Packet
	if binary {
		p = ParseBinary(data)
	} else {
		var err error
		if p, _, err = ParseText(nil, data); err != nil {
			if st.sess != nil {
				st.sess.Close(err)
			}
			return err
		}
	}
	if st.direct {
		return w.direct(st, &p, out)
	}
	if !probing {
		if err := st.packet(&p); err != nil {
			return err
		}
		if st.sess.Closed() && p.Type == TypeClose {
			return ErrSessionClosedByPeer
		}
		return nil
	}
	switch {
	case p.Type == TypePing && string(p.Data) == "probe":
		out.Reply([]byte("3probe"))
		st.releasePoll()
		return nil
	case p.Type == TypeUpgrade:
		st.ps.mu.Lock()
		ok := st.ps.probing == w
		st.ps.probing = nil
		st.ps.mu.Unlock()
		if !ok {
			return fmt.Errorf("engineio: upgrade without a probe: %w", codec.ErrProtocol)
		}
		st.upgraded.Store(true)
		st.releasePoll()
		w.carry(st)
		return nil
	case p.Type == TypeClose:
		return ErrSessionClosedByPeer
	}
	return fmt.Errorf("engineio: %v packet during the upgrade probe: %w", p.Type, codec.ErrProtocol)
}

// direct handles a packet of a direct session, whose connection is this
// WebSocket's.
func (w *wsInner) direct(st *session, p *Packet, out codec.Output) error {
	switch p.Type {
	case TypeMessage:
		k, _ := w.k.(sessionCarrier)
		if st.inner == nil || k == nil {
			return st.DecodeMessage(p.Data, p.Binary, out)
		}
		return st.DecodeMessage(p.Data, p.Binary, frameOutput{out, k})
	case TypePong:
		st.alive.Store(time.Now().UnixNano())
	case TypeClose:
		return ErrSessionClosedByPeer
	}
	// Other types from a client carry nothing for the session.
	return nil
}

// Encode appends a Raw message's body: the wsSink's packets.
func (w *wsInner) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return append(dst, m.Body...), nil
}

func (w *wsInner) Format() string   { return "" }
func (w *wsInner) Protocol() string { return "engine.io-ws" }

// wsSink writes a session's packets on its WebSocket carrier, one frame
// each.
type wsSink struct {
	k  codec.Carrier
	ws *websocket.Stream
}

var _ codec.Sink = (*wsSink)(nil)

func (s *wsSink) Write(units [][]byte) (written, keep bool) {
	var b []byte
	for _, u := range units {
		for {
			data, bin, rest, ok := nextQueued(u)
			if !ok {
				break
			}
			var err error
			if b, err = s.ws.Encode(b, &codec.Message{Kind: codec.Raw, Body: data, Binary: bin}); err != nil {
				return false, false
			}
			u = rest
		}
	}
	if s.k.Write(b) != nil {
		return false, false
	}
	return true, true
}

// Close closes the WebSocket once what is queued on it is written.
func (s *wsSink) Close() { s.k.Close(nil) }
