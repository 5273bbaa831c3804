package socketio

import (
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
)

func TestToMessage(t *testing.T) {
	for _, tc := range []struct {
		wire string
		want codec.Message
	}{
		{`2["connector.entryHandler.enter",{"username":"u","rid":"r1"}]`, codec.Message{Kind: codec.Notify, Route: "connector.entryHandler.enter", Body: []byte(`{"username":"u","rid":"r1"}`)}},
		{`27["connector.entryHandler.enter",{"username":"u","rid":"r1"}]`, codec.Message{Kind: codec.Request, ID: 7, Route: "connector.entryHandler.enter", Body: []byte(`{"username":"u","rid":"r1"}`)}},
		{`2["hello"]`, codec.Message{Kind: codec.Notify, Route: "hello"}},
		{`2[ "hello" ]`, codec.Message{Kind: codec.Notify, Route: "hello"}},
		{`2/chat,3["sum",1,2,{"a":[3]}]`, codec.Message{Kind: codec.Request, ID: 3, Route: "sum", Body: []byte(`[1,2,{"a":[3]}]`)}},
		{`2["a" , "x,]" ,  [1] ]`, codec.Message{Kind: codec.Notify, Route: "a", Body: []byte(`["x,]" ,  [1] ]`)}},
		{`2["é\n",null]`, codec.Message{Kind: codec.Notify, Route: "é\n", Body: []byte(`null`)}},
		{`2[42,"x"]`, codec.Message{Kind: codec.Notify, Route: "42", Body: []byte(`"x"`)}},
		{`312[]`, codec.Message{Kind: codec.Response, ID: 12}},
		{`312[{"users":["a"]}]`, codec.Message{Kind: codec.Response, ID: 12, Body: []byte(`{"users":["a"]}`)}},
		{`3/admin,13["bar",2]`, codec.Message{Kind: codec.Response, ID: 13, Body: []byte(`["bar",2]`)}},
		{`51-["up",{"_placeholder":true,"num":0}]`, codec.Message{Kind: codec.Notify, Route: "up", Body: []byte(`{"_placeholder":true,"num":0}`)}},
	} {
		p, err := ParsePacket([]byte(tc.wire), 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.wire, err)
		}
		m, _, err := ToMessage([]byte("scratch"), &p)
		if err != nil || m.Kind != tc.want.Kind || m.ID != tc.want.ID || m.Route != tc.want.Route || string(m.Body) != string(tc.want.Body) {
			t.Errorf("ToMessage(%s) = %v id=%d route=%q body=%s (%v)\nwant %v id=%d route=%q body=%s",
				tc.wire, m.Kind, m.ID, m.Route, m.Body, err, tc.want.Kind, tc.want.ID, tc.want.Route, tc.want.Body)
		}
	}
	for _, wire := range []string{`0`, `1`, `4{"message":"x"}`} {
		p, _ := ParsePacket([]byte(wire), 0)
		if _, _, err := ToMessage(nil, &p); !errors.Is(err, codec.ErrUnsupported) {
			t.Errorf("ToMessage(%s) = %v", wire, err)
		}
	}
}

func TestAppendMessage(t *testing.T) {
	for _, tc := range []struct {
		nsp  string
		m    codec.Message
		want string
	}{
		{"/", codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi","from":"a","target":"*"}`)}, `2["onChat",{"msg":"hi","from":"a","target":"*"}]`},
		{"/chat", codec.Message{Kind: codec.Push, Route: "onLeave"}, `2/chat,["onLeave"]`},
		{"", codec.Message{Kind: codec.Notify, Route: "n", Body: []byte(`[1,2]`)}, `2["n",[1,2]]`},
		{"/", codec.Message{Kind: codec.Request, ID: 4, Route: "ask", Body: []byte(`"q"`)}, `24["ask","q"]`},
		{"/", codec.Message{Kind: codec.Response, ID: 7, Route: "connector.entryHandler.enter", Body: []byte(`{"users":["u"]}`)}, `37[{"users":["u"]}]`},
		{"/admin", codec.Message{Kind: codec.Response, ID: 0}, `3/admin,0[]`},
	} {
		got, err := AppendMessage(nil, tc.nsp, &tc.m)
		if err != nil || string(got) != tc.want {
			t.Errorf("AppendMessage(%s, %v %q %s) = %s (%v), want %s", tc.nsp, tc.m.Kind, tc.m.Route, tc.m.Body, got, err, tc.want)
		}
		// What a Response or Request carries round-trips through ToMessage.
		p, err := ParsePacket(got, 0)
		if err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		back, _, err := ToMessage(nil, &p)
		wantKind := tc.m.Kind
		if wantKind == codec.Push {
			wantKind = codec.Notify // the server's view of an event without ack id
		}
		wantRoute := tc.m.Route
		if tc.m.Kind == codec.Response {
			wantRoute = ""
		}
		if err != nil || back.Kind != wantKind || back.ID != tc.m.ID || back.Route != wantRoute || string(back.Body) != string(tc.m.Body) {
			t.Errorf("%s maps back to %v id=%d route=%q body=%s (%v)", got, back.Kind, back.ID, back.Route, back.Body, err)
		}
	}
	for _, m := range []codec.Message{
		{Kind: codec.Raw, Body: []byte(`1`)},
		{Kind: codec.Push, Body: []byte(`1`)},
		{Kind: codec.Push, Route: "disconnect"},
		{Kind: codec.Push, Route: "a", Body: []byte(`{bad`)},
		{Kind: codec.Response, ID: maxID + 1},
		{Kind: codec.Kind(9), Route: "a"},
	} {
		if got, err := AppendMessage([]byte("x"), "/", &m); !errors.Is(err, codec.ErrUnsupported) || string(got) != "x" {
			t.Errorf("AppendMessage(%+v) = %q, %v", m, got, err)
		}
	}
}
