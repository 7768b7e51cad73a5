package app_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The Reports page (issue 19 item 13): every document the command line
// makes downloads from the web app, answers with its type and bytes an
// independent reader accepts, is recorded on the audit trail, and is for
// auditors and above only.
func TestReportsDownloads(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemoWithFiles()
	const asOf = "2026-11-20"
	c, csrf := e.Login(e.Users[store.RoleAuditor])

	page := e.Get(c, "/orgs/alpha/reports?as_of="+asOf)
	if page.StatusCode != 200 {
		t.Fatalf("reports page: %d", page.StatusCode)
	}
	for _, want := range []string{`href="/orgs/alpha/reports" aria-current="page"`, `action="/orgs/alpha/reports/risk-analysis/pdf?as_of=` + asOf + `"`,
		`action="/orgs/alpha/request-list/xlsx?as_of=` + asOf + `"`, `action="/orgs/alpha/evidence-bundle?as_of=` + asOf + `"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("reports page lacks %s", want)
		}
	}
	var list app.ReportsPage
	if r := e.Get(c, "/api/v1/orgs/alpha/reports"); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &list) != nil || len(list.Documents) != len(app.ReportDocs) || !list.CanDownload {
		t.Errorf("reports API: %d %s", r.StatusCode, r.Body)
	}

	dir := t.TempDir()
	for _, d := range app.ReportDocs {
		if d.Path != nil {
			continue // request list, evidence bundle: tested with their own addresses
		}
		for _, f := range d.Formats {
			t.Run(d.ID+"."+f, func(t *testing.T) {
				path := "/orgs/alpha/reports/" + d.ID + "/" + f + "?as_of=" + asOf
				before := e.AuditHead().Seq
				r := e.Fetch(c, csrf, path)
				if r.StatusCode != 200 {
					t.Fatalf("POST %s: %d %.500s", path, r.StatusCode, r.Body)
				}
				if got := r.Header.Get("Content-Type"); got != app.ReportTypes[f] {
					t.Errorf("Content-Type %q, want %q", got, app.ReportTypes[f])
				}
				if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "alpha-"+d.ID+"-"+asOf+"."+f) {
					t.Errorf("Content-Disposition %q", cd)
				}
				body := []byte(r.Body)
				switch f {
				case "pdf":
					p := filepath.Join(dir, d.ID+".pdf")
					os.WriteFile(p, body, 0o644)
					out, err := exec.Command(browsertest.Poppler(t, "pdftotext"), p, "-").Output()
					if !bytes.HasPrefix(body, []byte("%PDF-")) || err != nil || len(bytes.TrimSpace(out)) == 0 {
						t.Errorf("pdftotext: %v; %d bytes of text", err, len(out))
					}
				case "xlsx", "zip":
					z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
					if err != nil {
						t.Fatalf("does not open as a zip: %v", err)
					}
					jsons := 0
					for _, zf := range z.File {
						if strings.HasSuffix(zf.Name, ".json") {
							rc, _ := zf.Open()
							var v map[string]any
							if err := json.NewDecoder(rc).Decode(&v); err != nil {
								t.Errorf("%s: %v", zf.Name, err)
							}
							rc.Close()
							jsons++
						}
					}
					if d.ID == "oscal" && jsons < 5 {
						t.Errorf("the OSCAL set holds %d JSON documents", jsons)
					}
				case "svg":
					var root struct{ XMLName xml.Name }
					if err := xml.Unmarshal(body, &root); err != nil || root.XMLName.Local != "svg" {
						t.Errorf("not an SVG: %v %v", root.XMLName, err)
					}
					if r.Header.Get("Content-Security-Policy") == "" {
						t.Error("an SVG is served without a sandbox")
					}
				case "html":
					if !strings.Contains(strings.ToLower(r.Body), "<html") {
						t.Errorf("not HTML: %.200s", r.Body)
					}
				case "md":
					if !strings.HasPrefix(r.Body, "#") {
						t.Errorf("not Markdown: %.200s", r.Body)
					}
				}
				h := e.AuditHead()
				if h.Seq != before+1 || h.Action != "export" || h.Kind != "report" || h.Key != d.ID || h.Actor != e.Users[store.RoleAuditor].Email {
					t.Errorf("audit entry %+v, want export report %s by the auditor", h, d.ID)
				}
			})
		}
	}

	// Roles: a viewer sees the page but no download button, and a
	// download is refused and not recorded.
	vc, vcsrf := e.Login(e.Users[store.RoleViewer])
	vpage := e.Get(vc, "/orgs/alpha/reports")
	if vpage.StatusCode != 200 || strings.Contains(vpage.Body, `action="/orgs/alpha/reports/`) || !strings.Contains(vpage.Body, "Downloads need the auditor") {
		t.Errorf("viewer's reports page: %d\n%s", vpage.StatusCode, vpage.Body)
	}
	before := e.AuditHead().Seq
	for _, p := range []string{"/orgs/alpha/reports/risk-analysis/pdf", "/api/v1/orgs/alpha/reports/oscal/zip"} {
		if r := e.Fetch(vc, vcsrf, p); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", p, r.StatusCode)
		}
	}
	if e.AuditHead().Seq != before {
		t.Error("a refused download was recorded")
	}
	// A GET of a download's address is the page with the button, not the
	// file; the API's GET says to POST.
	if r := e.Get(c, "/orgs/alpha/reports/roadmap/html"); r.StatusCode != 200 || !strings.Contains(r.Body, `<form method="post" action="/orgs/alpha/reports/roadmap/html"`) {
		t.Errorf("GET download page: %d", r.StatusCode)
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/reports/roadmap/html"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("API GET: %d, want 405", r.StatusCode)
	}
	if r := e.Fetch(c, csrf, "/orgs/alpha/reports/roadmap/pdf"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a format the roadmap does not come in: %d", r.StatusCode)
	}
	if e.AuditHead().Seq != before {
		t.Error("a GET or a refused download was recorded")
	}
}
