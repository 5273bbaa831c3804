package engineio

import (
	"net/url"
	"testing"
)

// TestRawQuery: rawQuery answers Get and Has as url.Values does.
func TestRawQuery(t *testing.T) {
	for _, raw := range []string{
		"EIO=4&transport=polling&t=Pz1",
		"EIO=4&transport=websocket&sid=abc-_Z",
		"sid=a%2Bb&sid=second&j",
		"transport=web%73ocket&EIO=%34",
		"a+b=c+d&EIO",
		"bad=%zz&sid=x&%zz=1",
		"",
		"&&=&EIO=",
		"sid=x;y&EIO=4;5&transport=polling",
	} {
		want, _ := url.ParseQuery(raw)
		q := rawQuery(raw)
		for _, k := range []string{"EIO", "transport", "sid", "j", "a b", "bad", "t"} {
			if g, w := q.Get(k), want.Get(k); g != w {
				t.Errorf("%q Get(%q) = %q, want %q", raw, k, g, w)
			}
			if g, w := q.Has(k), want.Has(k); g != w {
				t.Errorf("%q Has(%q) = %v, want %v", raw, k, g, w)
			}
		}
	}
}
