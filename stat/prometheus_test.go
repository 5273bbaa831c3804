package stat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// scrape serves h on a loopback HTTP server, fetches it once in the text
// format and parses the result.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s: %s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return fams
}

// value returns the value of the series of family name whose labels equal
// labels (name=value pairs), failing the test when there is none.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel())*2 != len(labels) {
			continue
		}
		match := true
		for i, l := range m.GetLabel() {
			if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		default:
			t.Fatalf("%s has type %v", name, f.GetType())
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func TestHandlerScrape(t *testing.T) {
	var s Server
	s.Accepted.Add(101)
	s.Active.Add(17)
	s.Rejected.Add(3)
	s.ReceivedBytes.Add(5000)
	s.SentBytes.Add(7000)
	s.Reads.Add(50)
	s.Writes.Add(40)
	s.DecodedPackets.Add(200)
	s.HandledPackets.Add(199)
	s.SentPackets.Add(300)
	s.HandleNanos.Add(2_500_000_000)
	s.HeartbeatTimeouts.Add(4)
	s.DecodeErrors.Add(6)
	s.RateLimited.Add(8)
	s.BusErrors.Add(9)
	s.CloseReason("heartbeat_timeout").Add(4)
	s.CloseReason("peer_closed").Add(80)
	ws := s.Protocol("websocket")
	ws.Active.Add(10)
	ws.Accepted.Add(60)
	ws.MessagesIn.Add(120)
	ws.MessagesOut.Add(180)
	ws.BytesIn.Add(3000)
	ws.BytesOut.Add(4000)
	tcp := s.Protocol("tcp")
	tcp.Active.Add(7)
	tcp.Accepted.Add(41)
	tcp.MessagesIn.Add(80)

	// Sessions is a figure the server fills in its Stats (aio), not a
	// counter of stat.Server.
	fams := scrape(t, Handler(func() Snapshot { snap := s.Snapshot(); snap.Sessions = 5; return snap }))
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"gotio_server_connections_active", nil, 17},
		{"gotio_server_connections_accepted_total", nil, 101},
		{"gotio_sessions_active", nil, 5},
		{"gotio_connections_rejected_total", nil, 3},
		{"gotio_connections_active", []string{"protocol", "websocket"}, 10},
		{"gotio_connections_active", []string{"protocol", "tcp"}, 7},
		{"gotio_connections_accepted_total", []string{"protocol", "websocket"}, 60},
		{"gotio_connections_accepted_total", []string{"protocol", "tcp"}, 41},
		{"gotio_connections_closed_total", []string{"reason", "heartbeat_timeout"}, 4},
		{"gotio_connections_closed_total", []string{"reason", "peer_closed"}, 80},
		{"gotio_messages_received_total", []string{"protocol", "websocket"}, 120},
		{"gotio_messages_received_total", []string{"protocol", "tcp"}, 80},
		{"gotio_messages_sent_total", []string{"protocol", "websocket"}, 180},
		{"gotio_messages_sent_total", []string{"protocol", "tcp"}, 0},
		{"gotio_protocol_bytes_received_total", []string{"protocol", "websocket"}, 3000},
		{"gotio_protocol_bytes_sent_total", []string{"protocol", "websocket"}, 4000},
		{"gotio_bytes_received_total", nil, 5000},
		{"gotio_bytes_sent_total", nil, 7000},
		{"gotio_reads_total", nil, 50},
		{"gotio_writes_total", nil, 40},
		{"gotio_packets_decoded_total", nil, 200},
		{"gotio_packets_handled_total", nil, 199},
		{"gotio_packets_sent_total", nil, 300},
		{"gotio_handle_seconds_total", nil, 2.5},
		{"gotio_heartbeat_timeouts_total", nil, 4},
		{"gotio_decode_errors_total", nil, 6},
		{"gotio_rate_limited_total", nil, 8},
		{"gotio_bus_errors_total", nil, 9},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if n := len(fams["gotio_connections_closed_total"].GetMetric()); n != 2 {
		t.Errorf("closed_total has %d series, want 2", n)
	}
	if len(fams) != 24 {
		var names []string
		for n := range fams {
			names = append(names, n)
		}
		t.Errorf("%d metric families, want 24: %v", len(fams), names)
	}

	// A second scrape sees counters move.
	s.ReceivedBytes.Add(1)
	s.CloseReason("kicked").Add(1)
	fams = scrape(t, Handler(s.Snapshot))
	if got := value(t, fams, "gotio_bytes_received_total"); got != 5001 {
		t.Errorf("bytes_received after increment = %v", got)
	}
	if got := value(t, fams, "gotio_connections_closed_total", "reason", "kicked"); got != 1 {
		t.Errorf("closed{kicked} = %v", got)
	}
}

// TestCollectorNamespace checks NewCollector in a registry of the caller's,
// under another namespace, with an invalid-UTF-8 reason that must not
// break the scrape.
func TestCollectorNamespace(t *testing.T) {
	var s Server
	s.Accepted.Add(5)
	s.CloseReason("bad\xff").Add(2)
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector("chat", s.Snapshot))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	if got := value(t, byName, "chat_server_connections_accepted_total"); got != 5 {
		t.Errorf("accepted = %v", got)
	}
	if got := value(t, byName, "chat_connections_closed_total", "reason", "bad\uFFFD"); got != 2 {
		t.Errorf("closed{bad} = %v", got)
	}
	if _, ok := byName["gotio_server_connections_accepted_total"]; ok {
		t.Error("gotio namespace used despite namespace chat")
	}
	// A collector registered twice under one namespace is a conflict the
	// registry must detect, which needs Describe to be complete.
	if err := reg.Register(NewCollector("chat", s.Snapshot)); err == nil {
		t.Error("duplicate collector registered without error")
	}
}
