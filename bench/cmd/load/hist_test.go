package main

import "testing"

func TestHistQuantile(t *testing.T) {
	var h hist
	for v := int64(1); v <= 100000; v++ {
		h.add(v * 1000) // 1 µs .. 100 ms
	}
	for _, c := range []struct {
		q    float64
		want int64
	}{{0.5, 50_000_000}, {0.99, 99_000_000}, {0.01, 1_000_000}} {
		got := h.quantile(c.q)
		if got < c.want*96/100 || got > c.want*104/100 {
			t.Errorf("quantile(%v) = %d, want %d ± 4%%", c.q, got, c.want)
		}
	}
	var empty hist
	if empty.quantile(0.5) != 0 {
		t.Error("quantile of an empty histogram is not 0")
	}
}

func TestBucketBounds(t *testing.T) {
	for _, v := range []int64{0, 1, 31, 32, 33, 1000, 123456789, 1 << 40} {
		b := bucketOf(v)
		if lo, hi := lowerBound(b), lowerBound(b+1); v < lo || v >= hi {
			t.Errorf("value %d in bucket %d = [%d, %d)", v, b, lo, hi)
		}
	}
}
