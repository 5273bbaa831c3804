package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gotio/gotio/bench/internal/procstat"
)

// cpuSample is the CPU time of the server and of this process at one moment.
type cpuSample struct {
	server, self int64 // µs
}

func sampleCPU(pid string) (cpuSample, error) {
	s, err := procstat.CPUTime(pid)
	if err != nil {
		return cpuSample{}, err
	}
	m, err := procstat.CPUTime("self")
	if err != nil {
		return cpuSample{}, err
	}
	return cpuSample{server: s, self: m}, nil
}

// socketCount returns how many of process pid's file descriptors are
// sockets, from the links in /proc/<pid>/fd.
func socketCount(pid string) (int, error) {
	dir := "/proc/" + pid + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	n := 0
	for _, e := range ents {
		// A descriptor closed since ReadDir has no link any more; it is
		// not counted.
		if t, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.HasPrefix(t, "socket:") {
			n++
		}
	}
	return n, nil
}
