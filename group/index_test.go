package group

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

func TestIndexAddRemove(t *testing.T) {
	type op struct {
		add          bool
		key          string
		c            int
		ok, edge     bool // added/removed, first/last
		wantCount    int  // Count(key) afterwards
		wantLen      int  // Len() afterwards
		wantContains bool // Contains(key, c) afterwards
	}
	tests := []struct {
		name string
		ops  []op
	}{
		{"add to empty", []op{
			{add: true, key: "u", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
		}},
		{"add twice", []op{
			{add: true, key: "u", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: true, key: "u", c: 1, ok: false, edge: false, wantCount: 1, wantLen: 1, wantContains: true},
		}},
		{"second member", []op{
			{add: true, key: "u", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: true, key: "u", c: 2, ok: true, edge: false, wantCount: 2, wantLen: 1, wantContains: true},
			{add: true, key: "u", c: 2, ok: false, edge: false, wantCount: 2, wantLen: 1, wantContains: true},
		}},
		{"remove missing key", []op{
			{add: false, key: "u", c: 1, ok: false, edge: false, wantCount: 0, wantLen: 0},
		}},
		{"remove non-member of inline key", []op{
			{add: true, key: "u", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: false, key: "u", c: 2, ok: false, edge: false, wantCount: 1, wantLen: 1},
		}},
		{"remove last", []op{
			{add: true, key: "u", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: false, key: "u", c: 1, ok: true, edge: true, wantCount: 0, wantLen: 0},
			{add: false, key: "u", c: 1, ok: false, edge: false, wantCount: 0, wantLen: 0},
		}},
		{"set back to inline then empty", []op{
			{add: true, key: "g", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: true, key: "g", c: 2, ok: true, edge: false, wantCount: 2, wantLen: 1, wantContains: true},
			{add: false, key: "g", c: 3, ok: false, edge: false, wantCount: 2, wantLen: 1},
			{add: false, key: "g", c: 1, ok: true, edge: false, wantCount: 1, wantLen: 1},
			{add: false, key: "g", c: 2, ok: true, edge: true, wantCount: 0, wantLen: 0},
		}},
		{"keys are independent", []op{
			{add: true, key: "a", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: true, key: "b", c: 1, ok: true, edge: true, wantCount: 1, wantLen: 2, wantContains: true},
			{add: false, key: "a", c: 1, ok: true, edge: true, wantCount: 0, wantLen: 1},
			{add: false, key: "b", c: 1, ok: true, edge: true, wantCount: 0, wantLen: 0},
		}},
		{"empty key string is a key", []op{
			{add: true, key: "", c: 0, ok: true, edge: true, wantCount: 1, wantLen: 1, wantContains: true},
			{add: false, key: "", c: 0, ok: true, edge: true, wantCount: 0, wantLen: 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x Index[int]
			for i, o := range tt.ops {
				var ok, edge bool
				if o.add {
					ok, edge = x.Add(o.key, o.c)
				} else {
					ok, edge = x.Remove(o.key, o.c)
				}
				if ok != o.ok || edge != o.edge {
					t.Fatalf("op %d (add=%v %q %d) = %v, %v; want %v, %v", i, o.add, o.key, o.c, ok, edge, o.ok, o.edge)
				}
				if got := x.Count(o.key); got != o.wantCount {
					t.Fatalf("op %d: Count = %d, want %d", i, got, o.wantCount)
				}
				if got := x.Len(); got != o.wantLen {
					t.Fatalf("op %d: Len = %d, want %d", i, got, o.wantLen)
				}
				if got := x.Contains(o.key, o.c); got != o.wantContains {
					t.Fatalf("op %d: Contains = %v, want %v", i, got, o.wantContains)
				}
			}
		})
	}
}

// TestIndexOrder walks a key through inline, small and large sets, with
// removals at the front, middle and end, checking that the order of the
// members that stay never changes.
func TestIndexOrder(t *testing.T) {
	var x Index[int]
	var want []int
	check := func(step string) {
		t.Helper()
		if got := x.Members("k", nil); !slices.Equal(got, want) {
			t.Fatalf("%s: Members = %v, want %v", step, got, want)
		}
		var ranged []int
		x.Range("k", func(c int) bool { ranged = append(ranged, c); return true })
		if !slices.Equal(ranged, want) {
			t.Fatalf("%s: Range = %v, want %v", step, ranged, want)
		}
		if got := x.Count("k"); got != len(want) {
			t.Fatalf("%s: Count = %d, want %d", step, got, len(want))
		}
	}
	remove := func(c int) {
		t.Helper()
		if ok, _ := x.Remove("k", c); !ok {
			t.Fatalf("Remove(%d) = false", c)
		}
		want = slices.DeleteFunc(want, func(v int) bool { return v == c })
	}
	for i := range 40 {
		x.Add("k", i)
		want = append(want, i)
		check(fmt.Sprintf("add %d", i))
	}
	// Large set: tombstones, then compaction when they outnumber the rest.
	for _, c := range []int{0, 20, 39, 1, 2, 3, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35} {
		remove(c)
		check(fmt.Sprintf("remove %d", c))
	}
	// Re-adding a removed member puts it last.
	x.Add("k", 0)
	want = append(want, 0)
	check("re-add 0")
	// Shrink to a small set, then inline, then empty.
	for len(want) > 0 {
		remove(want[len(want)/2])
		check(fmt.Sprintf("shrink to %d", len(want)))
	}
	if x.Len() != 0 {
		t.Fatalf("Len = %d after removing all", x.Len())
	}
}

func TestIndexPage(t *testing.T) {
	var x Index[int]
	for i := range 25 {
		x.Add("g", i)
	}
	// Tombstones in the middle must not shift page boundaries wrongly.
	for _, c := range []int{3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19} {
		x.Remove("g", c)
	}
	all := x.Members("g", nil)
	tests := []struct {
		offset, limit int
		want          []int
	}{
		{0, 5, all[:5]},
		{5, 5, all[5:10]},
		{10, 5, all[10:]},
		{13, 5, nil},
		{100, 5, nil},
		{-3, 2, all[:2]},
		{2, 0, all[2:]},
		{0, -1, all},
		{12, 1, all[12:]},
	}
	for _, tt := range tests {
		page, total := x.Page("g", tt.offset, tt.limit, nil)
		if total != len(all) || !slices.Equal(page, tt.want) {
			t.Errorf("Page(%d, %d) = %v, %d; want %v, %d", tt.offset, tt.limit, page, total, tt.want, len(all))
		}
	}
	// Walking every page size visits every member once, in order.
	for size := 1; size <= len(all)+1; size++ {
		var got []int
		for off := 0; ; off += size {
			var total int
			n := len(got)
			got, total = x.Page("g", off, size, got)
			if total != len(all) {
				t.Fatalf("total = %d", total)
			}
			if len(got) == n {
				break
			}
		}
		if !slices.Equal(got, all) {
			t.Fatalf("pages of %d = %v, want %v", size, got, all)
		}
	}
	// Inline and missing keys.
	x.Add("one", 7)
	if page, total := x.Page("one", 0, 10, nil); total != 1 || !slices.Equal(page, []int{7}) {
		t.Errorf("Page(one, 0) = %v, %d", page, total)
	}
	if page, total := x.Page("one", 1, 10, nil); total != 1 || len(page) != 0 {
		t.Errorf("Page(one, 1) = %v, %d", page, total)
	}
	if page, total := x.Page("none", 0, 10, []int{9}); total != 0 || !slices.Equal(page, []int{9}) {
		t.Errorf("Page(none) = %v, %d", page, total)
	}
}

func TestIndexMembersAppends(t *testing.T) {
	var x Index[int]
	x.Add("a", 1)
	x.Add("b", 2)
	x.Add("b", 3)
	got := x.Members("a", []int{0})
	got = x.Members("b", got)
	got = x.Members("none", got)
	if !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Fatalf("Members = %v", got)
	}
}

func TestIndexRangeStops(t *testing.T) {
	var x Index[int]
	for i := range 20 {
		x.Add("k", i)
	}
	n := 0
	x.Range("k", func(int) bool { n++; return n < 5 })
	if n != 5 {
		t.Fatalf("Range called fn %d times after it returned false at 5", n)
	}
	x.Range("none", func(int) bool { t.Fatal("fn called for a missing key"); return true })
}

// TestIndexRangeMutates removes and adds members of the ranged key from
// inside fn: no deadlock, and the iteration sees the snapshot.
func TestIndexRangeMutates(t *testing.T) {
	for _, n := range []int{1, 3, 20} {
		var x Index[int]
		var want []int
		for i := range n {
			x.Add("k", i)
			want = append(want, i)
		}
		var seen []int
		x.Range("k", func(c int) bool {
			seen = append(seen, c)
			x.Remove("k", c)
			x.Add("other", c)
			x.Add("k", c+1000)
			return true
		})
		if !slices.Equal(seen, want) {
			t.Fatalf("n=%d: Range saw %v, want the snapshot %v", n, seen, want)
		}
		if x.Count("k") != n || x.Count("other") != n {
			t.Fatalf("n=%d: Count(k)=%d Count(other)=%d", n, x.Count("k"), x.Count("other"))
		}
	}
}

func TestIndexKeys(t *testing.T) {
	var x Index[int]
	names := []string{"delta", "alpha", "charlie", "bravo", "echo"}
	for i, k := range names {
		x.Add(k, i)
		x.Add(k, i+10)
	}
	x.Add("gone", 1)
	x.Remove("gone", 1)
	want := slices.Sorted(slices.Values(names))
	if got := x.Keys([]string{"keep"}); !slices.Equal(got, append([]string{"keep"}, want...)) {
		t.Fatalf("Keys = %v", got)
	}
	tests := []struct {
		offset, limit int
		want          []string
	}{
		{0, 2, want[:2]},
		{2, 2, want[2:4]},
		{4, 2, want[4:]},
		{5, 2, []string{}},
		{-1, 0, want},
		{9, 0, []string{}},
	}
	for _, tt := range tests {
		page, total := x.KeysPage(tt.offset, tt.limit)
		if total != len(want) || !slices.Equal(page, tt.want) {
			t.Errorf("KeysPage(%d, %d) = %v, %d; want %v, %d", tt.offset, tt.limit, page, total, tt.want, len(want))
		}
	}
}

// TestIndexProperty applies random add/remove sequences to an Index and to
// a plain model, compares them after every step, and checks that removing
// everything leaves no key behind.
func TestIndexProperty(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 42))
		var x Index[int]
		model := map[string][]int{} // insertion order
		nkeys := 1 + r.IntN(20)
		nmem := 1 + r.IntN(60)
		for step := range 3000 {
			key := fmt.Sprint("k", r.IntN(nkeys))
			c := r.IntN(nmem)
			in := slices.Contains(model[key], c)
			if r.IntN(2) == 0 {
				added, first := x.Add(key, c)
				if added != !in || first != (len(model[key]) == 0) {
					t.Fatalf("seed %d step %d: Add(%s, %d) = %v, %v with model %v", seed, step, key, c, added, first, model[key])
				}
				if !in {
					model[key] = append(model[key], c)
				}
			} else {
				removed, last := x.Remove(key, c)
				if removed != in || last != (in && len(model[key]) == 1) {
					t.Fatalf("seed %d step %d: Remove(%s, %d) = %v, %v with model %v", seed, step, key, c, removed, last, model[key])
				}
				if in {
					model[key] = slices.DeleteFunc(model[key], func(v int) bool { return v == c })
					if len(model[key]) == 0 {
						delete(model, key)
					}
				}
			}
			if got := x.Members(key, nil); !slices.Equal(got, model[key]) {
				t.Fatalf("seed %d step %d: Members(%s) = %v, model %v", seed, step, key, got, model[key])
			}
			if x.Len() != len(model) {
				t.Fatalf("seed %d step %d: Len = %d, model %d", seed, step, x.Len(), len(model))
			}
		}
		// Remove everything in random order.
		var pairs [][2]any
		for k, ms := range model {
			for _, c := range ms {
				pairs = append(pairs, [2]any{k, c})
			}
		}
		r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
		for _, p := range pairs {
			if ok, _ := x.Remove(p[0].(string), p[1].(int)); !ok {
				t.Fatalf("seed %d: Remove(%v) = false", seed, p)
			}
		}
		if x.Len() != 0 {
			t.Fatalf("seed %d: Len = %d after removing all", seed, x.Len())
		}
		if keys := x.Keys(nil); len(keys) != 0 {
			t.Fatalf("seed %d: Keys = %v after removing all", seed, keys)
		}
		for i := range x.shards {
			if n := len(x.shards[i].m); n != 0 {
				t.Fatalf("seed %d: shard %d holds %d entries", seed, i, n)
			}
		}
	}
}

// TestIndexShardShrinks checks that a shard map that once held many keys is
// rebuilt smaller once most of them are gone.
func TestIndexShardShrinks(t *testing.T) {
	var x Index[int]
	const n = 64 * shrinkMin * 2
	for i := range n {
		x.Add(fmt.Sprint(i), i)
	}
	for i := range n {
		x.Remove(fmt.Sprint(i), i)
	}
	for i := range x.shards {
		sh := &x.shards[i]
		if sh.peak >= shrinkMin {
			t.Fatalf("shard %d: peak %d after removing every key: never rebuilt", i, sh.peak)
		}
	}
	if x.Len() != 0 {
		t.Fatalf("Len = %d", x.Len())
	}
}
