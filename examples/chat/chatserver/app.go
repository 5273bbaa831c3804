package chatserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/stat"
)

// Config says which of chatofpomelo's servers this process runs and where.
// Every field's zero value is stated; the command's flags fill them with
// chatofpomelo's addresses.
type Config struct {
	// Gate is the gate's listen address ("127.0.0.1:3014"). "" runs no
	// gate here.
	Gate string
	// Connectors are the listen addresses of the connectors run here
	// ("127.0.0.1:3050", …). Each is its own aio.Server and its own node
	// on the cluster bus.
	Connectors []string
	// FirstConnector numbers the connectors run here: their node ids are
	// connector-server-<FirstConnector+1>, … Zero starts at 1. A process
	// running only connector 2 of three sets 1.
	FirstConnector int
	// Entries are the connectors' addresses as clients reach them, in
	// dispatch order: what the gate hands out. Nil means the connectors
	// run here, at the addresses they actually got (port 0 works).
	Entries []string
	// Web is the listen address of the page and /metrics
	// ("127.0.0.1:3001"). "" runs no web server.
	Web string
	// PageGate is the gate address the page dials. "" means the gate run
	// here.
	PageGate string
	// NATS is the URL of the NATS server the connectors meet on; each
	// connector has its own client, rooms span processes, unique logins
	// live in a JetStream bucket. "" joins the connectors of this process
	// with cluster.Local, an in-memory directory and roster.
	NATS string
	// Heartbeat is the heartbeat interval pomelo and gotio TCP clients are
	// told; a connection silent for twice as long is closed. Zero means
	// 3 seconds, chatofpomelo's.
	Heartbeat time.Duration
	// IdleTimeout closes a plain WebSocket connection silent this long
	// (they have no heartbeat of their own: a ping frame or any message
	// keeps them open). Zero means 60 seconds.
	IdleTimeout time.Duration
	// OpTimeout bounds one directory or roster operation. Zero means 5
	// seconds.
	OpTimeout time.Duration
	// Logger receives the servers' logs. The zero value logs nothing.
	Logger zerolog.Logger
}

// App is the servers of one process: gate, connectors, web, as Config
// chose. Create it with Start.
type App struct {
	cfg        Config
	wire       *wire
	gate       *aio.Server
	connectors []*Connector
	// The shared bus, directory and roster of in-process connectors
	// (Config.NATS empty).
	local       *cluster.Local
	dirLocal    *cluster.LocalDirectory
	rosterLocal *MemoryRoster
	locksLocal  *MemoryRoomLock
	web         *http.Server
	webLn       net.Listener
	webDone     chan struct{}
	registry    *prometheus.Registry

	wg sync.WaitGroup // leaves in flight
}

// Start starts the servers cfg names and returns once all listen. On error
// whatever started is stopped again.
func Start(ctx context.Context, cfg Config) (a *App, err error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 3 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = 5 * time.Second
	}
	w, err := loadWire()
	if err != nil {
		return nil, err
	}
	a = &App{cfg: cfg, wire: w, registry: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = a.Shutdown(sctx)
			a = nil
		}
	}()
	for i, addr := range cfg.Connectors {
		if err := a.startConnector(ctx, cfg.FirstConnector+i+1, addr); err != nil {
			return a, err
		}
	}
	if cfg.Gate != "" {
		if err := a.startGate(); err != nil {
			return a, err
		}
	}
	if cfg.Web != "" {
		if err := a.startWeb(); err != nil {
			return a, err
		}
	}
	return a, nil
}

// startConnector starts connector number n on addr with its bus.
func (a *App) startConnector(ctx context.Context, n int, addr string) error {
	c := &Connector{app: a, id: "connector-server-" + strconv.Itoa(n)}
	if a.cfg.NATS == "" {
		if a.local == nil {
			a.local = cluster.NewLocal()
			a.dirLocal = cluster.NewLocalDirectory(a.local, cluster.RejectNew)
			a.rosterLocal = NewMemoryRoster()
			a.locksLocal = NewMemoryRoomLock()
		}
		c.bus, c.dir, c.roster, c.rooms = a.local, a.dirLocal, a.rosterLocal, a.locksLocal
	} else {
		bus, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: a.cfg.NATS, App: "chat", Name: "gotio-chat-" + c.id, Logger: a.cfg.Logger})
		if err != nil {
			return err
		}
		c.nats, c.bus = bus, bus
		a.connectors = append(a.connectors, c) // Shutdown closes its bus
		kv, err := bus.SessionBucket(ctx)
		if err != nil {
			return err
		}
		c.dir = cluster.NewDirectory(bus, kv, cluster.RejectNew)
		if c.roster, err = NewKVRoster(ctx, bus); err != nil {
			return err
		}
		// A hold is bounded by OpTimeout; a dead holder's lock goes after
		// twice that.
		if c.rooms, err = NewKVRoomLock(ctx, bus, 2*a.cfg.OpTimeout); err != nil {
			return err
		}
	}
	c.router = c.routes()
	cc, err := a.wire.portCodec(a.cfg.Heartbeat, true, metricsOnly(func() stat.Snapshot { return c.Server().Stats() }))
	if err != nil {
		return err
	}
	c.cfg = aio.Config{
		Codec:            cc,
		Handler:          c.router,
		OnBeforeClose:    c.router.OnBeforeClose,
		Logger:           a.cfg.Logger.With().Str("server", c.id).Logger(),
		HeartbeatTimeout: a.cfg.IdleTimeout,
		// enter and send may wait on NATS: keep them off the event loop.
		Workers: 64,
		Bus:     c.bus,
		NodeID:  c.id,
	}
	if c.nats == nil {
		a.connectors = append(a.connectors, c)
	}
	if err := c.listen(addr); err != nil {
		return err
	}
	a.register(c.id, func() stat.Snapshot { return c.Server().Stats() })
	return nil
}

