package aio

import (
	"errors"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// labelled is a close reason with its metrics label, and the broader
// reason it is a case of.
type labelled struct {
	code   string // the stable, low-cardinality metrics label
	msg    string
	parent error
}

func (r *labelled) Error() string { return r.msg }

// Unwrap returns the broader error r is a case of, or nil.
func (r *labelled) Unwrap() error { return r.parent }

func newReason(code, msg string) *labelled { return &labelled{code: code, msg: msg} }

// caseOf returns a reason that errors.Is matches to parent too.
func caseOf(parent error, code, msg string) *labelled {
	return &labelled{code: code, msg: msg, parent: parent}
}

// The close reasons to branch on: why a connection closed. Every close
// carries one: it is logged, counted under its metrics label in the statistics
// (docs/operations.md lists every label), handed to Config.OnBeforeClose,
// returned by ChannelContext.Err (and by aio/client's Client.Err), and,
// where the protocol can carry it, told to the peer.
//
// Callers branch with errors.Is on the reasons below, or on codec's
// ErrPeerClosed, ErrProtocol and ErrTooLarge, which the reasons for a
// peer's close, a protocol error and an oversize frame match. A finer
// reason matches its broader one and keeps its own label: a frame timeout
// is an ErrSlowAttack labelled "read_timeout", a refusal at
// Config.MaxConnsPerIP an ErrTooManyConns labelled
// "too_many_connections_per_ip", Remove an ErrClosed labelled "removed".
// Any other error given to Close is the reason itself, labelled "other".
//
//	if errors.Is(c.Err(), aio.ErrHeartbeatTimeout) { … }
var (
	ErrHeartbeatTimeout error = newReason("heartbeat_timeout", "aio: heartbeat timeout: no inbound traffic")
	ErrHandshakeTimeout error = newReason("handshake_timeout", "aio: handshake not completed in time")
	ErrSlowAttack       error = newReason("slow_attack", "aio: slow attack: a unit arrives too slowly")
	ErrSlowConsumer     error = newReason("slow_consumer", "aio: slow consumer: write queue over its byte limit")
	ErrKicked           error = newReason("kicked", "aio: kicked by the server")
	ErrServerClosed     error = newReason("server_shutdown", "aio: server closed")
	ErrRateLimited      error = newReason("rate_limited", "aio: message rate limit exceeded")
	ErrBlacklisted      error = newReason("blacklisted", "aio: address is blacklisted")
	ErrTooManyConns     error = newReason("too_many_connections", "aio: connection limit reached")
	ErrHandlerOverload  error = newReason("handler_overload", "aio: handler queue full")
)

// ErrClosed is the reason of a connection the application closed
// (ChannelContext.Close(nil); Remove matches it too), and what sends to a
// connection that is closed or closing return, whatever closed it.
var ErrClosed error = newReason("closed", "aio: connection closed")

// The finer reasons, each a case of a broader one.
var (
	errPeerClosed     = caseOf(codec.ErrPeerClosed, "peer_closed", "aio: peer closed the connection")
	errWriteFailed    = caseOf(codec.ErrPeerClosed, "write_error", "aio: write to the socket failed")
	errProtocol       = caseOf(codec.ErrProtocol, "protocol_error", "aio: protocol error")
	errFrameTooLarge  = caseOf(codec.ErrTooLarge, "frame_too_large", "aio: frame larger than the configured maximum")
	errReadTimeout    = caseOf(ErrSlowAttack, "read_timeout", "aio: timed out waiting for the rest of a frame")
	errTooManyConnsIP = caseOf(ErrTooManyConns, "too_many_connections_per_ip", "aio: connection limit per IP reached")
	errRemoved        = caseOf(ErrClosed, "removed", "aio: removed by the application")
	errRefused        = caseOf(codec.ErrPeerRefused, "refused", "aio: refused by the peer")
)

// reasonCode returns the metrics label of any close error.
func reasonCode(err error) string {
	var r *labelled
	if errors.As(err, &r) {
		return r.code
	}
	return "other"
}

// decodeReason maps a codec's Decode error to a close reason that keeps the
// codec's detail.
//
// A client learns from its codec why the server ended the session: a kick
// becomes ErrKicked, a refused handshake a codec.ErrPeerRefused and a shutdown
// ErrServerClosed, the reasons the reconnect policy decides on.
func decodeReason(err error) error {
	switch {
	case errors.Is(err, codec.ErrPeerKicked):
		return wrapReason(ErrKicked, err)
	case errors.Is(err, codec.ErrPeerRefused):
		return wrapReason(errRefused, err)
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

// reasonError is a reason with the detail that caused it.
type reasonError struct {
	reason error
	cause  error
}

func (e *reasonError) Error() string { return fmt.Sprintf("%s: %v", e.reason, e.cause) }

// Unwrap lets errors.Is match both the reason and the codec's error.
func (e *reasonError) Unwrap() []error { return []error{e.reason, e.cause} }

func wrapReason(r error, cause error) error { return &reasonError{reason: r, cause: cause} }

// kickReason is the close reason of ChannelContext.Kick: ErrKicked with the
// application's words, which the peer is told.
func kickReason(words string) error { return wrapReason(ErrKicked, errors.New(words)) }
