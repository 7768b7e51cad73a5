package risks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/risks"
	"ward/internal/web/webtest"
)

func TestBrowserRiskRegister(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf, _ := date.Parse(webtest.DemoAsOf)
	a, err := risk.Analyze(ws, "", phimap.Build(ws).PHISystems(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Risks) == 0 {
		t.Fatal("the demo has no risks in its latest analysis")
	}
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)

	b.Navigate(e.HTTP.URL + "/orgs/alpha/risks?as_of=" + webtest.DemoAsOf)
	b.WaitText("main h1", "Risk register", 5*time.Second)
	b.WaitVisible("figure.heatmap svg")
	if n := b.Count("figure.heatmap svg a g.cell"); n != 25 {
		t.Errorf("heat map has %d linked cells, want 25", n)
	}
	if n := b.Count("table.risks tbody tr.risk"); n != len(a.Risks) {
		t.Errorf("register shows %d risks, the analysis has %d", n, len(a.Risks))
	}
	reg := b.Text("table.risks")
	for _, sc := range a.Risks {
		if !strings.Contains(reg, sc.Risk.ID) {
			t.Errorf("register lacks %s", sc.Risk.ID)
		}
	}
	b.Screenshot("risks")

	// Click the cell of the first (highest residual) risk: the register
	// keeps exactly the risks in that cell.
	top := a.Risks[0]
	want := 0
	for _, sc := range a.Risks {
		if sc.ResidualLikelihood == top.ResidualLikelihood && sc.ResidualImpact == top.ResidualImpact {
			want++
		}
	}
	b.Click(fmt.Sprintf(`figure.heatmap g.cell[data-likelihood="%d"][data-impact="%d"] rect`, top.ResidualLikelihood, top.ResidualImpact))
	b.WaitText("p.filter", "Residual likelihood", 5*time.Second)
	if !strings.Contains(b.URL(), fmt.Sprintf("l=%d&i=%d", top.ResidualLikelihood, top.ResidualImpact)) {
		t.Errorf("after the click the page is %s", b.URL())
	}
	if n := b.Count("table.risks tbody tr.risk"); n != want {
		t.Errorf("filtered register shows %d risks, want %d", n, want)
	}
	if !strings.Contains(b.Text("table.risks"), top.Risk.ID) {
		t.Errorf("filtered register lacks %s", top.Risk.ID)
	}
	b.Screenshot("risks-filtered")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", p)
	}
}

func TestRisksAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf, _ := date.Parse(webtest.DemoAsOf)
	a, err := risk.Analyze(ws, "", phimap.Build(ws).PHISystems(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.Login(e.Users[store.RoleViewer])
	get := func(path string) (int, risks.RiskRegister) {
		resp := e.Get(c, path)
		var reg risks.RiskRegister
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal([]byte(resp.Body), &reg); err != nil {
				t.Fatalf("%s: %v\n%s", path, err, resp.Body)
			}
		}
		return resp.StatusCode, reg
	}
	code, reg := get("/api/v1/orgs/alpha/risks?as_of=" + webtest.DemoAsOf)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if reg.Total != len(a.Risks) || len(reg.Risks) != len(a.Risks) {
		t.Errorf("total %d, rows %d, want %d", reg.Total, len(reg.Risks), len(a.Risks))
	}
	for i := 1; i < len(reg.Risks); i++ {
		if risk.Level(reg.Risks[i-1].Residual).Rank() < risk.Level(reg.Risks[i].Residual).Rank() {
			t.Errorf("register not sorted by residual level: %s before %s", reg.Risks[i-1].Residual, reg.Risks[i].Residual)
		}
	}
	if len(reg.Findings) != len(a.Findings) {
		t.Errorf("%d coverage findings, want %d", len(reg.Findings), len(a.Findings))
	}
	top := a.Risks[0]
	_, f := get(fmt.Sprintf("/api/v1/orgs/alpha/risks?as_of=%s&l=%d&i=%d", webtest.DemoAsOf, top.ResidualLikelihood, top.ResidualImpact))
	for _, row := range f.Risks {
		if row.Likelihood != top.ResidualLikelihood || row.Impact != top.ResidualImpact {
			t.Errorf("filter let through %s at %d×%d", row.ID, row.Likelihood, row.Impact)
		}
	}
	if len(f.Risks) == 0 {
		t.Error("filter to the top risk's cell is empty")
	}
	if code, _ := get("/api/v1/orgs/alpha/risks?as_of=23-11-2026"); code != http.StatusBadRequest {
		t.Errorf("bad as_of: status %d, want 400", code)
	}
}
