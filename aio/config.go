package aio

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// Transport chooses how a server or client touches sockets.
type Transport string

// The transports. The zero Transport is netpoll where it runs (Linux,
// macOS, BSD) and TransportStd elsewhere.
const (
	// TransportNetpoll runs connections on cloudwego/netpoll's event loop:
	// no goroutine per idle connection.
	TransportNetpoll Transport = "netpoll"
	// TransportStd uses package net with a goroutine per connection. It
	// works everywhere and is the transport for TLS listeners.
	TransportStd Transport = "std"
	// TransportGnet, for servers, runs connections on panjf2000/gnet's
	// event loops, the compact engine for memory-bound deployments: one
	// shared read buffer per loop, nothing per idle connection but its
	// state. Handlers run on the loop unless Config.Workers is set, so a
	// handler that blocks stalls every connection of its loop: give such
	// handlers workers. It serves TCP and Unix listeners (TLS:
	// TransportStd), and is built only with the gotio_gnet build tag
	// (Linux, macOS, BSD); without it Serve fails. An aio/client Client
	// given it dials with netpoll.
	TransportGnet Transport = "gnet"
)

// Config configures a Server. Every field's zero value is a working default
// and its comment says which. A Config must not change after NewServer.
type Config struct {
	// Codec is the wire protocol: codec/tcp, codec/websocket,
	// codec/pomelo, or codec/hybrid for all of them on one port. Nil means
	// codec/tcp, gotio's own protocol.
	Codec codec.Codec
	// Handler receives each decoded message. Nil discards them.
	Handler Handler
	// Workers, when positive, runs the Handler on a pool of that many
	// goroutines shared by every connection (t-io's queue mode): each
	// message is copied onto its connection's queue and handled in order,
	// so a slow or blocking handler never holds the read goroutine or the
	// event loop. A pool for handlers that block on I/O wants hundreds
	// per core (256 * runtime.GOMAXPROCS(0), say). Zero runs the Handler
	// inline on the connection's read goroutine: the lowest latency, and a
	// slow handler delays only its own connection.
	Workers int
	// HandlerQueueLen caps the messages one connection may have waiting
	// for a worker; beyond it the connection closes with
	// ErrHandlerOverload. Zero means 1024.
	HandlerQueueLen int

	// The connection hooks observe the life of the server's connections;
	// nil means none. aio calls them on the goroutine that caused the
	// event (the connection's read goroutine, its flusher, the wheel),
	// never with a gotio lock held; they must return quickly and must not
	// block.

	// OnConnected runs once a connection is accepted, before its first
	// read.
	OnConnected func(c *ChannelContext)
	// OnReceived runs after n bytes were read from the socket.
	OnReceived func(c *ChannelContext, n int)
	// OnDecoded runs for each decoded message, before the handler.
	OnDecoded func(c *ChannelContext, m *codec.Message)
	// OnHandled runs after the handler returned, with its cost.
	OnHandled func(c *ChannelContext, m *codec.Message, cost time.Duration)
	// OnSent runs after n bytes were written to the socket.
	OnSent func(c *ChannelContext, n int)
	// OnBeforeClose runs once per connection, before its socket closes,
	// with the close reason; the connection's bindings are still in place.
	OnBeforeClose func(c *ChannelContext, reason error)
	// OnHeartbeatTimeout runs when c was silent longer than its heartbeat
	// timeout. Returning false vetoes the close; the connection gets a new
	// timeout period. Nil closes.
	OnHeartbeatTimeout func(c *ChannelContext, silent time.Duration) (close bool)

	// Logger receives gotio's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Transport chooses the I/O engine. Zero is netpoll where it runs
	// (Linux, macOS, BSD) and TransportStd elsewhere.
	Transport Transport

	// HeartbeatTimeout closes a connection that sent nothing for this long
	// (sending to it does not count: only inbound traffic proves the peer
	// alive). A value set here wins over any codec's: zero means the
	// codec's own when its handshake announces one (pomelo: twice its
	// heartbeat interval), else 2 minutes; negative disables the check.
	// ChannelContext.SetHeartbeatTimeout overrides both for one
	// connection.
	HeartbeatTimeout time.Duration
	// HandshakeTimeout closes a connection whose protocol handshake has not
	// completed (or that delivered no message, for codecs without one) this
	// long after accept. Zero means 10 seconds; negative disables it.
	HandshakeTimeout time.Duration
	// ReadTimeout bounds the wait for the rest of a frame whose start has
	// arrived. Zero means 30 seconds.
	ReadTimeout time.Duration
	// WriteTimeout bounds a write to a socket that accepts no bytes. Zero
	// means 30 seconds.
	WriteTimeout time.Duration
	// MaxFrameSize is the most bytes aio buffers for one undecoded unit;
	// codecs apply their own (usually smaller) limits from the header.
	// Zero means 32 MiB: room for a WebSocket message of the codec's
	// default 16 MiB limit in one frame, with its header and deflate's
	// worst case.
	MaxFrameSize int
	// WriteQueueBytes caps the bytes queued to one connection and not yet
	// written. A send that would pass it closes the connection with
	// ErrSlowConsumer. Zero means 1 MiB.
	WriteQueueBytes int

	// IPStats, when set, collects per-IP statistics in time windows
	// (t-io's IpStat): accepted connections, bytes, reads, packets,
	// handle cost, decode errors, sent bytes and packets. Nil collects
	// none, which saves a lock per read batch.
	IPStats *stat.IPStats

	// The defences: each breach closes the connection with its own
	// reason, counts it and logs it. Zero values are safe defaults.

	// MaxConns caps open connections. Zero means unlimited.
	MaxConns int
	// MaxConnsPerIP caps open connections from one IP. Zero means
	// unlimited.
	MaxConnsPerIP int
	// MessageRate limits messages per second per connection (token
	// bucket); MessageBurst is the bucket size. Zero means unlimited;
	// MessageBurst zero means MessageRate.
	MessageRate  float64
	MessageBurst int

	// The slow-attack defence is measured in time, as net/http's
	// ReadHeaderTimeout and nginx's minimum body rate are: a unit (a
	// frame, an HTTP upgrade request) whose first byte arrived must be
	// whole within FrameTimeout, and while it arrives the peer must
	// deliver at least MinReadRate bytes per second over every
	// RateWindow. A sender of a byte every few milliseconds passes; one of
	// a byte every few seconds, or a header that never ends, is closed
	// with ErrSlowAttack.

	// FrameTimeout bounds the time from a unit's first byte to its last.
	// Zero means 60 seconds; negative disables the deadline.
	FrameTimeout time.Duration
	// MinReadRate is the least bytes per second a partial unit must grow
	// by, measured over RateWindow. Zero means 64; negative disables the
	// check.
	MinReadRate int
	// RateWindow is the window MinReadRate is measured over. Zero means 5
	// seconds.
	RateWindow time.Duration

	// Bus carries sends to users, groups and everyone on other nodes
	// (package cluster). Nil means this node is alone.
	Bus Bus
	// NodeID names this node on the Bus. Zero means a random id.
	NodeID string
}

