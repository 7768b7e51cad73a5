package app_test

import (
	"encoding/json"
	"testing"

	"ward/internal/browsertest"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestBrowserPlan: the plan page draws the roadmap with one Gantt bar per
// milestone the API reports, and the decision tree, with no CSP problem.
func TestBrowserPlan(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/api/v1/orgs/alpha/plan?as_of=2027-05-03")
	if res.StatusCode != 200 {
		t.Fatalf("plan API: %d %s", res.StatusCode, res.Body)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Milestones) == 0 || len(p.Frameworks) == 0 {
		t.Fatalf("plan API gave %d milestones, %d frameworks", len(p.Milestones), len(p.Frameworks))
	}
	if p.AsOf.String() != "2027-05-03" {
		t.Errorf("as_of %s, want the ?as_of date", p.AsOf)
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/plan?as_of=soon"); r.StatusCode != 400 {
		t.Errorf("bad as_of: %d, want 400", r.StatusCode)
	}

	b := browsertest.New(t)
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/plan?as_of=2027-05-03")
	b.WaitVisible(".gantt svg")
	if n := b.Count(".gantt svg rect.bar"); n != len(p.Milestones) {
		t.Errorf("Gantt draws %d bars, the plan has %d milestones", n, len(p.Milestones))
	}
	if n := b.Count(".decision-tree svg"); n != 1 {
		t.Errorf("%d decision trees", n)
	}
	if n := b.Count("table.frameworks tbody tr"); n != len(p.Frameworks) {
		t.Errorf("%d framework rows, want %d", n, len(p.Frameworks))
	}
	b.Screenshot("plan")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
}
