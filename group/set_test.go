package group

import (
	"slices"
	"testing"
)

// TestSetShapes checks the representation changes the memory budget relies
// on: a map only above smallMax members, tombstones compacted, and a set
// that shrinks gives back its map.
func TestSetShapes(t *testing.T) {
	s := newSet(0, 1)
	for i := 2; i < smallMax; i++ {
		s.add(i)
	}
	if s.idx != nil {
		t.Fatalf("set of %d members has a map; want linear", s.live)
	}
	s.add(smallMax)
	if s.idx == nil {
		t.Fatalf("set of %d members has no map", s.live)
	}
	for i := smallMax + 1; i < 100; i++ {
		s.add(i)
	}
	// Remove from the front: tombstones accumulate until they outnumber
	// the live members, then the slice is compacted.
	for i := range 51 {
		s.remove(i)
		if dead := len(s.slots) - s.live; dead > s.live {
			t.Fatalf("after removing %d: %d tombstones, %d live: not compacted", i, dead, s.live)
		}
	}
	if len(s.slots) != 49 || s.live != 49 {
		t.Fatalf("after compaction: %d slots, %d live", len(s.slots), s.live)
	}
	for i, sl := range s.slots {
		if !sl.live || sl.c != 51+i || s.idx[sl.c] != i {
			t.Fatalf("slot %d = %+v, idx %d", i, sl, s.idx[sl.c])
		}
	}
	for i := 51; i < 100-smallMax/2; i++ {
		s.remove(i)
	}
	if s.idx != nil || s.live != smallMax/2 || len(s.slots) != smallMax/2 {
		t.Fatalf("after shrinking to %d: idx=%v slots=%d", s.live, s.idx != nil, len(s.slots))
	}
	if got := s.appendTo(nil); !slices.Equal(got, []int{96, 97, 98, 99}) {
		t.Fatalf("members = %v", got)
	}
	if s.add(97) || s.remove(5) {
		t.Fatal("add of a member or remove of a non-member reported a change")
	}
	if s.first() != 96 {
		t.Fatalf("first = %d", s.first())
	}
}

// TestSetCompactReleases checks that compaction reallocates a slice that is
// mostly unused instead of keeping its capacity.
func TestSetCompactReleases(t *testing.T) {
	s := newSet(-1, -2)
	for i := range 1000 {
		s.add(i)
	}
	for i := range 990 {
		s.remove(i)
	}
	if c := cap(s.slots); c > 4*s.live {
		t.Fatalf("cap %d for %d live members", c, s.live)
	}
}

// TestSetRemovedHoldsNothing checks that removed members are zeroed in the
// backing array, so a set does not keep closed connections reachable.
func TestSetRemovedHoldsNothing(t *testing.T) {
	type conn struct{ id int }
	conns := make([]*conn, 40)
	for i := range conns {
		conns[i] = &conn{i}
	}
	s := newSet(conns[0], conns[1])
	for _, c := range conns[2:] {
		s.add(c)
	}
	for _, c := range conns[:30] {
		s.remove(c)
	}
	full := s.slots[:cap(s.slots)]
	for i, sl := range full {
		if sl.c != nil && slices.Index(conns[:30], sl.c) >= 0 {
			t.Fatalf("backing slot %d still holds removed member %d", i, sl.c.id)
		}
	}
}
