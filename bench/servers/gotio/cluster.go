package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"

	"github.com/gotio/gotio/bench/internal/srvutil"
)

// clusterFlags are the options that put the server on a cluster bus
// (package cluster over NATS), for the cluster benchmark (bench/cmd/cluster).
type clusterFlags struct {
	natsURL string // join this NATS server
	embed   string // run a NATS server in this process on host:port and join it
	node    string // aio.Config.NodeID
	stats   string // serve GET /stats (JSON) on this address
}

// registerClusterFlags defines the cluster flags; call it before
// srvutil.Parse.
func registerClusterFlags() *clusterFlags {
	o := &clusterFlags{}
	flag.StringVar(&o.natsURL, "nats", "", "cluster: join the NATS server at this URL (package cluster's NATS bus)")
	flag.StringVar(&o.embed, "embed-nats", "", "cluster: start a NATS server inside this process on host:port (cluster.StartEmbedded) and join it")
	flag.StringVar(&o.node, "node", "", "cluster: this node's id (aio.Config.NodeID)")
	flag.StringVar(&o.stats, "stats", "", "serve the bus's counters (and the embedded NATS server's) as JSON at http://ADDR/stats; ?flush=1 first waits until the bus's subscriptions are in force")
	return o
}

// nodeStats is what GET /stats answers.
type nodeStats struct {
	Node string        `json:"node"`
	Bus  cluster.Stats `json:"bus"`
	// NATS is the embedded NATS server's message counters (its /varz),
	// present on the node that embeds it.
	NATS *natsCounters `json:"nats,omitempty"`
	// FlushError is set when ?flush=1 could not confirm the subscriptions.
	FlushError string `json:"flush_error,omitempty"`
}

// natsCounters are the fields of nats-server's /varz the benchmark reads.
type natsCounters struct {
	InMsgs        int64  `json:"in_msgs"`
	OutMsgs       int64  `json:"out_msgs"`
	InBytes       int64  `json:"in_bytes"`
	OutBytes      int64  `json:"out_bytes"`
	Subscriptions uint32 `json:"subscriptions"`
}

// attach gives cfg a NATS bus when the flags ask for one, and starts the
// stats endpoint. It registers the bus's and the embedded server's
// shutdown with srvutil.AtExit.
func (o *clusterFlags) attach(cfg *aio.Config) error {
	url := o.natsURL
	var emb *cluster.Embedded
	if o.embed != "" {
		host, p, err := net.SplitHostPort(o.embed)
		if err != nil {
			return fmt.Errorf("gotio: -embed-nats %q: %w", o.embed, err)
		}
		port, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("gotio: -embed-nats %q: port: %w", o.embed, err)
		}
		emb, err = cluster.StartEmbedded(cluster.EmbeddedConfig{Host: host, Port: port, ServerName: o.node})
		if err != nil {
			return err
		}
		srvutil.AtExit(emb.Shutdown)
		url = emb.URL
	}
	var bus *cluster.NATS
	if url != "" {
		var err error
		bus, err = cluster.ConnectNATS(&cluster.NATSConfig{URL: url, Name: o.node, App: "bench"})
		if err != nil {
			return err
		}
		// Runs before the embedded server's shutdown (AtExit runs last
		// registered first).
		srvutil.AtExit(func() { _ = bus.Close() })
		cfg.Bus, cfg.NodeID = bus, o.node
	}
	if o.stats == "" {
		return nil
	}
	ln, err := net.Listen("tcp", o.stats)
	if err != nil {
		return fmt.Errorf("gotio: -stats: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		st := nodeStats{Node: o.node}
		if bus != nil {
			if r.URL.Query().Get("flush") == "1" {
				if err := bus.Flush(5 * time.Second); err != nil {
					st.FlushError = err.Error()
				}
			}
			st.Bus = bus.Stats()
		}
		if emb != nil {
			if v, err := emb.Server.Varz(&server.VarzOptions{}); err == nil {
				st.NATS = &natsCounters{InMsgs: v.InMsgs, OutMsgs: v.OutMsgs, InBytes: v.InBytes, OutBytes: v.OutBytes, Subscriptions: v.Subscriptions}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}
