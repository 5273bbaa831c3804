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

// dialWebSocket dials cfg.WebSocket.URL with gorilla/websocket and serves
// the connection: each WebSocket message carries the Codec's bytes, so the
// codec's stream sees exactly what the server's inner stream sends.
func (c *Client) dialWebSocket(ctx context.Context) (*ChannelContext, error) {
	ws := c.cfg.WebSocket
	d := websocket.Dialer{Subprotocols: ws.Subprotocols, HandshakeTimeout: c.cfg.DialTimeout}
	wc, resp, err := d.DialContext(ctx, ws.URL, ws.Header)
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
	s := c.engine
	rc := &wsConn{wc: wc, kind: kind, s: s, done: make(chan struct{})}
	conn := s.accept(rc, true)
	if conn == nil {
		wc.Close()
		return nil, ErrServerShutdown
	}
	// A pong proves the server alive like any inbound bytes.
	wc.SetPongHandler(func(string) error {
		conn.stats.LastReceived.Store(time.Now().UnixNano())
		return nil
	})
	s.opened(conn, false)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		rc.readLoop(conn)
	}()
	return conn, waitReady(ctx, conn)
}

// wsConn is a rawConn over a gorilla/websocket connection: every queued
// buffer leaves as one message.
type wsConn struct {
	wc   *websocket.Conn
	kind int
	s    *Server
	mu   sync.Mutex
	once sync.Once
	done chan struct{}
}

func (w *wsConn) LocalAddr() net.Addr  { return w.wc.LocalAddr() }
func (w *wsConn) RemoteAddr() net.Addr { return w.wc.RemoteAddr() }

func (w *wsConn) writev(bufs [][]byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.wc.SetWriteDeadline(deadline(w.s.cfg.WriteTimeout))
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
	_ = w.wc.WriteControl(websocket.PingMessage, nil, deadline(w.s.cfg.WriteTimeout))
}

func (w *wsConn) close() error {
	w.once.Do(func() {
		w.mu.Lock()
		_ = w.wc.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline(w.s.cfg.WriteTimeout))
		w.mu.Unlock()
		_ = w.wc.Close()
		close(w.done)
	})
	return nil
}

// readLoop feeds each message to the connection's stream until the socket
// closes.
func (w *wsConn) readLoop(conn *ChannelContext) {
	for conn.state.Load() == stateOpen {
		_, p, err := w.wc.ReadMessage()
		if err != nil {
			if conn.state.Load() == stateOpen {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					conn.finish(wrapReason(ErrPeerClosed, err))
				} else {
					conn.finish(peerReason(err))
				}
			}
			break
		}
		conn.serveRead(&messageInbound{b: p})
	}
	<-w.done
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
