package engineio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
)

// rawClient speaks engine.io by hand: net/http for polling, gorilla for
// the WebSocket.
type rawClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newRawClient(t *testing.T, srv *aio.Server) *rawClient {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &rawClient{t: t, base: "http://" + srv.Addr().String() + "/engine.io/", hc: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// do sends a request and returns the status and body.
func (r *rawClient) do(method, query, body string) (int, string) {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.base+"?"+query, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, query, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// handshake opens a polling session and returns its sid.
func (r *rawClient) handshake() string {
	r.t.Helper()
	st, body := r.do("GET", "EIO=4&transport=polling", "")
	if st != 200 || !strings.HasPrefix(body, "0{") {
		r.t.Fatalf("handshake: %d %q", st, body)
	}
	o, err := engineio.ParseOpen([]byte(body[1:]))
	if err != nil {
		r.t.Fatal(err)
	}
	return o.SID
}

func errBody(c engineio.ErrorCode) string { return string(engineio.AppendErrorBody(nil, c, "")) }

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// sessionRecorder is a handler that records the sessions it sees.
type sessionRecorder struct {
	mu   sync.Mutex
	seen map[string]*aio.ChannelContext // body → session
	msgs chan *aio.ChannelContext
}

func newSessionRecorder() *sessionRecorder {
	return &sessionRecorder{seen: map[string]*aio.ChannelContext{}, msgs: make(chan *aio.ChannelContext, 64)}
}

func (h *sessionRecorder) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	h.mu.Lock()
	h.seen[string(m.Body)] = c
	h.mu.Unlock()
	if string(m.Body) == "bind" {
		c.Set("k", "v")
		_ = c.BindUser("u1")
	}
	h.msgs <- c
}

func (h *sessionRecorder) get(body string) *aio.ChannelContext {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[body]
}

func (h *sessionRecorder) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.msgs:
		case <-time.After(3 * time.Second):
			t.Fatal("handler not called")
		}
	}
}

// TestQueuedSendsLeaveWithNextPoll: sends made while no GET is parked wait
// in the session's queue and leave together, joined with the record
// separator, binary as base64, with the next poll.
func TestQueuedSendsLeaveWithNextPoll(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second}, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	if st, body := rc.do("POST", "EIO=4&transport=polling&sid="+sid, "4bind"); st != 200 || body != "ok" {
		t.Fatalf("POST: %d %q", st, body)
	}
	h.wait(t, 1)
	c := h.get("bind")
	for _, m := range []*codec.Message{
		{Kind: codec.Raw, Body: []byte("a")},
		{Kind: codec.Push, Route: "x", Body: []byte("b")},
		{Kind: codec.Raw, Body: []byte{1, 2, 3, 4}, Binary: true},
	} {
		if err := c.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := srv.SendToUser("u1", &codec.Message{Kind: codec.Push, Route: "x", Body: []byte("to user")}); err != nil || n != 1 {
		t.Errorf("SendToUser reached %d", n)
	}
	time.Sleep(50 * time.Millisecond)
	st, body := rc.do("GET", "EIO=4&transport=polling&sid="+sid, "")
	if want := "4a\x1e4b\x1ebAQIDBA==\x1e4to user"; st != 200 || body != want {
		t.Fatalf("poll: %d %q, want %q", st, body, want)
	}
	if c.Protocol() != "engine.io" || c.Get("k") != "v" {
		t.Errorf("session protocol %q, attribute %v", c.Protocol(), c.Get("k"))
	}
}

