package controls_test

import (
	"context"
	"net/http"
	"testing"

	"ward/internal/report/oscal/oscaltest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// An auditor downloads each OSCAL document of the demo as a file that
// validates against NIST's schema, the same bytes on each download for
// the same date, and each download is on the audit trail; a viewer may
// not, and an unknown document is a 404.
func TestOSCALDownload(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	auditor, atok := e.Login(e.Users[store.RoleAuditor])

	for _, kind := range []string{"ssp", "assessment-results", "poam"} {
		for _, path := range []string{"/orgs/alpha/oscal/" + kind, "/api/v1/orgs/alpha/oscal/" + kind} {
			path += "?as_of=2026-11-25"
			if r := e.Fetch(viewer, vtok, path); r.StatusCode != http.StatusForbidden {
				t.Errorf("viewer %s: status %d, want 403", path, r.StatusCode)
			}
			r := e.Fetch(auditor, atok, path)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" ||
				r.Header.Get("Content-Disposition") != `attachment; filename=alpha-oscal-`+kind+`-2026-11-25.json` {
				t.Fatalf("auditor %s: status %d, headers %v", path, r.StatusCode, r.Header)
			}
			if err := oscaltest.Validate(kind, []byte(r.Body)); err != nil {
				t.Fatalf("%s does not validate against NIST's schema:\n%v", path, err)
			}
			if again := e.Fetch(auditor, atok, path); again.Body != r.Body {
				t.Errorf("%s: two downloads for the same date differ", path)
			}
			log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
			if err != nil || len(log) != 1 || log[0].Action != "export" || log[0].Kind != "oscal" || log[0].Key != kind || log[0].Actor != e.Users[store.RoleAuditor].Email {
				t.Errorf("the download is not on the audit trail: %v %+v", err, log)
			}
		}
	}
	for _, path := range []string{"/api/v1/orgs/alpha/oscal/sar", "/orgs/alpha/oscal/sar"} {
		if r := e.Fetch(auditor, atok, path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, r.StatusCode)
		}
	}
	if r := e.Fetch(auditor, atok, "/api/v1/orgs/alpha/oscal/ssp?as_of=tomorrow"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad as_of: status %d, want 400", r.StatusCode)
	}
}
