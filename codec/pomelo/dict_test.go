package pomelo

import (
	"errors"
	"strings"
	"testing"
)

func TestNewDict(t *testing.T) {
	d, err := NewDict([]string{"b.h.m", "a.h.z", "a.h.a"}, "onB", "onA")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint16{"a.h.a": 1, "a.h.z": 2, "b.h.m": 3, "onB": 4, "onA": 5}
	for r, code := range want {
		if c, ok := d.Code(r); !ok || c != code {
			t.Errorf("Code(%q) = %d, %v; want %d", r, c, ok, code)
		}
		if back, ok := d.Route(code); !ok || back != r {
			t.Errorf("Route(%d) = %q", code, back)
		}
	}
	if d.Len() != 5 {
		t.Fatalf("Len %d", d.Len())
	}
	if _, ok := d.Code("nope"); ok {
		t.Fatal("unknown route has a code")
	}
	if _, ok := d.Route(6); ok {
		t.Fatal("unknown code has a route")
	}
	if string(d.dict) != `{"a.h.a":1,"a.h.z":2,"b.h.m":3,"onB":4,"onA":5}` {
		t.Fatalf("dict JSON %s", d.dict)
	}
	if string(d.abbrs) != `{"1":"a.h.a","2":"a.h.z","3":"b.h.m","4":"onB","5":"onA"}` {
		t.Fatalf("abbrs JSON %s", d.abbrs)
	}
	var nilDict *Dict
	if _, ok := nilDict.Code("a"); ok || nilDict.Len() != 0 || nilDict.Version() != "" {
		t.Fatal("nil Dict")
	}
	if _, ok := nilDict.Route(1); ok {
		t.Fatal("nil Dict has routes")
	}
}

func TestDictErrors(t *testing.T) {
	for name, f := range map[string]func() (*Dict, error){
		"duplicate":       func() (*Dict, error) { return NewDict([]string{"a", "a"}) },
		"extra duplicate": func() (*Dict, error) { return NewDict([]string{"a"}, "a") },
		"code zero":       func() (*Dict, error) { return DictFromMap(map[string]uint16{"a": 0}) },
		"code twice":      func() (*Dict, error) { return DictFromMap(map[string]uint16{"a": 1, "b": 1}) },
		"too many":        func() (*Dict, error) { return NewDict(make([]string, 0x10000)) },
	} {
		if _, err := f(); !errors.Is(err, ErrDict) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDictFromMap(t *testing.T) {
	d, err := DictFromMap(map[string]uint16{"z": 2, "a": 7, "m": 1})
	if err != nil {
		t.Fatal(err)
	}
	if string(d.dict) != `{"m":1,"z":2,"a":7}` || d.Version() == "" {
		t.Fatalf("%s %q", d.dict, d.Version())
	}
	d2, _ := DictFromMap(map[string]uint16{"m": 1, "a": 7, "z": 2})
	if d2.Version() != d.Version() {
		t.Fatal("equal maps, different versions")
	}
}

// JavaScript sorts by UTF-16 code units and puts array-index keys first in
// JSON.stringify; NewDict follows both.
func TestDictJavaScriptOrder(t *testing.T) {
	d, err := NewDict([]string{"\uff61", "\U0001F600", "b", "10", "9"})
	if err != nil {
		t.Fatal(err)
	}
	// Code units: "10" < "9" < "b" < U+D83D… < U+FF61.
	for i, r := range []string{"10", "9", "b", "\U0001F600", "\uff61"} {
		if c, _ := d.Code(r); int(c) != i+1 {
			t.Errorf("%q has code %d, want %d", r, c, i+1)
		}
	}
	if !strings.HasPrefix(string(d.dict), `{"9":2,"10":1,"b":3`) {
		t.Fatalf("dict JSON %s", d.dict)
	}
}
