package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web"
)

// TestUserInviteCLI: `ward user invite` prints a link under --base-url
// that the web app accepts once, giving the role; bad input is refused
// naming it, and a second invitation of the same address is refused
// while the first is pending. On SQLite and PostgreSQL.
func TestUserInviteCLI(t *testing.T) {
	t.Setenv("WARD_ACTOR", "ops@msp.example")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.URL(t)
			slug := tinyOrg(t, db)
			if code, _, errs := wardAt(t, db, "", "--org", slug, "user", "invite", "nobody", "--role", "editor"); code != 2 || !strings.Contains(errs, "nobody") {
				t.Errorf("bad address: exit %d %s", code, errs)
			}
			if code, _, errs := wardAt(t, db, "", "--org", slug, "user", "invite", "kim@tiny.example", "--role", "boss"); code != 2 || !strings.Contains(errs, "boss") {
				t.Errorf("bad role: exit %d %s", code, errs)
			}
			out := mustWardAt(t, db, "", "--org", slug, "user", "invite", "Kim@Tiny.example", "--role", "editor", "--base-url", "https://ward.tiny.example/")
			m := regexp.MustCompile(`https://ward\.tiny\.example/invite/(\S+)`).FindStringSubmatch(out)
			if m == nil || !strings.Contains(out, "kim@tiny.example is invited to tiny-clinic as editor") {
				t.Fatalf("output: %s", out)
			}
			if code, _, errs := wardAt(t, db, "", "--org", slug, "user", "invite", "kim@tiny.example"); code != 2 || !strings.Contains(errs, "pending invitation") {
				t.Errorf("second invitation: exit %d %s", code, errs)
			}

			ctx := context.Background()
			s, err := store.Open(ctx, db, store.Options{BlobDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			srv := httptest.NewServer(web.New(s, web.Config{}))
			defer srv.Close()
			accept := func() int {
				pw := "kim's long passphrase here"
				resp, err := http.PostForm(srv.URL+"/invite/"+m[1], url.Values{"name": {"Kim"}, "password": {pw}, "password2": {pw}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if code := accept(); code != http.StatusOK {
				// The client follows the redirects (to the organization, then,
				// keeping no cookie, the login).
				t.Fatalf("accept: %d", code)
			}
			org, _ := s.OrgBySlug(ctx, slug)
			u, err := s.UserByEmail(ctx, "kim@tiny.example")
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := s.RoleIn(ctx, u.ID, org.ID); role != store.RoleEditor {
				t.Errorf("role %q", role)
			}
			if code := accept(); code != http.StatusGone {
				t.Errorf("second use: %d, want 410", code)
			}
			trail, _ := s.Org(org).AuditAll(ctx)
			found := false
			for _, a := range trail {
				found = found || (a.Action == "invite.create" && a.Actor == "ops@msp.example" && a.Key == "kim@tiny.example")
			}
			if !found {
				t.Error("no invite.create by the operator on the trail")
			}
		})
	}
}
