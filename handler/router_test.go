package handler_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/handler"
)

type echoReq struct {
	Msg string `json:"msg"`
	N   int    `json:"n"`
}

type echoResp struct {
	Msg string `json:"msg"`
	N   int    `json:"n"`
}

// testRouter registers one route per behaviour the table exercises.
func testRouter(notes chan<- string) *handler.Router {
	r := handler.New()
	handler.Handle(r, "test.echo", func(_ *handler.Context, req *echoReq) (*echoResp, error) {
		return &echoResp{Msg: req.Msg, N: req.N + 1}, nil
	})
	handler.Handle(r, "test.coded", func(*handler.Context, *echoReq) (*echoResp, error) {
		return nil, handler.Error{Code: 403, Message: "not your room"}
	})
	handler.Handle(r, "test.codedptr", func(*handler.Context, *echoReq) (*echoResp, error) {
		return nil, fmt.Errorf("wrapped: %w", &handler.Error{Code: 404})
	})
	handler.Handle(r, "test.errorf", func(*handler.Context, *echoReq) (*echoResp, error) {
		return nil, handler.Errorf(409, "room %q is full", "lobby")
	})
	handler.Handle(r, "test.plain", func(*handler.Context, *echoReq) (*echoResp, error) {
		return nil, errors.New("db down")
	})
	handler.Handle(r, "test.panic", func(*handler.Context, *echoReq) (*echoResp, error) {
		panic("boom")
	})
	handler.Handle(r, "test.nil", func(*handler.Context, *echoReq) (*echoResp, error) {
		return nil, nil
	})
	handler.Handle(r, "test.early", func(c *handler.Context, req *echoReq) (*echoResp, error) {
		if err := c.Respond(map[string]string{"early": req.Msg}); err != nil {
			return nil, err
		}
		if err := c.Respond("twice"); !errors.Is(err, handler.ErrResponded) {
			return nil, fmt.Errorf("second Respond: %v", err)
		}
		return &echoResp{Msg: "ignored"}, nil
	})
	handler.Handle(r, "test.respondnotify", func(c *handler.Context, _ *echoReq) (*echoResp, error) {
		notes <- fmt.Sprint(errors.Is(c.Respond("x"), handler.ErrNotRequest))
		return nil, nil
	})
	handler.HandleNotify(r, "test.note", func(c *handler.Context, req *echoReq) error {
		notes <- c.Message().Kind.String() + ":" + req.Msg
		if req.Msg == "fail" {
			return errors.New("note failed")
		}
		return nil
	})
	r.HandleFunc("test.raw", func(_ *handler.Context, m *codec.Message) ([]byte, error) {
		return []byte(strings.ToUpper(string(m.Body))), nil
	})
	r.Fallback(func(c *handler.Context, m *codec.Message) ([]byte, error) {
		notes <- "fallback:" + m.Kind.String() + ":" + string(m.Body)
		return append([]byte("echo "), m.Body...), nil
	})
	return r
}

