package protobuf

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func mustParse(t testing.TB, src string) *Schema {
	t.Helper()
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"misspelt uint32", `{"r":{"required uint32 a":1}}`, "uInt32"},
		{"bool", `{"r":{"optional bool a":1}}`, "no such type"},
		{"uInt64", `{"r":{"optional uInt64 a":1}}`, "no such type"},
		{"unknown message", `{"r":{"optional Foo a":1}}`, `unknown type "Foo"`},
		{"sibling scope", `{"r":{"message A":{"required uInt32 v":1},"message B":{"optional A a":1},"optional B b":1}}`, `unknown type "A"`},
		{"duplicate tag", `{"r":{"required uInt32 a":1,"required uInt32 b":1}}`, "tag 1 used"},
		{"duplicate field", `{"r":{"required uInt32 a":1,"optional string a":2}}`, "declared twice"},
		{"short key", `{"r":{"required uInt32":1}}`, "is not"},
		{"long key", `{"r":{"required uInt32 a b":1}}`, "is not"},
		{"double space", `{"r":{"required  uInt32 a":1}}`, "is not"},
		{"bad option", `{"r":{"requird uInt32 a":1}}`, "not a field or a message"},
		{"message key", `{"r":{"message":{}}}`, "is not"},
		{"tag zero", `{"r":{"required uInt32 a":0}}`, "tag"},
		{"tag string", `{"r":{"required uInt32 a":"1"}}`, "tag"},
		{"tag fraction", `{"r":{"required uInt32 a":1.5}}`, "tag"},
		{"tag too big", `{"r":{"required uInt32 a":268435456}}`, "tag"},
		{"route not object", `{"r":1}`, "not an object"},
		{"top not object", `[1]`, "top level"},
		{"reserved field", `{"r":{"required uInt32 __tags":1}}`, "reserved"},
		{"reserved route", `{"__proto__":{}}`, "reserved"},
		{"bad json", `{"r":`, "bad schema"},
		{"trailing", `{} {}`, "after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src))
			if !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) = %v, want ErrSchema mentioning %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestUnmarshalJSONErrors(t *testing.T) {
	for _, src := range []string{
		`{"r":{"a":{"option":"maybe","type":"uInt32","tag":1}}}`,
		`{"r":{"a":{"option":"required","type":"uInt32"}}}`,
		`{"r":{"a":{"option":"required","type":"uint32","tag":1}}}`,
		`{"r":{"a":1}}`,
		`{"r":{"__messages":[]}}`,
		`{"r":{"__messages":{"__tags":{}}}}`,
		`[]`,
		`{`,
	} {
		var s Schema
		if err := s.UnmarshalJSON([]byte(src)); !errors.Is(err, ErrSchema) {
			t.Errorf("UnmarshalJSON(%s) = %v, want ErrSchema", src, err)
		}
	}
}

