package aio

import (
	"errors"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Reason is why a connection closed. Every close carries one: it is logged,
// counted per Reason in the statistics, handed to Listener.OnBeforeClose and,
// where the protocol can carry it, told to the peer.
//
// Reason values are errors, so callers branch with errors.Is:
//
//	if errors.Is(c.CloseReason(), aio.ErrHeartbeatTimeout) { … }
type Reason struct {
	// Code is the stable, low-cardinality label used in metrics.
	Code string
	msg  string
}

func (r *Reason) Error() string { return r.msg }

// NewReason returns a Reason with a metrics label and a message. Applications
// define their own for their close paths (aio.NewReason("duplicate_login",
// "aio: logged in elsewhere")).
func NewReason(code, msg string) *Reason { return &Reason{Code: code, msg: msg} }

// The close reasons gotio itself uses.
var (
	ErrPeerClosed       = NewReason("peer_closed", "aio: peer closed the connection")
	ErrHeartbeatTimeout = NewReason("heartbeat_timeout", "aio: heartbeat timeout: no inbound traffic")
	ErrHandshakeTimeout = NewReason("handshake_timeout", "aio: handshake not completed in time")
	ErrReadTimeout      = NewReason("read_timeout", "aio: timed out waiting for the rest of a frame")
	ErrSlowConsumer     = NewReason("slow_consumer", "aio: slow consumer: write queue over its byte limit")
	ErrProtocol         = NewReason("protocol_error", "aio: protocol error")
	ErrFrameTooLarge    = NewReason("frame_too_large", "aio: frame larger than the configured maximum")
	ErrWriteFailed      = NewReason("write_error", "aio: write to the socket failed")
	ErrKicked           = NewReason("kicked", "aio: kicked by the server")
	ErrServerShutdown   = NewReason("server_shutdown", "aio: server shutting down")
	ErrRemoved          = NewReason("removed", "aio: removed by the application")
	ErrClosedByApp      = NewReason("closed", "aio: closed by the application")
	ErrRateLimited      = NewReason("rate_limited", "aio: message rate limit exceeded")
	ErrBlacklisted      = NewReason("blacklisted", "aio: address is blacklisted")
	ErrTooManyConns     = NewReason("too_many_connections", "aio: connection limit reached")
	ErrTooManyConnsIP   = NewReason("too_many_connections_per_ip", "aio: connection limit per IP reached")
	ErrSlowAttack       = NewReason("slow_attack", "aio: slow attack: a unit arrives too slowly")
	ErrRefused          = NewReason("refused", "aio: refused by the peer")
	ErrHandlerOverload  = NewReason("handler_overload", "aio: handler queue full")
)

// ErrClosed is returned by sends to a connection that is closed or closing.
var ErrClosed = errors.New("aio: connection closed")

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("aio: server closed")

// reasonCode returns the metrics label of any close error.
func reasonCode(err error) string {
	var r *Reason
	if errors.As(err, &r) {
		return r.Code
	}
	return "other"
}

// decodeReason maps a codec's Decode error to a close reason that keeps the
// codec's detail.
//
// A client learns from its codec why the server ended the session: a kick
// becomes ErrKicked, a refused handshake ErrRefused and a shutdown
// ErrServerShutdown, the reasons the reconnect policy decides on.
func decodeReason(err error) error {
	switch {
	case errors.Is(err, codec.ErrPeerKicked):
		return wrapReason(ErrKicked, err)
	case errors.Is(err, codec.ErrPeerRefused):
		return wrapReason(ErrRefused, err)
	case errors.Is(err, codec.ErrPeerShutdown):
		return wrapReason(ErrServerShutdown, err)
	case errors.Is(err, codec.ErrPeerClosed):
		return wrapReason(ErrPeerClosed, err)
	case errors.Is(err, codec.ErrTooLarge):
		return wrapReason(ErrFrameTooLarge, err)
	default:
		return wrapReason(ErrProtocol, err)
	}
}

// reasonError is a Reason with the detail that caused it.
type reasonError struct {
	reason *Reason
	cause  error
}

func (e *reasonError) Error() string { return fmt.Sprintf("%s: %v", e.reason.msg, e.cause) }

// Unwrap lets errors.Is match both the Reason and the codec's error.
func (e *reasonError) Unwrap() []error { return []error{e.reason, e.cause} }

func wrapReason(r *Reason, cause error) error { return &reasonError{reason: r, cause: cause} }

// kickReason is the close reason of ChannelContext.Kick: ErrKicked with the
// application's words, which the peer is told.
func kickReason(words string) error { return wrapReason(ErrKicked, errors.New(words)) }
