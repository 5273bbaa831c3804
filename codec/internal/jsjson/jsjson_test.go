package jsjson

import (
	"math"
	"strings"
	"testing"
)

// The expectations below are what node prints for JSON.stringify(x) and
// parseInt(String(x)).
func TestAppendNumberAndParseInt(t *testing.T) {
	for _, tc := range []struct {
		f     float64
		json  string
		parse float64
	}{
		{0, "0", 0}, {math.Copysign(0, -1), "0", 0}, {1, "1", 1}, {-1, "-1", -1},
		{0.1, "0.1", 0}, {1.5, "1.5", 1}, {-2.5e-7, "-2.5e-7", -2}, {1e-6, "0.000001", 0},
		{9.99e-7, "9.99e-7", 9}, {1e21, "1e+21", 1}, {1.5e21, "1.5e+21", 1},
		{123456789012345680000, "123456789012345680000", 123456789012345680000},
		{1.0 / 3, "0.3333333333333333", 0}, {5e-324, "5e-324", 5},
		{math.MaxFloat64, "1.7976931348623157e+308", 1}, {-1e300, "-1e+300", -1},
		{0.000001234, "0.000001234", 0}, {100, "100", 100},
		{1 << 53, "9007199254740992", 1 << 53}, {1<<53 + 2, "9007199254740994", 1<<53 + 2},
		{3.4028234663852886e38, "3.4028234663852886e+38", 3},
	} {
		if got := string(AppendNumber(nil, tc.f)); got != tc.json {
			t.Errorf("AppendNumber(%v) = %s, want %s", tc.f, got, tc.json)
		}
		if got := ParseInt(tc.f); got != tc.parse {
			t.Errorf("ParseInt(%v) = %v, want %v", tc.f, got, tc.parse)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(AppendNumber(nil, f)); got != "null" {
			t.Errorf("AppendNumber(%v) = %s", f, got)
		}
	}
}

func TestAppendString(t *testing.T) {
	in := "a\"b\\c\n\t\r\b\f\x01\x1f\x7f\u2028\u2029é😀</>&"
	want := `"a\"b\\c\n\t\r\b\f\u0001\u001f` + "\x7f\u2028\u2029é😀</>&" + `"`
	if got := string(AppendString(nil, in)); got != want {
		t.Errorf("AppendString:\n got %s\nwant %s", got, want)
	}
	if got := string(AppendBytes(nil, []byte(in))); got != want {
		t.Errorf("AppendBytes:\n got %s\nwant %s", got, want)
	}
}

// Invalid UTF-8 becomes one U+FFFD per maximal subpart, as Node's
// Buffer.toString does.
func TestReplacement(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{[]byte{0x61, 0xe2, 0x82, 0x62}, "a\uFFFDb"},
		{[]byte{0xed, 0xa0, 0x80}, strings.Repeat("\uFFFD", 3)},
		{[]byte{0xf0, 0x9f, 0x98}, "\uFFFD"},
		{[]byte{0xc0, 0xaf}, strings.Repeat("\uFFFD", 2)},
		{[]byte{0xf4, 0x90, 0x80, 0x80}, strings.Repeat("\uFFFD", 4)},
		{[]byte{0xe0, 0x80, 0x80}, strings.Repeat("\uFFFD", 3)},
		{[]byte{0xf0, 0x9f, 0x98, 0x80}, "😀"},
		{[]byte{0xff}, "\uFFFD"},
	} {
		want := `"` + tc.want + `"`
		if got := string(AppendBytes(nil, tc.in)); got != want {
			t.Errorf("AppendBytes(%x) = %q, want %q", tc.in, got, want)
		}
		if got := string(AppendString(nil, string(tc.in))); got != want {
			t.Errorf("AppendString(%x) = %q, want %q", tc.in, got, want)
		}
	}
}

func TestParseOrder(t *testing.T) {
	v, err := Parse([]byte(`{"b":1,"10":2,"a":3,"2":4,"b":5,"01":6,"4294967295":7,"4294967294":8}`))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range v.Members {
		keys = append(keys, m.Key)
	}
	// JavaScript: array indices (below 2^32-1) ascending, then insertion
	// order; "b" keeps its first place and its last value.
	if got := strings.Join(keys, ","); got != "2,10,4294967294,b,a,01,4294967295" {
		t.Fatalf("order %s", got)
	}
	if v.Members[3].Val.Num != 5 {
		t.Fatalf("duplicate key kept %v", v.Members[3].Val.Num)
	}
	for _, bad := range []string{`{`, `{"a":1} x`, `[1,]`, strings.Repeat("[", 300) + strings.Repeat("]", 300)} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%.20s) accepted", bad)
		}
	}
	v, err = Parse([]byte(`[true,null,"s",1e400]`))
	if err != nil || len(v.Arr) != 4 || !v.Arr[0].Bool || v.Arr[1].Kind != Null || v.Arr[2].Str != "s" || !math.IsInf(v.Arr[3].Num, 1) {
		t.Fatalf("%+v %v", v, err)
	}
}
