// Package srvutil is the command-line scaffolding every benchmark server
// shares: its flags, an optional CPU profile, and a clean stop on SIGTERM
// (with the functions registered by AtExit).
package srvutil

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// Flags are the options every server accepts.
type Flags struct {
	Addr       string
	Proto      string // tcp, ws or pomelo; each server says which it serves
	CPUProfile string
	MemProfile string
	Tuned      bool // server-specific buffer tuning (netpoll)
}

// Parse reads the common flags.
func Parse() *Flags {
	f := &Flags{}
	flag.StringVar(&f.Addr, "addr", "127.0.0.1:7000", "listen address")
	flag.StringVar(&f.Proto, "proto", "tcp", "protocol: tcp (length-prefixed frames), ws or pomelo")
	flag.StringVar(&f.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&f.MemProfile, "memprofile", "", "write a heap profile to this file on SIGUSR1 (the idle workload's -heapsignal sends it)")
	flag.BoolVar(&f.Tuned, "tuned", false, "use smaller per-connection buffers where the library allows")
	flag.Parse()
	return f
}

var atExit []func()

// AtExit registers fn to run when Run returns on a signal or an error,
// before the process exits; the last registered runs first. Not safe for
// concurrent use: register before Run.
func AtExit(fn func()) { atExit = append(atExit, fn) }

func runAtExit() {
	for i := len(atExit) - 1; i >= 0; i-- {
		atExit[i]()
	}
	atExit = nil
}

// Run starts the CPU profile when asked, calls serve (which must not
// return while serving), and stops the profile and exits on SIGTERM or
// SIGINT.
func Run(f *Flags, serve func() error) {
	if f.CPUProfile != "" {
		pf, err := os.Create(f.CPUProfile)
		if err != nil {
			Fatal(err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			Fatal(err)
		}
	}
	if f.MemProfile != "" {
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		go func() {
			for range usr1 {
				writeHeap(f.MemProfile)
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	var err error
	select {
	case <-sig:
	case err = <-errc:
	}
	if f.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	runAtExit()
	if err != nil {
		Fatal(err)
	}
	os.Exit(0)
}

// writeHeap writes a heap profile, after a GC so that it shows live memory.
func writeHeap(path string) {
	mf, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server: heap profile:", err)
		return
	}
	runtime.GC()
	pprof.WriteHeapProfile(mf)
	mf.Close()
}

// Fatal prints err, runs the AtExit functions and exits with status 1.
func Fatal(err error) {
	fmt.Fprintln(os.Stderr, "server:", err)
	runAtExit()
	os.Exit(1)
}
