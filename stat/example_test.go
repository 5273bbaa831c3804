package stat_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gotio/gotio/stat"
)

// A Server's counters are bumped on the hot path and read through a
// Snapshot, which also derives batching and handler-cost figures.
func ExampleServer_Snapshot() {
	var s stat.Server
	s.Accepted.Add(2)
	s.Active.Add(2)
	s.Reads.Add(4)
	s.ReceivedBytes.Add(1024)
	s.DecodedPackets.Add(8)
	s.HandledPackets.Add(8)
	s.HandleNanos.Add(8000)
	s.CloseReason("heartbeat_timeout").Add(1)
	s.Protocol("websocket").MessagesIn.Add(8)

	snap := s.Snapshot()
	fmt.Println("bytes per read:", snap.BytesPerRead)
	fmt.Println("packets per read:", snap.PacketsPerRead)
	fmt.Println("handle ns per packet:", snap.HandleNanosPerPacket)
	fmt.Println("closed by heartbeat:", snap.CloseReasons["heartbeat_timeout"])
	fmt.Println("websocket messages in:", snap.Protocols["websocket"].MessagesIn)
	// Output:
	// bytes per read: 256
	// packets per read: 2
	// handle ns per packet: 1000
	// closed by heartbeat: 1
	// websocket messages in: 8
}

// Handler serves the counters on a Prometheus /metrics endpoint. With a
// gotio server: http.Handle("/metrics", stat.Handler(srv.Stats)).
func ExampleHandler() {
	var s stat.Server
	s.Protocol("tcp").Active.Add(3)
	s.ReceivedBytes.Add(4096)

	mux := http.NewServeMux()
	mux.Handle("/metrics", stat.Handler(s.Snapshot))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	resp, err := client.Get(srv.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "gotio_connections_active") || strings.HasPrefix(line, "gotio_bytes_received_total") {
			fmt.Println(line)
		}
	}
	// Output:
	// gotio_bytes_received_total 4096
	// gotio_connections_active{protocol="tcp"} 3
}

// IPStats counts per address over time windows; Top finds the heaviest.
func ExampleIPStats() {
	ips := &stat.IPStats{Windows: []time.Duration{time.Minute}}
	ips.Record("192.0.2.1", stat.Delta{Accepted: 1, ReceivedBytes: 300})
	ips.Record("192.0.2.2", stat.Delta{Accepted: 1, ReceivedBytes: 9000})
	ips.Record("192.0.2.1", stat.Delta{ReceivedBytes: 200, DecodeErrors: 1})

	for _, w := range ips.Top(2, time.Minute, nil) {
		fmt.Println(w.IP, w.ReceivedBytes, "bytes,", w.DecodeErrors, "decode errors")
	}
	// Output:
	// 192.0.2.2 9000 bytes, 0 decode errors
	// 192.0.2.1 500 bytes, 1 decode errors
}
