package handler

import (
	"encoding/json"
	"fmt"

	"github.com/gotio/gotio/codec"
)

// Handle registers a typed handler for route: the message body is decoded
// as JSON into a new Req (an empty body leaves Req zero), fn runs, and for
// a request the *Resp it returns is encoded as JSON into the response (nil
// means {}). A body that is not valid JSON for Req is answered with code
// 500 and a message that names the route and the JSON error; fn does not
// run. For a notify the response is discarded.
//
// Handle panics like Router.HandleFunc on an empty or duplicate route.
func Handle[Req, Resp any](r *Router, route string, fn func(c *Context, req *Req) (*Resp, error)) {
	if fn == nil {
		panic("handler: nil handler for route " + route)
	}
	r.HandleFunc(route, func(c *Context, m *codec.Message) ([]byte, error) {
		req := new(Req)
		if err := decodeBody(m, req); err != nil {
			return nil, err
		}
		resp, err := fn(c, req)
		if err != nil || resp == nil || m.Kind != codec.Request {
			return nil, err
		}
		body, err := json.Marshal(resp)
		if err != nil {
			return nil, fmt.Errorf("handler: route %s: encode %T: %w", m.Route, resp, err)
		}
		return body, nil
	})
}

// HandleNotify registers a typed handler for route that answers nothing:
// pomelo's notify. The body is decoded as Handle decodes it. A request
// sent to the route is answered with {} when fn succeeds, as pomelo does,
// or with the error response when it fails.
func HandleNotify[Req any](r *Router, route string, fn func(c *Context, req *Req) error) {
	if fn == nil {
		panic("handler: nil handler for route " + route)
	}
	r.HandleFunc(route, func(c *Context, m *codec.Message) ([]byte, error) {
		req := new(Req)
		if err := decodeBody(m, req); err != nil {
			return nil, err
		}
		return nil, fn(c, req)
	})
}

// decodeBody decodes m's JSON body into v; an empty body decodes to
// nothing, so a request without arguments reaches its handler.
func decodeBody(m *codec.Message, v any) error {
	if len(m.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(m.Body, v); err != nil {
		return Error{
			Code:    CodeInternal,
			Message: fmt.Sprintf("bad request body for %s: %v", m.Route, err),
			Err:     fmt.Errorf("%w: %w", ErrBadRequest, err),
		}
	}
	return nil
}

// marshal encodes v as a JSON body; raw JSON passes through.
func marshal(v any) ([]byte, error) {
	switch b := v.(type) {
	case json.RawMessage:
		return b, nil
	case []byte:
		return b, nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("handler: encode %T: %w", v, err)
	}
	return body, nil
}
