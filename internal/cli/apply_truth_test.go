package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/cli"
	"ward/internal/store"
	"ward/internal/web"
)

// api sends one JSON request to the web app as the token's account.
func api(t *testing.T, srv *httptest.Server, token, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Issue 20, finding 1, end to end: the files and the web app are two
// places records are made, and ward apply of the files no longer retires
// what the web made; a record the web changed stops the apply, and
// --adopt then export brings the web's version into the files.
func TestApplyKeepsTheWebsRecordsAndStopsOnDrift(t *testing.T) {
	t.Setenv("WARD_ACTOR", "cli:raj@laptop")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)

	// The web app on the same database, and an editor's API token.
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.OrgBySlug(ctx, "acme-health")
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "test", "dana@acme-health.example", "Dana", "unused")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRole(ctx, "test", u.ID, org, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	token, _ := auth.NewToken()
	if _, err := st.CreateToken(ctx, "test", u.ID, "test", auth.TokenHash(token), time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(st, web.Config{}))
	defer srv.Close()

	base := "/api/v1/orgs/acme-health/"
	if code, body := api(t, srv, token, "POST", base+"vendors", `{"id": "fax-co", "name": "FaxCo"}`); code != http.StatusCreated {
		t.Fatalf("web create vendor: %d %s", code, body)
	}
	if code, body := api(t, srv, token, "POST", base+"incidents",
		`{"id": "inc-2027-web", "discovered": "2027-05-02", "summary": "a fax sent to the wrong clinic", "phi_involved": true, "individuals": 3, "customers": ["st-marys"]}`); code != http.StatusCreated {
		t.Fatalf("web create incident: %d %s", code, body)
	}

	// A routine apply of the files keeps both, and says so.
	out := mustWard(t, db, "apply", "-f", cli.DemoDir)
	if !strings.Contains(out, "no changes") || !strings.Contains(out, "1 vendor, 1 incident made in the web") {
		t.Errorf("apply after web creates:\n%s", out)
	}
	if code, out, errs := ward(t, db, "breach", "deadlines", "inc-2027-web"); code != 0 || !strings.Contains(out, "inc-2027-web") {
		t.Errorf("breach deadlines of the web's incident after apply: exit %d\n%s%s", code, out, errs)
	}
	if code, body := api(t, srv, token, "GET", base+"vendors/fax-co", ""); code != http.StatusOK {
		t.Errorf("the web's vendor after apply: %d %s", code, body)
	}

	// The web edits a record the files manage: apply stops, lists the
	// drift, exits 3 and writes nothing; so does the dry run.
	code, body := api(t, srv, token, "GET", base+"systems/patient-api", "")
	if code != http.StatusOK {
		t.Fatalf("GET system: %d %s", code, body)
	}
	var got struct{ Record map[string]any }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	got.Record["description"] = "Moved to the new cluster in May"
	edited, _ := json.Marshal(got.Record)
	if code, body := api(t, srv, token, "PUT", base+"systems/patient-api", string(edited)); code != http.StatusOK {
		t.Fatalf("web edit: %d %s", code, body)
	}
	headBefore := mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")
	for _, dry := range []bool{false, true} {
		args := []string{"apply", "-f", cli.DemoDir}
		if dry {
			args = append(args, "--dry-run")
		}
		code, out, errs := ward(t, db, args...)
		if code != cli.ExitDrift {
			t.Fatalf("apply over a web edit (dry run %v): exit %d, want %d\n%s%s", dry, code, cli.ExitDrift, out, errs)
		}
		if !strings.Contains(errs, "system patient-api: changed by dana@acme-health.example") || !strings.Contains(errs, "differs from the files in description") ||
			!strings.Contains(errs, "--overwrite") || !strings.Contains(errs, "--adopt") {
			t.Errorf("drift report (dry run %v):\n%s", dry, errs)
		}
		if dry && !strings.Contains(out, "kept         incident inc-2027-web (managed in the web)") {
			t.Errorf("dry run does not list what it keeps:\n%s", out)
		}
	}
	if after := mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json"); after != headBefore {
		t.Errorf("an apply stopped on drift wrote to the audit trail")
	}

	// --adopt keeps the web's version; export brings it into the files,
	// with the web's vendor and incident; applying the export changes
	// nothing.
	out = mustWard(t, db, "apply", "-f", cli.DemoDir, "--adopt")
	if !strings.Contains(out, "adopted      system patient-api") {
		t.Errorf("apply --adopt:\n%s", out)
	}
	if out := mustWard(t, db, "apply", "-f", cli.DemoDir); !strings.Contains(out, "no changes") {
		t.Errorf("apply of the unchanged files after adopting:\n%s", out)
	}
	exp := filepath.Join(dir, "export")
	mustWard(t, db, "export", "-o", exp)
	for file, want := range map[string]string{
		"systems.yaml":   "Moved to the new cluster in May",
		"vendors.yaml":   "fax-co",
		"incidents.yaml": "inc-2027-web",
	} {
		raw, err := os.ReadFile(filepath.Join(exp, file))
		if err != nil || !bytes.Contains(raw, []byte(want)) {
			t.Errorf("export %s lacks %q (%v)", file, want, err)
		}
	}
	if out := mustWard(t, db, "apply", "-f", exp); !strings.Contains(out, "no changes") || strings.Contains(out, "kept") {
		t.Errorf("apply of the export:\n%s", out)
	}
	// From now on the files manage them: the web's incident is open, so
	// files that drop it keep it all the same.
	os.WriteFile(filepath.Join(exp, "incidents.yaml"), []byte("incidents: []\n"), 0o644)
	out = mustWard(t, db, "apply", "-f", exp)
	if !strings.Contains(out, "kept         incident inc-2027-web (still open: the incident is open") {
		t.Errorf("apply of files without the open incident:\n%s", out)
	}
}

// A record made in the web that names one the files drop would dangle:
// apply checks the organization as it would be, names the record and the
// field, exits 2 and writes nothing.
func TestApplyRefusesToStrandTheWebsRecords(t *testing.T) {
	t.Setenv("WARD_ACTOR", "cli:raj@laptop")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(ws, 0o755)
	files := `organization:
  name: Tiny Clinic
  slug: tiny
  roles: [covered-entity]
systems:
  - id: ehr
    kind: saas
  - id: fax
    kind: other
`
	os.WriteFile(filepath.Join(ws, "tiny.yaml"), []byte(files), 0o644)
	mustWard(t, db, "apply", "-f", ws)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org, _ := st.OrgBySlug(ctx, "tiny")
	if _, err := st.Org(org).Put(ctx, "dana@tiny.example", store.KindFlow, "ehr->fax", map[string]any{"from": "ehr", "to": "fax"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	os.WriteFile(filepath.Join(ws, "tiny.yaml"), []byte(strings.Replace(files, "  - id: fax\n    kind: other\n", "", 1)), 0o644)
	code, out, errs := ward(t, db, "apply", "-f", ws)
	if code != cli.ExitBadInput || !strings.Contains(errs, "flow ehr->fax: to:") || !strings.Contains(errs, "nothing was written") {
		t.Errorf("apply dropping a system a web flow names: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := ward(t, db, "apply", "-f", ws, "--dry-run"); code != cli.ExitBadInput || !strings.Contains(errs, "flow ehr->fax: to:") {
		t.Errorf("dry run: exit %d\n%s", code, errs)
	}
}
