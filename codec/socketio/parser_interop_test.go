package socketio

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// part is one engine.io message as testdata/parser.js reads and writes it:
// a JSON string (text) or {"bin": hex}.
type part struct {
	text string
	bin  []byte
	isB  bool
}

func (p part) MarshalJSON() ([]byte, error) {
	if p.isB {
		return json.Marshal(map[string]string{"bin": hex.EncodeToString(p.bin)})
	}
	return json.Marshal(p.text)
}

func (p *part) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.text)
	}
	var v struct{ Bin string }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.isB = true
	var err error
	p.bin, err = hex.DecodeString(v.Bin)
	return err
}

// encCase is one packet both sides encode.
type encCase struct {
	typ   Type
	nsp   string
	id    uint64
	hasID bool
	name  string
	args  []Arg
	text  string // CONNECT's sid, CONNECT_ERROR's message
	data  []byte // CONNECT_ERROR's data
}

// gotio encodes c into its parts: the packet, then each binary arg.
func (c encCase) gotio() ([]part, error) {
	h := Header{Namespace: c.nsp, ID: c.id, HasID: c.hasID}
	var b []byte
	var err error
	switch c.typ {
	case Event:
		b, err = AppendEvent(nil, h, c.name, c.args...)
	case Ack:
		b, err = AppendAck(nil, h, c.args...)
	case Connect:
		b, err = AppendConnect(nil, c.nsp, c.text)
	case ConnectError:
		b, err = AppendConnectError(nil, c.nsp, c.text, c.data)
	case Disconnect:
		b, err = AppendDisconnect(nil, c.nsp)
	}
	parts := []part{{text: string(b)}}
	for _, a := range c.args {
		if a.Binary != nil {
			parts = append(parts, part{bin: a.Binary, isB: true})
		}
	}
	return parts, err
}

// js is c as socket.io-parser's Encoder takes it.
func (c encCase) js() map[string]any {
	m := map[string]any{"type": int(c.typ), "nsp": c.nsp}
	if c.nsp == "" {
		m["nsp"] = "/"
	}
	if c.hasID {
		m["id"] = c.id
	}
	var data bytes.Buffer
	switch c.typ {
	case Event, Ack:
		data.WriteByte('[')
		if c.typ == Event {
			data.Write(appendJSONString(nil, c.name))
		}
		for i, a := range c.args {
			if c.typ == Event || i > 0 {
				data.WriteByte(',')
			}
			if a.Binary != nil {
				fmt.Fprintf(&data, `{"$bin":%q}`, hex.EncodeToString(a.Binary))
			} else {
				data.Write(a.JSON)
			}
		}
		data.WriteByte(']')
	case Connect:
		fmt.Fprintf(&data, `{"sid":%s}`, appendJSONString(nil, c.text))
	case ConnectError:
		fmt.Fprintf(&data, `{"message":%s`, appendJSONString(nil, c.text))
		if c.data != nil {
			fmt.Fprintf(&data, `,"data":%s`, c.data)
		}
		data.WriteByte('}')
	}
	if data.Len() > 0 {
		m["data"] = json.RawMessage(data.Bytes())
	}
	return m
}

// argPool holds arguments in the compact form JSON.stringify writes, so
// that both encoders see the same bytes.
var argPool = []string{
	`1`, `-2.5`, `0`, `"x"`, `"é😀\n\"\\\u0001` + "\u2028" + `"`, `null`, `true`, `false`, `[]`, `{}`,
	`{"a":[1,{"b":null}],"c":"d"}`, `[1,"two",[3]]`, `{"username":"u","rid":"r1"}`, `"a,b]"`,
}

// divergences are inputs socket.io-parser@4.2.7 accepts and gotio refuses
// on purpose (docs/protocol-socketio.md, "Differences from the reference").
var divergences = map[string]string{
	`2`:                           "EVENT without payload",
	`3`:                           "ACK without payload",
	`4`:                           "CONNECT_ERROR without payload",
	`2 ["a"]`:                     "space read as ack id 0 by Number(' ')",
	`21 ["a"]`:                    "space read as part of the ack id",
	`0 {}`:                        "space read as ack id 0",
	`4 {}`:                        "space read as ack id 0",
	`4 "x"`:                       "space read as ack id 0",
	`5 1-["a"]`:                   "space in the attachment count",
	`29007199254740992["a"]`:      "ack id past 2^53-1",
	`2123456789012345678901["a"]`: "ack id past 2^64, which JavaScript rounds",
	``:                            "empty packet, read as CONNECT by Number('')",
	`51-["a",{"_placeholder":true,"num":0.5}]`: "fractional placeholder index",
}

