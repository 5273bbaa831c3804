package pomelo

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0}, {"1.2", "1.2.0", 0}, {"1.10", "1.9", 1}, {"0.0.1", "0.1.0", -1},
		{"v2.1", "2.1.0", 0}, {"0.3.5-release", "0.3.5", 0}, {"2.0.0+build7", "2.0.1", -1},
		{"2", "10", -1}, {"1.x.3", "1.0.3", 0}, {"99999999999999999999999", "1", 1},
	} {
		a, okA := parseVersion(tc.a)
		b, okB := parseVersion(tc.b)
		if !okA || !okB {
			t.Fatalf("parse %q %q: %v %v", tc.a, tc.b, okA, okB)
		}
		if got := compareVersions(a, b); got != tc.want {
			t.Errorf("compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for _, bad := range []string{"", "beta", "v", "x.y", "-1"} {
		if _, ok := parseVersion(bad); ok {
			t.Errorf("parseVersion(%q) ok", bad)
		}
	}
	if err := New(&Config{MinClientVersion: map[string]string{"js-websocket": "latest"}}).Check(); err == nil || !strings.Contains(err.Error(), "latest") {
		t.Fatalf("New with a bad minimum: %v", err)
	}
}

// TestMinClientVersion: older clients get pomelo's {"code":501} and an
// error wrapping ErrOldClient; newer ones, unlisted types and the hook's
// own refusals work as before.
func TestMinClientVersion(t *testing.T) {
	hooked := 0
	c := mustNew(t, &Config{
		MinClientVersion: map[string]string{"js-websocket": "0.1.0", "*": "1.0"},
		OnHandshake: func(info *HandshakeInfo) (int, any) {
			hooked++
			if info.Type == "banned" {
				return CodeOldClient, nil
			}
			if info.Type == "nope" {
				return CodeError, nil
			}
			return CodeOK, nil
		},
	})
	hello := func(sys string) []byte {
		b, _ := AppendPackage(nil, TypeHandshake, []byte(`{"sys":`+sys+`,"user":{}}`))
		return b
	}
	for _, tc := range []struct {
		sys     string
		refused bool
		hook    bool
	}{
		{`{"type":"js-websocket","version":"0.0.1"}`, true, false},
		{`{"type":"js-websocket","version":"0.1.0"}`, false, true},
		{`{"type":"js-websocket","version":"0.10.0"}`, false, true},
		{`{"type":"js-websocket"}`, true, false},
		{`{"type":"js-websocket","version":0.2}`, false, true}, // a number, as rawString reads it
		{`{"type":"unity","version":"0.9.9"}`, true, false},    // "*"
		{`{"type":"unity","version":"1.0.0"}`, false, true},
		{`{"platform":"mac","clientVersion":"2.1"}`, true, false}, // pitaya's fields: no sys.version
		{`{"type":"banned","version":"9"}`, true, true},
	} {
		var rec codectest.Recorder
		before, hooks := c.OldClients(), hooked
		_, err := codectest.DecodeAll(c.NewStream(codec.ConnInfo{}), hello(tc.sys), &rec)
		if tc.refused {
			if !errors.Is(err, ErrOldClient) || !errors.Is(err, ErrRefused) || !errors.Is(err, codec.ErrProtocol) || !strings.Contains(err.Error(), "501") {
				t.Errorf("%s: err %v", tc.sys, err)
			}
			if !bytes.Equal(rec.Replies, []byte("\x01\x00\x00\x0c{\"code\":501}")) {
				t.Errorf("%s: reply %q", tc.sys, rec.Replies)
			}
			if c.OldClients() != before+1 {
				t.Errorf("%s: OldClients %d, was %d", tc.sys, c.OldClients(), before)
			}
		} else if err != nil || !bytes.Contains(rec.Replies, []byte(`"code":200`)) || c.OldClients() != before {
			t.Errorf("%s: err %v reply %q", tc.sys, err, rec.Replies)
		}
		if (hooked > hooks) != tc.hook {
			t.Errorf("%s: hook ran %v, want %v", tc.sys, hooked > hooks, tc.hook)
		}
	}
	// The hook's other codes are not old clients.
	var rec codectest.Recorder
	before := c.OldClients()
	if _, err := codectest.DecodeAll(c.NewStream(codec.ConnInfo{}), hello(`{"type":"nope","version":"5"}`), &rec); !errors.Is(err, ErrRefused) || errors.Is(err, ErrOldClient) || c.OldClients() != before {
		t.Fatalf("500 from the hook: %v, OldClients %d", err, c.OldClients())
	}
}

// TestClientOldClient: a client stream answered 501 ends with an error
// wrapping ErrOldClient and codec.ErrPeerClosed.
func TestClientOldClient(t *testing.T) {
	s := mustNew(t, nil).NewStream(codec.ConnInfo{Client: true})
	var rec codectest.Recorder
	_, err := codectest.DecodeAll(s, codeReply(CodeOldClient), &rec)
	if !errors.Is(err, ErrOldClient) || !errors.Is(err, ErrRefused) || !errors.Is(err, codec.ErrPeerClosed) {
		t.Fatalf("501 on a client stream: %v", err)
	}
	if _, err := codectest.DecodeAll(mustNew(t, nil).NewStream(codec.ConnInfo{Client: true}), codeReply(CodeError), &rec); errors.Is(err, ErrOldClient) || !errors.Is(err, ErrRefused) {
		t.Fatalf("500 on a client stream: %v", err)
	}
}

// FuzzVersion: any two version strings parse without panic and compare
// consistently, and MinClientVersion's check agrees with the comparison.
func FuzzVersion(f *testing.F) {
	for _, seed := range [][2]string{{"1.0.0", "1.0"}, {"0.3.5-release", "v0.3.6"}, {"", "1"}, {"1..2", "1.0.2"}, {"99999999999999999999", "1.x"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		pa, okA := parseVersion(a)
		pb, okB := parseVersion(b)
		if ab, ba := compareVersions(pa, pb), compareVersions(pb, pa); ab != -ba {
			t.Fatalf("compare(%q, %q) = %d but compare(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if !okB {
			return
		}
		m, err := parseMinVersions(map[string]string{"t": b})
		if err != nil {
			t.Fatal(err)
		}
		_, ok := m.check("t", a)
		if want := okA && compareVersions(pa, pb) >= 0; ok != want {
			t.Fatalf("check(%q) against %q = %v, want %v", a, b, ok, want)
		}
	})
}
