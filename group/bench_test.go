package group

import (
	"strconv"
	"sync/atomic"
	"testing"
)

type benchConn struct{ id int }

func benchConns(n int) []*benchConn {
	cs := make([]*benchConn, n)
	for i := range cs {
		cs[i] = &benchConn{i}
	}
	return cs
}

// BenchmarkIndexAddRemove binds and unbinds one connection to a user: the
// login/logout path of the common single-device user.
func BenchmarkIndexAddRemove(b *testing.B) {
	var x Index[*benchConn]
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "user" + strconv.Itoa(i)
	}
	c := &benchConn{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := keys[i&1023]
		x.Add(k, c)
		x.Remove(k, c)
	}
}

// BenchmarkIndexAddRemoveGroup joins and leaves a group of 1000 members.
func BenchmarkIndexAddRemoveGroup(b *testing.B) {
	var x Index[*benchConn]
	for _, c := range benchConns(1000) {
		x.Add("room", c)
	}
	c := &benchConn{-1}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		x.Add("room", c)
		x.Remove("room", c)
	}
}

// BenchmarkIndexAddRemoveParallel binds and unbinds on distinct keys from
// every P, showing shard contention.
func BenchmarkIndexAddRemoveParallel(b *testing.B) {
	var x Index[*benchConn]
	var gid atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c := &benchConn{}
		g := strconv.Itoa(int(gid.Add(1)))
		keys := make([]string, 256)
		for i := range keys {
			keys[i] = "u" + strconv.Itoa(i) + "-" + g
		}
		i := 0
		for pb.Next() {
			k := keys[i&255]
			x.Add(k, c)
			x.Remove(k, c)
			i++
		}
	})
}

func BenchmarkIndexMembers(b *testing.B) {
	for _, n := range []int{1, 8, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var x Index[*benchConn]
			for _, c := range benchConns(n) {
				x.Add("room", c)
			}
			var buf []*benchConn
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buf = x.Members("room", buf[:0])
			}
		})
	}
}

func BenchmarkIndexRange(b *testing.B) {
	for _, n := range []int{1, 8, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var x Index[*benchConn]
			for _, c := range benchConns(n) {
				x.Add("room", c)
			}
			sum := 0
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				x.Range("room", func(c *benchConn) bool { sum += c.id; return true })
			}
			_ = sum
		})
	}
}

func BenchmarkUniqueSetGet(b *testing.B) {
	var u Unique[*benchConn]
	c := &benchConn{}
	b.ReportAllocs()
	for range b.N {
		u.Set("order-42", c)
		u.Get("order-42")
	}
}
