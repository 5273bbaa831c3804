package chatserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// pageHandshake is one pomelo handshake a page's WebSocket carried, as
// testdata/browser_cache.js reports it.
type pageHandshake struct {
	URL   string `json:"url"`
	Hello struct {
		Sys struct {
			DictVersion  string `json:"dictVersion"`
			ProtoVersion string `json:"protoVersion"`
		} `json:"sys"`
	} `json:"hello"`
	Reply struct {
		Code int `json:"code"`
		Sys  struct {
			Dict        map[string]int  `json:"dict"`
			DictVersion string          `json:"dictVersion"`
			UseDict     bool            `json:"useDict"`
			Protos      json.RawMessage `json:"protos"`
			UseProto    bool            `json:"useProto"`
		} `json:"sys"`
	} `json:"reply"`
	ReplyBytes int `json:"replyBytes"`
}

// TestBrowserCache: pomelo.js keeps the dictionary and protos in
// localStorage as pomelo's web client does. In headless chromium the
// page's second load announces their versions, the gate's and the
// connector's replies leave them out (and are smaller, counted in
// handshake bytes), and the page still chats; a stale dictionary in
// localStorage gets the real one back.
func TestBrowserCache(t *testing.T) {
	testenv.RequireChromium(t)
	app := startApp(t, "local", nil)
	cmd, stdout, stderr := testenv.NodeCommand(t, "testdata/browser_cache.js", "http://"+app.WebAddr()+"/")
	hang := time.AfterFunc(90*time.Second, func() { _ = cmd.Process.Kill() })
	defer hang.Stop()
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if strings.Contains(stderr.String(), "page error") {
		t.Errorf("the page reported errors:\n%s", stderr)
	}
	// gate and connector handshake of each load, told apart by useDict
	// (chatofpomelo's gate has no dictionary).
	type load struct{ gate, conn pageHandshake }
	var loads []load
	sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			Load       int             `json:"load"`
			Handshakes []pageHandshake `json:"handshakes"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("script line %q: %v", sc.Text(), err)
		}
		var ld load
		n := 0
		for _, h := range l.Handshakes {
			if h.Reply.Code != 200 {
				t.Fatalf("load %d: handshake with %s refused: %+v", l.Load, h.URL, h)
			}
			if h.Reply.Sys.UseDict {
				ld.conn = h
			} else {
				ld.gate = h
			}
			n++
		}
		if n != 2 || ld.gate.ReplyBytes == 0 || ld.conn.ReplyBytes == 0 {
			t.Fatalf("load %d: handshakes %+v, want one with the gate and one with a connector", l.Load, l.Handshakes)
		}
		loads = append(loads, ld)
	}
	if len(loads) != 3 {
		t.Fatalf("%d loads reported:\n%s", len(loads), stdout)
	}
	first, second, third := loads[0], loads[1], loads[2]

	// Load 1: a fresh page. The gate sends the protos; the connector,
	// asked with their version, only the dictionary.
	if first.gate.Hello.Sys.ProtoVersion != "" || first.gate.Hello.Sys.DictVersion != "" {
		t.Errorf("fresh page announced versions to the gate: %+v", first.gate.Hello)
	}
	if first.gate.Reply.Sys.Protos == nil {
		t.Fatalf("the gate's first reply has no protos")
	}
	var pv struct{ Version string }
	_ = json.Unmarshal(first.gate.Reply.Sys.Protos, &pv)
	if first.conn.Hello.Sys.ProtoVersion != pv.Version || pv.Version == "" {
		t.Errorf("connector hello protoVersion %q, gate gave %q", first.conn.Hello.Sys.ProtoVersion, pv.Version)
	}
	if first.conn.Reply.Sys.Dict == nil || first.conn.Reply.Sys.DictVersion == "" || first.conn.Reply.Sys.Protos != nil {
		t.Errorf("connector's first reply: dict %v version %q protos %s", first.conn.Reply.Sys.Dict != nil, first.conn.Reply.Sys.DictVersion, first.conn.Reply.Sys.Protos)
	}

	// Load 2: everything from localStorage.
	for _, h := range []pageHandshake{second.gate, second.conn} {
		if h.Hello.Sys.ProtoVersion != pv.Version || h.Reply.Sys.Protos != nil || h.Reply.Sys.Dict != nil || !h.Reply.Sys.UseProto {
			t.Errorf("second load, %s: hello %+v, reply %+v", h.URL, h.Hello, h.Reply)
		}
	}
	if second.conn.Hello.Sys.DictVersion != first.conn.Reply.Sys.DictVersion {
		t.Errorf("second load announced dictVersion %q, want %q", second.conn.Hello.Sys.DictVersion, first.conn.Reply.Sys.DictVersion)
	}
	if second.gate.ReplyBytes >= first.gate.ReplyBytes || second.conn.ReplyBytes >= first.conn.ReplyBytes {
		t.Errorf("handshake reply bytes did not shrink: gate %d → %d, connector %d → %d",
			first.gate.ReplyBytes, second.gate.ReplyBytes, first.conn.ReplyBytes, second.conn.ReplyBytes)
	}
	t.Logf("handshake reply bytes, first load → second: gate %d → %d, connector %d → %d",
		first.gate.ReplyBytes, second.gate.ReplyBytes, first.conn.ReplyBytes, second.conn.ReplyBytes)

	// Load 3: a stale dictionary is replaced.
	if third.conn.Hello.Sys.DictVersion != "stale" || third.conn.Reply.Sys.Dict == nil ||
		third.conn.Reply.Sys.DictVersion != first.conn.Reply.Sys.DictVersion || third.conn.Reply.Sys.Protos != nil {
		t.Errorf("third load: hello %+v, reply dict %v version %q protos %s", third.conn.Hello, third.conn.Reply.Sys.Dict != nil,
			third.conn.Reply.Sys.DictVersion, third.conn.Reply.Sys.Protos)
	}
}
