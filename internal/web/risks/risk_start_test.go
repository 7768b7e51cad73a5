package risks_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// A new organization starts its risk analysis in the app: the empty
// register says how, the form creates it, and the register then opens on
// it (no YAML, no CLI).
func TestStartTheFirstRiskAnalysisInTheApp(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)

	page := e.Get(c, "/orgs/alpha/risks")
	if !strings.Contains(page.Body, "No risk analysis yet") || !strings.Contains(page.Body, `href="/orgs/alpha/risk-analyses/new"`) {
		t.Fatalf("the empty register does not say how to start:\n%.1500s", page.Body)
	}
	if strings.Contains(page.Body, "risk_analyses") {
		t.Errorf("the page speaks YAML to a newcomer")
	}
	form := e.Get(c, "/orgs/alpha/risk-analyses/new")
	if form.StatusCode != http.StatusOK || !strings.Contains(form.Body, `name="performed"`) || !strings.Contains(form.Body, `<option value="dana@alpha.example"`) {
		t.Fatalf("the new analysis form: %d\n%.800s", form.StatusCode, form.Body)
	}
	r := e.PostForm(c, "/orgs/alpha/risk-analyses", url.Values{"csrf": {csrf}, "id": {"ra-2027"}, "performed": {"2027-01-15"},
		"scope": {"every system that holds or carries PHI"}, "methodology": {"NIST SP 800-30 Rev. 1"}, "performed_by": {"dana@alpha.example"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/risk-analyses/ra-2027" {
		t.Fatalf("create: %d %q\n%.800s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	e.WantAudit("create", store.KindRiskAnalysis, "ra-2027", ed.Email)
	ws, err := e.Store.Org(e.OrgA).Workspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ra := ws.RiskAnalysis("ra-2027"); ra == nil || ra.PerformedBy != "dana@alpha.example" || ra.Performed.String() != "2027-01-15" {
		t.Fatalf("stored: %+v", ws.RiskAnalyses)
	}
	reg := e.Get(c, "/orgs/alpha/risks?as_of=2027-02-01")
	if strings.Contains(reg.Body, "No risk analysis yet") || !strings.Contains(reg.Body, "Analysis ra-2027") {
		t.Errorf("the register after starting the analysis:\n%.1500s", reg.Body)
	}
	// A bad date is named beside its field, as ward apply would name it.
	r = e.PostForm(c, "/orgs/alpha/risk-analyses", url.Values{"csrf": {csrf}, "id": {"ra-x"}, "performed": {"2027-02-30"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "2027-02-30") {
		t.Errorf("a bad date: %d\n%.600s", r.StatusCode, r.Body)
	}
}
