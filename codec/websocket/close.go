package websocket

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Close codes this package sends or names (RFC 6455 section 7.4.1).
const (
	CloseNormal          = 1000 // the purpose of the connection is fulfilled
	CloseGoingAway       = 1001 // server shutdown (Goodbye with shutdown)
	CloseProtocolError   = 1002 // a frame broke RFC 6455
	CloseUnsupportedData = 1003 // the inner codec cannot carry the message
	CloseNoStatus        = 1005 // never sent: a close frame without a code
	CloseInvalidPayload  = 1007 // bad UTF-8, bad compressed data, inner codec error
	ClosePolicyViolation = 1008 // refused by policy
	CloseTooLarge        = 1009 // a message over Config.MaxMessageSize
	CloseInternalError   = 1011 // the server failed
	// CloseKicked is the code of Goodbye when the server closes for a
	// reason other than shutdown (aio's Kick): 4000 is in the range RFC
	// 6455 leaves to applications, so a client can tell a kick from a
	// normal close and decide not to reconnect.
	CloseKicked = 4000
)

// maxCloseReason is the longest reason a close frame carries: the control
// frame limit less the two-byte code.
const maxCloseReason = maxControlPayload - 2

// CloseError is the error Decode returns when a WebSocket connection ends
// with a close frame, whoever sent it. It unwraps to Err, which wraps
// codec.ErrPeerClosed when the peer closed, codec.ErrProtocol when this
// side refused a frame, and codec.ErrTooLarge when a message broke a
// size limit.
type CloseError struct {
	// Code is the close code on the wire: the peer's when the peer closed
	// (CloseNoStatus when its frame had none), else the one this side sent.
	Code int
	// Reason is the close frame's reason text.
	Reason string
	// Err says what happened, wrapping one of codec's sentinel errors.
	Err error
}

// Error describes the close.
func (e *CloseError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("websocket: close %d %q: %v", e.Code, e.Reason, e.Err)
	}
	return fmt.Sprintf("websocket: close %d: %v", e.Code, e.Err)
}

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }

// validCloseCode reports whether a peer may send code in a close frame:
// the registered codes a peer can mean (1000-1003, 1007-1014, not 1004,
// 1005, 1006 or 1015, which are reserved or must not appear on the wire)
// and the ranges for libraries and applications (3000-4999).
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// appendClose appends a close frame with code and reason; code 0 means a
// close frame without a body. reason is cut to fit the frame, on a UTF-8
// boundary.
func appendClose(dst []byte, code int, reason string) []byte {
	dst, start := beginFrame(dst)
	if code != 0 {
		dst = binary.BigEndian.AppendUint16(dst, uint16(code))
		dst = append(dst, truncateReason(reason)...)
	}
	return finishFrame(dst, start, finBit|opClose)
}

// truncateReason makes s a valid close reason: invalid UTF-8 becomes '?'
// (a peer fails the connection on a bad reason) and the text is cut to
// maxCloseReason bytes without splitting a UTF-8 sequence.
func truncateReason(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) <= maxCloseReason {
		return s
	}
	s = s[:maxCloseReason]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