func TestDispatch(t *testing.T) {
	notes := make(chan string, 16)
	r := testRouter(notes)
	c := liveConn(t, true, nil)
	st := c.Stream().(*recStream)

	req := func(id uint64, route, body string) codec.Message {
		return codec.Message{Kind: codec.Request, ID: id, Route: route, Body: []byte(body)}
	}
	resp := func(id uint64, route, body string) []codec.Message {
		return []codec.Message{{Kind: codec.Response, ID: id, Route: route, Body: []byte(body)}}
	}
	tests := []struct {
		name  string
		in    codec.Message
		want  []codec.Message
		note  string // what the handler reported, "" for nothing
		stats handler.Stats
	}{
		{name: "typed request", in: req(7, "test.echo", `{"msg":"hi","n":1}`),
			want: resp(7, "test.echo", `{"msg":"hi","n":2}`)},
		{name: "typed request, empty body", in: req(8, "test.echo", ``),
			want: resp(8, "test.echo", `{"msg":"","n":1}`)},
		{name: "typed request as notify: no response", in: codec.Message{Kind: codec.Notify, Route: "test.echo", Body: []byte(`{"msg":"hi"}`)}},
		{name: "unknown route", in: req(9, "nope.nope", `{}`),
			want:  resp(9, "nope.nope", `{"code":500,"error":"fail to find handler for nope.nope"}`),
			stats: handler.Stats{NotFound: 1}},
		{name: "unknown route, escaped", in: req(10, "a\"b\\c\n\x01\xff", `{}`),
			want:  resp(10, "a\"b\\c\n\x01\xff", `{"code":500,"error":"fail to find handler for a\"b\\c\n\u0001\ufffd"}`),
			stats: handler.Stats{NotFound: 1}},
		{name: "unknown route, notify", in: codec.Message{Kind: codec.Notify, Route: "nope.nope"},
			stats: handler.Stats{NotFound: 1}},
		{name: "unknown route, push", in: codec.Message{Kind: codec.Push, Route: "nope.nope"},
			stats: handler.Stats{NotFound: 1}},
		{name: "bad JSON", in: req(11, "test.echo", `{"msg":`),
			want:  resp(11, "test.echo", `{"code":500,"error":"bad request body for test.echo: unexpected end of JSON input"}`),
			stats: handler.Stats{Errors: 1}},
		{name: "JSON of the wrong type", in: req(12, "test.echo", `{"n":"one"}`),
			want:  resp(12, "test.echo", `{"code":500,"error":"bad request body for test.echo: json: cannot unmarshal string into Go struct field echoReq.n of type int"}`),
			stats: handler.Stats{Errors: 1}},
		{name: "Error with a code", in: req(13, "test.coded", `{}`),
			want:  resp(13, "test.coded", `{"code":403,"error":"not your room"}`),
			stats: handler.Stats{Errors: 1}},
		{name: "wrapped *Error without a message", in: req(14, "test.codedptr", `{}`),
			want:  resp(14, "test.codedptr", `{"code":404}`),
			stats: handler.Stats{Errors: 1}},
		{name: "Errorf", in: req(15, "test.errorf", `{}`),
			want:  resp(15, "test.errorf", `{"code":409,"error":"room \"lobby\" is full"}`),
			stats: handler.Stats{Errors: 1}},
		{name: "plain error", in: req(16, "test.plain", `{}`),
			want:  resp(16, "test.plain", `{"code":500,"error":"db down"}`),
			stats: handler.Stats{Errors: 1}},
		{name: "panic", in: req(17, "test.panic", `{}`),
			want:  resp(17, "test.panic", `{"code":500,"error":"internal server error"}`),
			stats: handler.Stats{Panics: 1}},
		{name: "panic in a notify", in: codec.Message{Kind: codec.Notify, Route: "test.panic"},
			stats: handler.Stats{Panics: 1}},
		{name: "nil response", in: req(18, "test.nil", ``),
			want: resp(18, "test.nil", `{}`)},
		{name: "Respond early, once", in: req(19, "test.early", `{"msg":"e"}`),
			want: resp(19, "test.early", `{"early":"e"}`)},
		{name: "Respond to a notify", in: codec.Message{Kind: codec.Notify, Route: "test.respondnotify"},
			note: "true"},
		{name: "notify", in: codec.Message{Kind: codec.Notify, Route: "test.note", Body: []byte(`{"msg":"n"}`)},
			note: "notify:n"},
		{name: "notify that fails: no response", in: codec.Message{Kind: codec.Notify, Route: "test.note", Body: []byte(`{"msg":"fail"}`)},
			note: "notify:fail", stats: handler.Stats{Errors: 1}},
		{name: "notify with bad JSON: no response", in: codec.Message{Kind: codec.Notify, Route: "test.note", Body: []byte(`[`)},
			stats: handler.Stats{Errors: 1}},
		{name: "request to a notify route", in: req(20, "test.note", `{"msg":"r"}`),
			want: resp(20, "test.note", `{}`), note: "request:r"},
		{name: "request to a failing notify route", in: req(21, "test.note", `{"msg":"fail"}`),
			want: resp(21, "test.note", `{"code":500,"error":"note failed"}`), note: "request:fail", stats: handler.Stats{Errors: 1}},
		{name: "raw route", in: req(22, "test.raw", `"abc"`),
			want: resp(22, "test.raw", `"ABC"`)},
		{name: "raw message to the fallback", in: codec.Message{Kind: codec.Raw, Body: []byte("ping"), Binary: true},
			want: []codec.Message{{Kind: codec.Raw, Body: []byte("echo ping"), Binary: true}}, note: "fallback:raw:ping"},
		{name: "response to the fallback: no reply", in: codec.Message{Kind: codec.Response, ID: 3, Body: []byte("r")},
			note: "fallback:response:r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := r.Stats()
			r.ServeMessage(c, &tc.in)
			got := st.take()
			if fmt.Sprint(msgs(got)) != fmt.Sprint(msgs(tc.want)) {
				t.Fatalf("sent\n%v\nwant\n%v", msgs(got), msgs(tc.want))
			}
			for _, m := range got {
				if !json.Valid(m.Body) && m.Kind == codec.Response {
					t.Fatalf("response body is not JSON: %q", m.Body)
				}
			}
			select {
			case n := <-notes:
				if n != tc.note {
					t.Fatalf("handler noted %q, want %q", n, tc.note)
				}
			default:
				if tc.note != "" {
					t.Fatalf("handler noted nothing, want %q", tc.note)
				}
			}
			after := r.Stats()
			delta := handler.Stats{NotFound: after.NotFound - before.NotFound, Errors: after.Errors - before.Errors, Panics: after.Panics - before.Panics}
			if delta != tc.stats {
				t.Fatalf("stats changed by %+v, want %+v", delta, tc.stats)
			}
		})
	}
}