// TestWriteQueueBoundsPollingSession: a session whose client does not poll
// holds at most WriteQueueBytes; past it the session closes as a slow
// consumer.
func TestWriteQueueBoundsPollingSession(t *testing.T) {
	h := newSessionRecorder()
	eio := &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second}
	srv := newEIOServerWith(t, eio, h, func(c *aio.Config) { c.WriteQueueBytes = 4096 })
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	rc.do("POST", "EIO=4&transport=polling&sid="+sid, "4bind")
	h.wait(t, 1)
	c := h.get("bind")
	big := strings.Repeat("x", 1000)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		err = c.Send(&codec.Message{Kind: codec.Raw, Body: []byte(big)})
	}
	if !errors.Is(err, aio.ErrSlowConsumer) {
		t.Fatalf("sends past the queue cap: %v", err)
	}
	if !waitFor(2*time.Second, func() bool { return errors.Is(c.Err(), aio.ErrSlowConsumer) }) {
		t.Fatalf("close reason %v", c.Err())
	}
	if st, body := rc.do("GET", "EIO=4&transport=polling&sid="+sid, ""); st != 400 || body != errBody(engineio.CodeUnknownSID) {
		t.Errorf("poll of the closed session: %d %s", st, body)
	}
}

// TestPollsStopSessionCloses: a session whose client stops polling is
// closed after pingInterval + pingTimeout, as a heartbeat timeout.
func TestPollsStopSessionCloses(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, nil, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	start := time.Now()
	rc.do("POST", "EIO=4&transport=polling&sid="+sid, "4bind")
	h.wait(t, 1)
	c := h.get("bind")
	if !waitFor(3*time.Second, func() bool { return c.Err() != nil }) {
		t.Fatal("session still open")
	}
	took := time.Since(start)
	// The upper bound leaves a second for a machine under load (the wheel
	// ticks every 100 ms here).
	if lo := testPingInterval + testPingTimeout; took < lo || took > lo+time.Second {
		t.Errorf("closed after %v, want about %v", took, lo)
	}
	if !errors.Is(c.Err(), aio.ErrHeartbeatTimeout) {
		t.Errorf("reason %v", c.Err())
	}
	if !waitFor(time.Second, func() bool { return int(srv.Stats().Sessions) == 0 }) || len(srv.Conns(aio.User("u1"))) != 0 {
		t.Errorf("sessions %d, user bindings %d after the close", int(srv.Stats().Sessions), len(srv.Conns(aio.User("u1"))))
	}
}

// TestPollingHeartbeat: a polling client that answers every ping stays;
// the pings come every pingInterval.
func TestPollingHeartbeat(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, nil, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	q := "EIO=4&transport=polling&sid=" + sid
	rc.do("POST", q, "4bind")
	h.wait(t, 1)
	c := h.get("bind")
	var pings []time.Time
	for len(pings) < 4 {
		st, body := rc.do("GET", q, "")
		if st != 200 {
			t.Fatalf("poll: %d %q", st, body)
		}
		if body == "2" {
			pings = append(pings, time.Now())
			rc.do("POST", q, "3")
		}
	}
	for i := 1; i < len(pings); i++ {
		if d := pings[i].Sub(pings[i-1]); d < testPingInterval-50*time.Millisecond || d > testPingInterval+500*time.Millisecond {
			t.Errorf("ping %d came %v after the one before, want about %v", i, d, testPingInterval)
		}
	}
	if c.Err() != nil {
		t.Fatalf("session closed: %v", c.Err())
	}
}

