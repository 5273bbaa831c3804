package jsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is a parsed JSON value that keeps what JSON.parse keeps, including
// the order JavaScript enumerates an object's properties in.
type Value struct {
	Kind    Kind
	Bool    bool
	Num     float64
	Str     string
	Arr     []Value
	Members []Member // Object: in JavaScript property order
}

// Member is one property of an object.
type Member struct {
	Key string
	Val Value
}

// maxDepth bounds nesting: schema files are shallow, and a deep one must
// not exhaust the stack.
const maxDepth = 200

// Parse parses data as JSON.parse does. An object's members come in
// JavaScript's property order: keys that are array indices ("0", "17")
// first in ascending numeric order, then the others in the order they
// were written; a key written twice keeps its first place and its last
// value.
func Parse(data []byte) (Value, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := parseValue(d, 0)
	if err != nil {
		return Value{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return Value{}, errors.New("jsjson: data after the top-level value")
	}
	return v, nil
}

func parseValue(d *json.Decoder, depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, errors.New("jsjson: nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Value{}, fmt.Errorf("jsjson: %w", err)
	}
	switch t := tok.(type) {
	case nil:
		return Value{Kind: Null}, nil
	case bool:
		return Value{Kind: Bool, Bool: t}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return Value{}, fmt.Errorf("jsjson: number %s: %w", t, err)
		}
		return Value{Kind: Number, Num: f}, nil
	case string:
		return Value{Kind: String, Str: t}, nil
	case json.Delim:
		if t == '[' {
			v := Value{Kind: Array}
			for d.More() {
				e, err := parseValue(d, depth+1)
				if err != nil {
					return Value{}, err
				}
				v.Arr = append(v.Arr, e)
			}
			_, err := d.Token()
			return v, err
		}
		v := Value{Kind: Object}
		index := map[string]int{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return Value{}, fmt.Errorf("jsjson: %w", err)
			}
			key := kt.(string)
			val, err := parseValue(d, depth+1)
			if err != nil {
				return Value{}, err
			}
			if i, dup := index[key]; dup {
				v.Members[i].Val = val
				continue
			}
			index[key] = len(v.Members)
			v.Members = append(v.Members, Member{Key: key, Val: val})
		}
		if _, err := d.Token(); err != nil {
			return Value{}, fmt.Errorf("jsjson: %w", err)
		}
		SortKeys(v.Members, func(m Member) string { return m.Key })
		return v, nil
	}
	return Value{}, fmt.Errorf("jsjson: unexpected token %v", tok)
}

// IsArrayIndex reports whether JavaScript treats key as an array index,
// which moves it to the front of an object's property order: a canonical
// decimal integer below 2³²-1.
func IsArrayIndex(key string) bool {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return false
	}
	n, err := strconv.ParseUint(key, 10, 64)
	return err == nil && n < 1<<32-1
}

// SortKeys puts s in JavaScript property order by key: array indices
// first, ascending, then the rest in their current order.
func SortKeys[T any](s []T, key func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int {
		ka, kb := key(a), key(b)
		ia, ib := IsArrayIndex(ka), IsArrayIndex(kb)
		switch {
		case ia && ib:
			na, _ := strconv.ParseUint(ka, 10, 64)
			nb, _ := strconv.ParseUint(kb, 10, 64)
			if na < nb {
				return -1
			}
			if na > nb {
				return 1
			}
			return 0
		case ia:
			return -1
		case ib:
			return 1
		}
		return 0
	})
}