// msgs renders messages for comparison and failure output.
func msgs(ms []codec.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s id=%d route=%q body=%s binary=%v", m.Kind, m.ID, m.Route, m.Body, m.Binary)
	}
	return out
}

func TestRawWithoutFallback(t *testing.T) {
	r := handler.New()
	c := liveConn(t, true, nil)
	r.ServeMessage(c, &codec.Message{Kind: codec.Raw, Body: []byte("x")})
	if got := c.Stream().(*recStream).take(); len(got) != 0 {
		t.Fatalf("sent %v", msgs(got))
	}
	if s := r.Stats(); s.NotFound != 1 {
		t.Fatalf("stats %+v, want one not found", s)
	}
	// The zero Router answers requests too.
	var zero handler.Router
	zero.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 1, Route: "a.b"})
	got := c.Stream().(*recStream).take()
	if len(got) != 1 || string(got[0].Body) != `{"code":500,"error":"fail to find handler for a.b"}` {
		t.Fatalf("zero router sent %v", msgs(got))
	}
}

func TestPanicIsLogged(t *testing.T) {
	var log logBuffer
	r := handler.New()
	r.HandleFunc("x.y", func(*handler.Context, *codec.Message) ([]byte, error) { panic("kaboom") })
	c := liveConn(t, true, &log)
	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 1, Route: "x.y"})
	var entry struct {
		Level, Route, Panic, Message, Stack string
	}
	for line := range strings.Lines(log.String()) {
		if strings.Contains(line, `"level":"error"`) {
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Fatalf("log %q: %v", line, err)
			}
		}
	}
	if entry.Level != "error" || entry.Route != "x.y" || entry.Panic != "kaboom" || !strings.Contains(entry.Stack, "router_test.go") {
		t.Fatalf("log entry %+v", entry)
	}
}

func TestMiddleware(t *testing.T) {
	r := handler.New()
	var trace []string
	r.HandleFunc("a.before", func(*handler.Context, *codec.Message) ([]byte, error) {
		trace = append(trace, "a")
		return []byte(`"a"`), nil
	})
	mw := func(name string) handler.Middleware {
		return func(next handler.Func) handler.Func {
			return func(c *handler.Context, m *codec.Message) ([]byte, error) {
				trace = append(trace, name+">")
				body, err := next(c, m)
				trace = append(trace, fmt.Sprintf("<%s %s %v", name, body, err))
				return body, err
			}
		}
	}
	r.Use(mw("outer"), mw("inner"))
	// An auth filter that answers in the handler's place.
	r.Use(func(next handler.Func) handler.Func {
		return func(c *handler.Context, m *codec.Message) ([]byte, error) {
			if c.Session().UID() == "" && m.Route != "a.before" {
				return nil, handler.Error{Code: 401, Message: "log in first"}
			}
			return next(c, m)
		}
	})
	r.HandleFunc("b.after", func(*handler.Context, *codec.Message) ([]byte, error) {
		trace = append(trace, "b")
		return []byte(`"b"`), nil
	})
	c := liveConn(t, true, nil)
	st := c.Stream().(*recStream)

	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 1, Route: "a.before"})
	if want := `[outer> inner> a <inner "a" <nil> <outer "a" <nil>]`; fmt.Sprint(trace) != want {
		t.Fatalf("trace %v, want %s", trace, want)
	}
	trace = nil
	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 2, Route: "b.after"})
	if want := `[outer> inner> <inner  log in first <outer  log in first]`; fmt.Sprint(trace) != want {
		t.Fatalf("trace %v, want %s", trace, want)
	}
	trace = nil
	if err := handler.SessionOf(c).Bind("u1"); err != nil {
		t.Fatal(err)
	}
	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 3, Route: "b.after"})
	if want := `[outer> inner> b <inner "b" <nil> <outer "b" <nil>]`; fmt.Sprint(trace) != want {
		t.Fatalf("trace %v, want %s", trace, want)
	}
	got := fmt.Sprint(msgs(st.take()))
	want := fmt.Sprint(msgs([]codec.Message{
		{Kind: codec.Response, ID: 1, Route: "a.before", Body: []byte(`"a"`)},
		{Kind: codec.Response, ID: 2, Route: "b.after", Body: []byte(`{"code":401,"error":"log in first"}`)},
		{Kind: codec.Response, ID: 3, Route: "b.after", Body: []byte(`"b"`)},
	}))
	if got != want {
		t.Fatalf("sent %s\nwant %s", got, want)
	}
}

