package kit_test

import (
	"net/http"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestDatabaseDownKeepsSessions: when the database does not answer the
// lookup of who is asking, a page and an API answer 503 with
// Retry-After, and the session cookie is left alone, so the person is
// still logged in once the database is back; a logged-out answer (302 to
// the login, 401) would send everyone to a login that cannot work and
// clear their cookies for a moment's outage.
func TestDatabaseDownKeepsSessions(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			c, _ := e.Login(e.Users[store.RoleViewer])
			page := "/orgs/" + webtest.SlugA + "/plan"
			api := "/api/v1/orgs/" + webtest.SlugA + "/plan"
			for _, p := range []string{page, api} {
				if r := e.Get(c, p); r.StatusCode != http.StatusOK {
					t.Fatalf("%s with the database up = %d", p, r.StatusCode)
				}
			}
			e.Store.Close()
			for _, p := range []string{page, api} {
				r := e.Get(c, p)
				if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "database is not answering") {
					t.Errorf("%s with the database closed = %d (Retry-After %q) %.200q, want 503 saying so", p, r.StatusCode, r.Header.Get("Retry-After"), r.Body)
				}
				for _, ck := range r.Cookies() {
					if ck.Name == e.Server.CookieName() {
						t.Errorf("%s with the database closed set the session cookie %+v: the session must outlive the outage", p, ck)
					}
				}
			}
		})
	}
}
