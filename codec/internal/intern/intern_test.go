package intern

import (
	"fmt"
	"testing"
)

func TestString(t *testing.T) {
	tab := New()
	for _, s := range []string{"", "chat.chatHandler.send", "onChat", string(make([]byte, maxInternLen+1))} {
		if got := tab.String([]byte(s)); got != s {
			t.Fatalf("String(%q) = %q", s, got)
		}
	}
	var nilTable *Table
	if nilTable.String([]byte("x")) != "x" {
		t.Fatal("nil table")
	}
	// A route seen before costs no allocation; the first sight and long
	// routes do.
	b := []byte("connector.entryHandler.enter")
	tab.String(b)
	if n := testing.AllocsPerRun(100, func() { tab.String(b) }); n != 0 {
		t.Fatalf("%v allocations for a known route", n)
	}
	// Random routes only evict: the table never grows.
	for i := range 10_000 {
		if s := fmt.Sprint("r", i); tab.String([]byte(s)) != s {
			t.Fatal("wrong string after eviction")
		}
	}
}