func TestRegistration(t *testing.T) {
	r := handler.New()
	if r.Routes() != nil {
		t.Fatalf("empty router has routes %v", r.Routes())
	}
	for _, route := range []string{"connector.entryHandler.enter", "chat.chatHandler.send", "gate.gateHandler.queryEntry", "area.playerHandler.move"} {
		r.HandleFunc(route, func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil })
	}
	handler.HandleNotify(r, "chat.chatHandler.typing", func(*handler.Context, *struct{}) error { return nil })
	want := "[area.playerHandler.move chat.chatHandler.send chat.chatHandler.typing connector.entryHandler.enter gate.gateHandler.queryEntry]"
	if got := fmt.Sprint(r.Routes()); got != want {
		t.Fatalf("Routes() = %s, want %s", got, want)
	}
	mustPanic := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Fatalf("%s did not panic", what)
			}
		}()
		f()
	}
	nop := func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil }
	mustPanic("duplicate route", func() { r.HandleFunc("chat.chatHandler.send", nop) })
	mustPanic("duplicate typed route", func() {
		handler.Handle(r, "chat.chatHandler.typing", func(*handler.Context, *struct{}) (*struct{}, error) { return nil, nil })
	})
	mustPanic("empty route", func() { r.HandleFunc("", nop) })
	mustPanic("nil handler", func() { r.HandleFunc("x.y", nil) })
	mustPanic("nil middleware", func() { r.Use(nil) })
	mustPanic("nil hook", func() { r.OnSessionClose(nil) })
	if got := fmt.Sprint(r.Routes()); got != want {
		t.Fatalf("failed registrations changed the routes: %s", got)
	}
}

// TestRegisterWhileServing registers routes while other goroutines
// dispatch; run under -race it shows registration needs no quiet period.
func TestRegisterWhileServing(t *testing.T) {
	r := handler.New()
	r.HandleFunc("a.a", func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil })
	c := liveConn(t, false, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			r.ServeMessage(c, &codec.Message{Kind: codec.Notify, Route: "a.a"})
			r.ServeMessage(c, &codec.Message{Kind: codec.Notify, Route: fmt.Sprint("r.", i)})
		}
	}()
	for i := range 200 {
		r.HandleFunc(fmt.Sprint("r.", i), func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil })
	}
	<-done
	if n := len(r.Routes()); n != 201 {
		t.Fatalf("%d routes, want 201", n)
	}
}

func TestErrorType(t *testing.T) {
	cause := errors.New("no seat")
	err := error(handler.Error{Code: 409, Message: "room full", Err: cause})
	if err.Error() != "room full" || !errors.Is(err, cause) {
		t.Fatalf("Error %q, Is cause %v", err, errors.Is(err, cause))
	}
	if got := (handler.Error{}).Error(); got != "handler: error code 500" {
		t.Fatalf("zero Error says %q", got)
	}
	wrapped := handler.Errorf(400, "bad seat: %w", cause)
	if wrapped.Error() != "bad seat: no seat" || !errors.Is(wrapped, cause) {
		t.Fatalf("Errorf: %q, Is cause %v", wrapped, errors.Is(wrapped, cause))
	}
	var he handler.Error
	if !errors.As(wrapped, &he) || he.Code != 400 {
		t.Fatalf("Errorf is not an Error with code 400: %#v", wrapped)
	}
}

// TestBadRequestIsVisible shows middleware can tell a body that did not
// decode from other failures.
func TestBadRequestIsVisible(t *testing.T) {
	r := handler.New()
	var seen []bool
	r.Use(func(next handler.Func) handler.Func {
		return func(c *handler.Context, m *codec.Message) ([]byte, error) {
			body, err := next(c, m)
			seen = append(seen, errors.Is(err, handler.ErrBadRequest))
			return body, err
		}
	})
	handler.Handle(r, "x.y", func(*handler.Context, *echoReq) (*echoResp, error) { return nil, errors.New("other") })
	c := liveConn(t, false, nil)
	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 1, Route: "x.y", Body: []byte("{")})
	r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 2, Route: "x.y", Body: []byte("{}")})
	if fmt.Sprint(seen) != "[true false]" {
		t.Fatalf("ErrBadRequest seen %v, want [true false]", seen)
	}
}