const (
	defaultHeartbeatTimeout = 2 * time.Minute
	defaultHandshakeTimeout = 10 * time.Second
	defaultReadTimeout      = 30 * time.Second
	defaultWriteTimeout     = 30 * time.Second
	defaultMaxFrameSize     = 32 << 20
	defaultWriteQueueBytes  = 1 << 20
	defaultHandlerQueueLen  = 1024
	defaultFrameTimeout     = 60 * time.Second
	defaultMinReadRate      = 64
	defaultRateWindow       = 5 * time.Second
)

// settings are what the connection core needs of a server's or a client's
// configuration, with the defaults applied.
type settings struct {
	heartbeat     time.Duration // inbound silence that closes; 0: never
	heartbeatUser bool          // the user chose it: it wins over a codec's
	// clientHeartbeat is a client's heartbeat interval: >0 fixed, 0 the
	// codec's announced one (else a third of the timeout), <0 none.
	clientHeartbeat time.Duration
	handshake       time.Duration // 0: no deadline
	readTimeout     time.Duration
	writeTimeout    time.Duration
	frameTimeout    time.Duration // 0: no deadline
	minReadRate     int           // 0: no check
	rateWindow      time.Duration
	maxFrame        int
	writeQueue      int
	queued          bool // handlers run on the worker pool
	queueLen        int
	workers         int
	msgRate         float64
	msgBurst        int
	ipStats         *stat.IPStats
	transport       Transport
	client          bool
}

// serverSettings applies Config's defaults.
func serverSettings(cfg *Config) settings {
	return settings{
		heartbeat:     orDuration(cfg.HeartbeatTimeout, defaultHeartbeatTimeout),
		heartbeatUser: cfg.HeartbeatTimeout != 0,
		handshake:     orDuration(cfg.HandshakeTimeout, defaultHandshakeTimeout),
		readTimeout:   orDuration(cfg.ReadTimeout, defaultReadTimeout),
		writeTimeout:  orDuration(cfg.WriteTimeout, defaultWriteTimeout),
		frameTimeout:  orDuration(cfg.FrameTimeout, defaultFrameTimeout),
		minReadRate:   orInt(cfg.MinReadRate, defaultMinReadRate),
		rateWindow:    orDuration(cfg.RateWindow, defaultRateWindow),
		maxFrame:      orPositive(cfg.MaxFrameSize, defaultMaxFrameSize),
		writeQueue:    orPositive(cfg.WriteQueueBytes, defaultWriteQueueBytes),
		queued:        cfg.Workers > 0,
		queueLen:      orPositive(cfg.HandlerQueueLen, defaultHandlerQueueLen),
		workers:       cfg.Workers,
		msgRate:       cfg.MessageRate,
		msgBurst:      cfg.MessageBurst,
		ipStats:       cfg.IPStats,
		transport:     cfg.Transport,
	}
}

// orDuration returns d, or def when d is zero, or 0 (disabled) when d < 0.
func orDuration(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// orInt is orDuration for counts.
func orInt(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// orPositive returns n when it is positive, else def.
func orPositive(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}
