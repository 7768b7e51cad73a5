package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web"
)

// `ward demo` prints a workforce member's login: Tom, a data engineer of
// Acme Health's workspace. His account opens his own tasks (the policies
// in force to acknowledge, the trainings) and nothing else.
func TestDemoWorkforceMember(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	out := mustWard(t, filepath.Join(dir, "unused.db"), "demo", "--dir", dir, "--no-serve")
	if !regexp.MustCompile(`log in as tom@acme-health\.example +password \S+ +\(member of Acme Health\)`).MatchString(out) {
		t.Fatalf("demo output has no member login:\n%s", out)
	}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "ward.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByEmail(context.Background(), "tom@acme-health.example")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken()
	if _, err := st.CreateToken(context.Background(), "test", u.ID, "t", auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(st, web.Config{}))
	defer srv.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/api/v1/orgs/acme-health/my")
	var my web.MyTasks
	if code != 200 || json.Unmarshal([]byte(body), &my) != nil {
		t.Fatalf("tom's tasks: %d %.300s", code, body)
	}
	if my.Person == nil || my.Person.Name != "Tom Nguyen" || len(my.Policies) == 0 || len(my.Trainings) == 0 {
		t.Errorf("tom's tasks: person %+v, %d policies, %d trainings", my.Person, len(my.Policies), len(my.Trainings))
	}
	for _, path := range []string{"/api/v1/orgs/acme-health/overview", "/api/v1/orgs/acme-health/people", "/api/v1/orgs/harbor-family-medicine/my"} {
		if code, _ := get(path); code != 403 && code != 404 {
			t.Errorf("tom GET %s: %d, want refused", path, code)
		} else if strings.Contains(path, "harbor") && code != 404 {
			t.Errorf("tom GET %s: %d, want 404 (not his organization)", path, code)
		}
	}
}
