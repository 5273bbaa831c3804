// Package exlog is the examples' logger: zerolog's console writer for a
// person reading a terminal or a file, or one JSON object a line for a
// machine (-log json). Colour is written only to a terminal, and never
// when NO_COLOR is set (https://no-color.org).
package exlog

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// The formats -log accepts.
const (
	Console = "console"
	JSON    = "json"
)

// Flag registers -log on fs and returns its value: "console" (the
// default) or "json".
func Flag(fs *flag.FlagSet) *string {
	return fs.String("log", Console, "log format: console (for people; colour only on a terminal) or json (one object a line)")
}

// New returns a logger writing to out in format ("" is console) at level,
// with a timestamp on every line.
func New(out io.Writer, format string, level zerolog.Level) (zerolog.Logger, error) {
	var w io.Writer
	switch format {
	case Console, "":
		w = zerolog.ConsoleWriter{Out: out, NoColor: !Colour(out), TimeFormat: "15:04:05"}
	case JSON:
		w = out
	default:
		return zerolog.Nop(), fmt.Errorf("-log %q: want %s or %s", format, Console, JSON)
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

// Colour reports whether out is a terminal that may get ANSI colours: a
// character device, and NO_COLOR unset.
func Colour(out io.Writer) bool {
	if _, off := os.LookupEnv("NO_COLOR"); off {
		return false
	}
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Duration is d as a log field value with its unit ("1.5s", "250ms"):
// zerolog's Dur writes bare float milliseconds.
func Duration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.String()
}
