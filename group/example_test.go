package group_test

import (
	"fmt"

	"github.com/gotio/gotio/group"
)

// A server binds connections to users; a user may be online on several
// devices. first and last tell when to subscribe and unsubscribe a cluster.
func ExampleIndex() {
	type conn struct{ id int }
	phone, laptop := &conn{1}, &conn{2}

	var users group.Index[*conn]
	_, first := users.Add("alice", phone)
	fmt.Println("first device:", first)
	_, first = users.Add("alice", laptop)
	fmt.Println("first device:", first)

	users.Range("alice", func(c *conn) bool {
		fmt.Println("push to conn", c.id)
		return true
	})

	users.Remove("alice", phone)
	_, last := users.Remove("alice", laptop)
	fmt.Println("last device:", last, "users online:", users.Len())
	// Output:
	// first device: true
	// first device: false
	// push to conn 1
	// push to conn 2
	// last device: true users online: 0
}

// Page lists a group's members a page at a time, in the order they joined.
func ExampleIndex_Page() {
	var rooms group.Index[int]
	for id := 1; id <= 5; id++ {
		rooms.Add("lobby", id)
	}
	var buf []int
	for offset := 0; ; offset += 2 {
		page, total := rooms.Page("lobby", offset, 2, buf[:0])
		if len(page) == 0 {
			break
		}
		fmt.Println(page, "of", total)
		buf = page
	}
	// Output:
	// [1 2] of 5
	// [3 4] of 5
	// [5] of 5
}

// Keys lists every group with a member, sorted.
func ExampleIndex_Keys() {
	var groups group.Index[int]
	groups.Add("sports", 1)
	groups.Add("music", 1)
	groups.Add("music", 2)
	fmt.Println(groups.Keys(nil))
	// Output: [music sports]
}

// A business id belongs to one connection at a time: a second login takes
// it over, and the first connection's late unbind leaves it alone.
func ExampleUnique() {
	var bsids group.Unique[string]
	bsids.Set("order-42", "conn-A")
	prev, replaced := bsids.Set("order-42", "conn-B")
	fmt.Println("took over from", prev, replaced)

	fmt.Println("stale delete:", bsids.Delete("order-42", "conn-A"))
	owner, _ := bsids.Get("order-42")
	fmt.Println("owner:", owner)
	// Output:
	// took over from conn-A true
	// stale delete: false
	// owner: conn-B
}