// TestParserInterop runs the same packets through socket.io-parser@4.2.7
// (testdata/parser.js) and this package: the reference Encoder must write
// the bytes (and attachments) AppendEvent, AppendAck, AppendConnect,
// AppendConnectError and AppendDisconnect write, and the reference Decoder
// must find in every sequence of engine.io messages the packets Decoder
// finds, attachments in place, or refuse it where Decoder refuses it.
func TestParserInterop(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 5))
	cases := []encCase{
		{typ: Connect, nsp: "/", text: "wZX3oN0bSVIhsaknAAAI"},
		{typ: Connect, nsp: "/admin", text: "oSO0OpakMV_3jnilAAAA"},
		{typ: ConnectError, nsp: "/", text: "Not authorized"},
		{typ: ConnectError, nsp: "/nope", text: "Invalid namespace"},
		{typ: ConnectError, nsp: "/", text: "Not authorized", data: []byte(`{"retry":false,"n":[1]}`)},
		{typ: Disconnect, nsp: "/"}, {typ: Disconnect, nsp: "/admin"},
		{typ: Event, nsp: "/", name: "foo"},
		{typ: Event, nsp: "/admin", name: "bar", id: 13, hasID: true},
		{typ: Event, nsp: "/", name: "baz", args: []Arg{{Binary: []byte{1, 2, 3, 4}}}},
		{typ: Event, nsp: "/admin", name: "baz", args: []Arg{{Binary: []byte{1, 2}}, {Binary: []byte{3, 4}}}},
		{typ: Ack, nsp: "/", id: 15, hasID: true, args: []Arg{{JSON: []byte(`"bar"`)}, {Binary: []byte{1, 2, 3, 4}}}},
		{typ: Ack, nsp: "/", id: 12, hasID: true},
		{typ: Event, nsp: "/", name: "big", id: maxID, hasID: true, args: []Arg{{JSON: []byte(`1`)}}},
	}
	names := []string{"chat", "connector.entryHandler.enter", "onChat", "é 😀", "with \"quote\"", "", "a,b", "tab\t"}
	nsps := []string{"/", "/admin", "/chat room", "/ü"}
	for range 150 {
		c := encCase{typ: Event, nsp: nsps[rng.IntN(len(nsps))], name: names[rng.IntN(len(names))]}
		if rng.IntN(3) == 0 {
			c.typ = Ack
		}
		if c.typ == Ack || rng.IntN(2) == 0 {
			c.id, c.hasID = rng.Uint64N(1<<20), true
		}
		for range rng.IntN(5) {
			if rng.IntN(4) == 0 {
				b := make([]byte, rng.IntN(20))
				for i := range b {
					b[i] = byte(rng.UintN(256))
				}
				c.args = append(c.args, Arg{Binary: b})
			} else {
				c.args = append(c.args, Arg{JSON: []byte(argPool[rng.IntN(len(argPool))])})
			}
		}
		cases = append(cases, c)
	}

	var gotioParts [][]part
	var jsCases []map[string]any
	for _, c := range cases {
		parts, err := c.gotio()
		if err != nil {
			t.Fatalf("encode %+v: %v", c, err)
		}
		gotioParts = append(gotioParts, parts)
		jsCases = append(jsCases, c.js())
	}

	// Sequences to decode: everything encoded above, the document's
	// examples (with their attachments), malformed packets and
	// out-of-order attachments.
	decode := slices.Clone(gotioParts)
	for _, tc := range docExamples {
		seq := []part{{text: tc.wire}}
		for i := range tc.p.NumAttachments {
			seq = append(seq, part{bin: []byte{byte(i), 0xff}, isB: true})
		}
		decode = append(decode, seq)
	}
	// A binary packet's placeholders are checked by the reference once its
	// attachments arrived (gotio checks them at once): send some.
	bin := part{bin: []byte{7}, isB: true}
	withAttachments := func(in string, n int) []part {
		seq := []part{{text: in}}
		if len(in) > 0 && (in[0] == '5' || in[0] == '6') {
			for range n {
				seq = append(seq, bin)
			}
		}
		return seq
	}
	for _, in := range malformedPackets {
		if divergences[in] == "" {
			decode = append(decode, withAttachments(in, 3))
		}
	}
	for in := range divergences {
		decode = append(decode, withAttachments(in, 1))
	}
	decode = append(decode,
		[]part{bin},
		[]part{{text: `2["a"]`}, bin},
		[]part{{text: `51-["a",{"_placeholder":true,"num":0}]`}, {text: `2["b"]`}},
		[]part{{text: `52-["a",{"_placeholder":true,"num":1}]`}, bin},
		[]part{{text: `51-["a",{"_placeholder":true,"num":0}]`}, bin, bin},
		[]part{{text: `2["a"]`}, {text: `2["b",1]`}, {text: `9`}, {text: `2["never"]`}},
	)

	file := filepath.Join(t.TempDir(), "table.json")
	b, err := json.Marshal(map[string]any{"encode": jsCases, "decode": decode})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Encode [][]part
		Decode []struct {
			Packets []json.RawMessage
			Error   *string
		}
	}
	if err := json.Unmarshal(testenv.Node(t, 20*time.Second, "testdata/parser.js", file), &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Encode) != len(cases) || len(ref.Decode) != len(decode) {
		t.Fatalf("reference answered %d/%d entries", len(ref.Encode), len(ref.Decode))
	}

	for i := range cases {
		got, _ := json.Marshal(gotioParts[i])
		want, _ := json.Marshal(ref.Encode[i])
		if !bytes.Equal(got, want) {
			t.Errorf("encode %+v:\n gotio %s\n  ref  %s", cases[i], got, want)
		}
	}
	diverged := 0
	for i, seq := range decode {
		got, gotErr := decodeSeq(seq)
		var want []string
		for _, p := range ref.Decode[i].Packets {
			want = append(want, canonical(t, p))
		}
		refErr := ref.Decode[i].Error != nil
		if _, ok := divergences[seq[0].text]; ok && !seq[0].isB {
			// gotio refuses what the reference lets through.
			if gotErr == nil || len(got) != 0 || refErr || len(want) != 1 {
				t.Errorf("divergence %q (%s): gotio %v err=%v, ref %v err=%v", seq[0].text, divergences[seq[0].text], got, gotErr, want, refErr)
			}
			diverged++
			continue
		}
		if !slices.Equal(got, want) || (gotErr != nil) != refErr {
			refMsg := "<nil>"
			if refErr {
				refMsg = *ref.Decode[i].Error
			}
			in, _ := json.Marshal(seq)
			t.Errorf("decode %s:\n gotio %v err=%v\n  ref  %v err=%s", in, got, gotErr, want, refMsg)
		}
	}
	if diverged != len(divergences) {
		t.Errorf("%d of the %d documented divergences seen: the reference changed?", diverged, len(divergences))
	}
}

