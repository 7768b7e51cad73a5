package web_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// Issue 19 item 8: a create form makes the id from the name, never one
// already taken (by a record, a retired record, or the embedded library),
// and the typed id is held to what `ward apply` accepts.
func TestFormsMakeIDsFromNames(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, csrf := e.Login(e.Users[store.RoleEditor])
	create := func(path string, form url.Values) string {
		t.Helper()
		form.Set("csrf", csrf)
		r := e.PostForm(c, path, form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s %v: %d\n%.2000s", path, form, r.StatusCode, r.Body)
		}
		return r.Header.Get("Location")
	}

	page := e.Get(c, "/orgs/alpha/vendors/new")
	if !strings.Contains(page.Body, `data-id-from="name"`) || !strings.Contains(page.Body, `data-taken="aws"`) ||
		!strings.Contains(page.Body, `<details class="more field">`) {
		t.Errorf("new vendor form does not put the made id under more:\n%s", page.Body)
	}
	if got := create("/orgs/alpha/vendors", url.Values{"name": {"eFax Corporate"}}); got != "/orgs/alpha/vendors/efax-corporate" {
		t.Errorf("first eFax: %s", got)
	}
	if got := create("/orgs/alpha/vendors", url.Values{"name": {"eFax Corporate"}}); got != "/orgs/alpha/vendors/efax-corporate-2" {
		t.Errorf("second eFax: %s", got)
	}
	// A retired id is not reused: the next one is -3, not -2 again.
	r := e.PostForm(c, "/orgs/alpha/vendors/efax-corporate-2/retire", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", r.StatusCode)
	}
	if got := create("/orgs/alpha/vendors", url.Values{"name": {"eFax Corporate"}}); got != "/orgs/alpha/vendors/efax-corporate-3" {
		t.Errorf("eFax after a retire: %s, want -3 (ids are not reused)", got)
	}
	if page := e.Get(c, "/orgs/alpha/vendors/new"); !strings.Contains(page.Body, `data-taken="aws efax-corporate efax-corporate-2 efax-corporate-3"`) {
		t.Errorf("taken list misses the retired id:\n%s", page.Body)
	}
	// An accented name folds; an agreement's id comes from its kind and
	// counterparty, and its date may be written the US way.
	if got := create("/orgs/alpha/customers", url.Values{"name": {"Clínica São José"}, "covered_entity": {"true"}}); got != "/orgs/alpha/customers/clinica-sao-jose" {
		t.Errorf("customer: %s", got)
	}
	if got := create("/orgs/alpha/agreements", url.Values{"kind": {"baa"}, "counterparty": {"aws"}, "direction": {"downstream"},
		"status": {"executed"}, "effective": {"12/01/2026"}}); got != "/orgs/alpha/agreements/baa-aws" {
		t.Errorf("agreement: %s", got)
	}
	var a workspace.Agreement
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindAgreement, "baa-aws", &a); err != nil || a.Effective.String() != "2026-12-01" {
		t.Errorf("agreement effective = %v (%v), want 2026-12-01 from 12/01/2026", a.Effective, err)
	}
	if got := create("/orgs/alpha/risk-analyses", url.Values{"performed": {"03/15/2026"}, "scope": {"all"}}); got != "/orgs/alpha/risk-analyses/ra-2026" {
		t.Errorf("risk analysis: %s", got)
	}
	// An own threat titled like a library threat's id does not take it.
	lib := risk.Threats()[0].ID
	if got := create("/orgs/alpha/threats", url.Values{"title": {lib}, "category": {workspace.ThreatCategories[0]}}); got != "/orgs/alpha/threats/"+lib+"-2" {
		t.Errorf("own threat titled %q: %s, want %s-2", lib, got, lib)
	}
	// A form shown again with an error keeps the id empty and shows
	// the one the name would make.
	r = e.PostForm(c, "/orgs/alpha/systems", url.Values{"csrf": {csrf}, "name": {"Patient API"}, "kind": {"nosuch"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `name="id" value=""`) || !strings.Contains(r.Body, `(patient-api-2)`) {
		t.Errorf("refused system form: %d\n%s", r.StatusCode, r.Body)
	}
}

// The incident form proposes the next free number of the year, never one
// already taken (issue 19 saw inc-2026-002 proposed when it existed); left
// empty, the server takes it; a typed id is held to internal/bounds.
func TestFormsIncidentNextFreeNumber(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	o := e.Store.Org(e.OrgA)
	ctx := context.Background()
	for _, id := range []string{"inc-2026-001", "inc-2026-002", "inc-2026-007"} {
		if _, err := o.Put(ctx, "test", store.KindIncident, id, workspace.Incident{ID: id, Summary: "x", Discovered: date.MustParse("2026-02-01"), Status: "open"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Retire(ctx, "test", store.KindIncident, "inc-2026-007"); err != nil {
		t.Fatal(err)
	}
	c, csrf := e.Login(e.Users[store.RoleEditor])
	year := time.Now().UTC().Year()
	want := "inc-2026-008"
	if year != 2026 {
		want = "inc-" + strconv.Itoa(year) + "-001"
	}
	if page := e.Get(c, "/orgs/alpha/incidents"); !strings.Contains(page.Body, `name="id" value="`+want+`"`) {
		t.Errorf("proposed id is not %s:\n%s", want, page.Body)
	}
	r := e.PostForm(c, "/orgs/alpha/incidents", url.Values{"csrf": {csrf}, "summary": {"Lost phone"}, "discovered": {"11/30/2026"}, "status": {"open"}, "phi_involved": {"no"}})
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "/incidents/inc-2026-008") {
		t.Fatalf("incident with no id: %d %s\n%.1500s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if inc := e.StoredIncident("inc-2026-008"); inc.Discovered.String() != "2026-11-30" {
		t.Errorf("discovered = %s, want 2026-11-30 from 11/30/2026", inc.Discovered)
	}
	for id, msg := range map[string]string{
		"../../etc":    `&#34;../../etc&#34; starts with &#34;.&#34;`,
		"Lost phone":   `&#34;Lost phone&#34; has a space`,
		"inc-2026-001": `&#34;inc-2026-001&#34; is already an incident`,
	} {
		r := e.PostForm(c, "/orgs/alpha/incidents", url.Values{"csrf": {csrf}, "id": {id}, "summary": {"x"}, "discovered": {"2026-11-30"}, "status": {"open"}, "phi_involved": {"no"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, msg) {
			t.Errorf("id %q: %d, want 422 with %s", id, r.StatusCode, msg)
		}
	}
	r = e.PostForm(c, "/orgs/alpha/incidents", url.Values{"csrf": {csrf}, "summary": {"x"}, "discovered": {"31/12/2026"}, "status": {"open"}, "phi_involved": {"no"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `31 is not a month`) {
		t.Errorf("day-first date: %d\n%.1500s", r.StatusCode, r.Body)
	}
}

// In Chromium, a date input says which date it read as one types, the
// same date the server stores.
func TestBrowserDateInputEcho(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/agreements/new?counterparty=aws&direction=downstream&kind=baa&status=executed")
	b.Fill(`input[name="effective"]`, "12/01/2026")
	b.WaitText(`input[name="effective"] + output.date-read`, "read as Tuesday, 1 December 2026", 5*time.Second)
	b.Fill(`input[name="expires"]`, "13/01/2027")
	b.WaitText(`input[name="expires"] + output.date-read`, "not a date", 5*time.Second)
	b.Fill(`input[name="expires"]`, "2027-11-30")
	b.WaitText(`input[name="expires"] + output.date-read`, "read as Tuesday, 30 November 2027", 5*time.Second)
	if got := b.Text(".id-made"); got != "(baa-aws)" {
		t.Errorf("made id reads %q, want (baa-aws)", got)
	}
	b.Screenshot("agreement-form-dates")
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText("main h1", "baa-aws", 5*time.Second)
	var a workspace.Agreement
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindAgreement, "baa-aws", &a); err != nil || a.Effective.String() != "2026-12-01" || a.Expires.String() != "2027-11-30" {
		t.Errorf("stored %+v (%v)", a, err)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}

// One date input everywhere (issue 19 item 8): no template draws a
// browser date picker (which refuses 12/01/2026 in some browsers and
// shows another order in others); each uses the "dateinput" partial.
func TestFormsOneDateInput(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(kit.TemplateFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(kit.TemplateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `type="date"`) {
			t.Errorf(`%s has an <input type="date">: use {{template "dateinput" ...}}`, f)
		}
	}
}
