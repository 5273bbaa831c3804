package aio_test

import (
	"bufio"
	"crypto/tls"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/internal/testenv"
)

// TestTLSListenerOnStdTransport serves a TLS listener with the std
// transport: the same codec and APIs, encrypted.
func TestTLSListenerOnStdTransport(t *testing.T) {
	serverTLS, clientTLS := testenv.TLS(t)
	s := aio.NewServer(&aio.Config{Codec: lengthCodec{}, Transport: aio.TransportStd, Handler: aio.HandlerFunc(echo)})
	ln := listenLoopback(t)
	go func() { _ = s.Serve(tls.NewListener(ln, serverTLS)) }()
	defer s.Close()
	nc, err := tls.Dial("tcp", ln.Addr().String(), clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	p := &peer{t: t, nc: nc, r: bufio.NewReader(nc)}
	p.send("over tls")
	p.mustRecv("over tls")
	if s.Count(aio.All()) != 1 {
		t.Fatalf("conns %d", s.Count(aio.All()))
	}
}
