package aio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

func TestLimits(t *testing.T) {
	t.Run("rate limit", func(t *testing.T) {
		rec := newCloseRecorder()
		s := startServer(t, aio.Config{OnBeforeClose: rec.OnBeforeClose, Handler: aio.HandlerFunc(echo), MessageRate: 5, MessageBurst: 10})
		p := dial(t, s)
		var frames []byte
		for i := range 50 {
			frames = appendFrame(frames, fmt.Sprint(i))
		}
		p.nc.Write(frames)
		p.expectClosed(5 * time.Second)
		if err := rec.wait(t); !errors.Is(err, aio.ErrRateLimited) {
			t.Fatalf("reason %v", err)
		}
		st := s.Stats()
		if st.RateLimited != 1 || st.CloseReasons["rate_limited"] != 1 || st.HandledPackets != 10 {
			t.Fatalf("rate limited %d, reasons %v, handled %d (want the burst of 10)", st.RateLimited, st.CloseReasons, st.HandledPackets)
		}
	})
	t.Run("max connections per IP", func(t *testing.T) {
		s := startServer(t, aio.Config{Handler: aio.HandlerFunc(echo), MaxConnsPerIP: 3})
		for range 3 {
			p := dial(t, s)
			p.send("in")
			p.mustRecv("in")
		}
		over := dial(t, s)
		over.expectClosed(5 * time.Second)
		if st := s.Stats(); st.Rejected != 1 || st.CloseReasons["too_many_connections_per_ip"] != 1 || s.Count(aio.All()) != 3 {
			t.Fatalf("rejected %d reasons %v conns %d", st.Rejected, st.CloseReasons, s.Count(aio.All()))
		}
	})
	t.Run("max connections", func(t *testing.T) {
		s := startServer(t, aio.Config{Handler: aio.HandlerFunc(echo), MaxConns: 2})
		for range 2 {
			p := dial(t, s)
			p.send("in")
			p.mustRecv("in")
		}
		dial(t, s).expectClosed(5 * time.Second)
		if st := s.Stats(); st.CloseReasons["too_many_connections"] != 1 {
			t.Fatalf("reasons %v", st.CloseReasons)
		}
	})
	t.Run("blacklist with TTL", func(t *testing.T) {
		rec := newCloseRecorder()
		s := startServer(t, aio.Config{OnBeforeClose: rec.OnBeforeClose, Handler: aio.HandlerFunc(echo)})
		p := dial(t, s)
		p.send("in")
		p.mustRecv("in")
		s.Blacklist("127.0.0.1", 300*time.Millisecond)
		p.expectClosed(5 * time.Second)
		if err := rec.wait(t); !errors.Is(err, aio.ErrBlacklisted) {
			t.Fatalf("open connection closed with %v", err)
		}
		dial(t, s).expectClosed(5 * time.Second)
		if st := s.Stats(); st.CloseReasons["blacklisted"] != 2 {
			t.Fatalf("reasons %v", st.CloseReasons)
		}
		// Once the entry expires, a new connection is served again (each
		// probe before that is refused and counted).
		waitFor(t, "blacklist expiry", func() bool {
			back := dial(t, s)
			back.send("back")
			got, err := back.recv(time.Second)
			back.nc.Close()
			return err == nil && got == "back"
		})
	})
}

