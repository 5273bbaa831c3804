package group

import (
	"fmt"
	"slices"
	"testing"
)

func TestUnique(t *testing.T) {
	type op struct {
		kind     string // set, del
		key      string
		c        int
		wantPrev int
		wantOK   bool // replaced / deleted
		wantLen  int
		wantGet  int // -1: absent
	}
	tests := []struct {
		name string
		ops  []op
	}{
		{"set new", []op{
			{kind: "set", key: "b", c: 1, wantOK: false, wantLen: 1, wantGet: 1},
		}},
		{"replace", []op{
			{kind: "set", key: "b", c: 1, wantOK: false, wantLen: 1, wantGet: 1},
			{kind: "set", key: "b", c: 2, wantPrev: 1, wantOK: true, wantLen: 1, wantGet: 2},
		}},
		{"set same again", []op{
			{kind: "set", key: "b", c: 1, wantOK: false, wantLen: 1, wantGet: 1},
			{kind: "set", key: "b", c: 1, wantPrev: 1, wantOK: true, wantLen: 1, wantGet: 1},
		}},
		{"stale delete keeps the newer member", []op{
			{kind: "set", key: "b", c: 1, wantOK: false, wantLen: 1, wantGet: 1},
			{kind: "set", key: "b", c: 2, wantPrev: 1, wantOK: true, wantLen: 1, wantGet: 2},
			{kind: "del", key: "b", c: 1, wantOK: false, wantLen: 1, wantGet: 2},
			{kind: "del", key: "b", c: 2, wantOK: true, wantLen: 0, wantGet: -1},
		}},
		{"delete missing", []op{
			{kind: "del", key: "b", c: 0, wantOK: false, wantLen: 0, wantGet: -1},
		}},
		{"zero member is a member", []op{
			{kind: "set", key: "z", c: 0, wantOK: false, wantLen: 1, wantGet: 0},
			{kind: "del", key: "z", c: 0, wantOK: true, wantLen: 0, wantGet: -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u Unique[int]
			for i, o := range tt.ops {
				switch o.kind {
				case "set":
					prev, replaced := u.Set(o.key, o.c)
					if replaced != o.wantOK || (replaced && prev != o.wantPrev) {
						t.Fatalf("op %d: Set = %d, %v; want %d, %v", i, prev, replaced, o.wantPrev, o.wantOK)
					}
				case "del":
					if got := u.Delete(o.key, o.c); got != o.wantOK {
						t.Fatalf("op %d: Delete = %v", i, got)
					}
				}
				if u.Len() != o.wantLen {
					t.Fatalf("op %d: Len = %d, want %d", i, u.Len(), o.wantLen)
				}
				got, ok := u.Get(o.key)
				if ok != (o.wantGet >= 0) || (ok && got != o.wantGet) {
					t.Fatalf("op %d: Get = %d, %v; want %d", i, got, ok, o.wantGet)
				}
			}
		})
	}
}

func TestUniqueRange(t *testing.T) {
	var u Unique[int]
	want := map[string]int{}
	for i := range 100 {
		k := fmt.Sprint("id", i)
		u.Set(k, i)
		want[k] = i
	}
	got := map[string]int{}
	u.Range(func(k string, c int) bool {
		got[k] = c
		u.Delete(k, c) // mutating from fn must not deadlock
		return true
	})
	if len(got) != len(want) {
		t.Fatalf("Range visited %d keys, want %d", len(got), len(want))
	}
	for k, c := range want {
		if got[k] != c {
			t.Fatalf("Range gave %s=%d, want %d", k, got[k], c)
		}
	}
	if u.Len() != 0 {
		t.Fatalf("Len = %d after deleting from Range", u.Len())
	}
	u.Set("a", 1)
	u.Set("b", 2)
	n := 0
	u.Range(func(string, int) bool { n++; return false })
	if n != 1 {
		t.Fatalf("Range went on after fn returned false: %d calls", n)
	}
	var keys []string
	u.Range(func(k string, _ int) bool { keys = append(keys, k); return true })
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"a", "b"}) {
		t.Fatalf("keys = %v", keys)
	}
}

func TestUniqueShardShrinks(t *testing.T) {
	var u Unique[int]
	const n = 64 * shrinkMin * 2
	for i := range n {
		u.Set(fmt.Sprint(i), i)
	}
	for i := range n {
		u.Delete(fmt.Sprint(i), i)
	}
	for i := range u.shards {
		if p := u.shards[i].peak; p >= shrinkMin {
			t.Fatalf("shard %d: peak %d after deleting every key: never rebuilt", i, p)
		}
	}
}
