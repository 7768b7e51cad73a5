package risks_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/risks"
	"ward/internal/web/webtest"
)

// TestRiskAcceptedOnlyByTheLoggedInPerson is issue 20 finding 8: an
// editor could record a risk acceptance "by" anyone, such as the CEO. A
// risk is now accepted in the name of the person logged in, or in someone
// else's with the record they signed (an evidence item with a file) and
// the confirmation of the person entering it; in the web and the API, and
// an edit of the whole risk cannot slip another name in.
func TestRiskAcceptedOnlyByTheLoggedInPerson(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	const (
		id   = "r-warehouse-ransomware"
		path = "/orgs/alpha/risks/" + id
		ceo  = "maria@acme-health.example"
		why  = "Immutable backups are in place; the rest is disproportionate."
	)
	editor, tok := e.Login(e.Users[store.RoleEditor])
	form := url.Values{"csrf": {tok}, "analysis": {"ra-2026"}, "asset": {"warehouse"}, "threat": {"ransomware"}, "vulnerability": {"backups-not-isolated"},
		"likelihood": {"4"}, "impact": {"5"}, "treatment": {"mitigate"}, "owner": {"raj@acme-health.example"}, "controls": {"backup"}, "due": {"2027-03-01"}}
	if r := e.PostForm(editor, "/orgs/alpha/risks", form); r.StatusCode != 303 {
		t.Fatalf("new risk: %d %.300s", r.StatusCode, r.Body)
	}
	unchanged := func(what string) {
		t.Helper()
		if got, _ := e.StoredRisk(id); got.AcceptedBy != "" || got.Treatment != "mitigate" {
			t.Errorf("%s: stored %+v", what, got)
		}
	}
	seq := e.LastAudit().Seq

	// The form: the CEO's name without her signed record, with a record
	// that is not a file, without the confirmation.
	for _, tt := range []struct {
		name  string
		form  url.Values
		field string
		says  string
	}{
		{"no record", url.Values{}, "record", "you are logged in as " + e.Users[store.RoleEditor].Email},
		{"a record without a file", url.Values{"record": {"ev-officers-appointment"}, "confirm": {"1"}}, "record", "is not an evidence item with a file"},
		{"an unknown record", url.Values{"record": {"ev-nope"}, "confirm": {"1"}}, "record", "is not an evidence item with a file"},
		{"not confirmed", url.Values{"record": {"ev-twilio-baa"}}, "confirm", "confirm that " + ceo + " signed"},
	} {
		f := url.Values{"csrf": {tok}, "by": {ceo}, "reason": {why}}
		for k, v := range tt.form {
			f[k] = v
		}
		r := e.PostForm(editor, path+"/accept", f)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.says) {
			t.Errorf("form, %s: %d, want 422 saying %q", tt.name, r.StatusCode, tt.says)
		}
		unchanged("form, " + tt.name)
	}
	// The API, the same.
	api := func(method, path, body string) webtest.Response {
		req, _ := http.NewRequest(method, e.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		return e.Send(editor, req)
	}
	resp := api("POST", "/api/v1/orgs/alpha/risks/"+id+"/accept", `{"by": "`+ceo+`", "reason": "`+why+`"}`)
	var pb risks.ProblemsBody
	if resp.StatusCode != 422 || json.Unmarshal([]byte(resp.Body), &pb) != nil || !strings.Contains(pb.Problems["record"], "you are logged in as") {
		t.Errorf("API in the CEO's name: %d %s", resp.StatusCode, resp.Body)
	}
	resp = api("POST", "/api/v1/orgs/alpha/risks/"+id+"/accept", `{"by": "`+ceo+`", "reason": "`+why+`", "record": "ev-twilio-baa"}`)
	if resp.StatusCode != 422 || json.Unmarshal([]byte(resp.Body), &pb) != nil || pb.Problems["confirm"] == "" {
		t.Errorf("API without confirm: %d %s", resp.StatusCode, resp.Body)
	}
	unchanged("API")
	// A whole-risk save (form or PUT) cannot put another name on it.
	resp = api("PUT", "/api/v1/orgs/alpha/risks/"+id, `{"id": "`+id+`", "asset": "warehouse", "threat": "ransomware", "vulnerability": "backups-not-isolated", "likelihood": 4, "impact": 5, "treatment": "accept", "accepted_by": "`+ceo+`", "acceptance_reason": "`+why+`", "acceptance_record": "ev-twilio-baa"}`)
	if resp.StatusCode != 422 || json.Unmarshal([]byte(resp.Body), &pb) != nil || !strings.Contains(pb.Problems["accepted_by"], "in your own name") {
		t.Errorf("PUT in the CEO's name: %d %s", resp.StatusCode, resp.Body)
	}
	edit := url.Values{"csrf": {tok}, "asset": {"warehouse"}, "threat": {"ransomware"}, "vulnerability": {"backups-not-isolated"},
		"likelihood": {"4"}, "impact": {"5"}, "treatment": {"accept"}, "accepted_by": {ceo}, "acceptance_reason": {why}}
	if r := e.PostForm(editor, path, edit); r.StatusCode != 422 || !strings.Contains(r.Body, "in your own name") {
		t.Errorf("edit form in the CEO's name: %d", r.StatusCode)
	}
	unchanged("whole-risk saves")
	if e.LastAudit().Seq != seq {
		t.Error("a refused acceptance wrote to the audit trail")
	}

	// With her signed record, confirmed: recorded, the editor on the trail.
	resp = api("POST", "/api/v1/orgs/alpha/risks/"+id+"/accept", `{"by": "`+ceo+`", "reason": "`+why+`", "record": "ev-twilio-baa", "confirm": true}`)
	if resp.StatusCode != 200 {
		t.Fatalf("API with the signed record: %d %s", resp.StatusCode, resp.Body)
	}
	got, _ := e.StoredRisk(id)
	if got.AcceptedBy != ceo || got.AcceptanceRecord != "ev-twilio-baa" || got.Treatment != "accept" {
		t.Errorf("stored %+v", got)
	}
	if a := e.LastAudit(); a.Actor != e.Users[store.RoleEditor].Email || a.Key != id {
		t.Errorf("audit %+v, want the editor's change of %s", a, id)
	}
	if page := e.Get(editor, path); !strings.Contains(page.Body, "Signed record") || !strings.Contains(page.Body, "ev-twilio-baa") {
		t.Error("the risk page does not show the signed record")
	}

	// Someone accepting in their own name needs no record: the CEO herself.
	maria := e.AddUser(ceo, "Maria Alvarez", e.OrgA, store.RoleEditor)
	mc, mtok := e.Login(maria)
	r := e.PostForm(mc, path+"/accept", url.Values{"csrf": {mtok}, "by": {ceo}, "reason": {"Reviewed again: " + why}, "version": {""}})
	if r.StatusCode != 303 {
		t.Fatalf("the CEO accepting herself: %d %.300s", r.StatusCode, r.Body)
	}
	if got, _ := e.StoredRisk(id); got.AcceptedBy != ceo || got.AcceptanceRecord != "" || !strings.HasPrefix(got.AcceptanceReason, "Reviewed again") {
		t.Errorf("stored %+v", got)
	}
	// And she can edit the risk's other fields with the acceptance on it.
	edit.Set("csrf", mtok)
	edit.Set("acceptance_reason", "Reviewed again: "+why)
	edit.Set("notes", "checked")
	if r := e.PostForm(mc, path, edit); r.StatusCode != 303 {
		t.Errorf("edit by the CEO: %d %.300s", r.StatusCode, r.Body)
	}
}