func TestIPStatsAndMetrics(t *testing.T) {
	ips := &stat.IPStats{Windows: []time.Duration{time.Minute}}
	s := startServer(t, aio.Config{Handler: aio.HandlerFunc(echo), IPStats: ips})
	p := dial(t, s)
	for i := range 10 {
		p.send(fmt.Sprint("m", i))
		p.mustRecv(fmt.Sprint("m", i))
	}
	bad := dial(t, s)
	bad.nc.Write([]byte{0xff, 0xff, 0xff, 0xff})
	bad.expectClosed(5 * time.Second)
	waitFor(t, "stats", func() bool { return s.Stats().Closed == 1 })

	// Sends are counted after the write returns, which can be after the
	// client read them.
	waitFor(t, "sent packets counted", func() bool {
		w := ips.Snapshot("127.0.0.1")
		return len(w) == 1 && w[0].SentPackets == 10
	})
	w := ips.Snapshot("127.0.0.1")
	if len(w) != 1 || w[0].Accepted != 2 || w[0].ReceivedPackets != 10 || w[0].HandledPackets != 10 || w[0].SentPackets != 10 || w[0].DecodeErrors != 1 || w[0].ReceivedBytes != 10*6+4 {
		t.Fatalf("ip window %+v", w)
	}

	// Scrape /metrics over HTTP and check the figures match the traffic.
	srv := &http.Server{Handler: s.MetricsHandler()}
	ln := listenLoopback(t)
	go srv.Serve(ln)
	defer srv.Close()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels ...string) float64 {
		f := families[name]
		if f == nil {
			t.Fatalf("metric %s missing", name)
		}
	next:
		for _, m := range f.Metric {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.Label {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
		t.Fatalf("metric %s%v missing", name, labels)
		return 0
	}
	if v := value("gotio_messages_received_total", "protocol", "length"); v != 10 {
		t.Fatalf("messages received %v", v)
	}
	if v := value("gotio_connections_closed_total", "reason", "frame_too_large"); v != 1 {
		t.Fatalf("closed by frame_too_large %v", v)
	}
	if v := value("gotio_connections_active", "protocol", "length"); v != 1 {
		t.Fatalf("active %v", v)
	}
	if v := value("gotio_decode_errors_total"); v != 1 {
		t.Fatalf("decode errors %v", v)
	}
}

// TestServeConnSaysWhyItRefused: a connection handed to ServeConn past a
// limit is closed, and ServeConn returns the limit's reason; after
// Shutdown it returns ErrServerClosed.
func TestServeConnSaysWhyItRefused(t *testing.T) {
	s := startServer(t, aio.Config{Handler: aio.HandlerFunc(echo), MaxConns: 1})
	first := dial(t, s)
	first.send("in")
	first.mustRecv("in")
	a, b := net.Pipe()
	defer b.Close()
	if err := s.ServeConn(a); !errors.Is(err, aio.ErrTooManyConns) {
		t.Fatalf("ServeConn past MaxConns: %v, want ErrTooManyConns", err)
	}
	s.Blacklist("pipe", time.Minute) // net.Pipe's address
	first.nc.Close()
	waitFor(t, "the first connection to close", func() bool { return s.Count(aio.All()) == 0 })
	c, d := net.Pipe()
	defer d.Close()
	if err := s.ServeConn(c); !errors.Is(err, aio.ErrBlacklisted) {
		t.Fatalf("ServeConn from a blacklisted address: %v, want ErrBlacklisted", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	e, f := net.Pipe()
	defer f.Close()
	if err := s.ServeConn(e); !errors.Is(err, aio.ErrServerClosed) {
		t.Fatalf("ServeConn after Shutdown: %v, want ErrServerClosed", err)
	}
}

// TestHandlerQueueOverload: with workers, a connection whose messages wait
// beyond HandlerQueueLen for a stuck handler is closed with
// ErrHandlerOverload, and the other connections keep being served.
func TestHandlerQueueOverload(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{Workers: 2, HandlerQueueLen: 4, OnBeforeClose: rec.OnBeforeClose,
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			if string(m.Body) == "stuck" {
				<-release
			}
			_ = c.Send(m)
		})})
	p := dial(t, s)
	var burst []byte
	for range 64 {
		burst = appendFrame(burst, "stuck")
	}
	if _, err := p.nc.Write(burst); err != nil {
		t.Fatal(err)
	}
	if err := rec.wait(t); !errors.Is(err, aio.ErrHandlerOverload) {
		t.Fatalf("closed with %v, want ErrHandlerOverload", err)
	}
	other := dial(t, s)
	other.send("fine")
	other.mustRecv("fine")
	if n := s.Stats().CloseReasons["handler_overload"]; n != 1 {
		t.Fatalf("handler_overload counted %d times", n)
	}
}
