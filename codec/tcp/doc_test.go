package tcp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// TestDocExample computes the worked example of docs/protocol-tcp.md and
// asserts the page shows exactly these bytes.
func TestDocExample(t *testing.T) {
	c := tcp.New(&tcp.Config{HeartbeatInterval: 30 * time.Second})
	cl := newClient(c)
	srv := newServer(c)

	hello, err := cl.(codec.Opener).Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	var rec codectest.Recorder
	if _, err := codectest.DecodeAll(srv, hello, &rec); err != nil {
		t.Fatal(err)
	}
	ack := rec.Replies
	request := encode(t, cl, codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"msg":"hi"}`)})
	// The server decodes the request and answers it, as an application would.
	rec.Reset()
	if _, err := codectest.DecodeAll(srv, request, &rec); err != nil || len(rec.Messages) != 1 {
		t.Fatalf("request: %v %+v", err, rec)
	}
	req := rec.Messages[0]
	response := encode(t, srv, codec.Message{Kind: codec.Response, ID: req.ID, Route: req.Route, Body: []byte(`{"ok":true}`)})

	examples := []struct {
		got  []byte
		want string
	}{
		{hello, "c7 01"},
		{ack, "00 00 00 04 01 b0 ea 01"},
		{request, "00 00 00 18 03 01 09 63 68 61 74 2e 73 65 6e 64 7b 22 6d 73 67 22 3a 22 68 69 22 7d"},
		{response, "00 00 00 0d 05 01 7b 22 6f 6b 22 3a 74 72 75 65 7d"},
		{encode(t, srv, codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi"}`)}),
			"00 00 00 14 06 06 6f 6e 43 68 61 74 7b 22 6d 73 67 22 3a 22 68 69 22 7d"},
		{encode(t, cl, codec.Message{Kind: codec.Notify, Route: "chat.typing"}),
			"00 00 00 0d 04 0b 63 68 61 74 2e 74 79 70 69 6e 67"},
		{encode(t, srv, codec.Message{Kind: codec.Raw, Body: []byte{1, 2, 3}, Binary: true}), "00 00 00 04 17 01 02 03"},
		{cl.(codec.Heartbeater).Heartbeat(nil), "00 00 00 01 02"},
		{srv.(codec.Goodbyer).Goodbye(nil, codec.Farewell{Reason: "duplicate login"}),
			"00 00 00 11 08 01 64 75 70 6c 69 63 61 74 65 20 6c 6f 67 69 6e"},
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "protocol-tcp.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		if got := spaced(ex.got); got != ex.want {
			t.Errorf("computed\n %s\nwant\n %s", got, ex.want)
		}
		if !strings.Contains(string(doc), "```\n"+ex.want+"\n```") {
			t.Errorf("docs/protocol-tcp.md does not show %s", ex.want)
		}
	}
}
