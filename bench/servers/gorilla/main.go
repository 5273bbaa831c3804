// Command gorilla is the WebSocket benchmark server built on
// gorilla/websocket over net/http: a goroutine per connection, the upgrader
// reusing the HTTP server's buffers (its default).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"github.com/gotio/gotio/bench/internal/registry"
	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

// conn serialises writes: gorilla allows one concurrent writer.
type conn struct {
	mu sync.Mutex
	ws *websocket.Conn
}

func (c *conn) write(p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteMessage(websocket.BinaryMessage, p)
}

var conns registry.Set[*conn]

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func main() {
	f := srvutil.Parse()
	if f.Proto != "ws" {
		srvutil.Fatal(fmt.Errorf("gorilla serves ws only, not %q", f.Proto))
	}
	srvutil.Run(f, func() error {
		ln, err := net.Listen("tcp", f.Addr)
		if err != nil {
			return err
		}
		return http.Serve(ln, http.HandlerFunc(serve))
	})
}

func serve(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	conns.Add(c)
	defer func() {
		conns.Remove(c)
		ws.Close()
	}()
	var buf []byte
	for {
		mt, rd, err := ws.NextReader()
		if err != nil {
			return
		}
		buf, err = readAll(rd, buf[:0])
		if err != nil {
			return
		}
		if mt != websocket.BinaryMessage {
			continue
		}
		if cnt, size, ok := wire.ParseBcast(buf); ok {
			broadcast(cnt, size)
			continue
		}
		if err := c.write(buf); err != nil {
			return
		}
	}
}

// readAll reads r to its end into buf, reusing buf's storage.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func broadcast(n, size int) {
	all := conns.Snapshot()
	for i := 0; i < n; i++ {
		p := wire.PushPayload(i, size)
		for _, c := range all {
			c.write(p)
		}
	}
}
