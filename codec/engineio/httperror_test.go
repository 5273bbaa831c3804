package engineio

import (
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
)

// The bodies engine.io@6's abortRequest writes (server.ts).
func TestErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		code   ErrorCode
		status int
		body   string
	}{
		{CodeUnknownTransport, 400, `{"code":0,"message":"Transport unknown"}`},
		{CodeUnknownSID, 400, `{"code":1,"message":"Session ID unknown"}`},
		{CodeBadHandshakeMethod, 400, `{"code":2,"message":"Bad handshake method"}`},
		{CodeBadRequest, 400, `{"code":3,"message":"Bad request"}`},
		{CodeForbidden, 403, `{"code":4,"message":"Forbidden"}`},
		{CodeUnsupportedProtocolVersion, 400, `{"code":5,"message":"Unsupported protocol version"}`},
	} {
		if got := string(AppendErrorBody(nil, tc.code, "")); got != tc.body {
			t.Errorf("code %d: body %s, want %s", tc.code, got, tc.body)
		}
		if tc.code.Status() != tc.status {
			t.Errorf("code %d: status %d, want %d", tc.code, tc.code.Status(), tc.status)
		}
		e := &RequestError{Code: tc.code, Reason: "R"}
		if string(e.AppendBody(nil)) != tc.body || e.Status() != tc.status || !errors.Is(e, codec.ErrProtocol) {
			t.Errorf("RequestError %d: %s %d", tc.code, e.AppendBody(nil), e.Status())
		}
		if e.Error() != "engineio: "+tc.code.Message()+" (R)" {
			t.Errorf("RequestError.Error() = %q", e.Error())
		}
	}
	e := &RequestError{Code: CodeForbidden, Message: `no "guests"`}
	if got := string(e.AppendBody(nil)); got != `{"code":4,"message":"no \"guests\""}` || e.Error() != `engineio: no "guests"` {
		t.Errorf("custom message: %s / %s", got, e.Error())
	}
	if ErrorCode(9).Message() != "" || ErrorCode(9).String() != "engine.io error 9" || ErrorCode(-1).Message() != "" {
		t.Errorf("unknown code: %q %q", ErrorCode(9).Message(), ErrorCode(9).String())
	}
}
