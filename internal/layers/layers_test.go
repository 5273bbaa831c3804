package layers_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/gotio/gotio/internal/testenv"
)

const module = "github.com/gotio/gotio"

// layer returns the rank of a package of this module, lowest first, as
// docs/architecture.md draws them: stat; group and codec (its protocols
// included); aio (with aio/internal, its seam to aio/client); the glue
// above it (handler, cluster, aio/client, aio/wsmount); programs
// (examples). Test helpers under internal/ rank by what they import:
// testenv and target only the standard library, testcodec codec, aiotest
// aio.
func layer(pkg string) (int, bool) {
	p := strings.TrimPrefix(pkg, module+"/")
	switch {
	case p == "stat" || strings.HasPrefix(p, "stat/"), p == "internal/testenv", p == "internal/target",
		p == "internal/goid":
		return 0, true
	case p == "group" || strings.HasPrefix(p, "group/"),
		p == "codec" || strings.HasPrefix(p, "codec/"),
		p == "internal/testcodec":
		return 1, true
	case p == "aio", strings.HasPrefix(p, "aio/internal/"):
		return 2, true
	case p == "handler", p == "cluster", strings.HasPrefix(p, "aio/"), p == "internal/layers",
		p == "internal/aiotest":
		return 3, true
	case strings.HasPrefix(p, "examples/"):
		return 4, true
	}
	return 0, false
}

// TestLayerOrder lists every package's imports (not its tests') with go
// list and fails on an import that runs up the layers, or on a package
// the layer table does not place.
func TestLayerOrder(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = testenv.RepoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	checked := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		from, ok := layer(pkg)
		if !ok {
			t.Errorf("%s has no place in the layer table (internal/layers): add it", pkg)
			continue
		}
		checked++
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to, ok := layer(imp)
			if ok && to > from {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package imports only its own layer or below", pkg, from, imp, to)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d packages; go list printed:\n%s", checked, out)
	}
}

// TestLayerTable: the table ranks what the architecture says.
func TestLayerTable(t *testing.T) {
	below := [][2]string{
		{"stat", "codec"}, {"codec/tcp", "aio"}, {"group", "aio"}, {"aio", "handler"}, {"aio", "cluster"},
		{"handler", "examples/chat"}, {"codec/websocket", "aio/wsmount"}, {"aio", "aio/client"},
		{"aio/internal/clientcore", "aio/client"},
	}
	for _, b := range below {
		lo, _ := layer(module + "/" + b[0])
		hi, _ := layer(module + "/" + b[1])
		if lo >= hi {
			t.Errorf("%s ranks %d, not below %s (%d)", b[0], lo, b[1], hi)
		}
	}
}
