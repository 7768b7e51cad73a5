package posture

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"syscall"
	"testing"
	"time"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// benchOrgs builds n organizations of an MSP as it looks after two years:
// every catalog control adopted plus their own up to controls, all
// implemented and evidenced monthly for months months ending November
// 2026, with about one month in twenty skipped (the exceptions), a few
// controls planned or in progress, SOC 2 Type II over the last year.
func benchOrgs(n, controls, months int) []*workspace.Workspace {
	cat := catalog.Default()
	r := rand.New(rand.NewPCG(300, 2026))
	first := date.MustParse("2026-11-01").AddMonths(-months + 1)
	out := make([]*workspace.Workspace, n)
	for o := range out {
		ws := &workspace.Workspace{Organization: workspace.Organization{
			Slug: fmt.Sprintf("practice-%03d", o),
			SOC2: workspace.SOC2{Type: "type2", ObservationStart: date.MustParse("2025-12-01"), ObservationMonths: 12, Categories: []string{"availability"}},
		}}
		var ids []string
		for _, c := range cat.Controls {
			ids = append(ids, c.ID)
		}
		for i := len(ids); i < controls; i++ {
			ids = append(ids, fmt.Sprintf("own-%d", i))
		}
		ids = ids[:controls]
		for i, id := range ids {
			c := workspace.Control{ID: id, Status: "implemented", Frequency: "monthly"}
			switch r.IntN(25) {
			case 0:
				c.Status = "planned"
			case 1:
				c.Status = "in-progress"
			}
			if cat.Control(id) == nil {
				// An organization's own control maps to a requirement of
				// each framework.
				c.Mappings = map[string][]string{"hipaa": {"164.308(a)(1)(ii)(D)"}, "soc2": {"CC7.2"}, "csf": {"DE.CM-01"}}
			}
			ws.Controls = append(ws.Controls, c)
			if c.Status == "planned" {
				continue
			}
			for m := range months {
				if r.IntN(20) == 0 {
					continue // a skipped month
				}
				day := first.AddMonths(m).AddDays(r.IntN(27))
				ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: fmt.Sprintf("e%d-%d", i, m), Control: id, Collected: day, Note: "monthly run"})
			}
		}
		out[o] = ws
	}
	return out
}

// BenchmarkPosture300Orgs is the cost of an MSP overview: readiness for
// HIPAA, SOC 2 (with its Type II exceptions) and CSF for 300 organizations
// of 120 controls with two years of monthly evidence (about 830,000
// items), the data already loaded. "all" is EvaluateAll, as an overview
// calls it; "each" is three separate Evaluate calls per organization.
func BenchmarkPosture300Orgs(b *testing.B) {
	orgs := benchOrgs(300, 120, 24)
	cat := catalog.Default()
	asOf := date.MustParse("2026-11-23")
	fws := []string{"hipaa", "soc2", "csf"}
	items := 0
	for _, ws := range orgs {
		items += len(ws.Evidence)
	}
	b.Run("all", func(b *testing.B) {
		b.ReportMetric(float64(items), "evidence")
		cpu := cpuTime()
		for b.Loop() {
			for _, ws := range orgs {
				if _, err := EvaluateAll(ws, cat, fws, asOf); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("each", func(b *testing.B) {
		cpu := cpuTime()
		defer reportCPU(b, cpu)
		for b.Loop() {
			for _, ws := range orgs {
				for _, fw := range fws {
					if _, err := Evaluate(ws, cat, fw, asOf); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}

func TestEvaluateAllEqualsEvaluate(t *testing.T) {
	cat := catalog.Default()
	asOf := date.MustParse("2026-11-23")
	for _, ws := range append(benchOrgs(2, 120, 24), demo(t)) {
		all, err := EvaluateAll(ws, cat, []string{"hipaa", "soc2", "csf"}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			one, _ := Evaluate(ws, cat, p.Framework, asOf)
			if !reflect.DeepEqual(p, one) {
				t.Fatalf("%s: EvaluateAll and Evaluate differ", p.Framework)
			}
		}
	}
}

// cpuTime is the process's user and system CPU time so far. On a shared
// machine wall time mostly measures the neighbours; CPU time (garbage
// collection included) is what the overview costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64((cpuTime()-since).Milliseconds())/float64(b.N), "cpu-ms/op")
}
