package aio_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testcodec"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakOptions()...)
}

// leakOptions are the goroutines goleak ignores: netpoll's and gnet's
// process-wide pools (testenv.LeakOptions).
func leakOptions() []goleak.Option { return testenv.LeakOptions() }

// transports are the engines every test runs on (aiotest.Transports).
var transports = slices.Clone(aiotest.Transports)

// idleTransports are the event-loop transports TestIdleMemoryPerConnection
// measures (std holds a goroutine per connection); main_gnet_test.go adds
// gnet.
var idleTransports = []aio.Transport{aio.TransportNetpoll}

// startServer serves cfg (with the length codec unless set) on loopback and
// shuts it down when the test ends.
func startServer(t testing.TB, cfg aio.Config) *aio.Server {
	t.Helper()
	if cfg.Codec == nil {
		cfg.Codec = lengthCodec{max: 1 << 20}
	}
	return aiotest.Start(t, &cfg)
}

// peer is a raw client of the length protocol.
type peer struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, s *aio.Server) *peer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &peer{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (p *peer) send(body string) {
	p.t.Helper()
	b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	if _, err := p.nc.Write(append(b, body...)); err != nil {
		p.t.Fatal(err)
	}
}

// recv reads one frame within d.
func (p *peer) recv(d time.Duration) (string, error) { return testcodec.ReadFrame(p.nc, p.r, d) }

func (p *peer) mustRecv(want string) {
	p.t.Helper()
	got, err := p.recv(5 * time.Second)
	if err != nil {
		p.t.Fatalf("recv: %v (want %q)", err, want)
	}
	if got != want {
		p.t.Fatalf("recv %q, want %q", got, want)
	}
}

// expectClosed waits until the server closed the connection.
func (p *peer) expectClosed(d time.Duration) {
	p.t.Helper()
	_ = p.nc.SetReadDeadline(time.Now().Add(d))
	// A reset is a close too: the kernel answers a close with RST when
	// bytes the client sent were still unread.
	if _, err := io.Copy(io.Discard, p.r); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		p.t.Fatalf("connection not closed by the server: %v", err)
	}
}

func echo(c *aio.ChannelContext, m *codec.Message) { _ = c.Send(m) }

// waitFor polls cond until it holds (testenv.WaitFor: a hang guard, not a
// timing assertion).
var waitFor = testenv.WaitFor

func dialRaw(s *aio.Server) (net.Conn, error) {
	return net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
}

func appendFrame(b []byte, body string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

func countFrames(b []byte) int {
	n := 0
	for len(b) >= 4 {
		size := int(binary.BigEndian.Uint32(b))
		if len(b) < 4+size {
			break
		}
		b = b[4+size:]
		n++
	}
	return n
}

func splitNul(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// listenLoopback is testenv.Listen.
var listenLoopback = testenv.Listen

// keyCount is aiotest.KeyCount.
var keyCount = aiotest.KeyCount
