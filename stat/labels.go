package stat

import (
	"strings"
	"sync"
	"sync/atomic"
)

// MaxLabels is the number of distinct close reasons, and separately of
// protocols, that get a counter of their own. Further names share the
// counter named Other, so a bug or a hostile peer that makes up reasons
// cannot grow memory or the metric cardinality without bound.
const MaxLabels = 64

// Other is the name under which names beyond MaxLabels are counted.
const Other = "other"

// labels maps a low-cardinality name to a *T, creating it on first use.
// Lookups of existing names load one pointer and read an immutable map: no
// lock and no allocation. Insertions copy the map under a mutex, which is
// cheap because the map holds at most MaxLabels+1 entries.
// The zero value is ready to use.
type labels[T any] struct {
	m  atomic.Pointer[map[string]*T]
	mu sync.Mutex
}

func (l *labels[T]) get(name string) *T {
	if m := l.m.Load(); m != nil {
		if v, ok := (*m)[name]; ok {
			return v
		}
	}
	return l.slow(name)
}

func (l *labels[T]) slow(name string) *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	var old map[string]*T
	if p := l.m.Load(); p != nil {
		old = *p
	}
	if v, ok := old[name]; ok {
		return v
	}
	if len(old) >= MaxLabels && name != Other {
		// Not stored: the next lookup of name comes here again, taking
		// the mutex but allocating nothing.
		if v, ok := old[Other]; ok {
			return v
		}
		name = Other
	}
	m := make(map[string]*T, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	v := new(T)
	m[name] = v
	l.m.Store(&m)
	return v
}

// each calls fn for every name and its value.
func (l *labels[T]) each(fn func(name string, v *T)) {
	if p := l.m.Load(); p != nil {
		for k, v := range *p {
			fn(k, v)
		}
	}
}

// labelValue makes name safe as a Prometheus label value, which must be
// valid UTF-8.
func labelValue(name string) string {
	return strings.ToValidUTF8(name, "\uFFFD")
}