// startGate starts the gate.
func (a *App) startGate() error {
	router := gateRoutes(a.entries)
	var srv *aio.Server
	cc, err := a.wire.portCodec(a.cfg.Heartbeat, false, metricsOnly(func() stat.Snapshot { return srv.Stats() }))
	if err != nil {
		return err
	}
	srv = aio.NewServer(&aio.Config{
		Codec:            cc,
		Handler:          router,
		OnBeforeClose:    router.OnBeforeClose,
		Logger:           a.cfg.Logger.With().Str("server", "gate-server-1").Logger(),
		HeartbeatTimeout: a.cfg.IdleTimeout,
		NodeID:           "gate-server-1",
	})
	if err := srv.Listen(a.cfg.Gate); err != nil {
		srv.Close()
		return fmt.Errorf("chat: gate: %w", err)
	}
	a.gate = srv
	a.cfg.Logger.Info().Str("server", "gate-server-1").Str("protocols", portProtocols).Msgf("listening on %s", srv.Addr())
	a.register("gate-server-1", srv.Stats)
	return nil
}

// portProtocols is what a gate or connector port speaks, for its
// "listening on" line.
const portProtocols = "gotio-tcp,pomelo-tcp,pomelo-ws,ws-json(" + JSONPath + "),http(/metrics)"

// metricsOnly is the plain HTTP a chat port serves besides its
// WebSockets: its own server's statistics on /metrics, so that each
// process of a split deployment can be scraped.
func metricsOnly(src func() stat.Snapshot) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", stat.Handler(src))
	return mux
}

// register exposes a server's statistics on /metrics, labelled with its id.
func (a *App) register(id string, src func() stat.Snapshot) {
	prometheus.WrapRegistererWith(prometheus.Labels{"server": id}, a.registry).
		MustRegister(stat.NewCollector("gotio", src))
}

// entries returns the addresses the gate hands out.
func (a *App) entries() []string {
	if a.cfg.Entries != nil {
		return a.cfg.Entries
	}
	return a.ConnectorAddrs()
}

// async runs fn on a goroutine Shutdown waits for.
func (a *App) async(fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn()
	}()
}

// GateAddr returns the gate's address, "" when it does not run here.
func (a *App) GateAddr() string {
	if a.gate == nil {
		return ""
	}
	return a.gate.Addr().String()
}

// ConnectorAddrs returns the addresses of the connectors run here.
func (a *App) ConnectorAddrs() []string {
	addrs := make([]string, len(a.connectors))
	for i, c := range a.connectors {
		addrs[i] = c.Addr()
	}
	return addrs
}

// Connectors returns the connectors run here.
func (a *App) Connectors() []*Connector { return a.connectors }

// Gate returns the gate's server, nil when it does not run here.
func (a *App) Gate() *aio.Server { return a.gate }

// WebAddr returns the web server's address, "" when it does not run here.
func (a *App) WebAddr() string {
	if a.webLn == nil {
		return ""
	}
	return a.webLn.Addr().String()
}

// Registry returns the Prometheus registry /metrics serves.
func (a *App) Registry() *prometheus.Registry { return a.registry }

// Shutdown stops the web server, the gate and the connectors (their
// clients hear "shutdown" in their protocol's words), waits for every
// leave, then closes the buses. It returns the first error.
func (a *App) Shutdown(ctx context.Context) error {
	var errs []error
	if a.web != nil {
		errs = append(errs, a.web.Shutdown(ctx))
		<-a.webDone
	}
	if a.gate != nil {
		errs = append(errs, a.gate.Shutdown(ctx))
	}
	var wg sync.WaitGroup
	cerrs := make([]error, len(a.connectors))
	for i, c := range a.connectors {
		if c.Server() == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cerrs[i] = c.shutdown(ctx)
		}()
	}
	wg.Wait()
	errs = append(errs, cerrs...)
	a.wg.Wait()
	for _, c := range a.connectors {
		if c.nats != nil {
			errs = append(errs, c.nats.Close())
		}
	}
	return errors.Join(errs...)
}
