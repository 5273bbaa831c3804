package chatserver_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

// TestNodePomeloClient runs chatofpomelo's flow from Node, on the real npm
// pomelo-protocol and pomelo-protobuf over ws (testdata/pomelo_client.js):
// queryEntry, enter, send, and onChat back in pomelo-protobuf, with a Go
// client in the room that answers it.
func TestNodePomeloClient(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus, func(t *testing.T) {
			app := startApp(t, bus, nil)
			grace := mustJoin(t, app.GateAddr(), chatclient.PomeloTCP, "grace", "r1")
			replied := make(chan error, 1)
			go func() {
				// grace answers node's hello in private.
				if _, ok := grace.in.await(isChat("node", "*", "hello from node")); !ok {
					replied <- errors.New("grace never heard node's hello")
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				replied <- grace.Send(ctx, "node", "hi node")
			}()
			host, port, _ := net.SplitHostPort(app.GateAddr())
			out := testenv.Node(t, 60*time.Second, "testdata/pomelo_client.js", host, port, "node", "r1")
			if err := <-replied; err != nil {
				t.Fatal(err)
			}

			type wire struct {
				Compressed bool   `json:"compressed"`
				Protobuf   bool   `json:"protobuf"`
				Raw        string `json:"raw"`
			}
			type step struct {
				Step       string          `json:"step"`
				Resp       json.RawMessage `json:"resp"`
				Body       json.RawMessage `json:"body"`
				Wire       wire            `json:"wire"`
				Dict       int             `json:"dict"`
				DictOnChat int             `json:"dictOnChat"`
			}
			steps := jsonLines[step](t, out)
			if len(steps) != 5 {
				t.Fatalf("node took %d steps:\n%s", len(steps), out)
			}
			chost, cport, _ := net.SplitHostPort(app.ConnectorAddrs()[chatserver.Dispatch("node", 3)])
			schema := serverSchema(t)
			for i, want := range []struct{ step, resp, body string }{
				{"queryEntry", `{"code":200,"host":"` + chost + `","port":` + cport + `}`, ""},
				{"enter", `{"users":["grace","node"]}`, ""},
				{"send", `{"route":"chat.chatHandler.send"}`, ""},
				{"onChat", "", `{"msg":"hello from node","from":"node","target":"*"}`},
				{"reply", "", `{"msg":"hi node","from":"grace","target":"node"}`},
			} {
				s := steps[i]
				if s.Step != want.step {
					t.Fatalf("step %d is %s, want %s", i, s.Step, want.step)
				}
				if want.resp != "" && !jsonEqual(t, s.Resp, want.resp) {
					t.Errorf("%s answered %s, want %s", s.Step, s.Resp, want.resp)
				}
				if want.body == "" {
					continue
				}
				if !jsonEqual(t, s.Body, want.body) {
					t.Errorf("%s body %s, want %s", s.Step, s.Body, want.body)
				}
				// The push travelled with its dictionary code and in
				// pomelo-protobuf, byte for byte what gotio's schema makes.
				enc, err := schema.Encode(nil, chatserver.RouteOnChat, []byte(want.body))
				if err != nil {
					t.Fatal(err)
				}
				if !s.Wire.Compressed || !s.Wire.Protobuf || s.Wire.Raw != hex.EncodeToString(enc) {
					t.Errorf("%s on the wire: %+v, want compressed protobuf %x", s.Step, s.Wire, enc)
				}
			}
			if steps[0].Dict != 0 || steps[1].DictOnChat != 4 {
				t.Errorf("gate dictionary %d routes (want none), connector onChat code %d (want 4)", steps[0].Dict, steps[1].DictOnChat)
			}
		})
	}
}

func serverSchema(t *testing.T) *protobuf.Schema {
	t.Helper()
	s, err := protobuf.Load("protos/serverProtos.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jsonEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestPomeloJSProtobuf checks the page's pomelo-protobuf (web/pomelo.js)
// byte for byte against npm pomelo-protobuf (testdata/pomelojs.js).
func TestPomeloJSProtobuf(t *testing.T) {
	out := testenv.Node(t, 30*time.Second, "testdata/pomelojs.js")
	if got := string(bytes.TrimSpace(out)); got != "ok 8" {
		t.Fatalf("pomelojs.js: %q", got)
	}
}

// jsonLines decodes a node script's output, one JSON value a line.
func jsonLines[T any](t *testing.T, out []byte) []T {
	t.Helper()
	var vs []T
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatalf("node said %q: %v", line, err)
		}
		vs = append(vs, v)
	}
	return vs
}
