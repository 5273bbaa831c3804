package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median(3,1,2) = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median(4,1,3,2) = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

func TestRenderRatiosAndErrors(t *testing.T) {
	rs := []result{
		{Case: "tcp-echo", Server: "gotio", Round: 1, Rate: 100, SrvCPUus: 2},
		{Case: "tcp-echo", Server: "gnet", Round: 1, Rate: 150, SrvCPUus: 1},
		{Case: "tcp-echo", Server: "gnet", Round: 2, Error: "load: boom"},
	}
	out := render(rs, "bench/run.sh", "", "")
	for _, want := range []string{"| gnet | 150 (1.50×)", "1.00 (0.50×)", "1 (+1 failed)", "`load: boom`", "bench/run.sh"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestUpdateKeepsHandWrittenText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.md")
	doc := "intro\n" + beginMark + "\nold\n" + endMark + "\nanalysis\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := update(path, beginMark+"\nnew\n"+endMark+"\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if !strings.Contains(got, "intro\n") || !strings.Contains(got, "analysis\n") || !strings.Contains(got, "new") || strings.Contains(got, "old") {
		t.Fatalf("updated document:\n%s", got)
	}
}

func TestRenderPomeloIdleAsIdleTable(t *testing.T) {
	rs := []result{
		{Case: "pomelo-idle", Server: "gotio", Round: 1, KiBPerConn: 5, RSSBase: 10240, RSS: 20480},
		{Case: "pomelo-idle", Server: "pitaya", Round: 1, KiBPerConn: 30, RSSBase: 20480, RSS: 40960},
		{Case: "pomelo-bcast", Server: "gotio", Round: 1, Rate: 1000},
	}
	out := render(rs, "", "", "")
	for _, want := range []string{"### Idle pomelo connections (`pomelo-idle`)", "| KiB per connection |", "| pitaya | 30.00 (6.00×) | 20.0 | 40.0 | 1 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "`pomelo-idle`") < strings.Index(out, "`pomelo-bcast`") {
		t.Error("pomelo-idle comes before pomelo-bcast")
	}
}
