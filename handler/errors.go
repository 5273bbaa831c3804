package handler

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// CodeInternal is the code of every failure a handler did not give a code
// of its own: pomelo answers a failed request with {"code": 500}.
const CodeInternal = 500

// Error is a handler failure with the code the client sees. A handler
// returns it (as Error or *Error) to choose the code of the error response
// {"code": Code, "error": Message}; any other error is answered with code
// 500 and the error's text.
type Error struct {
	// Code is the response's "code". Zero means CodeInternal.
	Code int
	// Message is the response's "error"; empty leaves the field out, as
	// pomelo's bare {"code": 500} does.
	Message string
	// Err is the cause, for errors.Is and logs. It is not sent.
	Err error
}

// Error returns Message, or a description of the code when Message is empty.
func (e Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "handler: error code " + strconv.Itoa(e.code())
}

// Unwrap returns the cause.
func (e Error) Unwrap() error { return e.Err }

func (e Error) code() int {
	if e.Code == 0 {
		return CodeInternal
	}
	return e.Code
}

// Errorf returns an Error with code and a formatted message. The message
// wraps its %w operands, so errors.Is still finds them.
func Errorf(code int, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return Error{Code: code, Message: err.Error(), Err: err}
}

var (
	// ErrBadRequest is wrapped by the error a typed handler's route returns
	// when the request body is not the JSON its type expects.
	ErrBadRequest = errors.New("handler: bad request body")
	// ErrNotRequest is returned by Context.Respond for a message that
	// expects no response (a notify, a push, a raw message).
	ErrNotRequest = errors.New("handler: message is not a request: nothing to respond to")
	// ErrResponded is returned by Context.Respond when the request was
	// answered already.
	ErrResponded = errors.New("handler: request already answered")
)

// errPanic answers a request whose handler panicked; the panic's value
// goes to the log, not to the client.
var errPanic = Error{Code: CodeInternal, Message: "internal server error"}

// notFoundPrefix is pomelo's wording for a route without a handler.
const notFoundPrefix = "fail to find handler for "

// errorOf returns the code and message an error is answered with.
func errorOf(err error) (int, string) {
	var e Error
	if errors.As(err, &e) {
		return e.code(), e.Message
	}
	var pe *Error
	if errors.As(err, &pe) && pe != nil {
		return pe.code(), pe.Message
	}
	return CodeInternal, err.Error()
}

// appendErrorBody appends {"code":code,"error":msg}, leaving "error" out
// when msg is empty.
func appendErrorBody(dst []byte, code int, msg string) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	if msg != "" {
		dst = append(dst, `,"error":`...)
		dst = appendJSONString(dst, msg)
	}
	return append(dst, '}')
}

// appendNotFoundBody appends the answer to a request for route, with
// pomelo's wording, without building the message first. 500 is
// CodeInternal.
func appendNotFoundBody(dst []byte, route string) []byte {
	dst = append(dst, `{"code":500,"error":"`+notFoundPrefix...)
	dst = appendJSONText(dst, route)
	return append(dst, `"}`...)
}

const hex = "0123456789abcdef"

// appendJSONString appends s as a JSON string, as encoding/json writes it
// but without HTML escaping: quotes, backslashes and control characters
// escaped, each invalid UTF-8 byte replaced by U+FFFD, and U+2028/U+2029
// escaped so that the text is also a valid JavaScript literal.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONText(dst, s)
	return append(dst, '"')
}

// appendJSONText appends the escaped content of s, without quotes.
func appendJSONText(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}
