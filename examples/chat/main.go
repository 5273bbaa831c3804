// Command chat is gotio's showcase: NetEase's chatofpomelo on gotio. By
// default one process runs all of it on chatofpomelo's addresses — the
// gate on 127.0.0.1:3014, three connectors on 127.0.0.1:3050-3052, the web
// page on http://127.0.0.1:3001/ — with an embedded NATS server joining
// the connectors:
//
//	go run ./examples/chat
//
// Every port speaks gotio TCP, pomelo over TCP, pomelo over WebSocket and
// a plain WebSocket JSON envelope (path /json). -role runs one part per
// process, so the same chat spans processes and machines over NATS:
//
//	go run ./examples/chat -role gate -nats-listen 127.0.0.1:4222
//	go run ./examples/chat -role connector -index 0 -nats nats://127.0.0.1:4222
//	go run ./examples/chat -role connector -index 1 -nats nats://127.0.0.1:4222
//	go run ./examples/chat -role connector -index 2 -nats nats://127.0.0.1:4222
//	go run ./examples/chat -role web
//
// docs/chat.md has the routes, the JSON envelope and the topology.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/examples/internal/exlog"
)

// options are the command's flags.
type options struct {
	Role       string
	Gate       string
	Connectors []string
	Index      int
	Web        string
	NATS       string
	NATSListen string
	Heartbeat  time.Duration
	Verbose    bool
	Log        string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Role, "role", "all", "what this process runs: all, gate, connector or web")
	fs.StringVar(&o.Gate, "gate", "127.0.0.1:3014", "the gate's address")
	connectors := fs.String("connectors", "127.0.0.1:3050,127.0.0.1:3051,127.0.0.1:3052", "the connectors' addresses, comma-separated, in dispatch order")
	fs.IntVar(&o.Index, "index", 0, "with -role connector: which of -connectors this process serves (0-based)")
	fs.StringVar(&o.Web, "web", "127.0.0.1:3001", "the web page's address")
	fs.StringVar(&o.NATS, "nats", "", "NATS URL joining the connectors; empty with -role all: an embedded NATS server; \"local\": an in-process bus")
	fs.StringVar(&o.NATSListen, "nats-listen", "", "run an embedded NATS server on this address (host:port) for other processes")
	fs.DurationVar(&o.Heartbeat, "heartbeat", 3*time.Second, "heartbeat interval told to pomelo and gotio TCP clients")
	fs.BoolVar(&o.Verbose, "v", false, "log every connection")
	logFormat := exlog.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.Log = *logFormat
	for _, a := range strings.Split(*connectors, ",") {
		if a = strings.TrimSpace(a); a != "" {
			o.Connectors = append(o.Connectors, a)
		}
	}
	if len(o.Connectors) == 0 {
		return o, errors.New("chat: -connectors lists no address")
	}
	return o, nil
}

// process is what run started: the app and an embedded NATS server.
type process struct {
	app  *chatserver.App
	nats *cluster.Embedded
}

// start starts what o asks for. main calls it; tests call it with
// ports 0.
func start(ctx context.Context, o options, log zerolog.Logger) (*process, error) {
	cfg := chatserver.Config{Heartbeat: o.Heartbeat, Logger: log}
	switch o.Role {
	case "all":
		cfg.Gate, cfg.Connectors, cfg.Web = o.Gate, o.Connectors, o.Web
	case "gate":
		cfg.Gate, cfg.Entries = o.Gate, o.Connectors
	case "connector":
		if o.Index < 0 || o.Index >= len(o.Connectors) {
			return nil, fmt.Errorf("chat: -index %d: -connectors has %d addresses", o.Index, len(o.Connectors))
		}
		cfg.Connectors, cfg.FirstConnector = o.Connectors[o.Index:o.Index+1], o.Index
	case "web":
		cfg.Web, cfg.PageGate = o.Web, o.Gate
	default:
		return nil, fmt.Errorf("chat: -role %q: want all, gate, connector or web", o.Role)
	}
	p := &process{}
	if o.NATSListen != "" || (o.NATS == "" && o.Role == "all") {
		ec := cluster.EmbeddedConfig{}
		if o.NATSListen != "" {
			host, port, err := splitPort(o.NATSListen)
			if err != nil {
				return nil, fmt.Errorf("chat: -nats-listen: %w", err)
			}
			ec.Host, ec.Port = host, port
		}
		e, err := cluster.StartEmbedded(ec)
		if err != nil {
			return nil, err
		}
		p.nats = e
		log.Info().Str("server", "nats").Str("url", e.URL).Msgf("listening on %s", strings.TrimPrefix(e.URL, "nats://"))
	}
	switch {
	case o.NATS == "local":
		if o.Role != "all" {
			p.stopNATS()
			return nil, errors.New("chat: -nats local joins connectors of one process only: use it with -role all")
		}
	case o.NATS != "":
		cfg.NATS = o.NATS
	case p.nats != nil:
		cfg.NATS = p.nats.URL
	case o.Role == "connector":
		return nil, errors.New("chat: -role connector needs -nats (or -nats-listen) to meet the other connectors")
	}
	app, err := chatserver.Start(ctx, cfg)
	if err != nil {
		p.stopNATS()
		return nil, err
	}
	p.app = app
	return p, nil
}

func (p *process) stopNATS() {
	if p.nats != nil {
		p.nats.Shutdown()
	}
}

// shutdown stops the app, then the embedded NATS server.
func (p *process) shutdown(ctx context.Context) error {
	err := p.app.Shutdown(ctx)
	p.stopNATS()
	return err
}

// describe prints where everything is.
func (p *process) describe(w io.Writer) {
	a := p.app
	fmt.Fprintln(w, "gotio chat — chatofpomelo on gotio")
	if addr := a.WebAddr(); addr != "" {
		fmt.Fprintf(w, "  web page:   http://%s/\n  metrics:    http://%s/metrics\n", addr, addr)
	}
	if addr := a.GateAddr(); addr != "" {
		fmt.Fprintf(w, "  gate:       %s  (gotio TCP, pomelo TCP, ws://%s/ pomelo, ws://%s%s JSON)\n", addr, addr, addr, chatserver.JSONPath)
	}
	for _, c := range a.Connectors() {
		fmt.Fprintf(w, "  %s: %s\n", c.ID(), c.Addr())
	}
	if p.nats != nil {
		fmt.Fprintf(w, "  NATS:       %s (embedded)\n", p.nats.URL)
	}
	if gate := a.GateAddr(); gate != "" {
		fmt.Fprintf(w, "join from a terminal: go run ./examples/chat/client -gate %s -name bob -room r1 -proto tcp|pomelo-tcp|ws|pomelo-ws\n", gate)
	}
}

func splitPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	level := zerolog.InfoLevel
	if o.Verbose {
		level = zerolog.DebugLevel
	}
	log, err := exlog.New(os.Stderr, o.Log, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := start(ctx, o, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p.describe(os.Stdout)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "chat: shutdown:", err)
	}
}
