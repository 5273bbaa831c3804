package protobuf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

type goldenCase struct {
	Schema string `json:"schema"`
	Route  string `json:"route"`
	Body   string `json:"body"`
}

type golden struct {
	Parsed  map[string]string `json:"parsed"`
	Version string            `json:"version"`
	Cases   []struct {
		Hex     string `json:"hex"`
		Decoded string `json:"decoded"`
	} `json:"cases"`
}

func loadTestSchema(t testing.TB, name string) *Schema {
	t.Helper()
	s, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadCases(t testing.TB) []goldenCase {
	t.Helper()
	data, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestGolden compares gotio with the npm package pomelo-protobuf@0.4.0
// (testdata/golden.js): parsed schemas and proto version byte for byte,
// each case's encoding byte for byte, and the JSON decoded from node's
// bytes byte for byte.
func TestGolden(t *testing.T) {
	var g golden
	if err := json.Unmarshal(testenv.Node(t, time.Minute, "testdata/golden.js"), &g); err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*Schema{}
	for name, want := range g.Parsed {
		s := loadTestSchema(t, name)
		schemas[name] = s
		got, _ := s.MarshalJSON()
		if string(got) != want {
			t.Errorf("%s parsed form:\n got %s\nwant %s", name, got, want)
		}
		// The parsed form reads back to the same schema.
		var back Schema
		if err := back.UnmarshalJSON(got); err != nil {
			t.Fatalf("%s: UnmarshalJSON: %v", name, err)
		}
		if again, _ := back.MarshalJSON(); !bytes.Equal(again, got) {
			t.Errorf("%s: parsed form does not round-trip:\n got %s\nwant %s", name, again, got)
		}
	}
	if len(schemas) != 3 {
		t.Fatalf("golden.js parsed %d schemas, want 3", len(schemas))
	}
	if v := Version(schemas["clientProtos.json"], schemas["serverProtos.json"]); v != g.Version {
		t.Errorf("Version = %q, want %q", v, g.Version)
	}
	cases := loadCases(t)
	if len(cases) != len(g.Cases) {
		t.Fatalf("%d cases, node answered %d", len(cases), len(g.Cases))
	}
	for i, c := range cases {
		s := schemas[c.Schema]
		want, err := hex.DecodeString(g.Cases[i].Hex)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Encode([]byte("prefix"), c.Route, []byte(c.Body))
		if err != nil {
			t.Errorf("case %d %s: Encode: %v", i, c.Route, err)
			continue
		}
		if !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
			t.Errorf("case %d %s %s:\n got %x\nwant %x", i, c.Route, c.Body, got[6:], want)
		}
		dec, err := s.Decode(nil, c.Route, want)
		if err != nil {
			t.Errorf("case %d %s: Decode: %v", i, c.Route, err)
			continue
		}
		if string(dec) != g.Cases[i].Decoded {
			t.Errorf("case %d %s decode:\n got %s\nwant %s", i, c.Route, dec, g.Cases[i].Decoded)
		}
		if !json.Valid(dec) {
			t.Errorf("case %d: decoded JSON is not valid: %s", i, dec)
		}
	}
}
