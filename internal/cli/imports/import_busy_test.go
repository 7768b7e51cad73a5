package imports

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/web"
)

// Issue 20, finding 12: a large Prowler import held SQLite's write lock
// for its whole length, and web writes meanwhile answered 500
// (SQLITE_BUSY). Here a generated Prowler file is imported by `ward import
// prowler` while the web app, on the same database, takes writes in a
// loop; its writes wait at most a second for the lock (a short wait, so
// that the old behaviour shows in a small file). Every write is created,
// or answered 503 with Retry-After: never 500. Nothing here reads the
// clock to judge the outcome.
func TestWebWritesDuringALargeImport(t *testing.T) {
	t.Setenv("WARD_ACTOR", "cli:raj@laptop")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	file := filepath.Join(dir, "scan.ocsf.json")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := prowler.WriteSynthetic(f, 16<<20, 3, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+db, store.Options{BusyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, _ := st.OrgBySlug(ctx, "acme-health")
	u, err := st.CreateUser(ctx, "test", "dana@acme-health.example", "Dana", "unused")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRole(ctx, "test", u.ID, org, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	token, _ := auth.NewToken()
	if _, err := st.CreateToken(ctx, "test", u.ID, "test", auth.TokenHash(token), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(st, web.Config{}))
	defer srv.Close()

	done := make(chan struct{})
	var importCode int
	var importOut, importErr string
	go func() {
		defer close(done)
		importCode, importOut, importErr = ward(t, db, "import", "prowler", file)
	}()
	type answer struct {
		status     int
		retryAfter string
		body       string
	}
	var mu sync.Mutex
	var answers []answer
	created := map[string]bool{}
	for i := 0; ; i++ {
		select {
		case <-done:
		default:
			id := fmt.Sprintf("vendor-%03d", i)
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/orgs/acme-health/vendors", strings.NewReader(fmt.Sprintf(`{"id": %q}`, id)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			buf := make([]byte, 512)
			n, _ := res.Body.Read(buf)
			b.Write(buf[:n])
			res.Body.Close()
			mu.Lock()
			answers = append(answers, answer{res.StatusCode, res.Header.Get("Retry-After"), b.String()})
			if res.StatusCode == http.StatusCreated {
				created[id] = true
			}
			mu.Unlock()
			continue
		}
		break
	}
	if importCode != 0 {
		t.Fatalf("ward import prowler: exit %d\n%s%s", importCode, importOut, importErr)
	}
	if len(answers) == 0 {
		t.Fatal("no web write was made during the import")
	}
	for _, a := range answers {
		switch {
		case a.status == http.StatusCreated:
		case a.status == http.StatusServiceUnavailable && a.retryAfter != "":
		default:
			t.Errorf("a write during the import answered %d (Retry-After %q): %s", a.status, a.retryAfter, a.body)
		}
	}
	// The import is whole, and every write answered 201 is there.
	o := st.Org(org)
	scans, err := o.Scans(ctx)
	if err != nil || len(scans) != 1 || scans[0].Findings != findings {
		t.Fatalf("after the import: scans %+v (%v), want one of %d findings", scans, err, findings)
	}
	ws, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id := range created {
		if ws.Vendor(id) == nil {
			t.Errorf("vendor %s answered 201 and is not stored", id)
		}
	}
	t.Logf("%d findings imported; %d web writes during the import, %d created", findings, len(answers), len(created))
}
