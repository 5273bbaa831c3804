package socketio

import (
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
)

// The examples of the protocol document (socketio/socket.io-protocol,
// revision 5, "Packet encoding").
var docExamples = []struct {
	wire string
	p    Packet
}{
	{"0", Packet{Type: Connect, Namespace: "/"}},
	{`0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, Packet{Type: Connect, Namespace: "/admin", Data: []byte(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{`0/admin,{"token":"123"}`, Packet{Type: Connect, Namespace: "/admin", Data: []byte(`{"token":"123"}`)}},
	{`4{"message":"Not authorized"}`, Packet{Type: ConnectError, Namespace: "/", Data: []byte(`{"message":"Not authorized"}`)}},
	{`2["foo"]`, Packet{Type: Event, Namespace: "/", Data: []byte(`["foo"]`)}},
	{`2/admin,["bar"]`, Packet{Type: Event, Namespace: "/admin", Data: []byte(`["bar"]`)}},
	{`51-["baz",{"_placeholder":true,"num":0}]`, Packet{Type: BinaryEvent, Namespace: "/", NumAttachments: 1, Data: []byte(`["baz",{"_placeholder":true,"num":0}]`)}},
	{`52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, Packet{Type: BinaryEvent, Namespace: "/admin", NumAttachments: 2, Data: []byte(`["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)}},
	{`212["foo"]`, Packet{Type: Event, Namespace: "/", ID: 12, HasID: true, Data: []byte(`["foo"]`)}},
	{`3/admin,13["bar"]`, Packet{Type: Ack, Namespace: "/admin", ID: 13, HasID: true, Data: []byte(`["bar"]`)}},
	{`61-15["bar",{"_placeholder":true,"num":0}]`, Packet{Type: BinaryAck, Namespace: "/", ID: 15, HasID: true, NumAttachments: 1, Data: []byte(`["bar",{"_placeholder":true,"num":0}]`)}},
	{"1", Packet{Type: Disconnect, Namespace: "/"}},
	{"1/admin,", Packet{Type: Disconnect, Namespace: "/admin"}},
	// The sample session.
	{`0/admin,`, Packet{Type: Connect, Namespace: "/admin"}},
	{`2/admin,1["tellme"]`, Packet{Type: Event, Namespace: "/admin", ID: 1, HasID: true, Data: []byte(`["tellme"]`)}},
	{`61-/admin,1[{"_placeholder":true,"num":0}]`, Packet{Type: BinaryAck, Namespace: "/admin", ID: 1, HasID: true, NumAttachments: 1, Data: []byte(`[{"_placeholder":true,"num":0}]`)}},
	{`2["hey","Jude"]`, Packet{Type: Event, Namespace: "/", Data: []byte(`["hey","Jude"]`)}},
	{`3/admin,13[]`, Packet{Type: Ack, Namespace: "/admin", ID: 13, HasID: true, Data: []byte(`[]`)}},
}

func samePacket(a, b Packet) bool {
	return a.Type == b.Type && a.Namespace == b.Namespace && a.ID == b.ID && a.HasID == b.HasID &&
		string(a.Data) == string(b.Data) && a.NumAttachments == b.NumAttachments
}

func TestDocExamples(t *testing.T) {
	for _, tc := range docExamples {
		got, err := ParsePacket([]byte(tc.wire), 0)
		if err != nil || !samePacket(got, tc.p) {
			t.Errorf("ParsePacket(%s) = %+v, %v\nwant %+v", tc.wire, got, err, tc.p)
		}
		enc, err := AppendPacket([]byte("x"), &tc.p)
		if err != nil || string(enc) != "x"+tc.wire {
			t.Errorf("AppendPacket(%+v) = %q, %v; want %q", tc.p, enc, err, tc.wire)
		}
	}
}

func TestParseNamespaceWithoutComma(t *testing.T) {
	// socket.io-parser reads a namespace to the end when no ',' follows.
	p, err := ParsePacket([]byte("0/admin"), 0)
	if err != nil || p.Namespace != "/admin" || p.Data != nil {
		t.Fatalf("0/admin: %+v %v", p, err)
	}
}

// malformedPackets are packets every decoder must refuse.
var malformedPackets = []string{
	"", "7", "9[]", "a", "-", " 2[\"a\"]",
	// attachments
	`5["a"]`, `5-["a"]`, `50-["a"]`, `5x-["a"]`, `51["a"]`, `5 1-["a"]`, `511-["a",1]`, `599999999999999999999-["a"]`,
	`51-["a",{"_placeholder":true,"num":1}]`, `51-["a",{"_placeholder":true,"num":-1}]`,
	`51-["a",{"_placeholder":true,"num":0.5}]`, `51-["a",{"_placeholder":true,"num":"0"}]`,
	`51-["a",{"_placeholder":true}]`, `51-[{"x":[{"_placeholder":true,"num":3}]}]`,
	// payloads
	`2`, `3`, `4`, `2{}`, `2"a"`, `2[]`, `2[{}]`, `2[null]`, `2[true]`, `2[["a"]]`, `2["a"`, `2["a"]x`,
	`2 ["a"]`, `21 ["a"]`, `0[]`, `0"a"`, `0 {}`, `1{}`, `1/a,{}`, `3{}`, `3"a"`, `4[]`, `4 {}`, `4 "x"`,
	`2["connect"]`, `2["disconnect",1]`, `2["newListener"]`, `2["removeListener"]`, `2["disconnecting"]`, `2["connect_error"]`,
	`2["\u0063onnect"]`,
	// ids
	`29007199254740992["a"]`, `2123456789012345678901["a"]`,
}

func TestParsePacketErrors(t *testing.T) {
	for _, in := range malformedPackets {
		_, err := ParsePacket([]byte(in), 0)
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, codec.ErrProtocol) {
			t.Errorf("ParsePacket(%s) = %v, want a malformed-packet error", in, err)
		}
	}
	if _, err := ParsePacket([]byte(`511-["a",1]`), 0); !errors.Is(err, ErrTooManyAttachments) {
		t.Errorf("11 attachments: %v", err)
	}
	if _, err := ParsePacket([]byte(`511-["a",1]`), 11); err != nil {
		t.Errorf("11 attachments, limit 11: %v", err)
	}
	// Accepted oddities that socket.io-parser accepts too.
	for _, in := range []string{
		`2[1]`, `2[-1.5,"x"]`, `2["a"] `, `29007199254740991["a"]`, `51-["a",{"_placeholder":false,"num":9}]`,
		`2["a",{"_placeholder":true,"num":9}]`, `4"just a string"`, `0{}`, `51-["a"]`, `2[ "a" , 1 ]`,
		`51-["a",{"\u005fplaceholder":true,"num":0}]`, `2["conn\"ect"]`,
	} {
		if _, err := ParsePacket([]byte(in), 0); err != nil {
			t.Errorf("ParsePacket(%s) = %v", in, err)
		}
	}
}

func TestAppendPacketRefuses(t *testing.T) {
	for _, p := range []Packet{
		{Type: 7},
		{Type: BinaryEvent, Data: []byte(`["a"]`)},
		{Type: Event, Namespace: "admin", Data: []byte(`["a"]`)},
		{Type: Event, Namespace: "/a,b", Data: []byte(`["a"]`)},
		{Type: Ack, ID: maxID + 1, HasID: true, Data: []byte(`[]`)},
	} {
		if out, err := AppendPacket([]byte("x"), &p); !errors.Is(err, codec.ErrUnsupported) || string(out) != "x" {
			t.Errorf("AppendPacket(%+v) = %q, %v", p, out, err)
		}
	}
}

func TestAppendEventAndAck(t *testing.T) {
	bin := Arg{Binary: []byte{1, 2, 3, 4}}
	for _, tc := range []struct {
		got  func() ([]byte, error)
		want string
	}{
		{func() ([]byte, error) { return AppendEvent(nil, Header{}, "foo") }, `2["foo"]`},
		{func() ([]byte, error) { return AppendEvent(nil, Header{Namespace: "/admin"}, "bar") }, `2/admin,["bar"]`},
		{func() ([]byte, error) { return AppendEvent(nil, Header{ID: 12, HasID: true}, "foo") }, `212["foo"]`},
		{func() ([]byte, error) { return AppendEvent(nil, Header{}, "hey", Arg{JSON: []byte(`"Jude"`)}) }, `2["hey","Jude"]`},
		{func() ([]byte, error) { return AppendEvent(nil, Header{}, "baz", bin) }, `51-["baz",{"_placeholder":true,"num":0}]`},
		{func() ([]byte, error) {
			return AppendEvent(nil, Header{Namespace: "/admin"}, "baz", Arg{Binary: []byte{1, 2}}, Arg{Binary: []byte{3, 4}})
		}, `52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`},
		{func() ([]byte, error) { return AppendEvent(nil, Header{}, "q\"\n") }, `2["q\"\n"]`},
		{func() ([]byte, error) {
			return AppendAck(nil, Header{Namespace: "/admin", ID: 13, HasID: true}, Arg{JSON: []byte(`"bar"`)})
		}, `3/admin,13["bar"]`},
		{func() ([]byte, error) { return AppendAck(nil, Header{ID: 12, HasID: true}) }, `312[]`},
		{func() ([]byte, error) {
			return AppendAck(nil, Header{ID: 15, HasID: true}, Arg{JSON: []byte(`"bar"`)}, bin)
		}, `61-15["bar",{"_placeholder":true,"num":0}]`},
		{func() ([]byte, error) { return AppendConnect(nil, "/", "wZX3oN0bSVIhsaknAAAI") }, `0{"sid":"wZX3oN0bSVIhsaknAAAI"}`},
		{func() ([]byte, error) { return AppendConnect(nil, "/admin", "oSO0OpakMV_3jnilAAAA") }, `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`},
		{func() ([]byte, error) { return AppendConnectError(nil, "/", "Not authorized", nil) }, `4{"message":"Not authorized"}`},
		{func() ([]byte, error) { return AppendConnectError(nil, "/nope", "Invalid namespace", nil) }, `4/nope,{"message":"Invalid namespace"}`},
		{func() ([]byte, error) {
			return AppendConnectError(nil, "/", "Not authorized", []byte(`{"retry":false}`))
		}, `4{"message":"Not authorized","data":{"retry":false}}`},
		{func() ([]byte, error) { return AppendDisconnect(nil, "/admin") }, `1/admin,`},
		{func() ([]byte, error) { return AppendDisconnect(nil, "") }, `1`},
	} {
		got, err := tc.got()
		if err != nil || string(got) != tc.want {
			t.Errorf("got %s (%v), want %s", got, err, tc.want)
		}
		if _, err := ParsePacket(got, 0); err != nil {
			t.Errorf("%s does not parse back: %v", got, err)
		}
	}
	for _, f := range []func() ([]byte, error){
		func() ([]byte, error) { return AppendEvent([]byte("x"), Header{}, "connect") },
		func() ([]byte, error) { return AppendEvent([]byte("x"), Header{}, "a", Arg{}) },
		func() ([]byte, error) { return AppendAck([]byte("x"), Header{}) },
		func() ([]byte, error) { return AppendEvent([]byte("x"), Header{Namespace: "x"}, "a") },
		func() ([]byte, error) { return AppendConnect([]byte("x"), "/a,", "s") },
		func() ([]byte, error) { return AppendConnectError([]byte("x"), "a", "m", nil) },
		func() ([]byte, error) { return AppendConnectError([]byte("x"), "/", "m", []byte("{")) },
	} {
		if got, err := f(); !errors.Is(err, codec.ErrUnsupported) || string(got) != "x" {
			t.Errorf("refusal: %q, %v", got, err)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	in := []byte(`2/chat,17["connector.entryHandler.enter",{"username":"u","rid":"r"}]`)
	if _, err := ParsePacket(in, 0); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 0, 256)
	push := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi"}`)}
	if n := testing.AllocsPerRun(100, func() {
		p, _ := ParsePacket(in, 0)
		m, _, _ := ToMessage(dst[:0], &p)
		if m.Route != "connector.entryHandler.enter" {
			t.Fatal(m.Route)
		}
		_, _ = AppendMessage(dst[:0], "/chat", push)
	}); n != 0 && !raceEnabled {
		t.Errorf("parse, map and encode allocate %v times", n)
	}
}

func TestTypeString(t *testing.T) {
	if s := strings.Join([]string{Connect.String(), BinaryAck.String(), Type(7).String()}, " "); s != "CONNECT BINARY_ACK type(7)" {
		t.Error(s)
	}
}
