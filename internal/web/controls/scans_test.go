package controls_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// The control page lists the failing resources of imported scans, with a
// link to the scan file for those who may download evidence.
func TestControlPageOpenFindings(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	ev := e.ImportSample()

	c, _ := e.Login(e.Users[store.RoleViewer])
	r := e.Get(c, "/api/v1/orgs/alpha/controls/mfa")
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	var p controls.ControlPage
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.OpenTotal != 1 || len(p.OpenFindings) != 1 {
		t.Fatalf("open findings on mfa: %d %+v", p.OpenTotal, p.OpenFindings)
	}
	f := p.OpenFindings[0]
	if f.ResourceUID != "arn:aws:iam::123456789012:root" || f.Check != "iam_root_mfa_enabled" || f.Severity != "critical" || f.EvidenceID != ev {
		t.Errorf("open finding: %+v", f)
	}
	// A failing check means the control does not operate: partly met on
	// the control page, and in the readiness every page and report shares.
	if p.Standing.State != "partial" || p.Standing.Failing != 1 || !strings.Contains(p.Standing.Reason, "failing finding") {
		t.Errorf("standing of mfa with a failing scan: %+v", p.Standing)
	}
	for _, fw := range []string{"soc2", "hipaa"} {
		var pos struct {
			Controls []struct{ ID, State string }
		}
		if err := json.Unmarshal([]byte(e.Get(c, "/api/v1/orgs/alpha/posture?framework="+fw).Body), &pos); err != nil {
			t.Fatal(err)
		}
		for _, s := range pos.Controls {
			if s.ID == "mfa" && s.State != "partial" {
				t.Errorf("%s posture: mfa %s with a failing scan", fw, s.State)
			}
		}
	}
	// The scan file is evidence on the control too.
	found := false
	for _, row := range p.Evidence {
		found = found || row.ID == ev && row.Source == workspace.SourceImporter
	}
	if !found {
		t.Errorf("the scan file %s is not listed as evidence on mfa", ev)
	}
	// A control with no failing finding has an empty list, not null.
	if r := e.Get(c, "/api/v1/orgs/alpha/controls/security-officer"); !strings.Contains(r.Body, `"open_findings": []`) && !strings.Contains(r.Body, `"open_findings":[]`) {
		t.Errorf("no open findings: %s", r.Body)
	}

	// The page: the resource, and for an auditor a link to the file.
	page := e.Get(c, "/orgs/alpha/controls/mfa")
	if !strings.Contains(page.Body, "Open findings from scans") || !strings.Contains(page.Body, "arn:aws:iam::123456789012:root") || !strings.Contains(page.Body, `class="standing standing-partial"`) {
		t.Fatalf("page lacks the open finding:\n%s", page.Body)
	}
	link := `action="/orgs/alpha/evidence/` + ev + `/file"`
	if strings.Contains(page.Body[strings.Index(page.Body, "open-findings"):strings.Index(page.Body, `id="evidence"`)], link) {
		t.Error("a viewer gets a download link in the open findings")
	}
	ca, catok := e.Login(e.Users[store.RoleAuditor])
	page = e.Get(ca, "/orgs/alpha/controls/mfa")
	if !strings.Contains(page.Body, link) {
		t.Errorf("an auditor has no link to the scan file")
	}
	if dl := e.Fetch(ca, catok, "/orgs/alpha/evidence/"+ev+"/file"); dl.StatusCode != 200 || !strings.Contains(dl.Body, "iam_root_mfa_enabled") {
		t.Errorf("download of the scan file: %d", dl.StatusCode)
	}
	// Another organization sees none of it.
	cb, _ := e.Login(e.Bravo)
	if r := e.Get(cb, "/api/v1/orgs/bravo/controls/mfa"); strings.Contains(r.Body, "123456789012") {
		t.Error("bravo sees alpha's findings")
	}
}
