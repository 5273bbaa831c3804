package handler_test

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/handler"
)

// ExampleRouter registers pomelo-style routes and serves them on a gotio
// TCP port; the same router serves WebSocket and pomelo codecs unchanged.
func ExampleRouter() {
	type query struct {
		UID string `json:"uid"`
	}
	type entry struct {
		Code int    `json:"code"`
		Host string `json:"host"`
		Port int    `json:"port"`
	}
	r := handler.New()
	handler.Handle(r, "gate.gateHandler.queryEntry", func(c *handler.Context, req *query) (*entry, error) {
		if req.UID == "" {
			return nil, handler.Error{Code: 500, Message: "uid required"}
		}
		return &entry{Code: 200, Host: "127.0.0.1", Port: 3050}, nil
	})
	handler.HandleNotify(r, "chat.chatHandler.typing", func(c *handler.Context, req *struct{}) error {
		return nil
	})
	r.HandleFunc("connector.entryHandler.ping", func(c *handler.Context, m *codec.Message) ([]byte, error) {
		return []byte(`"pong"`), nil
	})
	r.OnSessionClose(func(s *handler.Session, reason error) {
		// pomelo's onUserLeave: tell the room, free what the user held.
	})

	srv := aio.NewServer(&aio.Config{Codec: tcp.New(nil), Handler: r, OnBeforeClose: r.OnBeforeClose})
	_ = srv // srv.ListenAndServe(":3050") serves the routes.

	fmt.Println(strings.Join(r.Routes(), "\n"))
	// Output:
	// chat.chatHandler.typing
	// connector.entryHandler.ping
	// gate.gateHandler.queryEntry
}

type EnterRequest struct {
	Username string `json:"username"`
	Rid      string `json:"rid"`
}

type EnterResponse struct {
	Users []string `json:"users"`
}

// ExampleHandle is chatofpomelo's enter handler: a typed request, a
// session bound to the user, a pomelo {code: 500} for a duplicate login.
// A gotio TCP client sends three requests over a socket.
func ExampleHandle() {
	r := handler.New()
	handler.Handle(r, "connector.entryHandler.enter", func(c *handler.Context, req *EnterRequest) (*EnterResponse, error) {
		uid := req.Username + "*" + req.Rid
		if c.Server().Count(aio.User(uid)) > 0 {
			return nil, handler.Error{Code: 500, Message: "duplicate login"}
		}
		s := c.Session()
		if err := s.Bind(uid); err != nil {
			return nil, err
		}
		s.Set("rid", req.Rid)
		return &EnterResponse{Users: []string{req.Username}}, nil
	})
	srv := aio.NewServer(&aio.Config{Codec: tcp.New(nil), Handler: r})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	replies, err := exampleRequests(srv.Addr().String(),
		codec.Message{Kind: codec.Request, ID: 1, Route: "connector.entryHandler.enter", Body: []byte(`{"username":"ann","rid":"r1"}`)},
		codec.Message{Kind: codec.Request, ID: 2, Route: "connector.entryHandler.enter", Body: []byte(`{"username":"ann","rid":"r1"}`)},
		codec.Message{Kind: codec.Request, ID: 3, Route: "connector.entryHandler.enter", Body: []byte(`{"username":42}`)},
	)
	if err != nil {
		panic(err)
	}
	for _, m := range replies {
		fmt.Println(m.ID, string(m.Body))
	}
	// Output:
	// 1 {"users":["ann"]}
	// 2 {"code":500,"error":"duplicate login"}
	// 3 {"code":500,"error":"bad request body for connector.entryHandler.enter: json: cannot unmarshal number into Go struct field EnterRequest.username of type string"}
}

// ExampleRouter_Use adds a before-filter that refuses requests from
// sessions that have not logged in, and an after-filter that logs.
func ExampleRouter_Use() {
	r := handler.New()
	r.Use(func(next handler.Func) handler.Func {
		return func(c *handler.Context, m *codec.Message) ([]byte, error) {
			if c.Session().UID() == "" && !strings.HasPrefix(m.Route, "connector.") {
				return nil, handler.Error{Code: 401, Message: "log in first"}
			}
			body, err := next(c, m)
			if err != nil {
				c.Logger().Warn().Str("route", m.Route).Err(err).Msg("request failed")
			}
			return body, err
		}
	})
	r.HandleFunc("chat.chatHandler.send", func(*handler.Context, *codec.Message) ([]byte, error) {
		return []byte(`{"ok":true}`), nil
	})
	srv := aio.NewServer(&aio.Config{Codec: tcp.New(nil), Handler: r})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	replies, err := exampleRequests(srv.Addr().String(),
		codec.Message{Kind: codec.Request, ID: 1, Route: "chat.chatHandler.send", Body: []byte(`{}`)})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(replies[0].Body))
	// Output:
	// {"code":401,"error":"log in first"}
}

// exampleRequests sends requests over gotio TCP and returns one reply per
// request.
func exampleRequests(addr string, reqs ...codec.Message) ([]codec.Message, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	st := tcp.New(nil).NewStream(codec.ConnInfo{Client: true})
	wire, _ := st.(codec.Opener).Open(nil)
	for i := range reqs {
		if wire, err = st.Encode(wire, &reqs[i]); err != nil {
			return nil, err
		}
	}
	if _, err := nc.Write(wire); err != nil {
		return nil, err
	}
	var rec codectest.Recorder
	var in []byte
	buf := make([]byte, 4096)
	for len(rec.Messages) < len(reqs) {
		n, err := nc.Read(buf)
		if err != nil {
			return nil, err
		}
		in = append(in, buf[:n]...)
		used, err := codectest.DecodeAll(st, in, &rec)
		if err != nil {
			return nil, err
		}
		in = in[:copy(in, in[used:])]
	}
	if len(rec.Messages) != len(reqs) {
		return nil, errors.New("more replies than requests")
	}
	return rec.Messages, nil
}