func TestRootMessagesAndScopes(t *testing.T) {
	// A nested message sees its own nested messages and the file's root
	// messages, as pomelo-protobuf's lookup does.
	s := mustParse(t, `{
		"message P": {"required uInt32 v": 1},
		"r": {"message A": {"message B": {"required P p": 1}, "required B b": 1}, "required A a": 1}
	}`)
	got, err := s.Encode(nil, "r", []byte(`{"a":{"b":{"p":{"v":5}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x0a, 6, 0x0a, 4, 0x0a, 2, 0x08, 5}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x want %x", got, want)
	}
	if !s.Has("r") || !s.Has("message P") || s.Has("nope") {
		t.Fatal("Has is wrong")
	}
	if r := s.Routes(); len(r) != 2 || r[0] != "message P" || r[1] != "r" {
		t.Fatalf("Routes = %v", r)
	}
}

func TestEncodeErrors(t *testing.T) {
	s := loadTestSchema(t, "all.json")
	base := `"u":1,"i":1,"s":1,"f":1,"d":1,"str":"x"`
	for _, tc := range []struct{ name, body, want string }{
		{"missing required", `{"u":1}`, `required field "i" missing`},
		{"nested missing required", `{` + base + `,"inner":{"deep":{}}}`, `required field "v" missing`},
		{"null required", `{` + base + `,"u":null}`, "written twice"},
		{"null required alone", `{"u":null,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, `"u" is null`},
		{"negative uInt32", `{"u":-1,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "negative"},
		{"string for number", `{"u":"1","i":1,"s":1,"f":1,"d":1,"str":"x"}`, "want a number, got string"},
		{"number for string", `{"u":1,"i":1,"s":1,"f":1,"d":1,"str":1}`, "want a string, got number"},
		{"bool for number", `{"u":true,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "got boolean"},
		{"object for repeated", `{` + base + `,"ru":{}}`, "want an array"},
		{"number for message", `{` + base + `,"inner":5}`, "want an object"},
		{"null element", `{` + base + `,"inners":[null]}`, "want an object, got null"},
		{"infinite int", `{"u":1e400,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "not a finite"},
		{"too big", `{"u":1e20,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "out of range"},
		{"duplicate key", `{` + base + `,"str":"y"}`, "written twice"},
		{"array body", `[1]`, "want a JSON object"},
		{"null body", `null`, "want a JSON object"},
		{"empty body", ``, "want a JSON object"},
		{"bad json", `{` + base + `,}`, "want a key"},
		{"bad number", `{"u":01,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "want ',' or '}'"},
		{"bad fraction", `{"u":1.,"i":1,"s":1,"f":1,"d":1,"str":"x"}`, "bad number"},
		{"bad escape", `{` + base + `,"zz":"\q"}`, "bad escape"},
		{"control char", "{\"u\":1,\"i\":1,\"s\":1,\"f\":1,\"d\":1,\"str\":\"a\x01\"}", "control character"},
		{"unterminated", `{` + base + `,"rs":["a`, "unexpected end"},
		{"bad literal", `{` + base + `,"zz":nul}`, "bad literal"},
		{"trailing", `{` + base + `} x`, "data after"},
		{"deep unknown", `{` + base + `,"zz":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := s.Encode(dst, "all.types", []byte(tc.body))
			if !errors.Is(err, ErrBody) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Encode(%s) = %v, want ErrBody mentioning %q", tc.body, err, tc.want)
			}
			if string(got) != "keep" {
				t.Fatalf("Encode left %q in dst after an error", got)
			}
		})
	}
	if _, err := s.Encode(nil, "nope", []byte(`{}`)); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("unknown route: %v", err)
	}
	var nilSchema *Schema
	if _, err := nilSchema.Encode(nil, "r", []byte(`{}`)); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("nil schema: %v", err)
	}
	if _, err := nilSchema.Decode(nil, "r", nil); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("nil schema: %v", err)
	}
}

func TestEncodeNullOptional(t *testing.T) {
	s := loadTestSchema(t, "all.json")
	a, err := s.Encode(nil, "all.types", []byte(`{"u":1,"i":1,"s":1,"f":1,"d":1,"str":"x","opt":null,"ru":null,"inner":null}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Encode(nil, "all.types", []byte(`{"u":1,"i":1,"s":1,"f":1,"d":1,"str":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("null optional fields were written: %x vs %x", a, b)
	}
}

func TestRecursiveSchemaDepth(t *testing.T) {
	s := mustParse(t, `{"message N":{"optional N next":1,"optional uInt32 v":2},"r":{"optional N n":1}}`)
	body := `{"n":` + strings.Repeat(`{"next":`, 150) + `{}` + strings.Repeat(`}`, 150) + `}`
	if _, err := s.Encode(nil, "r", []byte(body)); !errors.Is(err, ErrBody) || !strings.Contains(err.Error(), "deeply") {
		t.Fatalf("deep body: %v", err)
	}
	shallow := `{"n":` + strings.Repeat(`{"next":`, 20) + `{"v":7}` + strings.Repeat(`}`, 20) + `}`
	enc, err := s.Encode(nil, "r", []byte(shallow))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := s.Decode(nil, "r", enc)
	if err != nil {
		t.Fatal(err)
	}
	if string(dec) != shallow {
		t.Fatalf("round trip:\n got %s\nwant %s", dec, shallow)
	}
	// Bytes nested deeper than the limit: each level is key 0x0a, length.
	n := []byte{}
	for i := 0; i < 120; i++ {
		n = append([]byte{0x0a}, append(varintBytes(len(n)), n...)...)
	}
	if _, err := s.Decode(nil, "r", n); !errors.Is(err, ErrBytes) || !strings.Contains(err.Error(), "deeply") {
		t.Fatalf("deep bytes: %v", err)
	}
}

func varintBytes(n int) []byte {
	var b []byte
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

func TestDecodeErrors(t *testing.T) {
	s := loadTestSchema(t, "all.json")
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"undeclared tag", []byte{0x88, 0x01, 1}, "undeclared tag 17"},
		{"tag zero", []byte{0x00, 1}, "undeclared tag 0"},
		{"truncated varint", []byte{0x08, 0x80}, "unexpected EOF"},
		{"truncated key", []byte{0x80}, "unexpected EOF"},
		{"truncated float", []byte{0x25, 1, 2}, "truncated"},
		{"truncated double", []byte{0x29, 1, 2, 3}, "truncated"},
		{"string past end", []byte{0x32, 5, 'a'}, "past the end"},
		{"twice", []byte{0x08, 1, 0x08, 2}, `"u" given twice`},
		{"repeated in two runs", []byte{0x40, 1, 1, 0x08, 1, 0x40, 1, 2}, `"ru" given twice`},
		{"count past end", []byte{0x40, 5, 1}, "truncated"},
		{"nested past its end", []byte{0x6a, 2, 0x0a, 5, 'a', 'b', 'c', 'd', 'e'}, "past the end"},
		{"varint overflow", append([]byte{0x08}, bytes.Repeat([]byte{0xff}, 11)...), "overflow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Decode([]byte("keep"), "all.types", tc.in)
			if !errors.Is(err, ErrBytes) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode(%x) = %v, want ErrBytes mentioning %q", tc.in, err, tc.want)
			}
			if string(got) != "keep" {
				t.Fatalf("Decode left %q in dst after an error", got)
			}
		})
	}
	if _, err := s.Decode(nil, "nope", nil); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("unknown route: %v", err)
	}
}

func TestDecodeLenient(t *testing.T) {
	s := loadTestSchema(t, "all.json")
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		// The browser client (pomelo-protobuf's client/protobuf.js) writes
		// wire type 2 for varints; the decoder trusts the schema.
		{"browser wire type", []byte{0x0a, 5}, `{"u":5}`},
		// Two runs of one repeated number, back to back, make one array.
		{"contiguous runs", []byte{0x40, 1, 1, 0x40, 2, 2, 3}, `{"ru":[1,2,3]}`},
		{"empty count", []byte{0x40, 0}, `{"ru":[]}`},
		{"nan float", []byte{0x25, 0, 0, 0xc0, 0x7f}, `{"f":null}`},
		{"big uInt32", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, `{"u":18446744073709552000}`},
		// 2^64-1 rounds to 2^64 in a JavaScript number, which is even:
		// pomelo-protobuf reads a positive value.
		{"big sInt32", []byte{0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, `{"s":9223372036854776000}`},
		{"big odd sInt32", []byte{0x18, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, `{"s":36028797018963970}`}, // 2^56+1 rounds to 2^56: even
		{"invalid utf8", []byte{0x32, 4, 'a', 0xe2, 0x82, 'b'}, `{"str":"a\ufffdb"}`},
		{"control chars", []byte{0x32, 3, 0x01, '\n', '"'}, `{"str":"\u0001\n\""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Decode(nil, "all.types", tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			// Compare after normalising \ufffd written either way.
			want.WriteString(tc.want)
			if !jsonEqual(t, got, want.Bytes()) {
				t.Fatalf("got %s want %s", got, tc.want)
			}
		})
	}
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func TestVersion(t *testing.T) {
	if Version(nil, nil) != "" {
		t.Fatal("Version(nil, nil) is not empty")
	}
	a := mustParse(t, `{"r":{"required uInt32 a":1}}`)
	b := mustParse(t, `{"r":{"required uInt32 b":1}}`)
	if Version(a, nil) == Version(b, nil) || Version(a, nil) == Version(nil, a) {
		t.Fatal("different schemas share a version")
	}
	if Version(a, b) != Version(mustParse(t, `{"r":{"required uInt32 a":1}}`), b) {
		t.Fatal("equal schemas differ in version")
	}
}

// TestEncodeStringLengths crosses the one-byte length boundary, escaped
// and not, which moves bytes after the placeholder.
func TestEncodeStringLengths(t *testing.T) {
	s := mustParse(t, `{"r":{"required string s":1,"message M":{"required string s":1},"optional M m":2}}`)
	for _, n := range []int{0, 1, 126, 127, 128, 129, 16383, 16384} {
		for _, esc := range []bool{false, true} {
			str := strings.Repeat("a", n)
			lit := str
			if esc && n > 0 {
				lit = `\u0061` + str[1:]
			}
			body := `{"m":{"s":"` + lit + `"},"s":"` + lit + `"}`
			enc, err := s.Encode(nil, "r", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			dec, err := s.Decode(nil, "r", enc)
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"m":{"s":"` + str + `"},"s":"` + str + `"}`; string(dec) != want {
				t.Fatalf("n=%d esc=%v: round trip lost bytes (%d vs %d)", n, esc, len(dec), len(want))
			}
		}
	}
}

// TestManyFields goes past the 64 fields the seen-set keeps in one word,
// and names a key with JSON escapes.
func TestManyFields(t *testing.T) {
	var src, body strings.Builder
	src.WriteString(`{"r":{`)
	body.WriteString(`{`)
	for i := 1; i <= 70; i++ {
		if i > 1 {
			src.WriteString(",")
			body.WriteString(",")
		}
		src.WriteString(`"optional uInt32 f` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
		body.WriteString(`"f` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	src.WriteString(`}}`)
	body.WriteString(`}`)
	s := mustParse(t, src.String())
	enc, err := s.Encode(nil, "r", []byte(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := s.Decode(nil, "r", enc)
	if err != nil || string(dec) != body.String() {
		t.Fatalf("round trip: %v\n%s", err, dec)
	}
	dup := strings.TrimSuffix(body.String(), "}") + `,"f70":1}`
	if _, err := s.Encode(nil, "r", []byte(dup)); !errors.Is(err, ErrBody) || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate past 64: %v", err)
	}
	if _, err := s.Decode(nil, "r", append(enc, enc[len(enc)-3:]...)); !errors.Is(err, ErrBytes) {
		t.Fatalf("field 70 twice: %v", err)
	}
	// "\u0066\u0031" is "f1".
	esc, err := s.Encode(nil, "r", []byte(`{"\u0066\u0031":5}`))
	if err != nil || !bytes.Equal(esc, []byte{0x08, 5}) {
		t.Fatalf("escaped key: %x %v", esc, err)
	}
}
