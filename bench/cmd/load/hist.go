package main

import "math/bits"

// hist is a log-linear histogram of durations in nanoseconds: 32 buckets
// per power of two, so a quantile is within ~3% of the true value, in
// constant memory and with no allocation per sample.
type hist struct {
	counts [64 * 32]int64
	n      int64
}

const subBits = 5

func bucketOf(v int64) int {
	if v < 1<<subBits {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := 63 - bits.LeadingZeros64(uint64(v))
	sub := int(v>>(e-subBits)) & (1<<subBits - 1)
	return (e-subBits+1)<<subBits + sub
}

// lowerBound is the smallest value bucket b holds.
func lowerBound(b int) int64 {
	if b < 1<<subBits {
		return int64(b)
	}
	e := b>>subBits + subBits - 1
	sub := int64(b & (1<<subBits - 1))
	return (1<<subBits + sub) << (e - subBits)
}

func (h *hist) add(v int64) {
	h.counts[bucketOf(v)]++
	h.n++
}

// quantile returns the value below which fraction q of samples fall.
func (h *hist) quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	target := int64(q * float64(h.n))
	if target >= h.n {
		target = h.n - 1
	}
	var seen int64
	for b, c := range h.counts {
		seen += c
		if seen > target {
			// Report the middle of the bucket.
			lo, hi := lowerBound(b), lowerBound(b+1)
			return (lo + hi) / 2
		}
	}
	return 0
}
