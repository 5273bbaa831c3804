package main

import (
	"strings"
	"testing"
)

func verdicts(ts []target) map[string]target {
	m := map[string]target{}
	for _, t := range ts {
		m[t.name] = t
	}
	return m
}

func TestTargetsMetNotMetAndMissing(t *testing.T) {
	rs := []result{
		{Case: "tcp-idle", Server: "gotio", Round: 1, KiBPerConn: 5.2},
		{Case: "tcp-idle", Server: "netpoll-tuned", Round: 1, KiBPerConn: 5.0},
		{Case: "tcp-idle", Server: "gotio-gnet", Round: 1, KiBPerConn: 1.6},
		{Case: "ws-idle", Server: "gotio", Round: 1, KiBPerConn: 6.7},
		{Case: "ws-idle", Server: "gotio-gnet", Round: 1, KiBPerConn: 1.9},
		{Case: "tcp-echo", Server: "gotio", Round: 1, SrvCPUus: 7},
		{Case: "tcp-echo", Server: "netpoll", Round: 1, SrvCPUus: 6.5},
		{Case: "tcp-echo", Server: "gotio-gnet", Round: 1, SrvCPUus: 7},
		{Case: "tcp-echo", Server: "nbio", Round: 1, SrvCPUus: 8},
		// A failed round only: the target is not decided by this run.
		{Case: "tcp-echo-pipelined", Server: "gotio", Round: 1, Error: "boom"},
		{Case: "tcp-echo-pipelined", Server: "netpoll", Round: 1, SrvCPUus: 1},
		// The unpinned variant must not decide a target.
		{Case: "ws-echo-unpinned", Server: "gotio-gnet", Round: 1, SrvCPUus: 1},
		{Case: "ws-echo-unpinned", Server: "nbio", Round: 1, SrvCPUus: 2},
		{Case: "cluster-bcast", Server: "single-5000", Round: 1, Rate: 200, Nodes: 1, Conns: 5000},
		{Case: "cluster-bcast", Server: "single-15000", Round: 1, Rate: 200, Nodes: 1, Conns: 15000},
		{Case: "cluster-bcast", Server: "single-15000", Round: 2, Rate: 600, Nodes: 1, Conns: 15000},
		{Case: "cluster-bcast", Server: "embedded", Round: 1, Rate: 1400, Nodes: 3, Conns: 5000, NATSIn: 1, NATSOut: 3},
		{Case: "cluster-bcast", Server: "external", Round: 1, Rate: 100, Nodes: 3, Conns: 5000, NATSIn: 1, NATSOut: 5000},
	}
	v := verdicts(targets(aggregate(rs)))
	want := map[string]string{
		"idle TCP at 10,000: gotio ≤ tuned raw netpoll (TCP) + 0.3 KiB":           "met",
		"idle WebSocket at 10,000: gotio ≤ tuned raw netpoll (TCP) + 0.3 KiB":     "not met",
		"idle pomelo at 10,000: gotio ≤ tuned raw netpoll (TCP) + 0.3 KiB":        "not in this run",
		"idle TCP at 10,000: gotio-gnet ≤ 1.5 KiB":                                "not met",
		"idle WebSocket at 10,000: gotio-gnet ≤ 2.0 KiB":                          "met",
		"echo server CPU per message, ping-pong: gotio ≤ netpoll":                 "not met",
		"echo server CPU per message, pipelined: gotio ≤ netpoll":                 "not in this run",
		"echo server CPU per message, ping-pong: gotio-gnet ≤ nbio":               "met",
		"echo server CPU per message, WebSocket: gotio-gnet ≤ nbio":               "not in this run",
		"cluster (embedded NATS): deliveries/s ≥ 0.7× single node":                "met",
		"cluster (external NATS): deliveries/s ≥ 0.7× single node":                "not met",
		"cluster (embedded NATS): NATS messages per push ≤ nodes holding members": "met",
		"cluster (external NATS): NATS messages per push ≤ nodes holding members": "not met",
	}
	for name, w := range want {
		got, ok := v[name]
		if !ok {
			t.Errorf("no target %q", name)
			continue
		}
		if got.verdict() != w {
			t.Errorf("%s: %s (%s), want %s", name, got.verdict(), got.measured, w)
		}
	}
	if m := v["cluster (embedded NATS): deliveries/s ≥ 0.7× single node"].measured; !strings.Contains(m, "single-15000") || !strings.Contains(m, "3.50×") {
		t.Errorf("cluster ratio is not against the faster single node, single-15000 (median 400): %q", m)
	}
}

func TestClusterRefIsTheFasterSuccessfulSingle(t *testing.T) {
	aggs := aggregate([]result{
		{Case: "cluster-bcast", Server: "single-5000", Round: 1, Rate: 400, Nodes: 1, Conns: 5000},
		{Case: "cluster-bcast", Server: "single-15000", Round: 1, Error: "timed out", Conns: 15000},
		{Case: "cluster-bcast", Server: "single-20000", Round: 1, Rate: 300, Nodes: 1, Conns: 20000},
		{Case: "cluster-bcast", Server: "embedded", Round: 1, Rate: 900, Nodes: 3, Conns: 5000},
	})["cluster-bcast"]
	if got := clusterRef(aggs); got != "single-5000" {
		t.Fatalf("clusterRef = %q, want single-5000 (the fastest; single-15000 failed)", got)
	}
}

func TestRenderClusterAndUnpinnedSections(t *testing.T) {
	rs := []result{
		{Case: "tcp-echo", Server: "gotio", Round: 1, Rate: 100, SrvCPUus: 2},
		{Case: "tcp-echo-unpinned", Server: "gotio", Round: 1, Rate: 120, SrvCPUus: 3},
		{Case: "tcp-bcast", Server: "gotio", Round: 1, Rate: 1000},
		{Case: "cluster-bcast", Server: "single-15000", Round: 1, Rate: 200, Nodes: 1, Conns: 15000, SendCPUus: 4},
		{Case: "cluster-bcast", Server: "external", NATS: "external", Round: 1, Rate: 700, Nodes: 3, Conns: 5000, SendCPUus: 2, RecvCPUus: 1.5, NATSIn: 1, NATSOut: 3, NATSCPUus: 12},
	}
	out := render(rs, "", "", "")
	for _, want := range []string{
		"### TCP echo, ping-pong, both cores unpinned (`tcp-echo-unpinned`)",
		"| external | 3 × 5,000 | 700 (3.50×) |",
		"| 2.00 | 1.50 | 1.00 / 3.00 | 12 |",
		"| single-15000 | 1 × 15,000 | 200 (1.00×) |",
		"### The targets of issue 16 in this run",
		"| cluster (external NATS): deliveries/s ≥ 0.7× single node | 700 vs 200 (single-15000): 3.50× | met |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The unpinned variant follows its pinned case, before the next case.
	i, j, k := strings.Index(out, "(`tcp-echo`)"), strings.Index(out, "(`tcp-echo-unpinned`)"), strings.Index(out, "(`tcp-bcast`)")
	if !(i < j && j < k) {
		t.Errorf("order tcp-echo %d, tcp-echo-unpinned %d, tcp-bcast %d", i, j, k)
	}
}
