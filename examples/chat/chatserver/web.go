package chatserver

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// page is the chat page and its scripts: plain browser JavaScript, no
// build step. pomelo.js is the example's own pomelo client (package and
// message layers, route dictionary, pomelo-protobuf); chat.js is the UI;
// sio.html (made from index.html at start) runs the same UI on
// socket.io-client through sio.js.
//
//go:embed web
var page embed.FS

// pageConfig is /config.json: where the page finds the gate.
type pageConfig struct {
	Gate struct {
		Host string `json:"host"`
		Port int    `json:"port"`
	} `json:"gate"`
}

// webHandler serves the page, /config.json and /metrics.
func (a *App) webHandler() (http.Handler, error) {
	files, err := fs.Sub(page, "web")
	if err != nil {
		return nil, err
	}
	gate := a.cfg.PageGate
	if gate == "" {
		gate = a.GateAddr()
	}
	var pc pageConfig
	if gate != "" {
		if pc.Gate.Host, pc.Gate.Port, err = splitHostPort(gate); err != nil {
			return nil, fmt.Errorf("chat: page gate address %q: %w", gate, err)
		}
		if ip := net.ParseIP(pc.Gate.Host); ip != nil && ip.IsUnspecified() {
			pc.Gate.Host = "" // the page uses the host it was loaded from
		}
	}
	conf, err := json.Marshal(pc)
	if err != nil {
		return nil, err
	}
	icon, err := fs.ReadFile(files, "favicon.svg")
	if err != nil {
		return nil, err
	}
	sio, err := socketIOPage(files)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(files))
	mux.HandleFunc("GET /sio.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(sio)
	})
	// The page links favicon.svg; a browser that asks for /favicon.ico
	// anyway gets the same icon, not a 404.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "max-age=86400")
		_, _ = w.Write(icon)
	})
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(conf)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /js/socket.io.min.js", serveSocketIOClient)
	return mux, nil
}

// socketIOPage is index.html with socket.io-client (through sio.js) in
// place of pomelo.js: the same page, the other client.
func socketIOPage(files fs.FS) ([]byte, error) {
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return nil, err
	}
	for _, r := range [][2]string{
		{`<title>gotio chat</title>`, `<title>gotio chat (socket.io)</title>`},
		{`pomelo over WebSocket, route dictionary, protobuf · <a href="sio.html">socket.io client</a>`,
			`socket.io (engine.io polling, then WebSocket) · <a href="index.html">pomelo client</a>`},
		{`<script src="pomelo.js"></script>`, `<script src="js/socket.io.min.js"></script>` + "\n" + `<script src="sio.js"></script>`},
	} {
		if !bytes.Contains(page, []byte(r[0])) {
			return nil, fmt.Errorf("chat: index.html lacks %q, which sio.html replaces", r[0])
		}
		page = bytes.Replace(page, []byte(r[0]), []byte(r[1]), 1)
	}
	return page, nil
}

// socketIOClientPath is socket.io-client's browser build inside an npm
// installation (npm ci at the repository root installs it).
const socketIOClientPath = "node_modules/socket.io-client/dist/socket.io.min.js"

// serveSocketIOClient serves socket.io-client's browser build for
// sio.html from the npm package's own files, found from the working
// directory upwards: the page uses the library as published, and the
// example ships none of its code.
func serveSocketIOClient(w http.ResponseWriter, r *http.Request) {
	dir, err := os.Getwd()
	for err == nil {
		file := filepath.Join(dir, socketIOClientPath)
		if _, statErr := os.Stat(file); statErr == nil {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, file)
			return
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	http.Error(w, "socket.io-client is not installed here: run npm ci in the gotio repository (its package.json pins socket.io-client)", http.StatusNotFound)
}

// startWeb serves the page on cfg.Web with net/http: the page is
// ordinary HTTP, as chatofpomelo's web-server is an express app.
func (a *App) startWeb() error {
	h, err := a.webHandler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Web)
	if err != nil {
		return fmt.Errorf("chat: web: %w", err)
	}
	a.webLn = ln
	a.cfg.Logger.Info().Str("server", "web").Str("page", "http://"+ln.Addr().String()+"/").Msgf("listening on %s", ln.Addr())
	a.web = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	a.webDone = make(chan struct{})
	go func() {
		defer close(a.webDone)
		if err := a.web.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.cfg.Logger.Error().Err(err).Msg("chat: web server stopped")
		}
	}()
	return nil
}
