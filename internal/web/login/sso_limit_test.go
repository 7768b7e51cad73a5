package login_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/login"
)

// countRows counts table's rows matching where (one argument) straight
// from the database, as an operator would.
func countRows(t *testing.T, db, query string, arg any) int {
	t.Helper()
	driver, dsn := "pgx", db
	if p, ok := strings.CutPrefix(db, "sqlite:"); ok {
		driver, dsn = "sqlite", p
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if driver == "pgx" {
		query = strings.Replace(query, "?", "$1", 1)
	}
	var n int
	if err := conn.QueryRow(query, arg).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSSOStartLimit: GET /login/sso keeps a login under way per call, so
// it is limited per client address like the login form, in the database:
// past the limit it answers 429 with Retry-After, on this server and on
// another one on the same database. A login under way older than its
// lifetime is refused at the callback, and deleted once the next begins.
// On both engines.
func TestSSOStartLimit(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.URL(t)
			e, _ := newSSOEnv(t, db)
			ctx := context.Background()

			// An expired login under way: refused, then swept.
			state := "expired-state-token"
			if err := e.Store.BeginSSOLogin(ctx, store.SSOLogin{StateHash: auth.TokenHash(state), Nonce: "n", Verifier: "v", Next: "/", Created: time.Now().Add(-store.SSOLoginTTL - time.Minute)}); err != nil {
				t.Fatal(err)
			}
			req := mustRequest(t, e.HTTP.URL+kit.SSOCallbackPath+"?code=c&state="+state)
			req.AddCookie(&http.Cookie{Name: login.SSOCookie, Value: state})
			if r := e.Send(e.Client(), req); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "took longer than") {
				t.Errorf("an expired state: status %d, want 400 took longer:\n%.1000s", r.StatusCode, r.Body)
			}
			c := e.Client()
			for i := range login.MaxSSOStartsPerIP {
				if r := e.Get(c, "/login/sso"); r.StatusCode != http.StatusFound {
					t.Fatalf("start %d: status %d, want 302", i+1, r.StatusCode)
				}
			}
			if n := countRows(t, db, "SELECT count(*) FROM sso_logins WHERE state_hash = ?", auth.TokenHash(state)); n != 0 {
				t.Errorf("the expired login under way is still stored")
			}
			if n := countRows(t, db, "SELECT count(*) FROM sso_logins WHERE used_at IS NULL AND state_hash <> ?", ""); n != login.MaxSSOStartsPerIP {
				t.Errorf("%d logins under way stored, want %d", n, login.MaxSSOStartsPerIP)
			}
			r := e.Get(c, "/login/sso")
			if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many single sign-on attempts") {
				t.Errorf("start %d: status %d Retry-After %q, want 429:\n%.800s", login.MaxSSOStartsPerIP+1, r.StatusCode, r.Header.Get("Retry-After"), r.Body)
			}
			if n := countRows(t, db, "SELECT count(*) FROM sso_logins WHERE used_at IS NULL AND state_hash <> ?", ""); n != login.MaxSSOStartsPerIP {
				t.Errorf("a refused start stored a login under way (%d)", n)
			}

			// Another server on the same database counts the same starts.
			st2 := e.OtherServer()
			srv2 := httptest.NewServer(kit.New(st2, kit.Config{SSO: e.Server.Config.SSO}))
			defer srv2.Close()
			c2 := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c2.Get(srv2.URL + "/login/sso")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("the second server: status %d, want 429", resp.StatusCode)
			}
		})
	}
}

// TestSSOGroupsClaim: with --oidc-groups-claim, the roles come from the
// claim named, as a list, as one text value (Okta), or nested
// (Keycloak's realm_access.roles); the groups claim is then not read.
func TestSSOGroupsClaim(t *testing.T) {
	for _, c := range []struct {
		claim  string
		asText bool
	}{{"roles", false}, {"roles", true}, {"realm_access.roles", false}} {
		name := c.claim
		if c.asText {
			name += "-as-text"
		}
		t.Run(name, func(t *testing.T) {
			e, p := newSSOEnvWith(t, "sqlite:"+filepath.Join(t.TempDir(), "ward.db"), func(s *kit.SSOSettings) { s.GroupsClaim = c.claim })
			ctx := context.Background()
			// The provider still sends groups, not roles: nothing maps.
			if r := ssoLogin(t, e, p, e.Client(), ssoViewer.Subject); r.StatusCode != http.StatusForbidden {
				t.Errorf("with the groups claim only: status %d, want 403", r.StatusCode)
			}
			p.GroupsClaim(c.claim, c.asText)
			vc := e.Client()
			if r := ssoLogin(t, e, p, vc, ssoViewer.Subject); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("with the %s claim: status %d\n%.1000s", c.claim, r.StatusCode, r.Body)
			}
			vic, err := e.Store.UserByEmail(ctx, ssoViewer.Email)
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := e.Store.RoleIn(ctx, vic.ID, e.OrgA.ID); role != store.RoleViewer {
				t.Errorf("vic's role %q, want viewer", role)
			}
			if r := e.Get(vc, "/orgs/alpha/systems"); r.StatusCode != http.StatusOK {
				t.Errorf("vic's list page: %d", r.StatusCode)
			}
		})
	}
}
