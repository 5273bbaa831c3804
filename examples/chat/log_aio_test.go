package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// durationFields are the log fields that hold a duration, in the chat's
// and aio's lines.
var durationFields = map[string]bool{
	"age": true, "silent": true, "wait": true, "retry": true, "elapsed": true,
	"took": true, "duration": true, "interval": true, "timeout": true,
}

// logField is one key=value of zerolog's console format; a value with
// spaces is quoted.
var logField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S*)`)

// TestAioLogLinesReadable runs the command with -v (a line per connection,
// aio's included) and checks every line a person would read: each is in
// the logger's format (no other logger's lines, such as netpoll's
// "NETPOLL: …"), no field is empty ("user="), and every duration carries
// its unit ("age=1.5s", not "age=1500.123").
//
// It checks aio's own lines, which issue 17 leaves to aio's owner: it
// fails until aio logs durations with units, omits empty fields and routes
// netpoll's logger into zerolog.
func TestAioLogLinesReadable(t *testing.T) {
	r := runLogged(t, buildChat(t), "-v")
	var durations int
	for _, l := range splitLines(r.stderr) {
		m := consoleLine.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not a log line of the chat's logger: %q", l)
			continue
		}
		for _, f := range logField.FindAllStringSubmatch(m[2], -1) {
			key, val := f[1], f[2]
			if val == "" || val == `""` {
				t.Errorf("empty field %s= in %q", key, l)
				continue
			}
			if durationFields[key] {
				durations++
				if _, err := time.ParseDuration(strings.Trim(val, `"`)); err != nil {
					t.Errorf("duration %s=%s has no unit, in %q", key, val, l)
				}
			}
		}
	}
	if durations == 0 {
		t.Errorf("no duration field in the -v log (a closed connection's age, at least):\n%s", r.stderr)
	}
}
