package cluster

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures a NATS server run inside this process.
type EmbeddedConfig struct {
	// Host is the address to listen on. Zero means 127.0.0.1: an embedded
	// server serves this machine unless told otherwise.
	Host string
	// Port is the client port. Zero means a random free port (the URL
	// says which).
	Port int
	// StoreDir is JetStream's storage directory. Zero means a new
	// temporary directory, removed by Shutdown.
	StoreDir string
	// ServerName names the server in monitoring. Zero means a generated
	// name.
	ServerName string
	// ReadyTimeout bounds the wait for the server to accept clients. Zero
	// means 10 seconds.
	ReadyTimeout time.Duration
}

// Embedded is a NATS server running in this process, with JetStream on
// and its logging off.
type Embedded struct {
	// URL is the address clients connect to (nats://127.0.0.1:port).
	URL string
	// Server is the nats-server instance, for monitoring (Connz,
	// NumSubscriptions).
	Server *server.Server

	tempDir string
}

// StartEmbedded starts a NATS server in this process and returns once it
// accepts clients. Shutdown stops it.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	e := &Embedded{}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 10 * time.Second
	}
	if cfg.StoreDir == "" {
		dir, err := os.MkdirTemp("", "gotio-nats-")
		if err != nil {
			return nil, fmt.Errorf("cluster: embedded NATS store: %w", err)
		}
		cfg.StoreDir, e.tempDir = dir, dir
	}
	opts := &server.Options{
		ServerName: cfg.ServerName,
		Host:       cfg.Host,
		Port:       port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoLog:      true,
		NoSigs:     true,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		e.removeTemp()
		return nil, fmt.Errorf("cluster: embedded NATS: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(cfg.ReadyTimeout) {
		s.Shutdown()
		s.WaitForShutdown()
		e.removeTemp()
		return nil, errors.New("cluster: embedded NATS did not become ready (port in use?)")
	}
	e.Server = s
	e.URL = s.ClientURL()
	return e, nil
}

// Shutdown stops the server, waits for it, and removes its temporary
// store. Safe to call twice.
func (e *Embedded) Shutdown() {
	if e.Server != nil {
		e.Server.Shutdown()
		e.Server.WaitForShutdown()
	}
	e.removeTemp()
}

func (e *Embedded) removeTemp() {
	if e.tempDir != "" {
		_ = os.RemoveAll(e.tempDir)
		e.tempDir = ""
	}
}
