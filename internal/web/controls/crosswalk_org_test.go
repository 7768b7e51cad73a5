package controls_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/store"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestCrosswalkOrganizationReuse: issue 3 item 4 asks for the reuse as a
// number for the organization, over the SOC 2 criteria in its scope. The
// demo puts availability and confidentiality in scope besides security:
// CC1.1–CC9.2 (33) + A1.1–A1.3 (3) + C1.1–C1.2 (2) = 38 criteria (TSP
// section 100). The JSON twin and the page carry it beside the
// catalog-wide figures; a crosswalk without SOC 2 has no scope to apply.
func TestCrosswalkOrganizationReuse(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	cat := catalog.Default()
	scope := catalog.Scope{SOC2Categories: []string{"availability", "confidentiality"}}
	want, _ := cat.Reuse("hipaa", "soc2", nil, scope)
	wantRev, _ := cat.Reuse("soc2", "hipaa", nil, scope)

	res := e.Get(c, "/api/v1/orgs/alpha/crosswalk?from=hipaa&to=soc2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	var p controls.CrosswalkPage
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
		t.Fatal(err)
	}
	o := p.Organization
	if o == nil {
		t.Fatal("no organization reuse in the JSON twin")
	}
	if !slices.Equal(o.Scope, []string{"security", "availability", "confidentiality"}) || o.Reuse.Coverage.ToTotal != 38 {
		t.Errorf("organization scope %v, %d criteria; want security, availability, confidentiality and 38", o.Scope, o.Reuse.Coverage.ToTotal)
	}
	if o.Reuse.Coverage.ToCovered != want.Coverage.ToCovered || o.Reuse.Percent != want.Percent || !slices.Equal(o.Reuse.Needed, want.Needed) {
		t.Errorf("organization reuse %+v, want %+v", o.Reuse.Coverage, want.Coverage)
	}
	if !slices.Equal(o.Reverse.Needed, wantRev.Needed) || !slices.Contains(o.Reverse.Needed, "baa-management") {
		t.Errorf("what HIPAA adds in the organization's scope: %v, want %v (with baa-management, 164.308(b))", o.Reverse.Needed, wantRev.Needed)
	}
	// What HIPAA needs that SOC 2 does not includes the Breach
	// Notification Rule (164.400-414: notice to individuals, HHS, media).
	if b := o.BreachRule; b == nil || b.To != "hipaa-breach" || !slices.Contains(b.Needed, "breach-notification-procedure") {
		t.Errorf("breach rule %+v, want hipaa-breach adding breach-notification-procedure", b)
	}
	// The catalog-wide figures stay as they were.
	if p.Reuse.Coverage.ToTotal != 61 {
		t.Errorf("catalog-wide reuse over %d criteria, want all 61", p.Reuse.Coverage.ToTotal)
	}

	page := e.Get(c, "/orgs/alpha/crosswalk?from=hipaa&to=soc2")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", page.StatusCode)
	}
	for _, s := range []string{"SOC 2 in its scope (security, availability, confidentiality)", "reuse-org", "Breach Notification Rule (45 CFR 164.400–414)"} {
		if !strings.Contains(page.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}

	res = e.Get(c, "/api/v1/orgs/alpha/crosswalk?from=hipaa&to=csf")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, `"organization"`) {
		t.Errorf("hipaa→csf: %d, organization block present: %v", res.StatusCode, strings.Contains(res.Body, `"organization"`))
	}
}

// Between HIPAA and CSF the page and its JSON twin put NIST SP 800-66r2's
// standard-level mapping beside ward's, with the agreement and ward's
// reason for each pair they differ on.
func TestCrosswalkNISTSideBySide(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	want, _ := catalog.Default().StandardCrosswalk(catalog.SourceBoth)
	res := e.Get(c, "/api/v1/orgs/alpha/crosswalk?from=hipaa&to=csf")
	var p controls.CrosswalkPage
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil || p.Standards == nil {
		t.Fatalf("%v: no standards in the JSON twin", err)
	}
	if p.Standards.Agreement != want.Agreement || len(p.Standards.Pairs) != len(want.Pairs) {
		t.Errorf("agreement %+v, want %+v", p.Standards.Agreement, want.Agreement)
	}
	page := e.Get(c, "/orgs/alpha/crosswalk?from=hipaa&to=csf")
	for _, s := range []string{"NIST SP 800-66r2 and ward, side by side", "class=\"nist-precision\"", "Why they differ", "new in CSF 2.0", "class=\"nist-recall-after\"", "Gap: no ward control claims it"} {
		if !strings.Contains(page.Body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	for _, v := range []float64{want.Agreement.Precision, want.Agreement.Recall, want.Agreement.PrecisionAfter, want.Agreement.RecallAfter} {
		if s := fmt.Sprintf(">%v%%<", v); !strings.Contains(page.Body, s) {
			t.Errorf("the page does not state %s", s)
		}
	}
	if res := e.Get(c, "/api/v1/orgs/alpha/crosswalk?from=hipaa&to=soc2"); strings.Contains(res.Body, `"standards"`) {
		t.Error("HIPAA to SOC 2 carries the NIST comparison")
	}
}