// TestUpgradeKeepsSession upgrades a polling session to a WebSocket by
// hand: the parked GET is released with a noop, the session (its id,
// attributes, bindings) is the same ChannelContext after, polling with
// its sid is refused, and a session whose WebSocket client never answers
// the pings is closed pingTimeout after an unanswered ping.
func TestUpgradeKeepsSession(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, nil, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	q := "EIO=4&transport=polling&sid=" + sid
	rc.do("POST", q, "4bind")
	h.wait(t, 1)
	before := h.get("bind")

	parked := make(chan string, 1)
	go func() {
		_, body := rc.do("GET", q, "")
		parked <- body
	}()
	time.Sleep(50 * time.Millisecond)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+srv.Addr().String()+"/engine.io/?EIO=4&transport=websocket&sid="+sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	_ = ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "3probe" {
		t.Fatalf("probe answer %q %v", b, err)
	}
	select {
	case body := <-parked:
		if body != "6" && body != "2" { // a ping may have come first
			t.Errorf("parked GET answered %q, want the noop", body)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("parked GET not released")
	}
	_ = ws.WriteMessage(websocket.TextMessage, []byte("5"))
	_ = ws.WriteMessage(websocket.TextMessage, []byte("4after"))
	h.wait(t, 1)
	after := h.get("after")
	if after != before || after.Get("k") != "v" || after.User() != "u1" {
		t.Fatalf("session after the upgrade: %v (before %v), attribute %v, user %q", after, before, after.Get("k"), after.User())
	}
	if st, body := rc.do("GET", q, ""); st != 400 || body != errBody(engineio.CodeBadRequest) {
		t.Errorf("poll after the upgrade: %d %s", st, body)
	}
	if err := after.Send(&codec.Message{Kind: codec.Raw, Body: []byte("over ws")}); err != nil {
		t.Fatal(err)
	}
	// Read until the push; the pings that come are never answered.
	start := time.Now()
	var got []string
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			break
		}
		got = append(got, string(b))
	}
	took := time.Since(start)
	if !contains(got, "4over ws") || !contains(got, "2") {
		t.Errorf("WebSocket messages %q lack the push or a ping", got)
	}
	if !waitFor(time.Second, func() bool { return after.Err() != nil }) || !errors.Is(after.Err(), aio.ErrHeartbeatTimeout) {
		t.Fatalf("session not closed by the missing pong: %v", after.Err())
	}
	if max := testPingInterval + testPingTimeout + time.Second; took > max {
		t.Errorf("closed %v after the upgrade, want under %v", took, max)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBadRequests sends each refusal of the protocol's error list and
// requires its status and JSON body, and that the server goes on serving.
func TestBadRequests(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second, MaxPayload: 100}, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	q := "EIO=4&transport=polling&sid="
	for _, tc := range []struct {
		name, method, query, body string
		status                    int
		code                      engineio.ErrorCode
	}{
		{"unknown transport", "GET", "EIO=4&transport=pigeon", "", 400, engineio.CodeUnknownTransport},
		{"no transport", "GET", "EIO=4", "", 400, engineio.CodeUnknownTransport},
		{"EIO=3", "GET", "EIO=3&transport=polling", "", 400, engineio.CodeUnsupportedProtocolVersion},
		{"no EIO", "GET", "transport=polling", "", 400, engineio.CodeUnsupportedProtocolVersion},
		{"unknown sid", "GET", q + "nope", "", 400, engineio.CodeUnknownSID},
		{"POST handshake", "POST", "EIO=4&transport=polling", "4x", 400, engineio.CodeBadHandshakeMethod},
		{"websocket without upgrade", "GET", "EIO=4&transport=websocket", "", 400, engineio.CodeBadRequest},
		{"JSONP", "GET", "EIO=4&transport=polling&j=0", "", 400, engineio.CodeBadRequest},
		{"wrong method", "PUT", q + sid, "4x", 400, engineio.CodeBadRequest},
	} {
		st, body := rc.do(tc.method, tc.query, tc.body)
		if st != tc.status || body != errBody(tc.code) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, st, body, tc.status, errBody(tc.code))
		}
	}
	// Bad payloads close their session with 400.
	for _, tc := range []struct{ name, body string }{
		{"over maxPayload", "4" + strings.Repeat("x", 200)},
		{"parse error", "4ok\x1e\x1e4"},
		{"unknown packet type", "9"},
	} {
		sid := rc.handshake()
		st, body := rc.do("POST", q+sid, tc.body)
		if st != 400 || body != errBody(engineio.CodeBadRequest) {
			t.Errorf("%s: %d %s", tc.name, st, body)
		}
		if st, body := rc.do("GET", q+sid, ""); st != 400 || body != errBody(engineio.CodeUnknownSID) {
			t.Errorf("%s: session still open: %d %s", tc.name, st, body)
		}
	}
	// An overlapping GET: refused, the parked one gets the close packet,
	// the session is gone.
	sid = rc.handshake()
	parked := make(chan string, 1)
	go func() { _, b := rc.do("GET", q+sid, ""); parked <- b }()
	time.Sleep(50 * time.Millisecond)
	if st, body := rc.do("GET", q+sid, ""); st != 400 || body != errBody(engineio.CodeBadRequest) {
		t.Errorf("GET overlap: %d %s", st, body)
	}
	select {
	case b := <-parked:
		if b != "1" {
			t.Errorf("parked GET after the overlap: %q", b)
		}
	case <-time.After(2 * time.Second):
		t.Error("parked GET not answered")
	}
	// An overlapping POST: a body still arriving when a second POST comes.
	sid = rc.handshake()
	conn, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /engine.io/?%s%s HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n4abc", q, sid)
	time.Sleep(50 * time.Millisecond)
	if st, body := rc.do("POST", q+sid, "4second"); st != 400 || body != errBody(engineio.CodeBadRequest) {
		t.Errorf("POST overlap: %d %s", st, body)
	}
	// A request on another path of the engine.io prefix's port.
	if st, _ := rc.do("GET", "", ""); st != 400 {
		t.Errorf("no query: %d", st)
	}
	// The server still serves.
	sid = rc.handshake()
	if st, body := rc.do("POST", q+sid, "4fine"); st != 200 || body != "ok" {
		t.Errorf("after the bad requests: %d %s", st, body)
	}
	h.wait(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = ctx
}

