package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/cli"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web"
)

// demoTodoServer seeds `ward demo` into a fresh database and serves it
// with an admin's API token; it returns the database and the token.
func demoTodoServer(t *testing.T) (db string, srv *httptest.Server, token string) {
	t.Helper()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errb}
	dbFile, err := cli.SeedDemo(context.Background(), env, dir)
	if err != nil {
		t.Fatalf("seed the demo: %v\n%s", err, errb.String())
	}
	env.Close()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+dbFile, store.Options{BlobDir: filepath.Join(dir, "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.UserByEmail(ctx, "admin@acme-health.example")
	if err != nil {
		t.Fatal(err)
	}
	token, _ = auth.NewToken()
	if _, err := st.CreateToken(ctx, "test", u.ID, "todo test", auth.TokenHash(token), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(web.New(st, web.Config{}))
	t.Cleanup(srv.Close)
	return dbFile, srv, token
}

func apiGet(t *testing.T, srv *httptest.Server, token, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// homeItem is one item of the home page: kind, rule, subject, title.
var homeItem = regexp.MustCompile(`(?s)<li class="todo-item[^"]*" data-kind="([^"]*)"(?: data-rule="([^"]*)")? data-subject="([^"]*)">\s*<div class="todo-main">\s*<p class="todo-title">([^<]*)</p>`)

// `ward todo --format json` on the demo is the API's list, item for
// item in the same order, for both organizations and two dates, and the
// home page's (issue 19).
func TestTodoJSONEqualsTheAPI(t *testing.T) {
	db, srv, token := demoTodoServer(t)
	for _, org := range []string{"acme-health", "harbor-family-medicine"} {
		for _, day := range []string{"2026-11-23", "2026-12-04"} {
			cli := mustWard(t, db, "--org", org, "todo", "--format", "json", "--as-of", day)
			api := apiGet(t, srv, token, "/api/v1/orgs/"+org+"/todo?as_of="+day)
			var a, b any
			if err := json.Unmarshal([]byte(cli), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(api), &b); err != nil {
				t.Fatal(err)
			}
			ca, _ := json.Marshal(a)
			cb, _ := json.Marshal(b)
			if !bytes.Equal(ca, cb) {
				t.Errorf("%s on %s: ward todo --format json and GET /api/v1/orgs/%s/todo differ:\ncli %s\napi %s", org, day, org, ca, cb)
			}
			if n := strings.Count(cli, `"kind"`); n < 5 {
				t.Errorf("%s on %s: only %d items", org, day, n)
			}
		}
	}
	// The home page lists the same items in the same order.
	for _, org := range []string{"acme-health", "harbor-family-medicine"} {
		var l todo.List
		if err := json.Unmarshal([]byte(mustWard(t, db, "--org", org, "todo", "--format", "json", "--as-of", "2026-12-04")), &l); err != nil {
			t.Fatal(err)
		}
		page := apiGet(t, srv, token, "/orgs/"+org+"?as_of=2026-12-04")
		rows := homeItem.FindAllStringSubmatch(page, -1)
		if len(rows) != len(l.Items) {
			t.Fatalf("%s: the home page lists %d items, ward todo %d", org, len(rows), len(l.Items))
		}
		for i, it := range l.Items {
			got := [4]string{html.UnescapeString(rows[i][1]), html.UnescapeString(rows[i][2]), html.UnescapeString(rows[i][3]), html.UnescapeString(rows[i][4])}
			if want := [4]string{it.Kind, it.Rule, it.Subject, it.Title}; got != want {
				t.Errorf("%s item %d: home page %q, ward todo %q", org, i+1, got, want)
			}
		}
	}

	// The text output names the first item, the overdue breach notice.
	out := mustWard(t, db, "--org", "acme-health", "todo", "--as-of", "2026-12-04")
	if !regexp.MustCompile(`(?m)^1\. \[error, overdue by 14 days \(due 2026-11-20\)\] Notify Lakeside Cardiology`).MatchString(out) {
		t.Errorf("ward todo's first item:\n%s", out)
	}
}
