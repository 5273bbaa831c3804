package aio

import (
	"errors"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Reason is why a connection closed. Every close carries one: it is logged,
// counted per Code in the statistics, handed to Config.OnBeforeClose and
// returned by ChannelContext.Err and Client.Err, and, where the protocol
// can carry it, told to the peer.
//
// Callers branch with errors.Is on the exported reasons below, or on
// codec's errPeerClosed, errProtocol and ErrTooLarge, which the reasons
// for a peer's close, a protocol error and an oversize frame match. Code
// tells the finer cases apart (docs/operations.md lists every one): a
// frame timeout is an ErrSlowAttack with Code "read_timeout", a refusal at
// Limits.MaxConnsPerIP an ErrTooManyConns with Code
// "too_many_connections_per_ip".
//
//	if errors.Is(c.Err(), aio.ErrHeartbeatTimeout) { … }
type Reason struct {
	// Code is the stable, low-cardinality label used in metrics.
	Code   string
	msg    string
	parent error
}

func (r *Reason) Error() string { return r.msg }

// Unwrap returns the broader error r is a case of, or nil.
func (r *Reason) Unwrap() error { return r.parent }

// NewReason returns a Reason with a metrics label and a message. Applications
// define their own for their close paths (aio.NewReason("duplicate_login",
// "aio: logged in elsewhere")).
func NewReason(code, msg string) *Reason { return &Reason{Code: code, msg: msg} }

// caseOf returns a Reason that errors.Is matches to parent too.
func caseOf(parent error, code, msg string) *Reason {
	return &Reason{Code: code, msg: msg, parent: parent}
}

// The close reasons to branch on.
var (
	ErrHeartbeatTimeout = NewReason("heartbeat_timeout", "aio: heartbeat timeout: no inbound traffic")
	ErrHandshakeTimeout = NewReason("handshake_timeout", "aio: handshake not completed in time")
	ErrSlowAttack       = NewReason("slow_attack", "aio: slow attack: a unit arrives too slowly")
	ErrSlowConsumer     = NewReason("slow_consumer", "aio: slow consumer: write queue over its byte limit")
	ErrKicked           = NewReason("kicked", "aio: kicked by the server")
	ErrRefused          = NewReason("refused", "aio: refused by the peer")
	ErrServerClosed     = NewReason("server_shutdown", "aio: server closed")
	ErrClosedByApp      = NewReason("closed", "aio: closed by the application")
	ErrRateLimited      = NewReason("rate_limited", "aio: message rate limit exceeded")
	ErrBlacklisted      = NewReason("blacklisted", "aio: address is blacklisted")
	ErrTooManyConns     = NewReason("too_many_connections", "aio: connection limit reached")
	ErrHandlerOverload  = NewReason("handler_overload", "aio: handler queue full")
)

// The finer reasons, each a case of a broader one.
var (
	errPeerClosed     = caseOf(codec.ErrPeerClosed, "peer_closed", "aio: peer closed the connection")
	errWriteFailed    = caseOf(codec.ErrPeerClosed, "write_error", "aio: write to the socket failed")
	errProtocol       = caseOf(codec.ErrProtocol, "protocol_error", "aio: protocol error")
	errFrameTooLarge  = caseOf(codec.ErrTooLarge, "frame_too_large", "aio: frame larger than the configured maximum")
	errReadTimeout    = caseOf(ErrSlowAttack, "read_timeout", "aio: timed out waiting for the rest of a frame")
	errTooManyConnsIP = caseOf(ErrTooManyConns, "too_many_connections_per_ip", "aio: connection limit per IP reached")
	errRemoved        = caseOf(ErrClosedByApp, "removed", "aio: removed by the application")
)

// ErrClosed is returned by sends to a connection that is closed or closing,
// and by a Client used after Close.
var ErrClosed = errors.New("aio: connection closed")

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
// ErrServerClosed, the reasons the reconnect policy decides on.
func decodeReason(err error) error {
	switch {
	case errors.Is(err, codec.ErrPeerKicked):
		return wrapReason(ErrKicked, err)
	case errors.Is(err, codec.ErrPeerRefused):
		return wrapReason(ErrRefused, err)
	case errors.Is(err, codec.ErrPeerShutdown):
		return wrapReason(ErrServerClosed, err)
	case errors.Is(err, codec.ErrPeerClosed):
		return wrapReason(errPeerClosed, err)
	case errors.Is(err, codec.ErrTooLarge):
		return wrapReason(errFrameTooLarge, err)
	default:
		return wrapReason(errProtocol, err)
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
