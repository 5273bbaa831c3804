package engineio

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gotio/gotio/codec"
)

// Open is the handshake data of the open packet ("0{...}"), the first
// packet a server sends on a new session.
type Open struct {
	// SID is the session id the client names in every later request.
	SID string
	// Upgrades lists the transports the client may upgrade to:
	// ["websocket"] on a polling session, empty on a WebSocket one.
	Upgrades []string
	// PingInterval is how often the server sends a ping.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong.
	PingTimeout time.Duration
	// MaxPayload is the largest polling payload, in bytes, the server
	// accepts; the client batches its packets under it.
	MaxPayload int
}

// Defaults of engine.io@6's server, for reference and for the session
// layer's zero values.
const (
	DefaultPingInterval = 25 * time.Second
	DefaultPingTimeout  = 20 * time.Second
	DefaultMaxPayload   = 1_000_000
)

// AppendOpen appends the open packet announcing o, byte for byte as
// engine.io@6 writes it: "0" and the JSON object with the keys sid,
// upgrades, pingInterval, pingTimeout, maxPayload in that order, the
// durations in whole milliseconds.
func AppendOpen(dst []byte, o *Open) []byte {
	dst = append(dst, '0'+byte(TypeOpen))
	dst = append(dst, `{"sid":`...)
	dst = appendJSONString(dst, o.SID)
	dst = append(dst, `,"upgrades":[`...)
	for i, u := range o.Upgrades {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, u)
	}
	dst = append(dst, `],"pingInterval":`...)
	dst = strconv.AppendInt(dst, o.PingInterval.Milliseconds(), 10)
	dst = append(dst, `,"pingTimeout":`...)
	dst = strconv.AppendInt(dst, o.PingTimeout.Milliseconds(), 10)
	dst = append(dst, `,"maxPayload":`...)
	dst = strconv.AppendInt(dst, int64(o.MaxPayload), 10)
	return append(dst, '}')
}

// ParseOpen decodes the data of an open packet (the JSON after the "0"),
// as a client reads it. Unknown keys are ignored; a missing sid is an
// error.
func ParseOpen(data []byte) (Open, error) {
	var v struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int64    `json:"pingInterval"`
		PingTimeout  int64    `json:"pingTimeout"`
		MaxPayload   int      `json:"maxPayload"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return Open{}, fmt.Errorf("engineio: open packet: %v: %w", err, codec.ErrProtocol)
	}
	if v.SID == "" {
		return Open{}, fmt.Errorf("engineio: open packet without sid: %w", codec.ErrProtocol)
	}
	return Open{
		SID:          v.SID,
		Upgrades:     v.Upgrades,
		PingInterval: time.Duration(v.PingInterval) * time.Millisecond,
		PingTimeout:  time.Duration(v.PingTimeout) * time.Millisecond,
		MaxPayload:   v.MaxPayload,
	}, nil
}
