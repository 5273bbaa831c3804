package main

import (
	"fmt"
	"math"
	"strings"
)

// target is one row of issue 16's met / not met table, computed from a
// run's medians.
type target struct {
	name     string // what is asked
	measured string // the run's figures, or "" when the run lacks them
	met      bool
}

// verdict is what the table says of t.
func (t target) verdict() string {
	switch {
	case t.measured == "":
		return "not in this run"
	case t.met:
		return "met"
	}
	return "not met"
}

// find returns server's medians in case c, or nil when the run has no
// successful round of it.
func find(byCase map[string][]*agg, c, server string) *agg {
	for _, a := range byCase[c] {
		if a.server == server && a.rounds > 0 {
			return a
		}
	}
	return nil
}

// clusterRef is the single-node setup the cluster's deliveries/s is
// compared with: of the single-N setups with a successful round, the one
// with the highest median deliveries/s (the stricter comparison; with the
// same pushes, single-15000 has as many deliveries as three nodes of
// 5,000, single-5000 as many per process).
func clusterRef(aggs []*agg) string {
	best, bestRate := "", math.Inf(-1)
	for _, a := range aggs {
		if strings.HasPrefix(a.server, "single-") && a.rounds > 0 && a.rate > bestRate {
			best, bestRate = a.server, a.rate
		}
	}
	return best
}

// targets computes the rows of issue 16's targets that a run can decide:
// idle memory, echo CPU, and the cluster. The unpinned variants are not
// used: the targets are for the pinned, one-core-each setting.
func targets(byCase map[string][]*agg) []target {
	var ts []target
	kib := func(a *agg) string { return fmt.Sprintf("%.2f KiB", a.kib) }

	tuned := find(byCase, "tcp-idle", "netpoll-tuned")
	for _, x := range []struct{ c, label string }{
		{"tcp-idle", "TCP"}, {"ws-idle", "WebSocket"}, {"pomelo-idle", "pomelo"},
	} {
		t := target{name: fmt.Sprintf("idle %s at 10,000: gotio ≤ tuned raw netpoll (TCP) + 0.3 KiB", x.label)}
		if g := find(byCase, x.c, "gotio"); g != nil && tuned != nil {
			t.measured = fmt.Sprintf("%s vs %.2f + 0.3", kib(g), tuned.kib)
			t.met = g.kib <= tuned.kib+0.3
		}
		ts = append(ts, t)
	}
	for _, x := range []struct {
		c, label string
		limit    float64
	}{{"tcp-idle", "TCP", 1.5}, {"ws-idle", "WebSocket", 2}, {"pomelo-idle", "pomelo", 2}} {
		t := target{name: fmt.Sprintf("idle %s at 10,000: gotio-gnet ≤ %.1f KiB", x.label, x.limit)}
		if g := find(byCase, x.c, "gotio-gnet"); g != nil {
			t.measured = kib(g)
			t.met = g.kib <= x.limit
		}
		ts = append(ts, t)
	}
	for _, x := range []struct{ c, server, peer, label string }{
		{"tcp-echo", "gotio", "netpoll", "ping-pong"},
		{"tcp-echo-pipelined", "gotio", "netpoll", "pipelined"},
		{"tcp-echo", "gotio-gnet", "nbio", "ping-pong"},
		{"tcp-echo-pipelined", "gotio-gnet", "nbio", "pipelined"},
		{"ws-echo", "gotio-gnet", "nbio", "WebSocket"},
	} {
		t := target{name: fmt.Sprintf("echo server CPU per message, %s: %s ≤ %s", x.label, x.server, x.peer)}
		if g, p := find(byCase, x.c, x.server), find(byCase, x.c, x.peer); g != nil && p != nil {
			t.measured = fmt.Sprintf("%.2f vs %.2f µs", g.cpu, p.cpu)
			t.met = g.cpu <= p.cpu
		}
		ts = append(ts, t)
	}
	ref := find(byCase, "cluster-bcast", clusterRef(byCase["cluster-bcast"]))
	for _, setup := range []string{"embedded", "external"} {
		t := target{name: fmt.Sprintf("cluster (%s NATS): deliveries/s ≥ 0.7× single node", setup)}
		a := find(byCase, "cluster-bcast", setup)
		if a != nil && ref != nil && ref.rate > 0 {
			r := a.rate / ref.rate
			t.measured = fmt.Sprintf("%s vs %s (%s): %.2f×", num(a.rate, 0), num(ref.rate, 0), ref.server, r)
			t.met = r >= 0.7
		}
		ts = append(ts, t)
		t = target{name: fmt.Sprintf("cluster (%s NATS): NATS messages per push ≤ nodes holding members", setup)}
		if a != nil && a.nodes > 0 && !math.IsNaN(a.natsOut) {
			t.measured = fmt.Sprintf("%.2f in, %.2f out per push; %d nodes", a.natsIn, a.natsOut, a.nodes)
			t.met = a.natsOut <= float64(a.nodes) && a.natsIn <= 1
		}
		ts = append(ts, t)
	}
	return ts
}

func renderTargets(b *strings.Builder, ts []target) {
	fmt.Fprintln(b, "### The targets of issue 16 in this run")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "Computed from the medians below (pinned rows; the cluster's own setting). "+
		"Why a target is not met is in the hand-written text after this section.")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "| target | this run | met? |")
	fmt.Fprintln(b, "|---|---|---|")
	for _, t := range ts {
		m := t.measured
		if m == "" {
			m = "–"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", t.name, m, t.verdict())
	}
	fmt.Fprintln(b)
}
