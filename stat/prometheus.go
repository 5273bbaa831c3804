package stat

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// collector turns Snapshots into Prometheus metrics at scrape time.
type collector struct {
	src func() Snapshot

	serverActive, serverAccepted *prometheus.Desc
	sessions                     *prometheus.Desc
	active, accepted             *prometheus.Desc
	rejected, closed             *prometheus.Desc
	msgIn, msgOut                *prometheus.Desc
	protoBytesIn, protoBytesOut  *prometheus.Desc
	counters                     []serverCounter
}

// serverCounter is one unlabelled counter read from a Snapshot.
type serverCounter struct {
	desc  *prometheus.Desc
	value func(*Snapshot) float64
}

// NewCollector returns a prometheus.Collector that calls src at every scrape
// and exposes the Snapshot as the metrics listed in the package
// documentation. namespace prefixes every name; "" means "gotio". Typical
// src: a server's Stats method.
func NewCollector(namespace string, src func() Snapshot) prometheus.Collector {
	if namespace == "" {
		namespace = "gotio"
	}
	name := func(n string) string { return prometheus.BuildFQName(namespace, "", n) }
	proto := []string{"protocol"}
	c := &collector{
		src:            src,
		serverActive:   prometheus.NewDesc(name("server_connections_active"), "Open connections.", nil, nil),
		serverAccepted: prometheus.NewDesc(name("server_connections_accepted_total"), "Connections accepted.", nil, nil),
		sessions:       prometheus.NewDesc(name("sessions_active"), "Open sessions (engine.io) that may outlive a transport.", nil, nil),
		active:         prometheus.NewDesc(name("connections_active"), "Open connections that identified their protocol.", proto, nil),
		accepted:       prometheus.NewDesc(name("connections_accepted_total"), "Connections that identified their protocol.", proto, nil),
		rejected:       prometheus.NewDesc(name("connections_rejected_total"), "Connections refused at accept by a limit.", nil, nil),
		closed:         prometheus.NewDesc(name("connections_closed_total"), "Connections closed, by close reason.", []string{"reason"}, nil),
		msgIn:          prometheus.NewDesc(name("messages_received_total"), "Messages decoded.", proto, nil),
		msgOut:         prometheus.NewDesc(name("messages_sent_total"), "Messages sent.", proto, nil),
		protoBytesIn:   prometheus.NewDesc(name("protocol_bytes_received_total"), "Bytes received, by protocol.", proto, nil),
		protoBytesOut:  prometheus.NewDesc(name("protocol_bytes_sent_total"), "Bytes sent, by protocol.", proto, nil),
	}
	counter := func(n, help string, v func(*Snapshot) float64) {
		c.counters = append(c.counters, serverCounter{prometheus.NewDesc(name(n), help, nil, nil), v})
	}
	counter("bytes_received_total", "Bytes read from sockets.", func(s *Snapshot) float64 { return float64(s.ReceivedBytes) })
	counter("bytes_sent_total", "Bytes written to sockets.", func(s *Snapshot) float64 { return float64(s.SentBytes) })
	counter("reads_total", "Socket reads.", func(s *Snapshot) float64 { return float64(s.Reads) })
	counter("writes_total", "Socket writes.", func(s *Snapshot) float64 { return float64(s.Writes) })
	counter("packets_decoded_total", "Packets decoded.", func(s *Snapshot) float64 { return float64(s.DecodedPackets) })
	counter("packets_handled_total", "Packets the handler finished.", func(s *Snapshot) float64 { return float64(s.HandledPackets) })
	counter("packets_sent_total", "Packets sent.", func(s *Snapshot) float64 { return float64(s.SentPackets) })
	counter("handle_seconds_total", "Time spent in handlers.", func(s *Snapshot) float64 {
		return time.Duration(s.HandleNanos).Seconds()
	})
	counter("heartbeat_timeouts_total", "Connections silent past their heartbeat timeout.", func(s *Snapshot) float64 { return float64(s.HeartbeatTimeouts) })
	counter("pings_total", "Keepalive pings and idle heartbeats sent.", func(s *Snapshot) float64 { return float64(s.Pings) })
	counter("decode_errors_total", "Streams that failed to decode.", func(s *Snapshot) float64 { return float64(s.DecodeErrors) })
	counter("rate_limited_total", "Messages refused by a rate limit.", func(s *Snapshot) float64 { return float64(s.RateLimited) })
	counter("bus_errors_total", "Failed publishes to the cluster bus.", func(s *Snapshot) float64 { return float64(s.BusErrors) })
	return c
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.serverActive, c.serverAccepted, c.sessions, c.active, c.accepted, c.rejected, c.closed,
		c.msgIn, c.msgOut, c.protoBytesIn, c.protoBytesOut,
	} {
		ch <- d
	}
	for _, sc := range c.counters {
		ch <- sc.desc
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	ch <- prometheus.MustNewConstMetric(c.serverActive, gauge, float64(s.Active))
	ch <- prometheus.MustNewConstMetric(c.serverAccepted, counter, float64(s.Accepted))
	ch <- prometheus.MustNewConstMetric(c.sessions, gauge, float64(s.Sessions))
	ch <- prometheus.MustNewConstMetric(c.rejected, counter, float64(s.Rejected))
	// Label values are valid UTF-8 (Snapshot sanitises them), so
	// MustNewConstMetric cannot panic on them.
	for reason, n := range s.CloseReasons {
		ch <- prometheus.MustNewConstMetric(c.closed, counter, float64(n), reason)
	}
	for name, p := range s.Protocols {
		ch <- prometheus.MustNewConstMetric(c.active, gauge, float64(p.Active), name)
		ch <- prometheus.MustNewConstMetric(c.accepted, counter, float64(p.Accepted), name)
		ch <- prometheus.MustNewConstMetric(c.msgIn, counter, float64(p.MessagesIn), name)
		ch <- prometheus.MustNewConstMetric(c.msgOut, counter, float64(p.MessagesOut), name)
		ch <- prometheus.MustNewConstMetric(c.protoBytesIn, counter, float64(p.BytesIn), name)
		ch <- prometheus.MustNewConstMetric(c.protoBytesOut, counter, float64(p.BytesOut), name)
	}
	for _, sc := range c.counters {
		ch <- prometheus.MustNewConstMetric(sc.desc, counter, sc.value(&s))
	}
}

// Handler returns an http.Handler serving src's metrics in the Prometheus
// exposition formats, from a registry of its own that holds nothing else
// (no Go runtime or process metrics; register NewCollector in your own
// registry to combine them).
func Handler(src func() Snapshot) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector("", src))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
