package exlog

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestConsoleToAFileHasNoColour(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Colour(f) {
		t.Fatal("a file counts as a terminal")
	}
	log, err := New(f, Console, zerolog.InfoLevel)
	if err != nil {
		t.Fatal(err)
	}
	log.Info().Str("addr", "127.0.0.1:1").Str("age", Duration(1500*time.Millisecond)).Msg("listening on 127.0.0.1:1")
	log.Warn().Err(os.ErrClosed).Msg("something")
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(b, 0x1b) >= 0 {
		t.Fatalf("escape byte in %q", b)
	}
	for _, want := range []string{"INF listening on 127.0.0.1:1", "addr=127.0.0.1:1", "age=1.5s", "WRN something"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("log lacks %q:\n%s", want, b)
		}
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, JSON, zerolog.InfoLevel)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug().Msg("hidden")
	log.Info().Str("addr", "x").Msg("listening on x")
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("not one JSON line: %q: %v", buf.Bytes(), err)
	}
	if m["message"] != "listening on x" || m["level"] != "info" || m["time"] == nil {
		t.Fatalf("line %v", m)
	}
}

func TestBadFormat(t *testing.T) {
	if _, err := New(os.Stderr, "xml", zerolog.InfoLevel); err == nil {
		t.Fatal("-log xml accepted")
	}
}

func TestNoColorEnv(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if Colour(os.Stdout) {
		t.Fatal("NO_COLOR ignored")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30001926763 * time.Nanosecond: "30.002s",
		1500 * time.Microsecond:       "1.5ms",
		42 * time.Microsecond:         "42µs",
		0:                             "0s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%d) = %q, want %q", d, got, want)
		}
	}
}
