package engineio

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// TestServerInterop asks the real npm engine.io@6.6.13 server
// (testdata/server.js, on 127.0.0.1) for a handshake and for each refusal
// it has a code for, and requires AppendOpen and AppendErrorBody to write
// the same bodies with the same statuses (apart from the sid, which is
// random).
func TestServerInterop(t *testing.T) {
	type answer struct {
		Status int
		Type   string
		Body   string
	}
	var ref struct {
		Handshake, UnknownTransport, NoTransport, UnknownSID, BadMethod answer
		WebsocketWithoutUpgrade, Forbidden, EIO3, Post                  answer
		GetOverlap, Parked, AfterOverlap, TooLarge, AfterTooLarge       answer
		SID                                                             string
		Error                                                           string
	}
	out := testenv.Node(t, 20*time.Second, "testdata/server.js")
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if ref.Error != "" {
		t.Fatalf("server.js: %s", ref.Error)
	}

	open := AppendOpen(nil, &Open{SID: ref.SID, Upgrades: []string{"websocket"}, PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second, MaxPayload: 1_000_000})
	if ref.Handshake.Status != 200 || ref.Handshake.Body != string(open) || !strings.HasPrefix(ref.Handshake.Type, "text/plain") {
		t.Errorf("handshake: engine.io answered %d %q %s\n gotio writes %s", ref.Handshake.Status, ref.Handshake.Type, ref.Handshake.Body, open)
	}
	if len(ref.SID) != 20 {
		t.Errorf("engine.io's sid %q is not 20 characters", ref.SID)
	}
	for _, tc := range []struct {
		name string
		got  answer
		e    RequestError
	}{
		{"unknown transport", ref.UnknownTransport, RequestError{Code: CodeUnknownTransport}},
		{"no transport", ref.NoTransport, RequestError{Code: CodeUnknownTransport}},
		{"unknown sid", ref.UnknownSID, RequestError{Code: CodeUnknownSID}},
		{"POST without sid", ref.BadMethod, RequestError{Code: CodeBadHandshakeMethod}},
		{"websocket without upgrade", ref.WebsocketWithoutUpgrade, RequestError{Code: CodeBadRequest, Reason: "TRANSPORT_HANDSHAKE_ERROR"}},
		{"allowRequest refused", ref.Forbidden, RequestError{Code: CodeForbidden, Message: `no "guests"`}},
		{"EIO=3", ref.EIO3, RequestError{Code: CodeUnsupportedProtocolVersion}},
	} {
		body := string(tc.e.AppendBody(nil))
		if tc.got.Status != tc.e.Status() || tc.got.Body != body || tc.got.Type != ErrorContentType {
			t.Errorf("%s: engine.io answered %d %q %s\n gotio writes %d %q %s", tc.name, tc.got.Status, tc.got.Type, tc.got.Body, tc.e.Status(), ErrorContentType, body)
		}
	}
	if ref.Post.Status != 200 || ref.Post.Body != "ok" {
		t.Errorf("POST of a payload: engine.io answered %d %s", ref.Post.Status, ref.Post.Body)
	}

	// The two refusals that are not JSON (docs/protocol-engineio.md, "HTTP
	// errors"): a second GET while one is parked gets an empty 400, the
	// parked one the close packet, and the session is gone; a POST past
	// maxHttpBufferSize gets 413 and the session is gone.
	unknown := string(AppendErrorBody(nil, CodeUnknownSID, ""))
	if ref.GetOverlap.Status != 400 || ref.GetOverlap.Body != "" {
		t.Errorf("GET overlap: engine.io answered %d %q", ref.GetOverlap.Status, ref.GetOverlap.Body)
	}
	if close := string(AppendText(nil, TypeClose, nil)); ref.Parked.Status != 200 || ref.Parked.Body != close {
		t.Errorf("parked GET after the overlap: engine.io answered %d %q, want 200 %q", ref.Parked.Status, ref.Parked.Body, close)
	}
	if ref.AfterOverlap.Body != unknown || ref.AfterTooLarge.Body != unknown {
		t.Errorf("sessions after the refusals: %s / %s, want both closed", ref.AfterOverlap.Body, ref.AfterTooLarge.Body)
	}
	if ref.TooLarge.Status != 413 || ref.TooLarge.Body != "" {
		t.Errorf("POST past maxHttpBufferSize: engine.io answered %d %q", ref.TooLarge.Status, ref.TooLarge.Body)
	}
}
