package layers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gotio/gotio/internal/testenv"
)

// surfaceBudget caps the exported identifiers of the packages whose
// surface docs/architecture.md ("The public surface") keeps small. Raise a
// budget only with a reason in that section: a name added is a name every
// reader of the package meets.
var surfaceBudget = map[string]int{
	"aio":        85,
	"aio/client": 33,
}

// exported counts the exported identifiers of the package in dir as go doc
// lists them: every exported const, var, type and func, and every exported
// method of an exported type (fields and interface methods are part of
// their type). Test files do not count.
func exported(t *testing.T, dir string) (top, methods int) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					if d.Recv == nil {
						top++
					} else if recvExported(d.Recv.List[0].Type) {
						methods++
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								top++
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									top++
								}
							}
						}
					}
				}
			}
		}
	}
	return top, methods
}

func recvExported(e ast.Expr) bool {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}

// TestSurface logs the exported identifiers of every library package
// (go test -v -run TestSurface ./internal/layers prints the table of
// docs/architecture.md) and fails when a package passes its budget.
func TestSurface(t *testing.T) {
	root := testenv.RepoRoot(t)
	counts := map[string][2]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch base := d.Name(); {
		case rel == ".":
			return nil
		case base == "node_modules" || base == "testdata" || strings.HasPrefix(base, "."),
			base == "internal", rel == "examples", rel == "bench", rel == "interop":
			return filepath.SkipDir
		}
		top, methods := exported(t, path)
		if top+methods > 0 {
			counts[rel] = [2]int{top, methods}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(counts))
	total := 0
	for name, c := range counts {
		names = append(names, name)
		total += c[0] + c[1]
	}
	sort.Strings(names)
	for _, name := range names {
		c := counts[name]
		t.Logf("%-22s %4d (%d top-level, %d methods)", name, c[0]+c[1], c[0], c[1])
	}
	t.Logf("%-22s %4d", "every library package", total)
	for name, budget := range surfaceBudget {
		c, ok := counts[name]
		if !ok {
			t.Errorf("%s: no exported identifiers found; is the budget table out of date?", name)
			continue
		}
		if n := c[0] + c[1]; n > budget {
			t.Errorf("%s exports %d identifiers, over its budget of %d (docs/architecture.md, \"The public surface\")", name, n, budget)
		}
	}
	if len(counts) < 10 {
		t.Fatalf("counted %d packages under %s", len(counts), root)
	}
}
