package pomelo

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"

	"github.com/gotio/gotio/codec/internal/jsjson"
)

// ErrDict reports a route dictionary that cannot work: a route twice, a
// code twice or out of range, more routes than two bytes can number.
var ErrDict = errors.New("pomelo: bad route dictionary")

// Dict is a route dictionary: each route has a 16-bit code that travels
// instead of the route's text, in both directions, once the client has it
// from the handshake. It is immutable and safe for concurrent use.
type Dict struct {
	entries []dictEntry // in pomelo's insertion order
	codes   map[string]uint16
	routes  map[uint16]string
	version string
	dict    []byte // {"route":code,…}, as JSON.stringify writes pomelo's dict
	abbrs   []byte // {"code":"route",…}
}

type dictEntry struct {
	route string
	code  uint16
}

// NewDict builds the dictionary pomelo's dictionary component builds: the
// handler routes ("chat.chatHandler.send": server type, handler, method)
// sorted as JavaScript sorts strings and numbered from 1, then extra
// routes (pomelo's config/dictionary.json, typically push routes such as
// "onChat") numbered on in the order given. Its Version is pomelo's too,
// so a client that cached a pomelo server's dictionary keeps it.
func NewDict(handlerRoutes []string, extraRoutes ...string) (*Dict, error) {
	sorted := slices.Clone(handlerRoutes)
	slices.SortFunc(sorted, compareUTF16)
	all := append(sorted, extraRoutes...)
	if len(all) > 0xFFFF {
		return nil, fmt.Errorf("%w: %d routes, at most 65535 fit two bytes", ErrDict, len(all))
	}
	entries := make([]dictEntry, len(all))
	for i, r := range all {
		entries[i] = dictEntry{r, uint16(i + 1)}
	}
	return newDict(entries)
}

// DictFromMap builds a dictionary from explicit codes, 1 to 65535 (pomelo
// clients skip code 0). Its JSON, and so its Version, lists the routes in
// code order.
func DictFromMap(codes map[string]uint16) (*Dict, error) {
	entries := make([]dictEntry, 0, len(codes))
	for r, c := range codes {
		if c == 0 {
			return nil, fmt.Errorf("%w: route %q has code 0", ErrDict, r)
		}
		entries = append(entries, dictEntry{r, c})
	}
	slices.SortFunc(entries, func(a, b dictEntry) int { return int(a.code) - int(b.code) })
	return newDict(entries)
}

func newDict(entries []dictEntry) (*Dict, error) {
	d := &Dict{
		entries: entries,
		codes:   make(map[string]uint16, len(entries)),
		routes:  make(map[uint16]string, len(entries)),
	}
	for _, e := range entries {
		if _, dup := d.codes[e.route]; dup {
			return nil, fmt.Errorf("%w: route %q listed twice", ErrDict, e.route)
		}
		if other, dup := d.routes[e.code]; dup {
			return nil, fmt.Errorf("%w: code %d given to %q and %q", ErrDict, e.code, other, e.route)
		}
		d.codes[e.route] = e.code
		d.routes[e.code] = e.route
	}
	// JSON.stringify(dict): insertion order, array-index routes first.
	ordered := slices.Clone(entries)
	jsjson.SortKeys(ordered, func(e dictEntry) string { return e.route })
	d.dict = append(d.dict, '{')
	for i, e := range ordered {
		if i > 0 {
			d.dict = append(d.dict, ',')
		}
		d.dict = jsjson.AppendString(d.dict, e.route)
		d.dict = append(d.dict, ':')
		d.dict = strconv.AppendUint(d.dict, uint64(e.code), 10)
	}
	d.dict = append(d.dict, '}')
	byCode := slices.Clone(entries)
	slices.SortFunc(byCode, func(a, b dictEntry) int { return int(a.code) - int(b.code) })
	d.abbrs = append(d.abbrs, '{')
	for i, e := range byCode {
		if i > 0 {
			d.abbrs = append(d.abbrs, ',')
		}
		d.abbrs = append(d.abbrs, '"')
		d.abbrs = strconv.AppendUint(d.abbrs, uint64(e.code), 10)
		d.abbrs = append(d.abbrs, '"', ':')
		d.abbrs = jsjson.AppendString(d.abbrs, e.route)
	}
	d.abbrs = append(d.abbrs, '}')
	sum := md5.Sum(d.dict)
	d.version = base64.StdEncoding.EncodeToString(sum[:])
	return d, nil
}

// Code returns route's code.
func (d *Dict) Code(route string) (uint16, bool) {
	if d == nil {
		return 0, false
	}
	c, ok := d.codes[route]
	return c, ok
}

// Route returns the route of code.
func (d *Dict) Route(code uint16) (string, bool) {
	if d == nil {
		return "", false
	}
	r, ok := d.routes[code]
	return r, ok
}

// Len returns the number of routes.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.entries)
}

// Version returns the dictionary version announced in the handshake: the
// base64 md5 of the dictionary's JSON, as pomelo computes it.
func (d *Dict) Version() string {
	if d == nil {
		return ""
	}
	return d.version
}

// compareUTF16 orders strings as JavaScript's default sort does: by UTF-16
// code units, which differs from byte order for characters past U+FFFF.
func compareUTF16(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] == rb[i] {
			continue
		}
		return int(firstUnit(ra[i])) - int(firstUnit(rb[i]))
	}
	return len(utf16.Encode(ra)) - len(utf16.Encode(rb))
}

func firstUnit(r rune) uint16 {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return uint16(hi)
	}
	return uint16(r)
}
