package aio

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// Transport chooses how a server or client touches sockets.
type Transport string

const (
	// TransportDefault is netpoll where it runs (Linux, macOS, BSD) and
	// TransportStd elsewhere.
	TransportDefault Transport = ""
	// TransportNetpoll runs connections on cloudwego/netpoll's event loop:
	// no goroutine per idle connection.
	TransportNetpoll Transport = "netpoll"
	// TransportStd uses package net with a goroutine per connection. It
	// works everywhere and is the transport for TLS listeners.
	TransportStd Transport = "std"
)

// Config configures a Server. Every field's zero value is a working default
// and its comment says which. A Config must not change after NewServer.
type Config struct {
	// Codec is the wire protocol: codec/tcp, codec/websocket,
	// codec/pomelo, or codec/hybrid for all of them on one port. Required.
	Codec codec.Codec
	// Handler receives each decoded message. Nil discards them.
	Handler Handler
	// HandlerMode is where Handle runs. Zero is HandlerInline.
	HandlerMode HandlerMode
	// Workers is the size of the HandlerQueued worker pool. Zero means
	// 256 per GOMAXPROCS.
	Workers int
	// HandlerQueueLen caps the messages one connection may have waiting in
	// HandlerQueued mode; beyond it the connection closes with
	// ErrHandlerOverload. Zero means 1024.
	HandlerQueueLen int
	// Listener observes connection events. Nil means none.
	Listener Listener
	// Logger receives gotio's logs. The zero value logs nothing.
	Logger zerolog.Logger
	// Transport chooses the I/O engine. Zero is TransportDefault.
	Transport Transport

	// HeartbeatTimeout closes a connection that sent nothing for this long
	// (sending to it does not count: only inbound traffic proves the peer
	// alive). Zero means 2 minutes; negative disables the check. A codec's
	// handshake (pomelo) or ChannelContext.SetHeartbeatTimeout may set a
	// connection's own.
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
	// Zero means 16 MiB.
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

	// Limits are the abuse defences; the zero value is a safe default.
	Limits Limits

	// Bus carries sends to users, groups and everyone on other nodes
	// (package cluster). Nil means this node is alone.
	Bus Bus
	// NodeID names this node on the Bus. Zero means a random id.
	NodeID string
}

// Limits are the server's defences. Each breach closes the connection with
// its own Reason, counts it and logs it.
type Limits struct {
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
	// SlowAttackReads is the number of consecutive partial reads carrying
	// fewer than SlowAttackBytes each after which a connection feeding a
	// frame byte by byte is closed with ErrSlowAttack (t-io's slow-attack
	// detector). Zero means 64 reads; SlowAttackBytes zero means 8 bytes.
	// Negative disables it.
	SlowAttackReads int
	SlowAttackBytes int
}

const (
	defaultHeartbeatTimeout = 2 * time.Minute
	defaultHandshakeTimeout = 10 * time.Second
	defaultReadTimeout      = 30 * time.Second
	defaultWriteTimeout     = 30 * time.Second
	defaultMaxFrameSize     = 16 << 20
	defaultWriteQueueBytes  = 1 << 20
	defaultHandlerQueueLen  = 1024
	defaultSlowAttackReads  = 64
	defaultSlowAttackBytes  = 8
)

// settings is a Config with its defaults applied.
type settings struct {
	Config
	heartbeat time.Duration
	handshake time.Duration
}

func newSettings(cfg *Config) *settings {
	s := &settings{Config: *cfg}
	if s.Listener == nil {
		s.Listener = NopListener{}
	}
	if s.Handler == nil {
		s.Handler = HandlerFunc(func(*ChannelContext, *codec.Message) {})
	}
	s.heartbeat = orDuration(s.HeartbeatTimeout, defaultHeartbeatTimeout)
	s.handshake = orDuration(s.HandshakeTimeout, defaultHandshakeTimeout)
	s.ReadTimeout = orDuration(s.ReadTimeout, defaultReadTimeout)
	s.WriteTimeout = orDuration(s.WriteTimeout, defaultWriteTimeout)
	if s.MaxFrameSize <= 0 {
		s.MaxFrameSize = defaultMaxFrameSize
	}
	if s.WriteQueueBytes <= 0 {
		s.WriteQueueBytes = defaultWriteQueueBytes
	}
	if s.HandlerQueueLen <= 0 {
		s.HandlerQueueLen = defaultHandlerQueueLen
	}
	if s.Limits.SlowAttackReads == 0 {
		s.Limits.SlowAttackReads = defaultSlowAttackReads
	}
	if s.Limits.SlowAttackBytes <= 0 {
		s.Limits.SlowAttackBytes = defaultSlowAttackBytes
	}
	return s
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