// decodeSeq runs seq through a fresh Decoder and returns the packets it
// completed, in socket.io-parser's shape, until the first error.
func decodeSeq(seq []part) ([]string, error) {
	var d Decoder
	var out []string
	for _, pt := range seq {
		var p Packet
		var done bool
		var err error
		if pt.isB {
			p, done, err = d.Binary(pt.bin)
		} else {
			p, done, err = d.Text([]byte(pt.text))
		}
		if err != nil {
			return out, err
		}
		if done {
			out = append(out, refShape(&p))
		}
	}
	return out, nil
}

// refShape is p as parser.js prints a decoded packet: binary types folded
// into EVENT and ACK, placeholders replaced by their attachments.
func refShape(p *Packet) string {
	m := map[string]any{"nsp": p.Namespace}
	t := p.Type
	if t.IsBinary() {
		t -= BinaryEvent - Event
	}
	m["type"] = int(t)
	if p.HasID {
		m["id"] = p.ID
	}
	if p.Data != nil {
		var v any
		if err := json.Unmarshal(p.Data, &v); err != nil {
			return "unmarshal: " + err.Error()
		}
		if p.Type.IsBinary() {
			v = fill(v, p.Attachments)
		}
		m["data"] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func fill(v any, atts [][]byte) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = fill(x[i], atts)
		}
	case map[string]any:
		if x["_placeholder"] == true {
			if n, ok := x["num"].(float64); ok && int(n) < len(atts) {
				return map[string]any{"$bin": hex.EncodeToString(atts[int(n)])}
			}
		}
		for k := range x {
			x[k] = fill(x[k], atts)
		}
	}
	return v
}

func canonical(t *testing.T, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
