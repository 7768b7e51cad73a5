// Command posture measures what an MSP overview of many organizations
// costs end to end: it seeds a fresh SQLite database (or the PostgreSQL
// URL given) with -orgs organizations of -controls controls each, all
// evidenced monthly for -months months with about one month in twenty
// skipped, then times loading every organization from the store and
// evaluating HIPAA, SOC 2 and CSF readiness for each (posture.EvaluateAll),
// and prints wall and CPU time for both steps.
//
//	go run ./bench/posture -orgs 300 -controls 120 -months 24
//
// Target (issue 7): the evaluation of all organizations well under 1 s.
// It is a program, not a timed test: run it by hand.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/workspace"
)

func main() {
	orgs := flag.Int("orgs", 300, "organizations")
	controls := flag.Int("controls", 120, "controls per organization")
	months := flag.Int("months", 24, "months of monthly evidence")
	db := flag.String("db", "", "database (default: SQLite in a temporary folder, removed after)")
	flag.Parse()
	ctx := context.Background()
	if *db == "" {
		dir, err := os.MkdirTemp("", "ward-bench-posture-*")
		check(err)
		defer os.RemoveAll(dir)
		*db = "sqlite:" + filepath.Join(dir, "ward.db")
	}
	s, err := store.Open(ctx, *db, store.Options{})
	check(err)
	defer s.Close()

	start, cpu := time.Now(), cpuTime()
	items := 0
	for i := range *orgs {
		ws := generate(i, *controls, *months)
		items += len(ws.Evidence)
		org, err := s.CreateOrg(ctx, "bench", ws.Organization.Slug, ws.Organization.Name)
		check(err)
		_, err = s.Org(org).Apply(ctx, "bench", ws, store.ApplyOptions{})
		check(err)
	}
	fmt.Printf("seeded %d organizations, %d controls and %d evidence items in %s (cpu %s)\n",
		*orgs, *orgs**controls, items, since(start), cpuTime()-cpu)

	all, err := s.Orgs(ctx)
	check(err)
	start, cpu = time.Now(), cpuTime()
	loaded := make([]*workspace.Workspace, 0, len(all))
	for _, o := range all {
		ws, err := s.Org(o).Workspace(ctx)
		check(err)
		loaded = append(loaded, ws)
	}
	loadWall, loadCPU := time.Since(start), cpuTime()-cpu

	cat := catalog.Default()
	asOf := date.MustParse("2026-11-23")
	start, cpu = time.Now(), cpuTime()
	exceptions := 0
	for _, ws := range loaded {
		ps, err := posture.EvaluateAll(ws, cat, []string{"hipaa", "soc2", "csf"}, asOf)
		check(err)
		exceptions += len(ps[1].Exceptions)
	}
	evalWall, evalCPU := time.Since(start), cpuTime()-cpu
	fmt.Printf("load every organization from the store: %s wall, %s cpu (%.2f ms per organization)\n",
		loadWall.Round(time.Millisecond), loadCPU.Round(time.Millisecond), float64(loadCPU.Microseconds())/1000/float64(len(loaded)))
	fmt.Printf("evaluate HIPAA, SOC 2 and CSF for all:  %s wall, %s cpu (%.2f ms per organization; %d Type II exceptions)\n",
		evalWall.Round(time.Millisecond), evalCPU.Round(time.Millisecond), float64(evalCPU.Microseconds())/1000/float64(len(loaded)), exceptions)
	fmt.Printf("target: evaluation well under 1 s -> %s\n", verdict(evalCPU < time.Second))
}

// generate is one practice: the catalog's controls plus its own up to n,
// monthly, a few planned or in progress, SOC 2 Type II over the last year.
func generate(i, n, months int) *workspace.Workspace {
	cat := catalog.Default()
	r := rand.New(rand.NewPCG(uint64(i), 2026))
	first := date.MustParse("2026-11-01").AddMonths(-months + 1)
	ws := &workspace.Workspace{Organization: workspace.Organization{
		Name: fmt.Sprintf("Practice %03d", i), Slug: fmt.Sprintf("practice-%03d", i),
		SOC2: workspace.SOC2{Type: "type2", ObservationStart: date.MustParse("2025-12-01"), ObservationMonths: 12, Categories: []string{"availability"}},
	}}
	var ids []string
	for _, c := range cat.Controls {
		ids = append(ids, c.ID)
	}
	for j := len(ids); j < n; j++ {
		ids = append(ids, fmt.Sprintf("own-%d", j))
	}
	for j, id := range ids[:n] {
		c := workspace.Control{ID: id, Status: "implemented", Frequency: "monthly"}
		switch r.IntN(25) {
		case 0:
			c.Status = "planned"
		case 1:
			c.Status = "in-progress"
		}
		if cat.Control(id) == nil {
			c.Title = "Own control " + id
			c.Mappings = map[string][]string{"hipaa": {"164.308(a)(1)(ii)(D)"}, "soc2": {"CC7.2"}, "csf": {"DE.CM-01"}}
		}
		ws.Controls = append(ws.Controls, c)
		if c.Status == "planned" {
			continue
		}
		for m := range months {
			if r.IntN(20) == 0 {
				continue
			}
			ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: fmt.Sprintf("e%d-%d", j, m), Control: id,
				Collected: first.AddMonths(m).AddDays(r.IntN(27)), Note: "monthly run"})
		}
	}
	return ws
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/posture:", err)
		os.Exit(1)
	}
}
