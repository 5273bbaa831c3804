package websocket

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// decodeChecked feeds in to s as aio would and checks the Decode contract
// on every call. It returns the recorder and the final error.
func decodeChecked(t *testing.T, s codec.Stream, in []byte) (*codectest.Recorder, error) {
	rec := &codectest.Recorder{}
	for calls := 0; len(in) > 0; calls++ {
		if calls > len(in)+10 {
			t.Fatal("no progress")
		}
		n, need, err := s.Decode(in, rec)
		if n < 0 || n > len(in) {
			t.Fatalf("consumed %d of %d", n, len(in))
		}
		if err != nil {
			return rec, err
		}
		if n == 0 {
			if need <= len(in) {
				t.Fatalf("need %d with %d bytes", need, len(in))
			}
			return rec, nil
		}
		in = in[n:]
	}
	return rec, nil
}

var fuzzConfigs = []*Config{
	nil,
	{
		Routes: []Route{
			{Path: "/json", Inner: JSON},
			{Subprotocol: "lp", Inner: lpCodec{}, Binary: true},
			{},
		},
		HTTP:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) }),
		Deflate:        &Deflate{ClientContext: true},
		MaxMessageSize: 4096,
		MaxFragments:   8,
	},
	{Routes: []Route{{Inner: JSON}}, Deflate: &Deflate{}},
}

func FuzzUpgrade(f *testing.F) {
	f.Add([]byte(upgradeReq("/")))
	f.Add([]byte(upgradeReq("/json", "Sec-WebSocket-Protocol: lp, x", "Origin: http://example.com")))
	f.Add([]byte(upgradeReq("/", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10, permessage-deflate")))
	f.Add([]byte("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n"))
	f.Add([]byte("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("GET / HTTP/1.1\nHost: a\n\n"))
	f.Add(append([]byte(upgradeReq("/")), cframe(finBit|opText, []byte("hi"))...))
	f.Add([]byte("\x16\x03\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cfg := range fuzzConfigs {
			s := New(cfg).NewStream(codec.ConnInfo{RemoteAddr: testAddr}).(*Stream)
			rec, _ := decodeChecked(t, s, bytes.Clone(data))
			if len(rec.Handshakes) > 0 && !bytes.HasPrefix(rec.Replies, []byte("HTTP/1.1 101 ")) {
				t.Fatalf("handshaken without a 101: %q", rec.Replies)
			}
			if s.state == stateOpen && s.sess.Load() == nil {
				t.Fatal("open without a session")
			}
		}
	})
}

func FuzzFrames(f *testing.F) {
	z := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00} // "Hello" deflated
	f.Add(cframe(finBit|opText, []byte("hello")), uint16(3))
	f.Add(cat(cframe(opText, []byte("a\xe2")), cframe(finBit|opPing, nil), cframe(finBit|opContinuation, []byte("\x82\xac"))), uint16(9))
	f.Add(cframe(finBit|rsv1Bit|opText, z), uint16(1))
	f.Add(cframe(finBit|opBinary, []byte("\x05hello\x01x")), uint16(0))
	f.Add(cframe(finBit|opText, []byte(`{"id":1,"route":"r","body":{}}`)), uint16(5))
	f.Add(cframe(finBit|opClose, closePayload(1000, "bye")), uint16(4))
	f.Add([]byte{0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, uint16(2))
	f.Add(hframe(finBit|opText, false, []byte("unmasked")), uint16(1))
	f.Add(cat(cframe(finBit|opText, []byte("ok")), hframe(finBit|opPing, false, nil)), uint16(8))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		for _, cfg := range fuzzConfigs {
			extra := []string{"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits", "Sec-WebSocket-Protocol: lp"}
			s, _ := openServer(t, cfg, extra...)
			whole, werr := decodeChecked(t, s, bytes.Clone(data))
			if werr != nil && s.frag != nil {
				t.Fatal("fragment buffer kept after an error")
			}
			// The same bytes in two pieces decode the same way.
			s2, _ := openServer(t, cfg, extra...)
			in := bytes.Clone(data)
			cut := 0
			if len(in) > 0 {
				cut = int(split) % len(in)
			}
			rec := &codectest.Recorder{}
			buf := append([]byte(nil), in[:cut]...)
			var err error
			for _, piece := range [][]byte{nil, in[cut:]} {
				buf = append(buf, piece...)
				var n int
				n, err = codectest.DecodeAll(s2, buf, rec)
				buf = buf[n:]
				if err != nil {
					break
				}
			}
			if (err == nil) != (werr == nil) || !bytes.Equal(rec.Replies, whole.Replies) || len(rec.Messages) != len(whole.Messages) {
				t.Fatalf("split at %d: err %v / %v, %d / %d messages", cut, err, werr, len(rec.Messages), len(whole.Messages))
			}
			for i := range rec.Messages {
				if !bytes.Equal(rec.Messages[i].Body, whole.Messages[i].Body) {
					t.Fatalf("split at %d: message %d differs", cut, i)
				}
			}
		}
	})
}

// FuzzJSON checks the envelope parser against encoding/json.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"id":1,"route":"a.b","body":{"x":[1,"}"]}}`))
	f.Add([]byte(`{"route":"n","body":null}`))
	f.Add([]byte(`{"id":18446744073709551615}`))
	f.Add([]byte(`{"id":-1}`))
	f.Add([]byte(`[{"id":1}]`))
	f.Add([]byte(`{"a":{"id":2},"route":"x","route":"y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m codec.Message
		ok, err := parseEnvelope(data, &m)
		var obj map[string]json.RawMessage
		jerr := json.Unmarshal(data, &obj)
		if ok || err != nil {
			if jerr != nil {
				t.Fatalf("envelope from what encoding/json refuses: %v", jerr)
			}
		}
		if !ok || bytes.IndexByte(data, '\\') >= 0 {
			return // escaped keys are beyond this comparison
		}
		_, hasID := obj["id"]
		_, hasRoute := obj["route"]
		want := map[[2]bool]codec.Kind{{true, true}: codec.Request, {false, true}: codec.Notify, {true, false}: codec.Response}[[2]bool{hasID, hasRoute}]
		if m.Kind != want {
			t.Fatalf("kind %v, want %v", m.Kind, want)
		}
		if body, has := obj["body"]; has && string(body) != "null" && !bytes.Equal(m.Body, body) {
			t.Fatalf("body %q, want %q", m.Body, body)
		}
		var route string
		if hasRoute && json.Unmarshal(obj["route"], &route) == nil && route != m.Route {
			t.Fatalf("route %q, want %q", m.Route, route)
		}
		enc, err := (jsonStream{}).Encode(nil, &m)
		if err != nil || !json.Valid(enc) {
			t.Fatalf("re-encode %q: %v", enc, err)
		}
	})
}
