package pomelo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrOldClient reports a handshake refused with CodeOldClient (501): the
// client's sys.version is below Config.MinClientVersion for its sys.type,
// or Config.OnHandshake answered CodeOldClient. The error a server stream
// returns wraps it with ErrRefused and codec.ErrProtocol.
var ErrOldClient = errors.New("pomelo: client too old")

// minVersions is Config.MinClientVersion, parsed.
type minVersions map[string]minVersion

type minVersion struct {
	text  string
	parts []uint64
}

// parseMinVersions checks every minimum of Config.MinClientVersion.
func parseMinVersions(m map[string]string) (minVersions, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(minVersions, len(m))
	for typ, v := range m {
		parts, ok := parseVersion(v)
		if !ok {
			return nil, fmt.Errorf("pomelo: MinClientVersion[%q] = %q is not a dotted version such as 1.2.0", typ, v)
		}
		out[typ] = minVersion{v, parts}
	}
	return out, nil
}

// check returns the minimum a client of type typ reporting version falls
// short of, and false; or "", true when the client may proceed. A type
// not in the map falls back to the "*" entry; with neither, every
// version passes.
func (m minVersions) check(typ, version string) (string, bool) {
	min, ok := m[typ]
	if !ok {
		if min, ok = m["*"]; !ok {
			return "", true
		}
	}
	have, ok := parseVersion(version)
	if !ok {
		return min.text, false // no version to speak of: older than any
	}
	return min.text, compareVersions(have, min.parts) >= 0
}

// parseVersion reads a dotted version: "1.2.3", "v2.1", "0.3.5-release".
// A leading "v" is dropped, each dot-separated part counts by its leading
// decimal digits (a part without any counts as 0), and everything after a
// '-' or '+' (a pre-release or build suffix) is ignored. ok is false when
// no part has a digit: "", "beta".
func parseVersion(v string) (parts []uint64, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	for p := range strings.SplitSeq(v, ".") {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		var n uint64
		if end > 0 {
			ok = true
			var err error
			if n, err = strconv.ParseUint(p[:end], 10, 64); err != nil {
				n = ^uint64(0) // absurdly long: as new as it gets
			}
		}
		parts = append(parts, n)
	}
	return parts, ok
}

// compareVersions compares part by part; missing parts are zero, so 1.2
// equals 1.2.0.
func compareVersions(a, b []uint64) int {
	for i := range max(len(a), len(b)) {
		var x, y uint64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}
