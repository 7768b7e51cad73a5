package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// Create, edit and retire through the pages: each change is one audit
// entry by the person who made it, and the pages show the result.
func TestRecordPagesCreateEditRetire(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)

	r := e.Get(c, "/orgs/alpha/systems/new")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `name="kind"`) || !strings.Contains(r.Body, `<option value="aws"`) {
		t.Fatalf("new system form: %d\n%.800s", r.StatusCode, r.Body)
	}
	r = e.PostForm(c, "/orgs/alpha/systems", url.Values{"csrf": {csrf}, "id": {"sms-gateway"}, "name": {"Appointment reminders"},
		"kind": {"saas"}, "vendor": {"aws"}, "phi": {"true"}, "encrypted_at_rest": {"true"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/systems/sms-gateway" {
		t.Fatalf("create: %d %q\n%.800s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	e.WantAudit("create", store.KindSystem, "sms-gateway", ed.Email)

	// A PHI flow to it, then its page says where PHI comes from.
	r = e.PostForm(c, "/orgs/alpha/flows", url.Values{"csrf": {csrf}, "from": {"patient-api"}, "to": {"sms-gateway"}, "phi": {"true"}, "encrypted_in_transit": {"true"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/flows/patient-api-%3Esms-gateway" {
		t.Fatalf("create flow: %d %q\n%.800s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	e.WantAudit("create", store.KindFlow, "patient-api->sms-gateway", ed.Email)
	page := e.Get(c, "/orgs/alpha/systems/sms-gateway")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "Appointment reminders") ||
		!strings.Contains(html.UnescapeString(page.Body), "<code>patient-api</code> → <code>sms-gateway</code>") {
		t.Errorf("system page lacks the name or the PHI path:\n%s", page.Body[strings.Index(page.Body, "<main"):])
	}
	if fl := e.Get(c, "/orgs/alpha/flows/patient-api-%3Esms-gateway"); fl.StatusCode != 200 || !strings.Contains(fl.Body, "patient-api → sms-gateway") {
		t.Errorf("flow page: %d\n%.1500s", fl.StatusCode, fl.Body)
	}

	// Edit: the key stays, other fields change, fields the form does not
	// show are kept.
	r = e.PostForm(c, "/orgs/alpha/systems/sms-gateway", url.Values{"csrf": {csrf}, "id": {"renamed"}, "name": {"SMS reminders"},
		"kind": {"saas"}, "vendor": {"aws"}, "phi": {"true"}, "live_phi": {"true"}, "encrypted_at_rest": {"true"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/systems/sms-gateway" {
		t.Fatalf("edit: %d %q\n%.800s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	e.WantAudit("update", store.KindSystem, "sms-gateway", ed.Email)
	var sys workspace.System
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindSystem, "sms-gateway", &sys); err != nil {
		t.Fatal(err)
	}
	if sys.Name != "SMS reminders" || !sys.LivePHI || sys.Vendor != "aws" {
		t.Errorf("stored after edit: %+v", sys)
	}

	// Retiring a system a flow still names would leave the workspace
	// invalid (`ward apply` would reject its export): refused, nothing
	// written. Retire the flow first, then the system.
	before := e.AuditHead().Seq
	r = e.PostForm(c, "/orgs/alpha/systems/sms-gateway/retire", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, `flow patient-api → sms-gateway, to: &#34;sms-gateway&#34; is not a system id`) {
		t.Errorf("retire a system in use: %d\n%.2000s", r.StatusCode, r.Body)
	}
	if got := e.AuditHead().Seq; got != before {
		t.Errorf("a refused retire wrote audit entries %d..%d", before+1, got)
	}
	r = e.PostForm(c, "/orgs/alpha/flows/patient-api-%3Esms-gateway/retire", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha/flows" {
		t.Fatalf("retire flow: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	e.WantAudit("retire", store.KindFlow, "patient-api->sms-gateway", ed.Email)
	r = e.PostForm(c, "/orgs/alpha/systems/sms-gateway/retire", url.Values{"csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire system: %d\n%.800s", r.StatusCode, r.Body)
	}
	e.WantAudit("retire", store.KindSystem, "sms-gateway", ed.Email)
	if r := e.Get(c, "/orgs/alpha/systems/sms-gateway"); r.StatusCode != http.StatusGone {
		t.Errorf("retired system's page: %d, want 410 Gone", r.StatusCode)
	}
	retired, _ := e.Store.Org(e.OrgA).Retired(context.Background(), store.KindSystem)
	if len(retired) != 1 || retired[0].Key != "sms-gateway" {
		t.Errorf("retired systems = %+v: retiring keeps the record", retired)
	}
	if list := e.Get(c, "/orgs/alpha/systems"); !strings.Contains(list.Body, "patient-api") || strings.Contains(list.Body, "sms-gateway") {
		t.Errorf("list after retire:\n%.2000s", list.Body)
	}
}

// Bad input: the form comes back with the error next to its field and
// what was typed still in it; nothing is written.
func TestRecordPagesBadInput(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, csrf := e.Login(e.Users[store.RoleEditor])
	tests := []struct {
		name, path string
		form       url.Values
		field      string // the field whose error shows
		msg        string // the error, as the page shows it (HTML-escaped)
		refilled   string // an input the page keeps
	}{
		{"unknown kind", "/orgs/alpha/systems", url.Values{"id": {"crm"}, "kind": {"datastor"}},
			"kind", `&#34;datastor&#34; is not one of service, datastore`, `<option value="datastor" selected>`},
		{"duplicate id", "/orgs/alpha/systems", url.Values{"id": {"patient-api"}, "kind": {"service"}, "name": {"Copy"}},
			"id", `&#34;patient-api&#34; is already the id of another system; ids must be unique`, `value="Copy"`},
		// The id is made from the name; with neither, it is missing.
		{"missing id", "/orgs/alpha/vendors", url.Values{"contact": {"ops@twilio.example"}},
			"id", `is missing: a short unique name such as aws`, `value="ops@twilio.example"`},
		// An id typed under "more" is held to what ward apply accepts
		// (internal/bounds): issue 19 saw both stored.
		{"id with a space", "/orgs/alpha/vendors", url.Values{"id": {"eFax Corporate"}, "name": {"eFax"}},
			"id", `&#34;eFax Corporate&#34; has a space; an id has letters, digits and . _ - : @ &#43; only`, `value="eFax Corporate"`},
		{"id that climbs out of a folder", "/orgs/alpha/vendors", url.Values{"id": {"../../etc"}, "name": {"etc"}},
			"id", `&#34;../../etc&#34; starts with &#34;.&#34;; an id starts with a letter or digit`, `value="../../etc"`},
		{"flow to an unknown system", "/orgs/alpha/flows", url.Values{"from": {"patient-api"}, "to": {"nosuch"}, "phi": {"true"}},
			"to", `&#34;nosuch&#34; is not a system id in this workspace`, `<option value="nosuch" selected>`},
		{"flow edit of an unknown vendor", "/orgs/alpha/systems/patient-api", url.Values{"kind": {"service"}, "vendor": {"aws2"}},
			"vendor", `&#34;aws2&#34; is not a vendor id in this workspace (did you mean aws?)`, `<option value="aws2" selected>`},
		{"bad date", "/orgs/alpha/agreements", url.Values{"id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"}, "direction": {"downstream"}, "status": {"executed"}, "effective": {"2026-13-01"}},
			"effective", `&#34;2026-13-01&#34; is not a date (write 2026-12-01 or 12/01/2026)`, `value="2026-13-01"`},
		{"days not a number", "/orgs/alpha/agreements", url.Values{"id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"}, "direction": {"downstream"}, "status": {"executed"}, "breach_notice_days": {"ten"}},
			"breach_notice_days", `&#34;ten&#34; is not a whole number`, `value="ten"`},
		{"upstream agreement with a vendor", "/orgs/alpha/agreements", url.Values{"id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"}, "direction": {"upstream"}, "status": {"executed"}},
			"counterparty", `&#34;aws&#34; is a vendor, and an upstream agreement is with a customer`, `<option value="upstream" selected>`},
		{"expiry before effective", "/orgs/alpha/agreements", url.Values{"id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"}, "direction": {"downstream"}, "status": {"executed"}, "effective": {"2026-05-01"}, "expires": {"2026-04-01"}},
			"expires", `2026-04-01 is before effective 2026-05-01`, `value="2026-04-01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.AuditHead().Seq
			tt.form.Set("csrf", csrf)
			r := e.PostForm(c, tt.path, tt.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%.1500s", r.StatusCode, r.Body)
			}
			// The message sits in the field's own block, after its input.
			i := strings.Index(r.Body, `name="`+tt.field+`"`)
			j := strings.Index(r.Body, `<p class="field-error" role="alert">`+tt.msg)
			next := strings.Index(r.Body[max(i, 0)+1:], `<div class="field`)
			if i < 0 || j < i || (next >= 0 && j > i+1+next) {
				t.Errorf("no error %q next to field %s:\n%s", tt.msg, tt.field, r.Body)
			}
			if !strings.Contains(r.Body, tt.refilled) {
				t.Errorf("form not re-filled with %s", tt.refilled)
			}
			if got := e.AuditHead().Seq; got != before {
				t.Errorf("bad input wrote audit entries %d..%d", before+1, got)
			}
		})
	}
}

// Viewers and auditors read the pages and cannot change anything; the
// forms are not even shown to them.
func TestRecordPagesReadOnlyRoles(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	for _, role := range []string{store.RoleViewer, store.RoleAuditor} {
		c, csrf := e.Login(e.Users[role])
		before := e.AuditHead().Seq
		if r := e.Get(c, "/orgs/alpha/systems"); r.StatusCode != 200 || strings.Contains(r.Body, "New system") {
			t.Errorf("%s: systems list %d, or shows New system", role, r.StatusCode)
		}
		if r := e.Get(c, "/orgs/alpha/systems/patient-api"); r.StatusCode != 200 || strings.Contains(r.Body, "/retire") {
			t.Errorf("%s: system page %d, or shows Retire", role, r.StatusCode)
		}
		for _, post := range []string{"/orgs/alpha/systems", "/orgs/alpha/systems/patient-api", "/orgs/alpha/systems/patient-api/retire"} {
			r := e.PostForm(c, post, url.Values{"csrf": {csrf}, "id": {"x"}, "kind": {"service"}})
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("%s: POST %s = %d, want 403", role, post, r.StatusCode)
			}
		}
		if r := e.Get(c, "/orgs/alpha/systems/new"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: new form %d, want 403", role, r.StatusCode)
		}
		if got := e.AuditHead().Seq; got != before {
			t.Errorf("%s: audit moved %d -> %d", role, before, got)
		}
	}
}

// The JSON twins: list, detail, create, update, retire, and 422 with the
// field errors for what validation refuses.
func TestRecordAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	c, csrf := e.Login(e.Users[store.RoleEditor])

	var list struct{ Systems []workspace.System }
	r := e.Get(c, "/api/v1/orgs/alpha/systems")
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list.Systems) != 2 {
		t.Fatalf("list: %v %s", err, r.Body)
	}
	r = e.PostJSON(c, "POST", "/api/v1/orgs/alpha/customers", csrf, workspace.Customer{ID: "st-marys", Name: "St. Mary's", CoveredEntity: true, LivePHI: true})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	e.WantAudit("create", store.KindCustomer, "st-marys", e.Users[store.RoleEditor].Email)
	var detail struct {
		Record   workspace.Customer
		Findings []struct{ Rule, Severity string }
	}
	r = e.Get(c, "/api/v1/orgs/alpha/customers/st-marys?as_of=2026-11-23")
	if err := json.Unmarshal([]byte(r.Body), &detail); err != nil {
		t.Fatal(err)
	}
	if detail.Record.Name != "St. Mary's" || len(detail.Findings) != 1 || detail.Findings[0].Rule != "baa.upstream.missing" {
		t.Errorf("detail: %s", r.Body)
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/customers", csrf, workspace.Customer{ID: "st-marys"}); r.StatusCode != http.StatusConflict {
		t.Errorf("create twice: %d", r.StatusCode)
	}
	r = e.PostJSON(c, "PUT", "/api/v1/orgs/alpha/customers/st-marys", csrf, workspace.Customer{ID: "st-marys", Name: "St. Mary's Clinic", CoveredEntity: true})
	if r.StatusCode != 200 {
		t.Fatalf("update: %d %s", r.StatusCode, r.Body)
	}
	e.WantAudit("update", store.KindCustomer, "st-marys", e.Users[store.RoleEditor].Email)

	before := e.AuditHead().Seq
	r = e.PostJSON(c, "POST", "/api/v1/orgs/alpha/flows", csrf, workspace.Flow{From: "patient-api", To: "nosuch"})
	var refused records.RecordError
	json.Unmarshal([]byte(r.Body), &refused)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(refused.Fields["to"], `"nosuch" is not a system id`) {
		t.Errorf("bad flow: %d %s", r.StatusCode, r.Body)
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/vendors", csrf, map[string]any{"id": "x", "colour": "red"}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "colour") {
		t.Errorf("unknown field: %d %s", r.StatusCode, r.Body)
	}
	if r := e.PostJSON(c, "PUT", "/api/v1/orgs/alpha/customers/st-marys", csrf, workspace.Customer{ID: "other"}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("key change: %d %s", r.StatusCode, r.Body)
	}
	if got := e.AuditHead().Seq; got != before {
		t.Errorf("refused API calls wrote audit entries %d..%d", before+1, got)
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/customers/st-marys/retire", csrf, nil); r.StatusCode != 200 {
		t.Errorf("retire: %d %s", r.StatusCode, r.Body)
	}
	e.WantAudit("retire", store.KindCustomer, "st-marys", e.Users[store.RoleEditor].Email)
	// Nothing is deleted: the retired record answers 410 Gone, with its
	// last version and its history (45 CFR 164.316(b)(2)).
	gone := e.Get(c, "/api/v1/orgs/alpha/customers/st-marys")
	var g struct {
		Error   string
		Retired struct {
			Key  string
			Body workspace.Customer
		}
		History []struct{ Action string }
	}
	json.Unmarshal([]byte(gone.Body), &g)
	if gone.StatusCode != http.StatusGone || g.Retired.Key != "st-marys" || g.Retired.Body.Name != "St. Mary's Clinic" || len(g.History) != 3 || g.History[2].Action != "retire" || !strings.Contains(g.Error, "retired on") {
		t.Errorf("a retired record: %d %s", gone.StatusCode, gone.Body)
	}
	if page := e.Get(c, "/orgs/alpha/customers/st-marys"); page.StatusCode != http.StatusGone || !strings.Contains(page.Body, "kept on record") {
		t.Errorf("a retired record's page: %d", page.StatusCode)
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/customers/never-was"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown record: %d, want 404", r.StatusCode)
	}

	v, vcsrf := e.Login(e.Users[store.RoleViewer])
	if r := e.PostJSON(v, "POST", "/api/v1/orgs/alpha/vendors", vcsrf, workspace.Vendor{ID: "twilio"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer create: %d", r.StatusCode)
	}
}

func upload(t *testing.T, e *webtest.TestEnv, c *http.Client, path, csrf, name string, data []byte) webtest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.Send(c, req)
}

// The BAA register: an agreement's clause review against the catalog's
// checklist, and its signed PDF, uploaded by an editor and downloaded by
// an auditor (a viewer may not).
func TestAgreementReviewAndSignedCopy(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	r := e.PostForm(c, "/orgs/alpha/agreements", url.Values{"csrf": {csrf}, "id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"},
		"direction": {"downstream"}, "status": {"executed"}, "effective": {"2026-05-20"}, "breach_notice_days": {"5"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%.1500s", r.StatusCode, r.Body)
	}
	if nav := e.Get(c, "/orgs/alpha"); !strings.Contains(nav.Body, `href="/orgs/alpha/agreements"`) {
		t.Errorf("the left menu does not link Agreements")
	}

	// 164.504(e)(2)(ii)(J): return or destroy at termination is required.
	r = e.PostForm(c, "/orgs/alpha/agreements/baa-aws/clauses", url.Values{"csrf": {csrf},
		"status.permitted-uses": {"present"}, "status.return-or-destroy": {"missing"}, "note.return-or-destroy": {"silent on termination"},
		"status.data-aggregation": {"n/a"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d\n%.1500s", r.StatusCode, r.Body)
	}
	e.WantAudit("update", store.KindAgreement, "baa-aws", ed.Email)
	var a workspace.Agreement
	e.Store.Org(e.OrgA).Get(context.Background(), store.KindAgreement, "baa-aws", &a)
	want := []workspace.ClauseMark{{Clause: "permitted-uses", Status: "present"}, {Clause: "data-aggregation", Status: "n/a"}, {Clause: "return-or-destroy", Status: "missing", Note: "silent on termination"}}
	if len(a.ClauseReview) != 3 || a.ClauseReview[0] != want[0] || a.ClauseReview[1] != want[1] || a.ClauseReview[2] != want[2] {
		t.Errorf("stored review = %+v, want %+v", a.ClauseReview, want)
	}
	var dj struct {
		Clauses  []records.ClauseRow `json:"clause_review"`
		Findings []struct{ Rule, Severity, Subject string }
	}
	body := e.Get(c, "/api/v1/orgs/alpha/agreements/baa-aws?as_of=2026-11-23").Body
	json.Unmarshal([]byte(body), &dj)
	found := false
	for _, f := range dj.Findings {
		found = found || (f.Rule == "baa.clause-missing" && f.Severity == "warning")
	}
	if !found || len(dj.Clauses) == 0 {
		t.Errorf("agreement JSON lacks the review or the baa.clause-missing finding:\n%s", body)
	}
	for _, row := range dj.Clauses {
		// Required and not marked present or n/a: missing (safeguards is
		// not marked at all); optional clauses never are.
		want := row.Required && row.ID != "permitted-uses"
		if row.Missing != want {
			t.Errorf("clause %s (required %v, %q): missing = %v, want %v", row.ID, row.Required, row.Status, row.Missing, want)
		}
	}
	// A bad status is refused; nothing written.
	before := e.AuditHead().Seq
	if r := e.PostForm(c, "/orgs/alpha/agreements/baa-aws/clauses", url.Values{"csrf": {csrf}, "status.safeguards": {"maybe"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "is not one of present, missing, n/a") {
		t.Errorf("bad review: %d\n%.1500s", r.StatusCode, r.Body)
	}

	// Uploads: a PDF only.
	if r := upload(t, e, c, "/orgs/alpha/agreements/baa-aws/file", csrf, "baa.docx", []byte("PK\x03\x04 not a pdf")); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("non-PDF upload: %d", r.StatusCode)
	}
	if got := e.AuditHead().Seq; got != before {
		t.Errorf("refused changes wrote audit entries %d..%d", before+1, got)
	}
	// With baa-management adopted, the signed copy is also its evidence.
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "test", store.KindControl, "baa-management", workspace.Control{ID: "baa-management", Status: "implemented"}); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% signed BAA with AWS\n%%EOF\n")
	if r := upload(t, e, c, "/orgs/alpha/agreements/baa-aws/file", csrf, "aws-baa-signed.pdf", pdf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.1000s", r.StatusCode, r.Body)
	}
	// Two audited changes: the agreement points at its signed copy, and
	// the copy becomes evidence.
	if log, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 2, 0); len(log) != 2 ||
		log[1].Action != "update" || log[1].Kind != store.KindAgreement || log[1].Key != "baa-aws" || log[1].Actor != ed.Email ||
		log[0].Action != "create" || log[0].Kind != store.KindEvidence || log[0].Actor != ed.Email {
		t.Errorf("audit after the upload: %+v", log)
	}
	e.Store.Org(e.OrgA).Get(context.Background(), store.KindAgreement, "baa-aws", &a)
	if a.File != "agreements/baa-aws.pdf" || !e.Store.Blobs().Has(a.SHA256) {
		t.Errorf("stored agreement file %q sha %q", a.File, a.SHA256)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	if len(ws.Evidence) != 1 || ws.Evidence[0].SHA256 != a.SHA256 || !slices.Equal(ws.Evidence[0].ControlIDs(), []string{"baa-management"}) || ws.Evidence[0].AddedBy != ed.Email {
		t.Errorf("evidence after the upload: %+v", ws.Evidence)
	}
	if errs := workspace.Validate(ws, records.ValidationOptions()); len(errs) > 0 {
		t.Errorf("the workspace after the upload would not apply: %v", errs)
	}

	au, atok := e.Login(e.Users[store.RoleAuditor])
	r = e.Fetch(au, atok, "/orgs/alpha/agreements/baa-aws/file/download")
	if r.StatusCode != 200 || r.Body != string(pdf) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("auditor download: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	// Who downloaded a signed BAA is on the trail (issue 20).
	if log, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0); len(log) != 1 || log[0].Action != "download" || log[0].Kind != store.KindAgreement || log[0].Key != "baa-aws" || log[0].Actor != e.Users[store.RoleAuditor].Email {
		t.Errorf("the BAA download is not on the audit trail: %+v", log)
	}
	if page := e.Get(au, "/orgs/alpha/agreements/baa-aws"); !strings.Contains(page.Body, `action="/orgs/alpha/agreements/baa-aws/file/download"`) {
		t.Error("the agreement's page has no download button for the auditor")
	}
	vw, vtok := e.Login(e.Users[store.RoleViewer])
	if r := e.Fetch(vw, vtok, "/orgs/alpha/agreements/baa-aws/file/download"); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer download: %d, want 403", r.StatusCode)
	}
}

// An organization's own threat goes in through the same record API, is
// held to the library's rules (no library id, a known category) and is
// then offered on the risk form beside the embedded threats.
func TestOwnThreatThroughAPIAndRiskForm(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	th := workspace.Threat{ID: "front-desk-shoulder-surfing", Title: "Front-desk shoulder surfing", Category: "adversarial", Controls: []string{"automatic-logoff"}}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/threats", csrf, th); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	e.WantAudit("create", store.KindThreat, th.ID, e.Users[store.RoleEditor].Email)
	var refused records.RecordError
	r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/threats", csrf, workspace.Threat{ID: "ransomware", Title: "Ours", Category: "weather"})
	json.Unmarshal([]byte(r.Body), &refused)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(refused.Fields["id"], "embedded library") || !strings.Contains(refused.Fields["category"], `"weather"`) {
		t.Errorf("a library id and a bad category: %d %s", r.StatusCode, r.Body)
	}
	form := e.Get(c, "/orgs/alpha/risks/new")
	if !strings.Contains(form.Body, `value="front-desk-shoulder-surfing"`) || !strings.Contains(form.Body, `value="ransomware"`) {
		t.Errorf("the risk form does not offer the own threat beside the library's")
	}
	if list := e.Get(c, "/orgs/alpha/threats"); list.StatusCode != 200 || !strings.Contains(list.Body, "Front-desk shoulder surfing") || !strings.Contains(list.Body, "llm-subprocessor-disclosure") {
		t.Errorf("own threats page: %d", list.StatusCode)
	}
	// A threat or vulnerability a risk names is not retired (the risk
	// would lose its title and suggested controls); an unused one is.
	for _, p := range []string{"/api/v1/orgs/alpha/threats/llm-subprocessor-disclosure/retire", "/api/v1/orgs/alpha/vulnerabilities/llm-api-without-baa/retire"} {
		if r := e.PostJSON(c, "POST", p, csrf, nil); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "risk r-ai-no-baa") {
			t.Errorf("%s: %d %s, want 409 naming risk r-ai-no-baa", p, r.StatusCode, r.Body)
		}
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/threats/front-desk-shoulder-surfing/retire", csrf, nil); r.StatusCode != http.StatusOK {
		t.Errorf("retire an unused own threat: %d %s", r.StatusCode, r.Body)
	}
	v, vcsrf := e.Login(e.Users[store.RoleViewer])
	if r := e.PostJSON(v, "POST", "/api/v1/orgs/alpha/vulnerabilities", vcsrf, workspace.Vulnerability{ID: "x", Title: "x"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer create: %d", r.StatusCode)
	}
}

// A signed copy is in the blob store, which every organization shares
// (files are kept by their SHA-256). An agreement points at its copy only
// through the upload: the record API may not set an agreement's file or
// sha256, or an editor of one organization who learned a hash (a viewer
// sees them on the pages and the trail) could point an agreement of their
// own at another organization's file and download it there.
func TestAgreementFileOnlyByUpload(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	if r := e.PostForm(c, "/orgs/alpha/agreements", url.Values{"csrf": {csrf}, "id": {"baa-aws"}, "kind": {"baa"}, "counterparty": {"aws"},
		"direction": {"downstream"}, "status": {"executed"}, "effective": {"2026-05-20"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%.1500s", r.StatusCode, r.Body)
	}
	pdf := []byte("%PDF-1.4\n% Alpha's signed BAA with AWS: Alpha's business only\n%%EOF\n")
	if r := upload(t, e, c, "/orgs/alpha/agreements/baa-aws/file", csrf, "aws-baa-signed.pdf", pdf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.1000s", r.StatusCode, r.Body)
	}
	var alpha workspace.Agreement
	if err := e.Store.Org(e.OrgA).Get(ctx, store.KindAgreement, "baa-aws", &alpha); err != nil || alpha.SHA256 == "" {
		t.Fatalf("alpha's agreement after the upload: %+v %v", alpha, err)
	}

	// Bravo's admin: a vendor and an agreement of bravo's, then the hash.
	bc, btok := e.Login(e.Bravo)
	if r := e.PostJSON(bc, "POST", "/api/v1/orgs/bravo/vendors", btok, workspace.Vendor{ID: "acme-cloud", Name: "Acme Cloud"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("bravo vendor: %d\n%s", r.StatusCode, r.Body)
	}
	theirs := workspace.Agreement{ID: "baa-acme", Kind: "baa", Counterparty: "acme-cloud", Direction: "downstream", Status: "executed",
		File: "agreements/baa-acme.pdf", SHA256: alpha.SHA256}
	bravo := e.Store.Org(e.OrgB)
	unmoved := func(what string, before []store.AuditEntry) {
		t.Helper()
		if head, _ := bravo.AuditLog(ctx, 1, 0); len(head) != 1 || len(before) != 1 || head[0].Seq != before[0].Seq {
			t.Errorf("the refused %s wrote to bravo's trail: %+v", what, head)
		}
	}
	headBefore, _ := bravo.AuditLog(ctx, 1, 0)
	if r := e.PostJSON(bc, "POST", "/api/v1/orgs/bravo/agreements", btok, theirs); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sha256") {
		t.Errorf("create with another organization's file: %d, want 422 naming sha256\n%s", r.StatusCode, r.Body)
	}
	unmoved("create", headBefore)
	plain := theirs
	plain.File, plain.SHA256 = "", ""
	if r := e.PostJSON(bc, "POST", "/api/v1/orgs/bravo/agreements", btok, plain); r.StatusCode != http.StatusCreated {
		t.Fatalf("create without a file: %d\n%s", r.StatusCode, r.Body)
	}
	headBefore, _ = bravo.AuditLog(ctx, 1, 0)
	req := theirs
	r := func() webtest.Response {
		b, _ := json.Marshal(req)
		hr, _ := http.NewRequest("PUT", e.HTTP.URL+"/api/v1/orgs/bravo/agreements/baa-acme", bytes.NewReader(b))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set(kit.CSRFHeader, btok)
		hr.Header.Set("If-Match", "*")
		return e.Send(bc, hr)
	}()
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sha256") {
		t.Errorf("PUT with another organization's file: %d, want 422 naming sha256\n%s", r.StatusCode, r.Body)
	}
	unmoved("PUT", headBefore)
	if d := e.Fetch(bc, btok, "/api/v1/orgs/bravo/agreements/baa-acme/file/download"); d.StatusCode == http.StatusOK || strings.Contains(d.Body, "Alpha's business") {
		t.Errorf("bravo's admin downloaded alpha's signed copy: %d\n%s", d.StatusCode, d.Body)
	}

	// A PUT that sends back the file and hash a GET gave keeps working.
	var got struct {
		Record workspace.Agreement `json:"record"`
	}
	g := e.Get(c, "/api/v1/orgs/alpha/agreements/baa-aws")
	if err := json.Unmarshal([]byte(g.Body), &got); err != nil || got.Record.SHA256 != alpha.SHA256 || got.Record.File != alpha.File {
		t.Fatalf("GET alpha's agreement: %v, record %+v, want file %q sha256 %s", err, got.Record, alpha.File, alpha.SHA256)
	}
	got.Record.Notes = "countersigned copy on file"
	b, _ := json.Marshal(got.Record)
	hr, _ := http.NewRequest("PUT", e.HTTP.URL+"/api/v1/orgs/alpha/agreements/baa-aws", bytes.NewReader(b))
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set(kit.CSRFHeader, csrf)
	hr.Header.Set("If-Match", "*")
	if r := e.Send(c, hr); r.StatusCode != http.StatusOK {
		t.Errorf("PUT echoing the stored file: %d\n%s", r.StatusCode, r.Body)
	}
}
