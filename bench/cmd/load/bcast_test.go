package main

import (
	"encoding/binary"
	"strings"
	"testing"
)

func push(seq int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(seq)) }

// TestBcastRejectsDuplicateAndExtraPushes: the cluster benchmark's
// exactly-once check rests on bcastWL failing a push that repeats one
// already seen, and one past the last (the -sync linger reads for those).
func TestBcastRejectsDuplicateAndExtraPushes(t *testing.T) {
	l := &loop{}
	w := &bcastWL{n: 2}
	c := &conn{probed: true}
	if err := w.message(l, c, push(0)); err != nil {
		t.Fatal(err)
	}
	if err := w.message(l, c, push(0)); err == nil || !strings.Contains(err.Error(), "got push 0, want 1") {
		t.Fatalf("a repeated push: err = %v", err)
	}
	if err := w.message(l, c, push(1)); err != nil {
		t.Fatal(err)
	}
	if w.finished != 1 {
		t.Fatalf("finished = %d after both pushes, want 1", w.finished)
	}
	if err := w.message(l, c, push(2)); err == nil {
		t.Fatal("a push past the last was accepted")
	}
}
