package incidents_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/incidents"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestPenaltiesAPI: tier 2 in 2026 uses 91 FR 3665 (45 CFR 102.3):
// $1,461 per violation at least, $2,190,294 calendar-year cap; bad input
// is a 400 that says what to fix.
func TestPenaltiesAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/api/v1/orgs/alpha/penalties?tier=2&violations=10&year=2026")
	if res.StatusCode != 200 {
		t.Fatalf("penalties API: %d %s", res.StatusCode, res.Body)
	}
	var p incidents.PenaltyWhatIf
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Result == nil || p.Result.PerViolation.Min != 1_461 || p.Result.CalendarYearCap != 2_190_294 || p.Result.Source != "91 FR 3665" {
		t.Fatalf("tier 2, 2026: %+v", p.Result)
	}
	if p.Result.Range.Min != 14_610 {
		t.Errorf("10 violations × $1,461 = $14,610, got %d", p.Result.Range.Min)
	}
	if p.Result.DiscretionCap.Amount != 100_000 { // 84 FR 18151, tier 2
		t.Errorf("discretion cap %d", p.Result.DiscretionCap.Amount)
	}
	if !p.Result.DiscretionCap.Unadjusted {
		t.Errorf("tier 2's discretion cap is the unadjusted 2019 figure: %+v", p.Result.DiscretionCap)
	}
	// 84 FR 18151 lowered tiers 1–3 only: tier 4 keeps the 102.3 cap
	// ($2,190,294 from 2026-01-28, 91 FR 3665), adjusted.
	res4 := e.Get(c, "/api/v1/orgs/alpha/penalties?tier=4&violations=1&year=2026")
	var p4 incidents.PenaltyWhatIf
	if err := json.Unmarshal([]byte(res4.Body), &p4); err != nil || p4.Result == nil {
		t.Fatalf("tier 4: %v %s", err, res4.Body)
	}
	if dc := p4.Result.DiscretionCap; dc.Amount != 2_190_294 || dc.Unadjusted || !strings.Contains(res4.Body, `"unadjusted": false`) {
		t.Errorf("tier 4, 2026: %+v", dc)
	}
	if len(p.Criminal) != 3 || len(p.Enforcement) == 0 {
		t.Errorf("criminal %d, enforcement %d", len(p.Criminal), len(p.Enforcement))
	}
	for _, q := range []string{"tier=5", "tier=two", "violations=0", "year=abc"} {
		r := e.Get(c, "/api/v1/orgs/alpha/penalties?"+q)
		if r.StatusCode != 400 || !strings.Contains(r.Body, "error") {
			t.Errorf("?%s: %d %s, want 400 with an error", q, r.StatusCode, r.Body)
		}
		if r := e.Get(c, "/orgs/alpha/penalties?"+q); r.StatusCode != 400 {
			t.Errorf("page ?%s: %d, want 400", q, r.StatusCode)
		}
	}
}

// TestBrowserPenalties: the form computes tier 2 × 100 violations for 2026.
func TestBrowserPenalties(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	b := browsertest.New(t)
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/penalties?tier=2&violations=100&year=2026")
	b.WaitVisible("table.penalty-result")
	txt := b.Text("table.penalty-result")
	// 45 CFR 102.3 as adjusted by 91 FR 3665: tier 2 minimum $1,461; cap $2,190,294.
	for _, want := range []string{"$1,461", "$2,190,294", "91 FR 3665", "$146,100", "policy", "$100,000"} {
		if !strings.Contains(txt, want) {
			t.Errorf("result table lacks %q:\n%s", want, txt)
		}
	}
	if !strings.Contains(b.Text("pre.criminal"), "1320d-6(b)") {
		t.Error("no criminal penalties")
	}
	if n := b.Count("table.enforcement tbody tr"); n == 0 {
		t.Error("no enforcement context")
	}
	b.Screenshot("penalties")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
	// The 400 below is itself reported by the browser as a failed load,
	// so problems are checked before it.
	b.Navigate(e.HTTP.URL + "/orgs/alpha/penalties?tier=9")
	b.WaitVisible(".penalty-error")
	if !strings.Contains(b.Text(".penalty-error"), "tier 9") {
		t.Errorf("error reads %q", b.Text(".penalty-error"))
	}
}
