package pomelo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestGoProto binds routes to standard protobuf messages, as pitaya does:
// the wire carries proto.Marshal bytes, Message.Body their protojson.
func TestGoProto(t *testing.T) {
	cfg := &Config{
		ServerMessages: map[string]proto.Message{"onName": &wrapperspb.StringValue{}, "svc.echo": &structpb.Struct{}},
		ClientMessages: map[string]proto.Message{"svc.echo": &structpb.Struct{}},
	}
	c := mustNew(t, cfg)
	g := golden(t)
	s := handshaken(t, c, g)

	// Push: JSON in, proto.Marshal bytes on the wire.
	got, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onName", Body: []byte(`"alice"`)})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := proto.Marshal(wrapperspb.String("alice"))
	if !bytes.HasSuffix(got, want) || !bytes.Contains(got, []byte("onName")) {
		t.Fatalf("push %x, want body %x", got, want)
	}

	// Request: proto bytes on the wire, protojson in Body.
	st, _ := structpb.NewStruct(map[string]any{"n": 1.5, "tags": []any{"a"}})
	pb, _ := proto.MarshalOptions{Deterministic: true}.Marshal(st)
	msg := append([]byte{0x00, 7, byte(len("svc.echo"))}, "svc.echo"...)
	var rec codectest.Recorder
	decodeAll(t, s, data(t, append(msg, pb...)), &rec)
	var body map[string]any
	if err := json.Unmarshal(rec.Messages[0].Body, &body); err != nil {
		t.Fatalf("body %s: %v", rec.Messages[0].Body, err)
	}
	if body["n"] != 1.5 || rec.Messages[0].ID != 7 || rec.Messages[0].Route != "svc.echo" {
		t.Fatalf("request %+v %s", rec.Messages[0], rec.Messages[0].Body)
	}

	// Response to it, by the request's route.
	got, err = s.Encode(nil, &codec.Message{Kind: codec.Response, ID: 7, Route: "svc.echo", Body: rec.Messages[0].Body})
	if err != nil {
		t.Fatal(err)
	}
	back := &structpb.Struct{}
	if err := proto.Unmarshal(got[HeaderLen+2:], back); err != nil || !proto.Equal(back, st) {
		t.Fatalf("response %x: %v", got, err)
	}

	// Bad bodies both ways.
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onName", Body: []byte(`{"x":1}`)}); err == nil {
		t.Fatal("push body that is not a StringValue accepted")
	}
	if _, err := codectest.DecodeAll(s, data(t, append(msg, 0xff)), &rec); err == nil || !strings.Contains(err.Error(), "svc.echo") {
		t.Fatalf("bad request bytes: %v", err)
	}

	// A client stream of the same codec: the request goes out as proto
	// bytes, the response comes back as protojson.
	cs := c.NewStream(codec.ConnInfo{Client: true})
	rec.Reset()
	decodeAll(t, cs, codeReplyOK(t), &rec)
	req, err := cs.Encode(nil, &codec.Message{Kind: codec.Request, ID: 3, Route: "svc.echo", Body: []byte(`{"n":1.5,"tags":["a"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(req, pb) {
		t.Fatalf("client request %x, want body %x", req, pb)
	}
	resp, _ := c.appendServerMessage(nil, &codec.Message{Kind: codec.Response, ID: 3, Route: "svc.echo", Body: []byte(`{"n":1.5,"tags":["a"]}`)})
	decodeAll(t, cs, resp, &rec)
	if m := rec.Messages[0]; m.Route != "svc.echo" || !json.Valid(m.Body) || !bytes.Contains(m.Body, []byte("1.5")) {
		t.Fatalf("client response %+v %s", m, m.Body)
	}
}

func codeReplyOK(t testing.TB) []byte {
	b, err := AppendPackage(nil, TypeHandshake, []byte(`{"code":200,"sys":{"heartbeat":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoProtoConfigErrors(t *testing.T) {
	schema := loadProtos(t, "serverProtos.json")
	if err := New(&Config{ServerProtos: schema, ServerMessages: map[string]proto.Message{"onChat": &structpb.Struct{}}}).Check(); err == nil {
		t.Fatal("route in both a schema and a Go message accepted")
	}
	if err := New(&Config{ClientMessages: map[string]proto.Message{"r": nil}}).Check(); err == nil {
		t.Fatal("nil message accepted")
	}
	// Different bindings, different formats.
	a := mustNew(t, &Config{ServerMessages: map[string]proto.Message{"r": &structpb.Struct{}}})
	b := mustNew(t, &Config{ServerMessages: map[string]proto.Message{"r": &wrapperspb.StringValue{}}})
	if a.format == b.format {
		t.Fatal("different Go messages, same format")
	}
}
