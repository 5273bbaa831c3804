package group

import (
	"fmt"
	"sync"
	"testing"
)

// TestIndexConcurrent runs many goroutines that bind and unbind members on
// shared and private keys while others read, range (mutating from inside
// fn) and page. Run under -race. Every goroutine removes what it added, so
// the Index must end empty.
func TestIndexConcurrent(t *testing.T) {
	var x Index[int]
	const workers = 16
	const rounds = 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprint("own", w)
			for i := range rounds {
				shared := fmt.Sprint("shared", i%7)
				c := w*rounds + i
				if added, _ := x.Add(shared, c); !added {
					t.Errorf("Add(%s, %d) = false for a fresh member", shared, c)
				}
				x.Add(own, c)
				if !x.Contains(shared, c) {
					t.Errorf("Contains(%s, %d) = false after Add", shared, c)
				}
				if i%3 == 0 {
					if removed, _ := x.Remove(shared, c); !removed {
						t.Errorf("Remove(%s, %d) = false", shared, c)
					}
					x.Remove(own, c)
				}
			}
			// Remove the rest, some from inside Range.
			x.Range(own, func(c int) bool {
				x.Remove(own, c)
				x.Remove(fmt.Sprint("shared", (c-w*rounds)%7), c)
				return true
			})
		}()
	}
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []int
			for i := range rounds {
				key := fmt.Sprint("shared", (i+r)%7)
				buf = x.Members(key, buf[:0])
				seen := map[int]bool{}
				for _, c := range buf {
					if seen[c] {
						t.Errorf("Members(%s) repeats %d", key, c)
					}
					seen[c] = true
				}
				page, total := x.Page(key, 0, 10, nil)
				if len(page) > 10 || len(page) > total {
					t.Errorf("Page = %d members of %d", len(page), total)
				}
				x.Range(key, func(int) bool { return x.Count(key) >= 0 })
				x.Keys(nil)
				x.Len()
			}
		}()
	}
	wg.Wait()
	if n := x.Len(); n != 0 {
		t.Fatalf("Len = %d after every member was removed; keys %v", n, x.Keys(nil))
	}
}

func TestUniqueConcurrent(t *testing.T) {
	var u Unique[int]
	const workers = 16
	const rounds = 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				own := fmt.Sprint("own", w)
				key := fmt.Sprint("id", i%11)
				c := w*rounds + i
				if prev, replaced := u.Set(own, c); replaced != (i > 0) || (replaced && prev != c-1) {
					t.Errorf("Set(%s, %d) = %d, %v", own, c, prev, replaced)
				}
				if got, ok := u.Get(own); !ok || got != c {
					t.Errorf("Get(%s) = %d, %v after Set %d", own, got, ok, c)
				}
				u.Set(key, c)
				// Another worker may have replaced or deleted it.
				if got, ok := u.Get(key); ok && (got < 0 || got >= workers*rounds) {
					t.Errorf("Get(%s) = %d: never set", key, got)
				}
				u.Delete(key, c) // a no-op if a newer Set won
				u.Range(func(string, int) bool { return true })
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		if got, _ := u.Get(fmt.Sprint("own", w)); got != w*rounds+rounds-1 {
			t.Errorf("own%d = %d, want its last Set", w, got)
		}
	}
	// Whatever survived, Delete with the current member empties it.
	u.Range(func(k string, c int) bool {
		if !u.Delete(k, c) {
			t.Errorf("Delete(%s, %d) of the current member = false", k, c)
		}
		return true
	})
	if u.Len() != 0 {
		t.Fatalf("Len = %d", u.Len())
	}
}
