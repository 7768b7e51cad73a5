package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The /orgs overview and an organization's home page agree (issue 19):
// the next deadline is the home page's first dated item (on the demo,
// the breach notice overdue since 2026-11-20, not a later risk
// treatment), Needs attention is its count, Blocking live PHI the gate's
// error count as the data-flow page shows it, and Errors every ward
// check error; the header links to /orgs for a member of several
// organizations, and the page says how the counts differ.
func TestOrgsOverviewAgreesWithTheHomePage(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{Now: webtest.DemoNow})
	ws := e.SeedDemo()
	u := e.Users[store.RoleViewer]
	if err := e.Store.SetRole(context.Background(), "test", u.ID, e.OrgB, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	c, _ := e.Login(u)
	r := e.Get(c, "/api/v1/overview?as_of=2026-12-04")
	var ov app.OrgsOverview
	if err := json.Unmarshal([]byte(r.Body), &ov); err != nil {
		t.Fatal(err, r.Body)
	}
	l := todo.Build(ws, date.MustParse("2026-12-04"), webtest.SlugA)
	gate, errs := 0, 0
	for _, f := range phimap.Gate(ws, l.AsOf).Findings {
		if f.Severity == finding.Error {
			gate++
		}
	}
	for _, it := range l.Items {
		if it.Severity == todo.Error {
			errs++
		}
	}
	var row *kit.OrgRow
	for i := range ov.Orgs {
		if ov.Orgs[i].Slug == webtest.SlugA {
			row = &ov.Orgs[i]
		}
	}
	if row == nil {
		t.Fatalf("no alpha row: %s", r.Body)
	}
	first := l.Next()
	if row.Next == nil || first == nil || row.Next.What != first.Title || !row.Next.Due.Equal(first.Due) || !row.Next.Overdue || row.Next.Due.String() != "2026-11-20" {
		t.Errorf("next deadline %+v, the home page's first dated item %+v", row.Next, first)
	}
	if row.NeedsAttention != l.Open || row.Overdue != l.Overdue || row.BlockingLivePHI != gate || row.Failing != errs {
		t.Errorf("counts: row %d open, %d overdue, %d blocking, %d errors; home page %d, %d, gate %d, ward check %d",
			row.NeedsAttention, row.Overdue, row.BlockingLivePHI, row.Failing, l.Open, l.Overdue, gate, errs)
	}
	if row.BlockingLivePHI >= row.Failing {
		t.Errorf("the demo's errors (%d) include overdue deadlines beyond the gate's (%d)", row.Failing, row.BlockingLivePHI)
	}
	page := e.Get(c, "/orgs?as_of=2026-12-04")
	for _, want := range []string{"Needs attention", "Blocking live PHI", `class="fine legend"`, "overdue deadlines", `class="all-orgs" href="/orgs"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("/orgs lacks %q", want)
		}
	}
	home := e.Get(c, "/orgs/alpha?as_of=2026-12-04")
	if !strings.Contains(home.Body, `class="all-orgs" href="/orgs"`) {
		t.Error("the header of a member of two organizations does not link to /orgs")
	}
}
