package web

import (
	"archive/zip"
	"bytes"
	"context"
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
	"ward/internal/workspace"
)

// seedDemoWithFiles is seedDemo with the files the demo's records name
// (policy texts, evidence, signed agreements) in the blob store, as ward
// apply keeps them.
func (e *testEnv) seedDemoWithFiles() {
	e.t.Helper()
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range l.Workspace.Files() {
		fh, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			e.t.Fatal(err)
		}
		sha, _, err := e.st.Blobs().Put(fh)
		fh.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		*f.SHA256 = sha
	}
	if _, err := e.st.Org(e.orgA).Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.t.Fatalf("apply the demo: %v", err)
	}
}

// The Reports page (issue 19 item 13): every document the command line
// makes downloads from the web app, answers with its type and bytes an
// independent reader accepts, is recorded on the audit trail, and is for
// auditors and above only.
func TestReportsDownloads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	e.seedDemoWithFiles()
	const asOf = "2026-11-20"
	c, csrf := e.login(e.users[store.RoleAuditor])

	page := e.get(c, "/orgs/alpha/reports?as_of="+asOf)
	if page.StatusCode != 200 {
		t.Fatalf("reports page: %d", page.StatusCode)
	}
	for _, want := range []string{`href="/orgs/alpha/reports" aria-current="page"`, `action="/orgs/alpha/reports/risk-analysis/pdf?as_of=` + asOf + `"`,
		`action="/orgs/alpha/request-list/xlsx?as_of=` + asOf + `"`, `action="/orgs/alpha/evidence-bundle?as_of=` + asOf + `"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("reports page lacks %s", want)
		}
	}
	var list ReportsPage
	if r := e.get(c, "/api/v1/orgs/alpha/reports"); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &list) != nil || len(list.Documents) != len(reportDocs) || !list.CanDownload {
		t.Errorf("reports API: %d %s", r.StatusCode, r.Body)
	}

	dir := t.TempDir()
	for _, d := range reportDocs {
		if d.Path != nil {
			continue // request list, evidence bundle: tested with their own addresses
		}
		for _, f := range d.Formats {
			t.Run(d.ID+"."+f, func(t *testing.T) {
				path := "/orgs/alpha/reports/" + d.ID + "/" + f + "?as_of=" + asOf
				before := e.auditHead().Seq
				r := e.fetch(c, csrf, path)
				if r.StatusCode != 200 {
					t.Fatalf("POST %s: %d %.500s", path, r.StatusCode, r.Body)
				}
				if got := r.Header.Get("Content-Type"); got != reportTypes[f] {
					t.Errorf("Content-Type %q, want %q", got, reportTypes[f])
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
				h := e.auditHead()
				if h.Seq != before+1 || h.Action != "export" || h.Kind != "report" || h.Key != d.ID || h.Actor != e.users[store.RoleAuditor].Email {
					t.Errorf("audit entry %+v, want export report %s by the auditor", h, d.ID)
				}
			})
		}
	}

	// Roles: a viewer sees the page but no download button, and a
	// download is refused and not recorded.
	vc, vcsrf := e.login(e.users[store.RoleViewer])
	vpage := e.get(vc, "/orgs/alpha/reports")
	if vpage.StatusCode != 200 || strings.Contains(vpage.Body, `action="/orgs/alpha/reports/`) || !strings.Contains(vpage.Body, "Downloads need the auditor") {
		t.Errorf("viewer's reports page: %d\n%s", vpage.StatusCode, vpage.Body)
	}
	before := e.auditHead().Seq
	for _, p := range []string{"/orgs/alpha/reports/risk-analysis/pdf", "/api/v1/orgs/alpha/reports/oscal/zip"} {
		if r := e.fetch(vc, vcsrf, p); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", p, r.StatusCode)
		}
	}
	if e.auditHead().Seq != before {
		t.Error("a refused download was recorded")
	}
	// A GET of a download's address is the page with the button, not the
	// file; the API's GET says to POST.
	if r := e.get(c, "/orgs/alpha/reports/roadmap/html"); r.StatusCode != 200 || !strings.Contains(r.Body, `<form method="post" action="/orgs/alpha/reports/roadmap/html"`) {
		t.Errorf("GET download page: %d", r.StatusCode)
	}
	if r := e.get(c, "/api/v1/orgs/alpha/reports/roadmap/html"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("API GET: %d, want 405", r.StatusCode)
	}
	if r := e.fetch(c, csrf, "/orgs/alpha/reports/roadmap/pdf"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a format the roadmap does not come in: %d", r.StatusCode)
	}
	if e.auditHead().Seq != before {
		t.Error("a GET or a refused download was recorded")
	}
}
