// Command nbio is the benchmark server built on lesismal/nbio: with
// -proto tcp its raw engine (OnData, a per-connection carry buffer only
// while a frame is partial), with -proto ws its nbhttp WebSocket upgrader.
package main

import (
	"fmt"
	"net/http"

	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"

	"github.com/gotio/gotio/bench/internal/registry"
	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

func main() {
	f := srvutil.Parse()
	logging.SetLevel(logging.LevelError)
	switch f.Proto {
	case "tcp":
		srvutil.Run(f, func() error { return serveTCP(f.Addr) })
	case "ws":
		srvutil.Run(f, func() error { return serveWS(f.Addr) })
	default:
		srvutil.Fatal(fmt.Errorf("nbio serves tcp and ws, not %q", f.Proto))
	}
}

var tcpConns registry.Set[*nbio.Conn]

// carry is a connection's partial frame, kept only between reads that
// split a frame.
type carry struct{ buf []byte }

func serveTCP(addr string) error {
	e := nbio.NewEngine(nbio.Config{Network: "tcp", Addrs: []string{addr}, NPoller: 1})
	e.OnOpen(func(c *nbio.Conn) { tcpConns.Add(c) })
	e.OnClose(func(c *nbio.Conn, err error) { tcpConns.Remove(c) })
	var out []byte // OnData runs on the single poller goroutine
	e.OnData(func(c *nbio.Conn, data []byte) {
		if cr, _ := c.Session().(*carry); cr != nil && len(cr.buf) > 0 {
			cr.buf = append(cr.buf, data...)
			data = cr.buf
		}
		out = out[:0]
		for {
			payload, n, err := wire.Parse(data)
			if err != nil {
				c.Close()
				return
			}
			if n == 0 {
				break
			}
			data = data[n:]
			if cnt, size, ok := wire.ParseBcast(payload); ok {
				broadcastTCP(cnt, size)
				continue
			}
			out = wire.Append(out, payload)
		}
		cr, _ := c.Session().(*carry)
		if len(data) > 0 {
			if cr == nil {
				cr = &carry{}
				c.SetSession(cr)
			}
			cr.buf = append(cr.buf[:0], data...)
		} else if cr != nil {
			cr.buf = cr.buf[:0]
		}
		if len(out) > 0 {
			c.Write(out)
		}
	})
	if err := e.Start(); err != nil {
		return err
	}
	select {}
}

func broadcastTCP(n, size int) {
	all := tcpConns.Snapshot()
	for i := 0; i < n; i++ {
		frame := wire.PushFrame(i, size)
		for _, c := range all {
			c.Write(frame)
		}
	}
}

var wsConns registry.Set[*websocket.Conn]

func serveWS(addr string) error {
	u := websocket.NewUpgrader()
	u.OnOpen(func(c *websocket.Conn) { wsConns.Add(c) })
	u.OnClose(func(c *websocket.Conn, err error) { wsConns.Remove(c) })
	u.OnMessage(func(c *websocket.Conn, mt websocket.MessageType, data []byte) {
		if cnt, size, ok := wire.ParseBcast(data); ok {
			broadcastWS(cnt, size)
			return
		}
		c.WriteMessage(mt, data)
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := u.Upgrade(w, r, nil); err != nil {
			return
		}
	})
	e := nbhttp.NewEngine(nbhttp.Config{Network: "tcp", Addrs: []string{addr}, NPoller: 1, Handler: mux})
	if err := e.Start(); err != nil {
		return err
	}
	select {}
}

func broadcastWS(n, size int) {
	all := wsConns.Snapshot()
	for i := 0; i < n; i++ {
		p := wire.PushPayload(i, size)
		for _, c := range all {
			c.WriteMessage(websocket.BinaryMessage, p)
		}
	}
}
