package controls_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"ward/internal/report/auditpack"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// Issue 7 item 5: the auditor sees in the web app exactly what `ward
// report request-list` and `ward export evidence` give, read-only. The
// XLSX opens with the library that wrote it and lists every evidence hash
// of the JSON twin; the zip's SHA256SUMS verifies every entry and its
// manifest lists every evidence file; a viewer may not download; each
// download is on the audit trail.
func TestAuditorRequestListAndBundle(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	// Two files uploaded through the control page, as an editor does: the
	// demo applied in tests carries links and notes, its files unhashed.
	editor, etok := e.Login(e.Users[store.RoleEditor])
	uploads := [][2]string{{"scan-oct.txt", "October scan\n"}, {"scan-nov.csv", "host,finding\nweb,none\n"}}
	if r := e.Upload(editor, "/orgs/alpha/controls/vulnerability-scanning/evidence", map[string]string{"csrf": etok, "collected": "2026-10-15"}, uploads, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: status %d: %.300s", r.StatusCode, r.Body)
	}
	files := len(uploads)
	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	auditor, atok := e.Login(e.Users[store.RoleAuditor])
	for _, p := range []string{"/orgs/alpha/request-list/xlsx", "/api/v1/orgs/alpha/request-list/json", "/orgs/alpha/evidence-bundle", "/api/v1/orgs/alpha/evidence-bundle"} {
		if r := e.Fetch(viewer, vtok, p); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer %s: status %d, want 403", p, r.StatusCode)
		}
	}

	// The evidence page links the downloads for auditors, not for viewers.
	if page := e.Get(auditor, "/orgs/alpha/evidence"); !strings.Contains(page.Body, `action="/orgs/alpha/request-list/xlsx"`) || !strings.Contains(page.Body, `action="/orgs/alpha/evidence-bundle"`) {
		t.Errorf("the auditor's evidence page does not link the request list and bundle")
	}
	if page := e.Get(viewer, "/orgs/alpha/evidence"); page.StatusCode != 200 || strings.Contains(page.Body, "request-list") {
		t.Errorf("the viewer's evidence page: status %d, links the auditor downloads: %v", page.StatusCode, strings.Contains(page.Body, "request-list"))
	}

	js := e.Fetch(auditor, atok, "/api/v1/orgs/alpha/request-list/json?as_of=2026-11-23")
	var rl auditpack.RequestList
	if js.StatusCode != 200 || json.Unmarshal([]byte(js.Body), &rl) != nil || len(rl.Rows) == 0 || rl.Framework != "soc2" {
		t.Fatalf("request list JSON: status %d, %.300s", js.StatusCode, js.Body)
	}
	x := e.Fetch(auditor, atok, "/orgs/alpha/request-list/xlsx?as_of=2026-11-23")
	if x.StatusCode != 200 || x.Header.Get("Content-Disposition") != "attachment; filename=alpha-request-list-soc2-2026-11-23.xlsx" {
		t.Fatalf("xlsx: status %d, headers %v", x.StatusCode, x.Header)
	}
	book, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows(auditpack.RequestSheet)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(auditpack.RequestColumns, ",") || len(rows)-1 != len(rl.Rows) {
		t.Fatalf("sheet: header %v, %d rows; the list has %d", rows[0], len(rows)-1, len(rl.Rows))
	}
	inSheet := map[string]bool{}
	for _, r := range rows[1:] {
		for _, c := range r {
			inSheet[c] = true
		}
	}
	hashes := 0
	for _, r := range rl.Rows {
		if r.SHA256 != "" {
			hashes++
			if !inSheet[r.SHA256] {
				t.Errorf("the sheet does not list %s's hash %s", r.EvidenceID, r.SHA256)
			}
		}
	}
	if hashes == 0 {
		t.Error("no evidence hash in the SOC 2 request list")
	}
	c := e.Fetch(auditor, atok, "/api/v1/orgs/alpha/request-list/csv?as_of=2026-11-23&framework=hipaa")
	if c.StatusCode != 200 || !strings.HasPrefix(c.Body, strings.Join(auditpack.RequestColumns, ",")+"\n") {
		t.Fatalf("csv: status %d, %.200s", c.StatusCode, c.Body)
	}
	log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if err != nil || len(log) != 1 || log[0].Action != "export" || log[0].Kind != "request-list" || log[0].Key != "hipaa" || log[0].Actor != e.Users[store.RoleAuditor].Email {
		t.Errorf("the download is not on the audit trail: %v %+v", err, log)
	}

	z := e.Fetch(auditor, atok, "/orgs/alpha/evidence-bundle")
	if z.StatusCode != 200 || z.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: status %d, headers %v, %.300s", z.StatusCode, z.Header, z.Body)
	}
	zr, err := zip.NewReader(strings.NewReader(z.Body), int64(len(z.Body)))
	if err != nil {
		t.Fatal(err)
	}
	content := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	// sha256sum -c SHA256SUMS: every line's hash is its entry's.
	sums := bufio.NewScanner(bytes.NewReader(content["SHA256SUMS"]))
	checked := 0
	for sums.Scan() {
		sum, name, ok := strings.Cut(sums.Text(), "  ")
		got := sha256.Sum256(content[name])
		if !ok || content[name] == nil || hex.EncodeToString(got[:]) != sum {
			t.Errorf("SHA256SUMS line %q does not verify", sums.Text())
		}
		checked++
	}
	var m auditpack.Manifest
	if err := json.Unmarshal(content["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	inZip := 0
	for _, en := range m.Evidence {
		if en.File == "" {
			continue
		}
		inZip++
		got := sha256.Sum256(content[en.File])
		if hex.EncodeToString(got[:]) != en.SHA256 {
			t.Errorf("manifest: %s (%s) is not the file recorded", en.ID, en.File)
		}
	}
	if inZip != files || checked < files+2 {
		t.Errorf("bundle: %d files in the manifest, %d lines checked; the demo has %d files", inZip, checked, files)
	}
	log, err = e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if err != nil || len(log) != 1 || log[0].Action != "export" || log[0].Kind != "evidence-bundle" {
		t.Errorf("the bundle is not on the audit trail: %v %+v", err, log)
	}

	for p, want := range map[string]int{
		"/orgs/alpha/request-list/pdf":                          http.StatusNotFound,
		"/api/v1/orgs/alpha/request-list/json?framework=hitech": http.StatusBadRequest,
		"/api/v1/orgs/alpha/request-list/json?as_of=tomorrow":   http.StatusBadRequest,
		"/api/v1/orgs/alpha/evidence-bundle?framework=pci":      http.StatusBadRequest,
	} {
		if r := e.Fetch(auditor, atok, p); r.StatusCode != want {
			t.Errorf("%s: status %d, want %d", p, r.StatusCode, want)
		}
	}
	// A GET records nothing (issue 20): the page answers the download
	// button, the API says to POST.
	before, _ := e.Store.Org(e.OrgA).AuditHead(context.Background())
	if r := e.Get(auditor, "/orgs/alpha/evidence-bundle"); r.StatusCode != 200 || !strings.Contains(r.Body, `<form method="post" action="/orgs/alpha/evidence-bundle"`) {
		t.Errorf("GET of the bundle's page: %d, want the download button\n%.500s", r.StatusCode, r.Body)
	}
	if r := e.Get(auditor, "/api/v1/orgs/alpha/request-list/csv"); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
		t.Errorf("GET of the API: %d, want 405 Allow: POST", r.StatusCode)
	}
	if after, _ := e.Store.Org(e.OrgA).AuditHead(context.Background()); after != before {
		t.Errorf("a GET wrote to the audit trail: %+v → %+v", before, after)
	}
}
