package engineio

import (
	"fmt"
	"strconv"

	"github.com/gotio/gotio/codec"
)

// ErrorCode is the code of an engine.io HTTP error body
// ({"code":…,"message":…}), as engine.io@6's Server.errors numbers them.
type ErrorCode int

// Error codes. Each has the message engine.io@6 sends (Message) and an
// HTTP status (Status).
const (
	// CodeUnknownTransport: the transport query parameter names no
	// enabled transport.
	CodeUnknownTransport ErrorCode = 0
	// CodeUnknownSID: the sid names no open session.
	CodeUnknownSID ErrorCode = 1
	// CodeBadHandshakeMethod: a request without sid that is not a GET.
	CodeBadHandshakeMethod ErrorCode = 2
	// CodeBadRequest: anything else wrong with the request (a transport
	// that does not match the session's, a bad Origin header, a WebSocket
	// handshake sent as a plain GET, …).
	CodeBadRequest ErrorCode = 3
	// CodeForbidden: the application refused the handshake.
	CodeForbidden ErrorCode = 4
	// CodeUnsupportedProtocolVersion: EIO is not 4.
	CodeUnsupportedProtocolVersion ErrorCode = 5
)

var errorMessages = [...]string{
	CodeUnknownTransport:           "Transport unknown",
	CodeUnknownSID:                 "Session ID unknown",
	CodeBadHandshakeMethod:         "Bad handshake method",
	CodeBadRequest:                 "Bad request",
	CodeForbidden:                  "Forbidden",
	CodeUnsupportedProtocolVersion: "Unsupported protocol version",
}

// Message returns the message engine.io@6 sends with c, or "" for a code
// it does not define.
func (c ErrorCode) Message() string {
	if c >= 0 && int(c) < len(errorMessages) {
		return errorMessages[c]
	}
	return ""
}

// Status returns the HTTP status engine.io@6 answers c with: 403 for
// CodeForbidden, 400 for every other code.
func (c ErrorCode) Status() int {
	if c == CodeForbidden {
		return 403
	}
	return 400
}

// String returns c's message, or its number for an unknown code.
func (c ErrorCode) String() string {
	if m := c.Message(); m != "" {
		return m
	}
	return "engine.io error " + strconv.Itoa(int(c))
}

// ErrorContentType is the Content-Type of an error body.
const ErrorContentType = "application/json"

// AppendErrorBody appends the JSON body of an error response,
// {"code":c,"message":message}, byte for byte as engine.io@6 writes it.
// An empty message stands for c.Message() (engine.io sends a custom
// message only for CodeForbidden, from its allowRequest hook).
func AppendErrorBody(dst []byte, c ErrorCode, message string) []byte {
	if message == "" {
		message = c.Message()
	}
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(c), 10)
	dst = append(dst, `,"message":`...)
	dst = appendJSONString(dst, message)
	return append(dst, '}')
}

// RequestError is a refused engine.io HTTP request: what the session layer
// returns, logs and counts, and renders with AppendErrorBody. It wraps
// codec.ErrProtocol.
type RequestError struct {
	Code ErrorCode
	// Message overrides Code.Message() in the body (CodeForbidden).
	Message string
	// Reason says which rule the request broke, for logs and statistics
	// only ("TRANSPORT_MISMATCH", "POST_OVERLAP", …); it is not sent.
	Reason string
}

// Error says the code's message and the reason.
func (e *RequestError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code.String()
	}
	if e.Reason != "" {
		return fmt.Sprintf("engineio: %s (%s)", msg, e.Reason)
	}
	return "engineio: " + msg
}

// Unwrap returns codec.ErrProtocol.
func (e *RequestError) Unwrap() error { return codec.ErrProtocol }

// Status returns the HTTP status of the response.
func (e *RequestError) Status() int { return e.Code.Status() }

// AppendBody appends the JSON body of the response.
func (e *RequestError) AppendBody(dst []byte) []byte {
	return AppendErrorBody(dst, e.Code, e.Message)
}