// TestCORS: by default a foreign Origin is refused (403, code 4) and no
// CORS header is sent; with AnyOrigin the answers carry the origin and a
// preflight is answered 204. The session's stream tells its transport.
func TestCORS(t *testing.T) {
	h := newSessionRecorder()
	same := newEIOServer(t, nil, h)
	anyOrigin := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second, CheckOrigin: engineio.AnyOrigin}, h)
	send := func(srv *aio.Server, method, origin string) *http.Response {
		req, _ := http.NewRequest(method, "http://"+srv.Addr().String()+"/engine.io/?EIO=4&transport=polling", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if r := send(same, "GET", "http://evil.example"); r.StatusCode != 403 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("same origin, foreign Origin: %d %v", r.StatusCode, r.Header)
	}
	if r := send(same, "GET", "http://"+same.Addr().String()); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("same origin: %d %v", r.StatusCode, r.Header)
	}
	if r := send(anyOrigin, "GET", "http://other.example"); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "http://other.example" || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("AnyOrigin: %d %v", r.StatusCode, r.Header)
	}
	if r := send(anyOrigin, "OPTIONS", "http://other.example"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Headers") != "content-type" || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
	rc := newRawClient(t, anyOrigin)
	sid := rc.handshake()
	rc.do("POST", "EIO=4&transport=polling&sid="+sid, "4bind")
	h.wait(t, 1)
	st, ok := h.get("bind").Stream().(engineio.Session)
	if !ok || st.SID() != sid || st.Transport() != "polling" || st.Inner() != nil {
		t.Errorf("session stream %T: %v", h.get("bind").Stream(), ok)
	}
}

// TestShutdownWithSessions: Shutdown answers a parked GET with the close
// packet and does not wait for polls that cannot come any more.
func TestShutdownWithSessions(t *testing.T) {
	srv := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second}, newSessionRecorder())
	rc := newRawClient(t, srv)
	parkedSID, idleSID := rc.handshake(), rc.handshake()
	_ = idleSID // opened, never polled again
	parked := make(chan string, 1)
	go func() { _, b := rc.do("GET", "EIO=4&transport=polling&sid="+parkedSID, ""); parked <- b }()
	if !waitFor(time.Second, func() bool { return int(srv.Stats().Sessions) == 2 }) {
		t.Fatalf("%d sessions", int(srv.Stats().Sessions))
	}
	// The open sessions are on the metrics endpoint too.
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "\ngotio_sessions_active 2\n") {
		t.Errorf("metrics without gotio_sessions_active 2:\n%s", rec.Body.String())
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Shutdown took %v", took)
	}
	select {
	case b := <-parked:
		if b != "1" {
			t.Errorf("parked GET answered %q, want the close packet", b)
		}
	case <-time.After(2 * time.Second):
		t.Error("parked GET not answered")
	}
}
