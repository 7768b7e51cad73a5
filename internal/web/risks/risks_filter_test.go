package risks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/risks"
	"ward/internal/web/webtest"
)

// TestRiskRegisterFiltersAndSort is issue 6's "the register with filters
// and sorting": on the demo, each filter keeps exactly the risks that
// match, each sort orders the rows, the page's form keeps the choices,
// and a value outside its list is a 400 naming the parameter.
func TestRiskRegisterFiltersAndSort(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf, _ := date.Parse(webtest.DemoAsOf)
	a, err := risk.Analyze(ws, "", phimap.Build(ws).PHISystems(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(query string) risks.RiskRegister {
		t.Helper()
		resp := e.Get(c, "/api/v1/orgs/alpha/risks?as_of="+webtest.DemoAsOf+query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %s", query, resp.StatusCode, resp.Body)
		}
		var reg risks.RiskRegister
		if err := json.Unmarshal([]byte(resp.Body), &reg); err != nil {
			t.Fatal(err)
		}
		return reg
	}
	ids := func(reg risks.RiskRegister) string {
		var s []string
		for _, r := range reg.Risks {
			s = append(s, r.ID)
		}
		return strings.Join(s, " ")
	}
	// The expected rows, computed from the analysis itself.
	want := func(keep func(sc risk.Scored) bool) string {
		var s []string
		for _, sc := range a.Risks {
			if keep(sc) {
				s = append(s, sc.Risk.ID)
			}
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		query string
		keep  func(sc risk.Scored) bool
	}{
		{"&level=high", func(sc risk.Scored) bool { return sc.Residual == risk.High }},
		{"&level=medium", func(sc risk.Scored) bool { return sc.Residual == risk.Medium }},
		{"&treatment=accept", func(sc risk.Scored) bool { return sc.Risk.Treatment == "accept" }},
		{"&treatment=mitigate", func(sc risk.Scored) bool { return sc.Risk.Treatment == "mitigate" }},
		{"&asset=postgres-primary", func(sc risk.Scored) bool { return sc.Risk.Asset == "postgres-primary" }},
		{"&owner=sam@acme-health.example", func(sc risk.Scored) bool { return sc.Risk.Owner == "sam@acme-health.example" }},
		{"&overdue=1", func(sc risk.Scored) bool { return risk.Overdue(sc.Risk, asOf) }},
		{"&treatment=mitigate&owner=raj@acme-health.example", func(sc risk.Scored) bool {
			return sc.Risk.Treatment == "mitigate" && sc.Risk.Owner == "raj@acme-health.example"
		}},
	} {
		reg := get(tc.query)
		w := want(tc.keep)
		if w == "" {
			t.Fatalf("%s: the demo has no such risk; pick a value it has", tc.query)
		}
		if got := ids(reg); got != w {
			t.Errorf("%s: rows %q, want %q", tc.query, got, w)
		}
		if reg.Total != len(a.Risks) {
			t.Errorf("%s: total %d, want all %d", tc.query, reg.Total, len(a.Risks))
		}
	}

	// Sorts: each is an order over the same rows.
	all := get("")
	if all.Query.Sort != "residual" || len(all.Risks) != len(a.Risks) {
		t.Fatalf("default: sort %q, %d rows", all.Query.Sort, len(all.Risks))
	}
	check := func(sort string, before func(x, y risks.RiskRow) bool) {
		t.Helper()
		reg := get("&sort=" + sort)
		if len(reg.Risks) != len(a.Risks) || reg.Query.Sort != sort {
			t.Fatalf("sort=%s: %d rows, query %+v", sort, len(reg.Risks), reg.Query)
		}
		for i := 1; i < len(reg.Risks); i++ {
			if before(reg.Risks[i], reg.Risks[i-1]) {
				t.Errorf("sort=%s: %s before %s", sort, reg.Risks[i-1].ID, reg.Risks[i].ID)
			}
		}
	}
	rank := func(l string) int { return risk.Level(l).Rank() }
	check("inherent", func(x, y risks.RiskRow) bool { return rank(x.Inherent) > rank(y.Inherent) })
	check("due", func(x, y risks.RiskRow) bool {
		return !x.Due.IsZero() && (y.Due.IsZero() || x.Due.Before(y.Due))
	})
	check("asset", func(x, y risks.RiskRow) bool { return x.Asset < y.Asset })
	check("owner", func(x, y risks.RiskRow) bool { return x.Owner < y.Owner })
	check("id", func(x, y risks.RiskRow) bool { return x.ID < y.ID })

	// The page: the form offers the choices and keeps the ones made.
	page := e.Get(c, "/orgs/alpha/risks?as_of="+webtest.DemoAsOf+"&treatment=accept&sort=due")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: status %d", page.StatusCode)
	}
	for _, s := range []string{`form method="get" action="/orgs/alpha/risks" class="filters register-filters"`,
		`<option value="accept" selected>`, `<option value="due" selected>`, `<option value="postgres-primary">`,
		`/static/risks.css`, `risks match.`} {
		if !strings.Contains(page.Body, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	if n := strings.Count(page.Body, `<tr class="risk`); n != len(get("&treatment=accept").Risks) {
		t.Errorf("page shows %d rows for treatment=accept", n)
	}

	// Bad values: 400 naming the parameter, on the page and its twin.
	for _, q := range []string{"&level=severe", "&treatment=ignore", "&sort=colour", "&overdue=maybe"} {
		name := strings.SplitN(q[1:], "=", 2)[0]
		for _, p := range []string{"/api/v1/orgs/alpha/risks", "/orgs/alpha/risks"} {
			resp := e.Get(c, p+"?as_of="+webtest.DemoAsOf+q)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, name) {
				t.Errorf("%s%s: status %d, want 400 naming %s", p, q, resp.StatusCode, name)
			}
		}
	}
}

// TestBrowserRiskRegisterFilterForm: a viewer narrows the register with the
// form (treatment accept, sorted by due date) in headless Chromium, under
// the CSP, and the table keeps exactly the matching risks.
func TestBrowserRiskRegisterFilterForm(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	want := 0
	for _, r := range ws.Risks {
		if r.Treatment == "accept" {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the demo has no accepted risk")
	}
	e.BrowserLogin(b, e.Users[store.RoleViewer])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/risks?as_of=" + webtest.DemoAsOf)
	b.WaitVisible("form.register-filters")
	b.Do("choose treatment", chromedp.SetValue(chromedp.CSS(`form.register-filters select[name="treatment"]`), "accept"))
	b.Do("choose sort", chromedp.SetValue(chromedp.CSS(`form.register-filters select[name="sort"]`), "due"))
	b.Click(`form.register-filters button[type="submit"]`)
	b.WaitText("p.filter-count", "risks match", 10*time.Second)
	if u := b.URL(); !strings.Contains(u, "treatment=accept") || !strings.Contains(u, "sort=due") || !strings.Contains(u, "as_of="+webtest.DemoAsOf) {
		t.Errorf("after the form the page is %s", u)
	}
	if n := b.Count("table.risks tbody tr.risk"); n > want || n == 0 {
		t.Errorf("filtered register shows %d rows, the demo has %d accepted risks", n, want)
	}
	b.Screenshot("risks-form-filtered")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", p)
	}
}
