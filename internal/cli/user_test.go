package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/cli"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web"
)

// wardAt runs the command line against a database URL with stdin.
func wardAt(t testing.TB, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func mustWardAt(t testing.TB, db, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := wardAt(t, db, stdin, args...)
	if code != 0 {
		t.Fatalf("ward %v: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

// tinyOrg applies a one-file workspace and returns its slug.
func tinyOrg(t *testing.T, db string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "org.yaml"), []byte("organization:\n  name: Tiny Clinic\n  roles: [covered-entity]\n"), 0o600)
	mustWardAt(t, db, "", "apply", "-f", dir)
	return "tiny-clinic"
}

var generated = regexp.MustCompile(`(?m)^password: (\S+)$`)

// TestAccountLifecycleCLI is issue 20's finding 4 end to end, on both
// engines: the lifecycle commands, and their effect on a running web app
// at its very next request (a revoked token answers 401; a disabled
// account's browser session is logged out).
func TestAccountLifecycleCLI(t *testing.T) {
	t.Setenv("WARD_ACTOR", "ops@msp.example")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Setenv("WARD_BLOBS", t.TempDir())
			db := eng.URL(t)
			slug := tinyOrg(t, db)
			out := mustWardAt(t, db, "", "user", "add", "dana@tiny.example", "--name", "Dana", "--role", "admin")
			m := generated.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("user add printed no generated password:\n%s", out)
			}
			password := m[1]
			mustWardAt(t, db, "", "user", "add", "lee@tiny.example", "--role", "editor")

			// A second add of an existing account says so, exits 2 and
			// changes nothing: not the password, not the role.
			code, out, errs := wardAt(t, db, "Another-long-passphrase-9\n", "user", "add", "dana@tiny.example", "--role", "viewer", "--password-stdin")
			if code != cli.ExitBadInput || !strings.Contains(errs, "exists already") || !strings.Contains(errs, "nothing changed") {
				t.Errorf("user add of an existing account: exit %d\n%s%s", code, out, errs)
			}

			// The web app runs on the same database, as ward serve would.
			st, err := store.Open(context.Background(), db, store.Options{BlobDir: os.Getenv("WARD_BLOBS")})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			srv := httptest.NewServer(web.New(st, web.Config{}))
			defer srv.Close()
			u, _ := st.UserByEmail(context.Background(), "dana@tiny.example")
			if ok, _ := auth.CheckPassword(password, u.PasswordHash); !ok {
				t.Error("the second user add changed the password")
			}
			org, _ := st.OrgBySlug(context.Background(), slug)
			if role, _ := st.RoleIn(context.Background(), u.ID, org.ID); role != store.RoleAdmin {
				t.Errorf("the second user add changed the role to %q", role)
			}

			// A token works until it is revoked, then answers 401 at once.
			code, tok, errs := wardAt(t, db, "", "user", "token", "lee@tiny.example", "--name", "ci", "--days", "30")
			tok = strings.TrimSpace(tok)
			if code != 0 || tok == "" || !strings.Contains(errs, "good until") {
				t.Fatalf("user token: exit %d %q %s", code, tok, errs)
			}
			bearer := func() int {
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/orgs", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if got := bearer(); got != http.StatusOK {
				t.Fatalf("fresh token: %d", got)
			}
			var list struct {
				Tokens []struct {
					ID       int64
					Name     string
					Status   string
					Expires  time.Time
					LastUsed time.Time `json:"last_used"`
				}
			}
			if err := json.Unmarshal([]byte(mustWardAt(t, db, "", "user", "token", "list", "lee@tiny.example", "--format", "json")), &list); err != nil {
				t.Fatal(err)
			}
			if len(list.Tokens) != 1 || list.Tokens[0].Status != "live" || list.Tokens[0].LastUsed.IsZero() {
				t.Fatalf("token list = %+v, want one live token with its last use", list.Tokens)
			}
			if d := time.Until(list.Tokens[0].Expires); d < 29*24*time.Hour || d > 31*24*time.Hour {
				t.Errorf("--days 30 expires in %v", d)
			}
			text := mustWardAt(t, db, "", "user", "token", "list", "lee@tiny.example")
			if !strings.Contains(text, "LAST USED") || !strings.Contains(text, "live") {
				t.Errorf("token list text:\n%s", text)
			}
			id := strconv.FormatInt(list.Tokens[0].ID, 10)
			if out := mustWardAt(t, db, "", "user", "token", "revoke", "lee@tiny.example", id); !strings.Contains(out, "revoked") {
				t.Errorf("revoke: %s", out)
			}
			if got := bearer(); got != http.StatusUnauthorized {
				t.Errorf("revoked token: %d, want 401 at once", got)
			}
			if code, _, errs := wardAt(t, db, "", "user", "token", "revoke", "dana@tiny.example", id); code != cli.ExitBadInput || !strings.Contains(errs, "no API token") {
				t.Errorf("revoking another account's token: exit %d %s", code, errs)
			}
			if code, _, _ := wardAt(t, db, "", "user", "token", "lee@tiny.example", "--days", "400"); code != cli.ExitBadInput {
				t.Errorf("--days 400: exit %d, want 2", code)
			}

			// Dana logs in with a browser; disabling the account logs the
			// session out on its next request.
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			login := func(pw string) int {
				resp, err := browser.Get(srv.URL + "/login")
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
				resp, err = browser.PostForm(srv.URL+"/login", url.Values{"csrf": {string(csrf[1])}, "email": {"dana@tiny.example"}, "password": {pw}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			page := func() (int, string) {
				resp, err := browser.Get(srv.URL + "/orgs/" + slug)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode, resp.Header.Get("Location")
			}
			if got := login(password); got != http.StatusSeeOther {
				t.Fatalf("login: %d", got)
			}
			if got, _ := page(); got != http.StatusOK {
				t.Fatalf("overview after login: %d", got)
			}
			mustWardAt(t, db, "", "user", "disable", "dana@tiny.example")
			if got, loc := page(); got != http.StatusFound || !strings.HasPrefix(loc, "/login") {
				t.Errorf("after ward user disable: %d %q, want logged out (302 to /login)", got, loc)
			}
			if got := login(password); got != http.StatusUnauthorized {
				t.Errorf("a disabled account's login: %d, want 401", got)
			}
			if out := mustWardAt(t, db, "", "user", "disable", "dana@tiny.example"); !strings.Contains(out, "already") {
				t.Errorf("disabling twice: %s", out)
			}
			mustWardAt(t, db, "", "user", "enable", "dana@tiny.example")
			if got := login(password); got != http.StatusSeeOther {
				t.Errorf("login after enable: %d", got)
			}

			// passwd: the policy holds; a new password ends the sessions.
			if code, _, errs := wardAt(t, db, "aaaaaaaaaaaa\n", "user", "passwd", "dana@tiny.example", "--password-stdin"); code != cli.ExitBadInput || !strings.Contains(errs, "different characters") {
				t.Errorf("passwd aaaaaaaaaaaa: exit %d %s", code, errs)
			}
			mustWardAt(t, db, "Quiet-Harbor-Lantern-47\n", "user", "passwd", "dana@tiny.example", "--password-stdin")
			if got, _ := page(); got != http.StatusFound {
				t.Errorf("session after passwd: %d, want logged out", got)
			}
			if got := login("Quiet-Harbor-Lantern-47"); got != http.StatusSeeOther {
				t.Errorf("login with the new password: %d", got)
			}

			// Roles and membership; the last admin cannot be removed.
			if code, _, errs := wardAt(t, db, "", "user", "remove-membership", "dana@tiny.example"); code != cli.ExitBadInput || !strings.Contains(errs, "last admin") {
				t.Errorf("removing the last admin: exit %d %s", code, errs)
			}
			mustWardAt(t, db, "", "user", "role", "lee@tiny.example", "admin")
			mustWardAt(t, db, "", "user", "remove-membership", "dana@tiny.example")
			if got, _ := page(); got != http.StatusNotFound {
				t.Errorf("overview after remove-membership: %d, want 404", got)
			}
			var users struct {
				Accounts []struct {
					User struct{ Email string }
					Role string
				}
			}
			json.Unmarshal([]byte(mustWardAt(t, db, "", "user", "list", "--format", "json")), &users)
			if len(users.Accounts) != 1 || users.Accounts[0].User.Email != "lee@tiny.example" || users.Accounts[0].Role != "admin" {
				t.Errorf("user list = %+v", users.Accounts)
			}

			// Every step is on a trail that verifies.
			out = mustWardAt(t, db, "", "audit", "verify")
			if !regexp.MustCompile(`accounts: ok, \d+ entries`).MatchString(out) {
				t.Errorf("audit verify does not check the accounts' trail:\n%s", out)
			}
			out = mustWardAt(t, db, "", "audit", "log", "--accounts", "--limit", "100")
			for _, want := range []string{"user.create", "token.create", "token.revoke", "user.disable", "user.enable", "password.change", "login.failed", "login"} {
				if !strings.Contains(out, want) {
					t.Errorf("accounts' trail lacks %s:\n%s", want, out)
				}
			}
			out = mustWardAt(t, db, "", "audit", "log", "--limit", "100")
			if !strings.Contains(out, "role.set") {
				t.Errorf("the organization's trail lacks the role changes:\n%s", out)
			}
		})
	}
}

// `ward user add --role member` makes a workforce member: its account
// opens its own tasks (GET /api/v1/orgs/{org}/my) and nothing else of
// the organization (the overview answers 403).
func TestUserAddMember(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ward.db")
	slug := tinyOrg(t, db)
	out := mustWardAt(t, db, "", "user", "add", "tom@tiny.example", "--role", "member")
	if !strings.Contains(out, "tom@tiny.example is member of "+slug) {
		t.Fatalf("user add --role member: %q", out)
	}
	pw := generated.FindStringSubmatch(out)
	if pw == nil {
		t.Fatalf("no generated password in %q", out)
	}
	if code, _, errs := wardAt(t, db, "", "user", "add", "sam@tiny.example", "--role", "workforce"); code != 2 || !strings.Contains(errs, "member") {
		t.Errorf("an unknown role: exit %d %q, want 2 naming the roles", code, errs)
	}
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(web.New(st, web.Config{}))
	defer srv.Close()
	u, err := st.UserByEmail(context.Background(), "tom@tiny.example")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken()
	if _, err := st.CreateToken(context.Background(), "test", u.ID, "t", auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/api/v1/orgs/" + slug + "/my"); got != 200 {
		t.Errorf("a member's own tasks: %d, want 200", got)
	}
	if got := get("/api/v1/orgs/" + slug + "/overview"); got != 403 {
		t.Errorf("a member reading the overview: %d, want 403", got)
	}
}
