package handler_test

import (
	"encoding/json"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/handler"
)

// FuzzErrorBody sends requests for unknown routes and handler errors with
// arbitrary text: every answer must be valid JSON whose "error" reads back
// as encoding/json would have written the text.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{"", "a.b", `"`, `\`, "\x00\x1f\x7f", "\xff\xfe", "é€😀", "\u2028\u2029", "</script>&"} {
		f.Add(s)
	}
	r := handler.New()
	r.HandleFunc("fail", func(_ *handler.Context, m *codec.Message) ([]byte, error) {
		return nil, handler.Error{Code: 418, Message: string(m.Body)}
	})
	c := liveConn(f, true, nil)
	st := c.Stream().(*recStream)
	f.Fuzz(func(t *testing.T, s string) {
		var want string
		if b, err := json.Marshal(s); err != nil {
			t.Fatal(err)
		} else if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		check := func(m codec.Message, code int, prefix string) {
			var body struct {
				Code  int     `json:"code"`
				Error *string `json:"error"`
			}
			if err := json.Unmarshal(m.Body, &body); err != nil {
				t.Fatalf("body %q is not JSON: %v", m.Body, err)
			}
			got := ""
			if body.Error != nil {
				got = *body.Error
			}
			if body.Code != code || got != prefix+want || (prefix+s == "") != (body.Error == nil) {
				t.Fatalf("body %q for %q: code %d error %q", m.Body, s, body.Code, got)
			}
		}
		r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 1, Route: s})
		r.ServeMessage(c, &codec.Message{Kind: codec.Request, ID: 2, Route: "fail", Body: []byte(s)})
		sent := st.take()
		if len(sent) != 2 || sent[0].ID != 1 || sent[1].ID != 2 {
			t.Fatalf("sent %v", msgs(sent))
		}
		if s != "fail" {
			check(sent[0], 500, "fail to find handler for ")
		}
		check(sent[1], 418, "")
	})
}
