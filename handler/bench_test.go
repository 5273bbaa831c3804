package handler_test

import (
	"fmt"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/handler"
)

// BenchmarkDispatch measures Router.ServeMessage on a live connection whose codec
// encodes a message as its body. "notify" and "notfound-notify" are the
// router alone; the request cases include aio's Send of the response (which
// starts a flusher goroutine per response here, outside a read batch);
// "typed" adds encoding/json's decode and encode.
func BenchmarkDispatch(b *testing.B) {
	r := handler.New()
	for i := range 100 {
		r.HandleFunc(fmt.Sprintf("area.handler%d.method", i), func(*handler.Context, *codec.Message) ([]byte, error) { return nil, nil })
	}
	reply := []byte(`{"ok":true}`)
	r.HandleFunc("connector.entryHandler.raw", func(*handler.Context, *codec.Message) ([]byte, error) { return reply, nil })
	handler.Handle(r, "connector.entryHandler.typed", func(_ *handler.Context, req *echoReq) (*echoResp, error) {
		return &echoResp{Msg: req.Msg, N: req.N + 1}, nil
	})
	r.Use(func(next handler.Func) handler.Func { return next })
	c := liveConn(b, false, nil)

	cases := []struct {
		name string
		m    codec.Message
	}{
		{"notify", codec.Message{Kind: codec.Notify, Route: "area.handler42.method", Body: []byte(`{}`)}},
		{"notfound-notify", codec.Message{Kind: codec.Notify, Route: "area.nothing.here", Body: []byte(`{}`)}},
		{"request-raw", codec.Message{Kind: codec.Request, ID: 1, Route: "connector.entryHandler.raw", Body: []byte(`{}`)}},
		{"request-notfound", codec.Message{Kind: codec.Request, ID: 1, Route: "area.nothing.here", Body: []byte(`{}`)}},
		{"request-typed", codec.Message{Kind: codec.Request, ID: 1, Route: "connector.entryHandler.typed", Body: []byte(`{"msg":"hello","n":1}`)}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			m := tc.m
			b.ReportAllocs()
			for b.Loop() {
				r.ServeMessage(c, &m)
			}
		})
	}
}
