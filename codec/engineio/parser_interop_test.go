package engineio

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// jsPacket is a packet as testdata/parser.js reads and writes it.
type jsPacket struct {
	Type string  `json:"type"`
	Data *string `json:"data,omitempty"`
	Bin  *string `json:"bin,omitempty"`
}

func toJS(p Packet) jsPacket {
	j := jsPacket{Type: p.Type.String()}
	if p.Binary {
		h := hex.EncodeToString(p.Data)
		j.Bin = &h
	} else if len(p.Data) > 0 {
		s := string(p.Data)
		j.Data = &s
	}
	return j
}

// fromGo is what engine.io-parser's decoder reports for what ParseText
// returned: an error becomes its "error" packet.
func fromGo(p Packet, err error) jsPacket {
	if err != nil {
		s := "parser error"
		return jsPacket{Type: "error", Data: &s}
	}
	return toJS(p)
}

func (j jsPacket) String() string { b, _ := json.Marshal(j); return string(b) }

// TestParserInterop runs the same table through engine.io-parser@5.2.3
// (the version engine.io@6.6 depends on; testdata/parser.js) and through
// this package: the reference must encode every packet and payload to the
// bytes AppendPacket, AppendPollingPacket and AppendPayload write, and
// decode every text packet and payload to what ParseText and
// PayloadDecoder find.
func TestParserInterop(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 4))
	packets := []Packet{
		{Type: TypeOpen, Data: AppendOpen(nil, &Open{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: DefaultPingInterval, PingTimeout: DefaultPingTimeout, MaxPayload: DefaultMaxPayload})[1:]},
		{Type: TypeClose}, {Type: TypePing}, {Type: TypePing, Data: []byte("probe")}, {Type: TypePong, Data: []byte("probe")},
		{Type: TypeMessage, Data: []byte("hello")}, {Type: TypeMessage, Data: []byte("€€€ 😀 \u2028 \x00")},
		{Type: TypeUpgrade}, {Type: TypeNoop},
		{Type: TypeMessage, Data: []byte{1, 2, 3, 4}, Binary: true}, {Type: TypeMessage, Data: []byte{0xff}, Binary: true},
		{Type: TypeMessage, Data: []byte{}, Binary: true},
	}
	for range 200 {
		packets = append(packets, randomPacket(rng))
	}
	var payloads [][]Packet
	for i := 0; i < len(packets); i += 1 + i%5 {
		payloads = append(payloads, packets[i:min(len(packets), i+1+i%5)])
	}

	// Texts and bodies to decode: everything encoded above, and malformed
	// input both sides must refuse.
	var texts, bodies []string
	for _, p := range packets {
		b, _ := AppendPollingPacket(nil, &p)
		texts = append(texts, string(b))
		if !p.Binary {
			b, _, _ = AppendPacket(nil, &p)
			texts = append(texts, string(b))
		}
	}
	texts = append(texts, "", "7", "a", "/", " 4", "9hello", "\x1e", "bAQIDBA==", "bAQIDBA")
	for _, list := range payloads {
		b, err := AppendPayload(nil, list...)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	bodies = append(bodies, "", "\x1e", "4a\x1e", "4a\x1e\x1e4b", "4a\x1e9\x1e4b", "4a\x1e8", "2\x1e3\x1e6", "4hello\x1ebAQIDBA==")

	js := func(list []Packet) []jsPacket {
		out := make([]jsPacket, len(list))
		for i, p := range list {
			out[i] = toJS(p)
		}
		return out
	}
	in := map[string]any{"packets": js(packets), "texts": texts, "bodies": bodies}
	var pl [][]jsPacket
	for _, list := range payloads {
		pl = append(pl, js(list))
	}
	in["payloads"] = pl
	file := filepath.Join(t.TempDir(), "table.json")
	b, _ := json.Marshal(in)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var ref struct {
		WS []struct {
			Hex    string
			Binary bool
		}
		Polling  []string
		Payloads []string
		Texts    []jsPacket
		Bodies   [][]jsPacket
	}
	if err := json.Unmarshal(testenv.Node(t, 20*time.Second, "testdata/parser.js", file), &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.WS) != len(packets) || len(ref.Payloads) != len(payloads) || len(ref.Texts) != len(texts) || len(ref.Bodies) != len(bodies) {
		t.Fatalf("reference answered %d/%d/%d/%d entries", len(ref.WS), len(ref.Payloads), len(ref.Texts), len(ref.Bodies))
	}

	for i, p := range packets {
		ws, bin, err := AppendPacket(nil, &p)
		if err != nil || hex.EncodeToString(ws) != ref.WS[i].Hex || bin != ref.WS[i].Binary {
			t.Errorf("packet %d %v: WebSocket %x binary=%v err=%v; engine.io-parser %s binary=%v", i, toJS(p), ws, bin, err, ref.WS[i].Hex, ref.WS[i].Binary)
		}
		pol, err := AppendPollingPacket(nil, &p)
		if err != nil || string(pol) != ref.Polling[i] {
			t.Errorf("packet %d %v: polling %q err=%v; engine.io-parser %q", i, toJS(p), pol, err, ref.Polling[i])
		}
	}
	for i, list := range payloads {
		got, err := AppendPayload(nil, list...)
		if err != nil || string(got) != ref.Payloads[i] {
			t.Errorf("payload %d: %q err=%v; engine.io-parser %q", i, got, err, ref.Payloads[i])
		}
	}
	for i, text := range texts {
		p, _, err := ParseText(nil, []byte(text))
		if got := fromGo(p, err); got.String() != ref.Texts[i].String() {
			t.Errorf("decode %q: %v (err %v); engine.io-parser %v", text, got, err, ref.Texts[i])
		}
	}
	for i, body := range bodies {
		d := NewPayloadDecoder([]byte(body))
		var got []string
		for {
			p, _, err := d.Next(nil)
			if err == io.EOF {
				break
			}
			got = append(got, fromGo(p, err).String())
			if err != nil && !errors.Is(err, ErrEmptyPacket) && !errors.Is(err, ErrUnknownType) && !errors.Is(err, ErrBase64) {
				t.Errorf("decode payload %q: unexpected error %v", body, err)
			}
		}
		var want []string
		for _, p := range ref.Bodies[i] {
			want = append(want, p.String())
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("decode payload %q:\n gotio %v\n  ref  %v", body, got, want)
		}
	}
}

// randomPacket draws a packet of any type with text from an alphabet that
// exercises UTF-8 (no record separator), or a binary message.
func randomPacket(rng *rand.Rand) Packet {
	if rng.IntN(4) == 0 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return Packet{Type: TypeMessage, Data: b, Binary: true}
	}
	alphabet := []string{"a", "Z", "0", "4", "b", " ", "\"", "\\", "\n", "\x00", "\x1f", "é", "€", "😀", "\u2028", "{", "}", "[", "]", ",", ":"}
	var sb strings.Builder
	for range rng.IntN(30) {
		sb.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return Packet{Type: Type(rng.IntN(7)), Data: []byte(sb.String())}
}
