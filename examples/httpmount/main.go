// Command httpmount runs gotio behind an existing net/http server: the
// site's HTTPS server (TLS, HTTP/2 for its pages, its own routes) mounts
// gotio's WebSocket endpoint at /ws with wsmount, and the same gotio
// server also listens natively for gotio TCP and plain WebSocket clients.
// Everyone who connects joins one room; every message is broadcast to
// the room, whichever way its members came in.
//
//	go run ./examples/httpmount [-https 127.0.0.1:8443] [-native 127.0.0.1:9002] [-cert c.pem -key k.pem]
//
// Without -cert and -key it makes a self-signed certificate for 127.0.0.1
// and localhost at start (the browser asks to accept it). Open
// https://127.0.0.1:8443/ in two tabs.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/wsmount"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

func main() {
	httpsAddr := flag.String("https", "127.0.0.1:8443", "address of the HTTPS server")
	nativeAddr := flag.String("native", "127.0.0.1:9002", "address of gotio's own listener (gotio TCP and ws://)")
	certFile := flag.String("cert", "", "TLS certificate (PEM); empty makes a self-signed one")
	keyFile := flag.String("key", "", "TLS key (PEM)")
	flag.Parse()
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger()

	srv := newServer(log)
	if err := srv.Listen(*nativeAddr); err != nil {
		fmt.Fprintln(os.Stderr, "httpmount:", err)
		os.Exit(1)
	}
	hs := &http.Server{Addr: *httpsAddr, Handler: newMux(srv), ReadHeaderTimeout: 10 * time.Second}
	if *certFile == "" {
		cert, err := selfSigned()
		if err != nil {
			fmt.Fprintln(os.Stderr, "httpmount:", err)
			os.Exit(1)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	go func() {
		if err := hs.ListenAndServeTLS(*certFile, *keyFile); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "httpmount:", err)
			os.Exit(1)
		}
	}()
	fmt.Printf("https://%s/ (WebSocket at wss://%s/ws), gotio native on %s\n", *httpsAddr, *httpsAddr, srv.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx) // closes the mounted connections too: net/http does not track them
	_ = hs.Shutdown(ctx)
}

// newServer is the gotio server: gotio TCP and WebSocket on its own port,
// and the same WebSocket codec for connections wsmount hands it.
func newServer(log zerolog.Logger) *aio.Server {
	var srv *aio.Server
	// chat broadcasts every message to the room, as a push named "chat".
	chat := func(c *aio.ChannelContext, m *codec.Message) {
		srv.SendToGroup("room", &codec.Message{Kind: codec.Push, Route: "chat", Body: m.Body})
	}
	srv = aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:  tcp.New(nil),
			HTTP: websocket.New(&websocket.Config{Deflate: &websocket.Deflate{ClientContext: true}}),
		}),
		Handler:     aio.HandlerFunc(chat),
		OnConnected: joinRoom{}.OnConnected,
		Logger:      log,
	})
	return srv
}

// newMux is the site: its page, another route, and gotio at /ws.
func newMux(srv *aio.Server) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/ws", wsmount.Handler(srv))
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok, %d connections\n", srv.Count(aio.All()))
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	return mux
}

// joinRoom puts every connection in the room as it opens.
type joinRoom struct{}

func (joinRoom) OnConnected(c *aio.ChannelContext) { _ = c.BindGroup("room") }

const page = `<!doctype html><meta charset="utf-8"><title>gotio behind net/http</title>
<h1>gotio behind net/http</h1><form id="f"><input id="t" autocomplete="off" autofocus> <button>send</button></form><ul id="log"></ul>
<script>
const ws = new WebSocket('wss://' + location.host + '/ws');
const log = (s) => { const li = document.createElement('li'); li.textContent = s; document.getElementById('log').append(li); };
ws.onopen = () => log('connected');
ws.onmessage = (e) => log(e.data);
ws.onclose = (e) => log('closed ' + e.code);
document.getElementById('f').onsubmit = (e) => { e.preventDefault(); const t = document.getElementById('t'); ws.send(t.value); t.value = ''; };
</script>`

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost, valid
// for a day.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "gotio httpmount example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
