package aio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// dialWebSocket dials the WebSocket URL with gorilla/websocket and serves
// the connection: each WebSocket message carries the Codec's bytes, so the
// codec's stream sees exactly what the server's inner stream sends.
func (d *dialer) dialWebSocket(ctx context.Context, h clientHost) (*conn, error) {
	ws := d.cfg.WebSocket
	wd := websocket.Dialer{
		Subprotocols:      ws.Subprotocols,
		TLSClientConfig:   d.cfg.TLS,
		EnableCompression: ws.Compression,
	}
	wc, resp, err := wd.DialContext(ctx, ws.URL, ws.Header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("aio: websocket dial %s: %s: %w", ws.URL, resp.Status, err)
		}
		return nil, fmt.Errorf("aio: websocket dial %s: %w", ws.URL, err)
	}
	kind := websocket.BinaryMessage
	if ws.Text {
		kind = websocket.TextMessage
	}
	rc := &wsConn{wc: wc, kind: kind, writeTimeout: d.ep.set.writeTimeout, done: make(chan struct{})}
	cn := h.open(rc)
	if cn == nil {
		wc.Close()
		return nil, ErrClosed
	}
	// A pong proves the server alive like any inbound bytes.
	wc.SetPongHandler(func(string) error {
		cn.stats.LastReceived.Store(time.Now().UnixNano())
		return nil
	})
	cn.begin()
	if !d.spawn(func() { rc.readLoop(cn) }) {
		cn.finish(ErrClosed) // stopped meanwhile: no reader, so close here
		return nil, ErrClosed
	}
	return cn, nil
}

// wsConn is a rawConn over a gorilla/websocket connection: every queued
// buffer leaves as one message.
type wsConn struct {
	wc           *websocket.Conn
	kind         int
	writeTimeout time.Duration
	mu           sync.Mutex
	once         sync.Once
	done         chan struct{}
}

func (w *wsConn) LocalAddr() net.Addr  { return w.wc.LocalAddr() }
func (w *wsConn) RemoteAddr() net.Addr { return w.wc.RemoteAddr() }

func (w *wsConn) writev(bufs [][]byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.wc.SetWriteDeadline(deadline(w.writeTimeout))
	n := 0
	for _, b := range bufs {
		if err := w.wc.WriteMessage(w.kind, b); err != nil {
			return n, err
		}
		n += len(b)
	}
	return n, nil
}

// ping sends a WebSocket ping, the heartbeat of inner codecs without one.
func (w *wsConn) ping() {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.wc.WriteControl(websocket.PingMessage, nil, deadline(w.writeTimeout))
}

func (w *wsConn) close() error {
	w.once.Do(func() {
		w.mu.Lock()
		_ = w.wc.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline(w.writeTimeout))
		w.mu.Unlock()
		_ = w.wc.Close()
		close(w.done)
	})
	return nil
}

// wsCloseKicked is codec/websocket's CloseKicked, the close code of a
// server's kick.
const wsCloseKicked = 4000

// readLoop feeds each message to the connection's stream until the socket
// closes.
func (w *wsConn) readLoop(c *conn) {
	for c.state.Load() == stateOpen {
		_, p, err := w.wc.ReadMessage()
		if err != nil {
			if c.state.Load() == stateOpen {
				c.finish(wsCloseReason(err))
			}
			break
		}
		c.serveRead(&messageInbound{b: p})
	}
	<-w.done
}

// wsCloseReason maps how a WebSocket read ended to a close reason: the
// server's close code tells a kick and a shutdown from other closes.
func wsCloseReason(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return peerReason(err)
	}
	switch ce.Code {
	case wsCloseKicked:
		return wrapReason(ErrKicked, err)
	case websocket.CloseGoingAway:
		return wrapReason(ErrServerClosed, err)
	}
	return wrapReason(errPeerClosed, err)
}

// messageInbound presents one whole WebSocket message to serveRead. A codec
// that asks for more bytes than the message holds breaks the rule that a
// message carries whole units.
type messageInbound struct{ b []byte }

var errPartialMessage = errors.New("websocket message ends inside a unit")

func (m *messageInbound) Len() int { return len(m.b) }

func (m *messageInbound) Peek(n int) ([]byte, error) {
	if n > len(m.b) {
		return nil, errPartialMessage
	}
	return m.b[:n], nil
}

func (m *messageInbound) Skip(n int) error {
	m.b = m.b[n:]
	return nil
}

func (m *messageInbound) Release() error { return nil }
