package controls_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// TestEvidenceCoverage: each month counts the occurrences that ended in
// it, covered or not; a quarter counts in its last month; periods still
// open are not counted.
func TestEvidenceCoverage(t *testing.T) {
	d := date.MustParse
	ws := &workspace.Workspace{
		Controls: []workspace.Control{
			{ID: "scan", Status: "implemented", Frequency: "monthly"},
			{ID: "review", Status: "implemented", Frequency: "quarterly"},
			{ID: "later", Status: "planned", Frequency: "monthly"},
		},
		Evidence: []workspace.Evidence{
			{ID: "s1", Control: "scan", Collected: d("2027-01-10")},
			{ID: "s3", Control: "scan", Collected: d("2027-03-02")},
			{ID: "r1", Control: "review", Collected: d("2027-02-20")},
		},
	}
	cov := controls.EvidenceCoverage(ws, d("2027-04-15"))
	if len(cov.Months) != 12 || cov.Months[0].Label != "2026-04" || cov.Months[11].Label != "2027-03" {
		t.Fatalf("months %s .. %s", cov.Months[0].Label, cov.Months[11].Label)
	}
	got := map[string][2]int{}
	for _, m := range cov.Months {
		got[m.Label] = [2]int{m.Covered, m.Total}
	}
	want := map[string][2]int{
		"2027-01": {1, 1}, // scan
		"2027-02": {0, 1}, // scan missed February
		"2027-03": {2, 2}, // scan, and the first quarter's review
		"2026-12": {0, 2}, // scan and the fourth quarter's review, both missed
	}
	for m, w := range want {
		if got[m] != w {
			t.Errorf("%s: covered/total %v, want %v", m, got[m], w)
		}
	}
	if m := cov.Months[10]; m.Percent != 0 || m.Empty {
		t.Errorf("February: %+v", m)
	}
}

func TestStatusDonut(t *testing.T) {
	ws := &workspace.Workspace{Controls: []workspace.Control{
		{ID: "a", Status: "implemented"}, {ID: "b", Status: "implemented"}, {ID: "c", Status: "implemented"},
		{ID: "d", Status: "planned"},
	}}
	dn := controls.StatusDonut(ws)
	if dn.Total != 4 || len(dn.Arcs) != 2 || dn.Arcs[0].Percent != 75 || dn.Arcs[1].Percent != 25 {
		t.Fatalf("%+v", dn)
	}
	// The arcs tile the circle: the second starts where the first ends.
	if math.Abs(dn.Arcs[1].Offset+dn.Arcs[0].Len) > 0.02 || math.Abs(dn.Arcs[0].Len+dn.Arcs[1].Len-dn.Circumference) > 0.02 {
		t.Errorf("arcs %+v of %v", dn.Arcs, dn.Circumference)
	}
}

// TestBrowserReadinessCharts: the section bars, the status donut and the
// coverage columns render in Chromium with their colours from the static
// stylesheet (the CSP allows no inline style) and agree with posture.
func TestBrowserReadinessCharts(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf := date.MustParse(webtest.DemoAsOf)
	p, err := posture.Evaluate(ws, catalog.Default(), "hipaa", asOf)
	if err != nil {
		t.Fatal(err)
	}
	e.BrowserLogin(b, e.Users[store.RoleViewer])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/controls?framework=hipaa&as_of=" + webtest.DemoAsOf)
	b.WaitVisible("svg.sections")
	if n := b.Count("svg.sections g.section-row"); n != len(p.Sections) {
		t.Errorf("%d section bars, posture has %d sections", n, len(p.Sections))
	}
	text := b.Text(".charts")
	for _, s := range p.Sections {
		if !strings.Contains(text, s.Name) {
			t.Errorf("section %q not labelled", s.Name)
		}
	}
	counts := map[string]int{}
	for _, c := range ws.Controls {
		counts[c.Status]++
	}
	for st, n := range counts {
		got := b.Text(`.donut-legend li[data-status="` + st + `"] strong`)
		if got != strconv.Itoa(n) {
			t.Errorf("donut legend %s = %q, want %d", st, got, n)
		}
	}
	if n := b.Count("svg.coverage g.month"); n != 12 {
		t.Errorf("%d coverage columns, want 12", n)
	}
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	stroke, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("svg.donut .arc.implemented")).stroke`))
	cancel()
	if err != nil || stroke != "rgb(47, 122, 79)" {
		t.Errorf("the implemented arc is stroked %q (%v), want the green of charts.css", stroke, err)
	}
	b.Screenshot("readiness-charts")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems: %q", p)
	}
}
