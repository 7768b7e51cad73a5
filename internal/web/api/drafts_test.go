package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/api"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The drafts API behind the long forms (issue 19 item 11): a draft is
// kept per person, organization and form, in the form's order, without
// the session's token; nobody else sees it; only this organization's
// forms are accepted; discard removes it.
func TestDraftsAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ed, edCSRF := e.Login(e.Users[store.RoleEditor])
	const form = "/orgs/alpha/risks/questionnaire"
	send := func(c *http.Client, csrf, method, path, body string) webtest.Response {
		t.Helper()
		req, _ := http.NewRequest(method, e.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(kit.CSRFHeader, csrf)
		return e.Send(c, req)
	}
	q := "?form=" + form
	if r := send(ed, edCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, ""); r.StatusCode != http.StatusNoContent {
		t.Errorf("no draft yet: %d %s", r.StatusCode, r.Body)
	}
	if r := send(ed, edCSRF, "POST", "/api/v1/orgs/alpha/drafts"+q, "q-b1=no&asset=patient-api&csrf=stolen&q-a1=yes"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("save: %d %s", r.StatusCode, r.Body)
	}
	r := send(ed, edCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, "")
	var d api.DraftView
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &d) != nil {
		t.Fatalf("get: %d %s", r.StatusCode, r.Body)
	}
	if d.Form != form || len(d.Fields) != 3 || d.Fields[0] != [2]string{"asset", "patient-api"} || strings.Contains(r.Body, "stolen") {
		t.Errorf("draft = %+v (the token must not be kept)", d)
	}
	// Another person of the organization does not see it; a viewer may not
	// keep drafts; another organization's member is told it does not exist.
	ad, adCSRF := e.Login(e.Users[store.RoleAdmin])
	if r := send(ad, adCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, ""); r.StatusCode != http.StatusNoContent {
		t.Errorf("the admin sees the editor's draft: %d %s", r.StatusCode, r.Body)
	}
	vw, vwCSRF := e.Login(e.Users[store.RoleViewer])
	if r := send(vw, vwCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", r.StatusCode)
	}
	br, brCSRF := e.Login(e.Bravo)
	if r := send(br, brCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("bravo's admin: %d", r.StatusCode)
	}
	for _, bad := range []string{"/orgs/bravo/risks/questionnaire", "https://evil.example/orgs/alpha/x", "/orgs/alpha/x?y=1", ""} {
		if r := send(ed, edCSRF, "POST", "/api/v1/orgs/alpha/drafts?form="+bad, "a=b"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("form %q: %d, want 400", bad, r.StatusCode)
		}
	}
	// Without the CSRF token a save is refused.
	if r := send(ed, "", "POST", "/api/v1/orgs/alpha/drafts"+q, "a=b"); r.StatusCode != http.StatusForbidden {
		t.Errorf("save without a token: %d", r.StatusCode)
	}
	if r := send(ed, edCSRF, "POST", "/api/v1/orgs/alpha/drafts/discard"+q, ""); r.StatusCode != http.StatusNoContent {
		t.Errorf("discard: %d", r.StatusCode)
	}
	if r := send(ed, edCSRF, "GET", "/api/v1/orgs/alpha/drafts"+q, ""); r.StatusCode != http.StatusNoContent {
		t.Errorf("after discard: %d %s", r.StatusCode, r.Body)
	}
}
