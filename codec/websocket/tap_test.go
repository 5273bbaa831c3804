package websocket_test

import (
	"context"
	"net"
	"sync"
)

// tapConn records every byte read from and written to a connection, so a
// test can parse the frames a third-party peer really sent and received.
type tapConn struct {
	net.Conn
	mu          sync.Mutex
	read, wrote []byte
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read = append(c.read, p[:n]...)
	c.mu.Unlock()
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.wrote = append(c.wrote, p[:n]...)
	c.mu.Unlock()
	return n, err
}

// taken returns copies of the bytes read and written so far.
func (c *tapConn) taken() (read, wrote []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.read...), append([]byte(nil), c.wrote...)
}

// tapDialer returns a NetDialContext for gorilla's Dialer that taps the
// connection it dials, and the tap, once dialed, on the channel.
func tapDialer() (func(ctx context.Context, network, addr string) (net.Conn, error), chan *tapConn) {
	ch := make(chan *tapConn, 1)
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := &tapConn{Conn: nc}
		ch <- tc
		return tc, nil
	}, ch
}

// rawFrame is a frame parsed from tapped bytes.
type rawFrame struct {
	fin  bool
	rsv1 bool
	op   byte
	size int
}

// splitFrames parses the frames in b, which starts right after the HTTP
// head, without unmasking (only headers matter). It stops at a partial
// frame.
func splitFrames(b []byte) []rawFrame {
	var out []rawFrame
	for len(b) >= 2 {
		f := rawFrame{fin: b[0]&0x80 != 0, rsv1: b[0]&0x40 != 0, op: b[0] & 0x0f}
		n, p := int(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return out
			}
			n, p = int(b[2])<<8|int(b[3]), 4
		case 127:
			if len(b) < 10 {
				return out
			}
			n = 0
			for _, c := range b[2:10] {
				n = n<<8 | int(c)
			}
			p = 10
		}
		if b[1]&0x80 != 0 {
			p += 4
		}
		if len(b) < p+n {
			return out
		}
		f.size = n
		out = append(out, f)
		b = b[p+n:]
	}
	return out
}

// afterHead returns what follows the first blank line of an HTTP head.
func afterHead(b []byte) []byte {
	for i := 0; i+4 <= len(b); i++ {
		if string(b[i:i+4]) == "\r\n\r\n" {
			return b[i+4:]
		}
	}
	return nil
}
