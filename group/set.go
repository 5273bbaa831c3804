package group

// smallMax is the largest set kept as a plain slice searched linearly. Most
// keys hold a handful of members (a user's devices), where a scan of a few
// words beats a map in both time and memory.
const smallMax = 8

// slot is one position of a set's insertion order. Dead slots are
// tombstones left by removals from a large set; they hold the zero member so
// that a removed connection is not kept alive by the set.
type slot[C comparable] struct {
	c    C
	live bool
}

// set holds the members of a key with two or more members, in insertion
// order.
//
// Small sets (idx == nil) have no tombstones: removal shifts the few slots
// after the removed one. Large sets index positions in idx, so removal is
// O(1): the slot becomes a tombstone, and the slice is compacted once
// tombstones outnumber live members (amortised O(1) per removal). Either way
// the relative order of the members that stay never changes, which keeps
// Index.Page stable.
type set[C comparable] struct {
	slots []slot[C]
	idx   map[C]int // position of each live member; nil while small
	live  int
}

// newSet returns a set holding a and then b.
func newSet[C comparable](a, b C) *set[C] {
	s := &set[C]{slots: make([]slot[C], 2, 4), live: 2}
	s.slots[0] = slot[C]{a, true}
	s.slots[1] = slot[C]{b, true}
	return s
}

// find returns the position of c, or -1.
func (s *set[C]) find(c C) int {
	if s.idx != nil {
		if i, ok := s.idx[c]; ok {
			return i
		}
		return -1
	}
	for i := range s.slots {
		if s.slots[i].c == c {
			return i
		}
	}
	return -1
}

// add appends c unless it is a member already, and reports whether it did.
func (s *set[C]) add(c C) bool {
	if s.find(c) >= 0 {
		return false
	}
	s.slots = append(s.slots, slot[C]{c, true})
	s.live++
	switch {
	case s.idx != nil:
		s.idx[c] = len(s.slots) - 1
	case len(s.slots) > smallMax:
		s.idx = make(map[C]int, len(s.slots)*2)
		for i := range s.slots {
			s.idx[s.slots[i].c] = i
		}
	}
	return true
}

// remove deletes c and reports whether it was a member.
func (s *set[C]) remove(c C) bool {
	i := s.find(c)
	if i < 0 {
		return false
	}
	s.live--
	if s.idx == nil {
		n := copy(s.slots[i:], s.slots[i+1:])
		s.slots[i+n] = slot[C]{}
		s.slots = s.slots[:i+n]
		return true
	}
	delete(s.idx, c)
	s.slots[i] = slot[C]{}
	switch {
	case s.live <= smallMax/2:
		s.demote()
	case len(s.slots)-s.live > s.live:
		s.compact()
	}
	return true
}

// demote turns a large set that has shrunk into a small one, so that a
// group which was once crowded does not keep its map and slice forever.
func (s *set[C]) demote() {
	slots := make([]slot[C], 0, smallMax)
	for _, sl := range s.slots {
		if sl.live {
			slots = append(slots, sl)
		}
	}
	s.slots, s.idx = slots, nil
}

// compact drops the tombstones of a large set, keeping the order of the
// live members, and gives back the slice's memory when most of it is unused.
func (s *set[C]) compact() {
	inPlace := cap(s.slots) <= 4*s.live
	slots := s.slots[:0]
	if !inPlace {
		slots = make([]slot[C], 0, 2*s.live)
	}
	for _, sl := range s.slots {
		if sl.live {
			s.idx[sl.c] = len(slots)
			slots = append(slots, sl)
		}
	}
	if inPlace {
		// Zero the moved-from tail so it holds no members.
		clear(s.slots[len(slots):])
	}
	s.slots = slots
}

// first returns the earliest live member. The set must not be empty.
func (s *set[C]) first() C {
	for _, sl := range s.slots {
		if sl.live {
			return sl.c
		}
	}
	panic("group: first of an empty set")
}

// appendTo appends the live members to dst in insertion order.
func (s *set[C]) appendTo(dst []C) []C {
	for _, sl := range s.slots {
		if sl.live {
			dst = append(dst, sl.c)
		}
	}
	return dst
}

// appendPage appends at most limit live members starting at the offset-th,
// in insertion order. limit < 0 means no limit.
func (s *set[C]) appendPage(dst []C, offset, limit int) []C {
	if s.idx == nil || len(s.slots) == s.live {
		// No tombstones: positions are ranks.
		if offset >= len(s.slots) {
			return dst
		}
		end := len(s.slots)
		if limit >= 0 && offset+limit < end {
			end = offset + limit
		}
		for _, sl := range s.slots[offset:end] {
			dst = append(dst, sl.c)
		}
		return dst
	}
	for _, sl := range s.slots {
		if limit == 0 {
			break
		}
		if !sl.live {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		dst = append(dst, sl.c)
		limit--
	}
	return dst
}
