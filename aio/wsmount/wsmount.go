// Package wsmount mounts a gotio server's WebSocket endpoint on an
// existing net/http server: TLS terminated by net/http, the site's other
// routes and middleware (auth, logging) in front, one port behind a load
// balancer.
//
//	srv := aio.NewServer(&aio.Config{Codec: websocket.New(wsCfg), Handler: h})
//	mux := http.NewServeMux()
//	mux.Handle("/ws", wsmount.Handler(srv))
//	mux.HandleFunc("/", page)
//	http.ListenAndServeTLS(":443", "cert.pem", "key.pem", mux)
//
// The handler hijacks the request's connection and hands it to
// (*aio.Server).ServeConn with the request's head replayed in front of
// it, so gotio's own WebSocket stream performs the upgrade from the same
// bytes a native listener would see: one codec, the same routes, origin
// check, Accept hook, limits and permessage-deflate negotiation, and the
// connection joins users and groups, receives sends and broadcasts, and
// counts in statistics like any other.
//
// The cost: a mounted connection is served on the std transport's model,
// one goroutine per connection (net/http's own, which ServeHTTP keeps
// until the connection closes), with its read buffer; connections on the
// server's native listeners stay on netpoll.
package wsmount

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gotio/gotio/aio"
)

// Handler returns an http.Handler that serves WebSocket upgrade requests
// with srv, whose Codec must answer HTTP upgrades: codec/websocket, or
// codec/hybrid with its HTTP codec set. ServeHTTP returns when the
// connection closes.
//
// It answers without hijacking:
//   - 505 HTTP Version Not Supported to HTTP/2 and HTTP/3 requests: their
//     connections carry other streams and cannot be hijacked (Go's server
//     does not offer WebSocket over HTTP/2, RFC 8441, unless
//     GODEBUG=http2xconnect=1; leave it unset, so that browsers open
//     their WebSockets on HTTP/1.1 connections even where the site is
//     served over HTTP/2);
//   - 400 Bad Request to requests that are not WebSocket upgrades (no
//     Upgrade: websocket, or no Connection: upgrade);
//   - 500 when the ResponseWriter cannot be hijacked.
//
// Every other rule of the upgrade (method, version, key, origin, routes,
// the Accept hook) is srv's codec's, answered on the hijacked connection.
// The path its routes see is r.URL's, so http.StripPrefix in front
// changes it. Server.Shutdown on srv closes mounted connections too
// (net/http's Shutdown does not wait for hijacked connections).
func Handler(srv *aio.Server) http.Handler { return &handler{srv: srv} }

type handler struct{ srv *aio.Server }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 1 {
		http.Error(w, "wsmount: WebSocket needs HTTP/1.1; this server does not accept it over "+r.Proto, http.StatusHTTPVersionNotSupported)
		return
	}
	if !hasToken(r.Header, "Upgrade", "websocket") || !hasToken(r.Header, "Connection", "upgrade") {
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, "wsmount: not a WebSocket upgrade request", http.StatusBadRequest)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "wsmount: the connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		http.Error(w, "wsmount: hijack: "+err.Error(), http.StatusInternalServerError)
		return
	}
	// net/http may have left its read or write deadlines on the conn.
	_ = nc.SetDeadline(time.Time{})
	replay := head(r)
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		replay = append(replay, b...)
	}
	if err := h.srv.ServeConn(&replayConn{Conn: nc, replay: replay}); err != nil {
		_ = nc.Close() // refused (shutting down, a limit); ServeConn closed it already
	}
}

// head rebuilds the request line and headers of r as they came, in the
// form gotio's stream parses.
func head(r *http.Request) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\n", r.Method, r.URL.RequestURI(), r.Proto, r.Host)
	_ = r.Header.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// hasToken reports whether a comma-separated header lists token,
// case-insensitively.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// replayConn is a net.Conn whose reads return replay first, then the
// connection's own bytes.
type replayConn struct {
	net.Conn
	replay []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.replay) > 0 {
		n := copy(p, c.replay)
		c.replay = c.replay[n:]
		if len(c.replay) == 0 {
			c.replay = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}
