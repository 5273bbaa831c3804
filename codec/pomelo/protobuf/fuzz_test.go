package protobuf

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzProtobuf feeds arbitrary bytes to the decoder of a schema that uses
// every type. A decode either fails with ErrBytes or yields valid JSON
// that encodes again, and whose encoding decodes to the same JSON.
func FuzzProtobuf(f *testing.F) {
	s := loadTestSchema(f, "all.json")
	for _, c := range loadCases(f) {
		if c.Schema != "all.json" {
			continue
		}
		enc, err := s.Encode(nil, c.Route, []byte(c.Body))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(c.Route, enc)
	}
	f.Add("all.types", []byte{0x40, 1, 1, 0x40, 2, 2, 3})
	f.Add("all.types", []byte{0x25, 0, 0, 0xc0, 0x7f})
	f.Add("idx.order", []byte{0x20, 2, 0x0a, 0})
	f.Fuzz(func(t *testing.T, route string, data []byte) {
		js, err := s.Decode(nil, route, data)
		if err != nil {
			if !errors.Is(err, ErrBytes) && !errors.Is(err, ErrNoRoute) {
				t.Fatalf("Decode error %v wraps neither ErrBytes nor ErrNoRoute", err)
			}
			return
		}
		if !json.Valid(js) {
			t.Fatalf("Decode(%x) wrote invalid JSON %s", data, js)
		}
		enc, err := s.Encode(nil, route, js)
		if err != nil {
			// Legitimate: a decoded message may lack required fields
			// or hold null (a NaN float); the encoder refuses those.
			if !errors.Is(err, ErrBody) {
				t.Fatalf("Encode error %v does not wrap ErrBody", err)
			}
			return
		}
		js2, err := s.Decode(nil, route, enc)
		if err != nil {
			t.Fatalf("re-decode of %x: %v", enc, err)
		}
		if string(js2) != string(js) && !sameNumbers(js, js2) {
			t.Fatalf("round trip changed the message:\n%s\n%s", js, js2)
		}
	})
}

// sameNumbers reports whether a and b are the same JSON after the float32
// and integer-part rounding the encoder applies (decode of the first may
// print more digits than survive a second pass through float32), and
// after dropping empty arrays: a repeated number with count 0 decodes as
// [], and an empty array is not written at all (both as pomelo-protobuf
// does).
func sameNumbers(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return approxEqual(x, y)
}

func approxEqual(x, y any) bool {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return false
		}
		dropEmpty(xv)
		dropEmpty(yv)
		if len(xv) != len(yv) {
			return false
		}
		for k, v := range xv {
			if !approxEqual(v, yv[k]) {
				return false
			}
		}
		return true
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !approxEqual(xv[i], yv[i]) {
				return false
			}
		}
		return true
	case float64:
		yv, ok := y.(float64)
		return ok && (xv == yv || float32(xv) == float32(yv))
	}
	return x == y
}

// FuzzEncode feeds arbitrary JSON bodies to the encoder. An encode either
// fails with ErrBody or yields bytes that decode.
func FuzzEncode(f *testing.F) {
	s := loadTestSchema(f, "all.json")
	for _, c := range loadCases(f) {
		if c.Schema == "all.json" {
			f.Add(c.Route, c.Body)
		}
	}
	f.Add("all.types", `{"u":1,"i":1,"s":1,"f":1,"d":1,"str":"\ud800\udc00","ru":[1,2],"zz":[{"a":null}]}`)
	f.Add("idx.order", `{"2":1,"10":2,"b":3,"2":4}`)
	f.Fuzz(func(t *testing.T, route, body string) {
		enc, err := s.Encode(nil, route, []byte(body))
		if err != nil {
			if !errors.Is(err, ErrBody) && !errors.Is(err, ErrNoRoute) {
				t.Fatalf("Encode error %v wraps neither ErrBody nor ErrNoRoute", err)
			}
			return
		}
		js, err := s.Decode(nil, route, enc)
		if err != nil {
			t.Fatalf("Encode(%s) = %x, which does not decode: %v", body, enc, err)
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON %s", js)
		}
	})
}

func dropEmpty(m map[string]any) {
	for k, v := range m {
		if a, ok := v.([]any); ok && len(a) == 0 {
			delete(m, k)
		}
	}
}
