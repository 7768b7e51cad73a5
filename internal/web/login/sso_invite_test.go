package login_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/oidctest"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// ssoInvitee is invited to alpha; the provider puts her in no group that
// alpha maps.
var ssoInvitee = oidctest.User{Subject: "u-nia", Email: "nia@harbor.example", EmailVerified: true, Name: "Nia", Password: "nia-pw", Groups: []string{"contractors"}}

// TestInvitationSSOOnly: alpha turned local passwords off, so accepting
// an invitation makes an account with no password: the page asks for no
// password, names the provider and links /login/sso; the person then
// signs in through the provider (groups mapping to nothing in alpha) and
// keeps the invited role. The break-glass address still chooses a
// password. On both engines.
func TestInvitationSSOOnly(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e, p := newSSOEnv(t, eng.URL(t))
			ctx := context.Background()
			path := e.InvitePath(e.OrgA, ssoInvitee.Email, store.RoleEditor)

			c := e.Client()
			page := e.Get(c, path)
			body := html.UnescapeString(page.Body)
			if page.StatusCode != 200 || strings.Contains(body, `name="password"`) || !strings.Contains(body, "single sign-on") ||
				!strings.Contains(body, "Sign in with Test IdP") || !strings.Contains(body, `href="/login/sso"`) {
				t.Fatalf("SSO-only invitation page: %d\n%.2000s", page.StatusCode, body)
			}
			r := e.PostForm(c, path, url.Values{"name": {"Nia Okafor"}})
			body = html.UnescapeString(r.Body)
			if r.StatusCode != 200 || !strings.Contains(body, "you have no ward password") || !strings.Contains(body, `href="/login/sso?next=%2Forgs%2Falpha"`) {
				t.Fatalf("accept: %d\n%.2000s", r.StatusCode, body)
			}
			u, err := e.Store.UserByEmail(ctx, ssoInvitee.Email)
			if err != nil || u.PasswordHash != "" || u.Name != "Nia Okafor" {
				t.Fatalf("account: %+v %v (want one without a password)", u, err)
			}
			if role, _ := e.Store.RoleIn(ctx, u.ID, e.OrgA.ID); role != store.RoleEditor {
				t.Errorf("role %q, want editor", role)
			}
			if !e.TrailHas("invite.accept", "invitation", ssoInvitee.Email, ssoInvitee.Email) {
				t.Error("no invite.accept on alpha's trail")
			}
			// No password can log in as her.
			form := e.Get(e.Client(), "/login")
			if r := e.PostForm(e.Client(), "/login", url.Values{"csrf": {webtest.FormToken(t, form.Body)}, "email": {ssoInvitee.Email}, "password": {""}}); r.StatusCode == http.StatusSeeOther {
				t.Errorf("an empty password logged in")
			}

			// Through the provider: her groups map to nothing, and the
			// invited role holds.
			sc := e.Client()
			if r := ssoLogin(t, e, p, sc, ssoInvitee.Subject); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("her single sign-on: %d\n%s", r.StatusCode, r.Body)
			}
			if r := e.Get(sc, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusOK {
				t.Errorf("the invited editor by single sign-on: edit page %d", r.StatusCode)
			}
			if role, _ := e.Store.RoleIn(ctx, u.ID, e.OrgA.ID); role != store.RoleEditor {
				t.Errorf("after single sign-on her role is %q, want editor", role)
			}
			if again, _ := e.Store.UserByEmail(ctx, ssoInvitee.Email); again.ID != u.ID {
				t.Errorf("single sign-on made another account")
			}

			// The break-glass address chooses a password as before.
			conf := ssoMapping()
			conf.BreakGlass = append(conf.BreakGlass, "glass@alpha.example")
			if _, err := e.Store.Org(e.OrgA).Put(ctx, "test", store.KindOrganization, store.OrganizationKey, workspace.Organization{Name: "Alpha Health", SSO: conf}); err != nil {
				t.Fatal(err)
			}
			gp := e.InvitePath(e.OrgA, "glass@alpha.example", store.RoleAdmin)
			if r := e.Get(e.Client(), gp); !strings.Contains(r.Body, `name="password"`) {
				t.Errorf("the break-glass invitee has no password form:\n%.1500s", r.Body)
			}
		})
	}
}

// TestInvitationSSOOnlyWithoutProvider: local passwords off on a ward
// with no single sign-on: the link says so and makes no account.
func TestInvitationSSOOnlyWithoutProvider(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	if _, err := e.Store.Org(e.OrgA).Put(ctx, "test", store.KindOrganization, store.OrganizationKey, workspace.Organization{Name: "Alpha Health", SSO: ssoMapping()}); err != nil {
		t.Fatal(err)
	}
	path := e.InvitePath(e.OrgA, "zed@alpha.example", store.RoleViewer)
	if r := e.Get(e.Client(), path); strings.Contains(r.Body, `name="password"`) || !strings.Contains(r.Body, "no single sign-on set up") {
		t.Errorf("page: %d\n%.1500s", r.StatusCode, r.Body)
	}
	if r := e.PostForm(e.Client(), path, url.Values{"name": {"Zed"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("accept: %d, want 409", r.StatusCode)
	}
	if _, err := e.Store.UserByEmail(ctx, "zed@alpha.example"); err == nil {
		t.Error("an account was made that could not log in")
	}
}
