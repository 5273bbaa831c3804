package group

import "hash/maphash"

// shardCount is the number of independently locked shards of an Index or a
// Unique. A power of two, so picking one is a mask. 64 shards make lock
// contention between unrelated keys rare on machines with tens of cores
// while costing a few KiB per Index.
const shardCount = 64

// seed keys the shard hash. It is per process, so keys chosen by a remote
// peer cannot be aimed at one shard across restarts.
var seed = maphash.MakeSeed()

// shardOf returns the shard number of key.
func shardOf(key string) uint64 {
	return maphash.String(seed, key) & (shardCount - 1)
}

// shrinkMin is the size below which a shard map is never rebuilt: Go maps
// keep their buckets after deletes, and rebuilding a small map saves nothing.
const shrinkMin = 256

// shouldShrink reports whether a map that once held peak entries and now
// holds n should be copied into a smaller one. The copy costs O(n) and
// happens after at least 7n deletes, so it is amortised O(1) per delete.
func shouldShrink(n, peak int) bool {
	return peak >= shrinkMin && n <= peak/8
}
