package workforce_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"ward/internal/report/workforce"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// Issue 18 item 9: the policy set (PDF), each policy's text (Markdown,
// HTML without its raw HTML) and the acknowledgement and training report
// (XLSX) are audited downloads an auditor may take and a viewer may not,
// each on the audit trail with the hash of what was sent.
func TestPolicyDocumentsDownloads(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemoWithTexts()
	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	auditor, atok := e.Login(e.Users[store.RoleAuditor])
	paths := []string{"/orgs/alpha/policies/export.pdf", "/api/v1/orgs/alpha/policies/sanctions/text/md", "/orgs/alpha/workforce-report/xlsx", "/api/v1/orgs/alpha/workforce-report/json"}
	for _, p := range paths {
		if r := e.Fetch(viewer, vtok, p); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer %s: status %d, want 403", p, r.StatusCode)
		}
	}
	lastExport := func(kind, key string, body string) {
		t.Helper()
		log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
		if err != nil || len(log) != 1 || log[0].Action != "export" || log[0].Kind != kind || log[0].Key != key || log[0].Actor != e.Users[store.RoleAuditor].Email {
			t.Errorf("the %s download is not on the audit trail: %v %+v", kind, err, log)
			return
		}
		sum := sha256.Sum256([]byte(body))
		if !strings.Contains(string(log[0].Data), hex.EncodeToString(sum[:])) {
			t.Errorf("the %s entry does not hold the hash of what was sent: %s", kind, log[0].Data)
		}
	}

	pdf := e.Fetch(auditor, atok, "/orgs/alpha/policies/export.pdf?as_of=2026-11-23")
	if pdf.StatusCode != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") ||
		pdf.Header.Get("Content-Disposition") != "attachment; filename=alpha-policies-2026-11-23.pdf" {
		t.Fatalf("policy set: status %d, headers %v, %.200s", pdf.StatusCode, pdf.Header, pdf.Body)
	}
	lastExport("policy-set", "pdf", pdf.Body)

	html := e.Fetch(auditor, atok, "/orgs/alpha/policies/hostile/text/html")
	if html.StatusCode != 200 || !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") || !strings.Contains(html.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("html: status %d, headers %v", html.StatusCode, html.Header)
	}
	for _, bad := range []string{"<script", "<img", "onerror"} {
		if strings.Contains(html.Body, bad) {
			t.Errorf("the HTML carries the policy's raw HTML %q", bad)
		}
	}
	if !strings.Contains(html.Body, "<h1>Hostile policy</h1>") || !strings.Contains(html.Body, "Plain text stays.") {
		t.Errorf("html:\n%s", html.Body)
	}
	lastExport("policy-text", "hostile", html.Body)

	md := e.Fetch(auditor, atok, "/api/v1/orgs/alpha/policies/sanctions/text/md?version=1")
	if md.StatusCode != 200 || !strings.HasPrefix(md.Body, "# Sanctions policy") || !strings.Contains(md.Header.Get("Content-Disposition"), "alpha-sanctions-v1.md") {
		t.Fatalf("md: status %d, %v %.200s", md.StatusCode, md.Header, md.Body)
	}
	lastExport("policy-text", "sanctions", md.Body)

	x := e.Fetch(auditor, atok, "/orgs/alpha/workforce-report/xlsx?as_of=2026-11-23")
	if x.StatusCode != 200 || x.Header.Get("Content-Disposition") != "attachment; filename=alpha-workforce-2026-11-23.xlsx" {
		t.Fatalf("xlsx: status %d, headers %v", x.StatusCode, x.Header)
	}
	book, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows(workforce.SheetStatus)
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(workforce.StatusColumns, ",") {
		t.Fatalf("status sheet: %v %v", err, rows)
	}
	lastExport("workforce-report", "xlsx", x.Body)
	js := e.Fetch(auditor, atok, "/api/v1/orgs/alpha/workforce-report/json?as_of=2026-11-23")
	var rep workforce.Report
	if js.StatusCode != 200 || json.Unmarshal([]byte(js.Body), &rep) != nil || len(rep.Status) != len(rows)-1 {
		t.Fatalf("json: status %d, %d status rows, the sheet %d", js.StatusCode, len(rep.Status), len(rows)-1)
	}

	for p, want := range map[string]int{
		"/orgs/alpha/policies/sanctions/text/pdf":              http.StatusNotFound,
		"/orgs/alpha/policies/nosuch/text/md":                  http.StatusNotFound,
		"/orgs/alpha/policies/sanctions/text/md?version=9":     http.StatusNotFound,
		"/orgs/alpha/workforce-report/csv":                     http.StatusNotFound,
		"/api/v1/orgs/alpha/policies/export.pdf?as_of=someday": http.StatusBadRequest,
	} {
		if r := e.Fetch(auditor, atok, p); r.StatusCode != want {
			t.Errorf("%s: status %d, want %d", p, r.StatusCode, want)
		}
	}
	// A GET records nothing: the page shows the button, the API says POST.
	before, _ := e.Store.Org(e.OrgA).AuditHead(context.Background())
	if r := e.Get(auditor, "/orgs/alpha/policies/export.pdf"); r.StatusCode != 200 || !strings.Contains(r.Body, `<form method="post" action="/orgs/alpha/policies/export.pdf"`) {
		t.Errorf("GET of the policy set's page: %d\n%.500s", r.StatusCode, r.Body)
	}
	if r := e.Get(auditor, "/api/v1/orgs/alpha/workforce-report/xlsx"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET of the API: %d, want 405", r.StatusCode)
	}
	if after, _ := e.Store.Org(e.OrgA).AuditHead(context.Background()); after != before {
		t.Errorf("a GET wrote to the audit trail")
	}
	// The policies, a policy's and the people pages offer them to the
	// auditor, not to a viewer.
	for page, action := range map[string]string{
		"/orgs/alpha/policies":           `action="/orgs/alpha/policies/export.pdf?as_of=`,
		"/orgs/alpha/policies/sanctions": `action="/orgs/alpha/policies/sanctions/text/html?version=1"`,
		"/orgs/alpha/people":             `action="/orgs/alpha/workforce-report/xlsx?as_of=`,
	} {
		if r := e.Get(auditor, page); r.StatusCode != 200 || !strings.Contains(r.Body, action) {
			t.Errorf("auditor %s: status %d, no %s", page, r.StatusCode, action)
		}
		if r := e.Get(viewer, page); strings.Contains(r.Body, action) {
			t.Errorf("viewer %s offers %s", page, action)
		}
	}
	// The evidence page offers both documents to the auditor.
	if page := e.Get(auditor, "/orgs/alpha/evidence"); !strings.Contains(page.Body, `action="/orgs/alpha/policies/export.pdf"`) || !strings.Contains(page.Body, `action="/orgs/alpha/workforce-report/xlsx"`) {
		t.Errorf("the auditor's evidence page does not offer the policy set and the workforce report")
	}
}
