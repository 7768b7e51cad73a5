package login_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/oidctest"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	weblogin "ward/internal/web/login"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// The provider's people: groups map to roles in alpha (ssoMapping).
var (
	ssoEditor   = oidctest.User{Subject: "u-kai", Email: "kai@harbor.example", EmailVerified: true, Name: "Kai Editor", Password: "kai-pw", Groups: []string{"eng", "ward-editors"}}
	ssoViewer   = oidctest.User{Subject: "u-vic", Email: "vic@harbor.example", EmailVerified: true, Name: "Vic Viewer", Password: "vic-pw", Groups: []string{"ward-viewers"}}
	ssoNobody   = oidctest.User{Subject: "u-sam", Email: "sam@elsewhere.example", EmailVerified: true, Name: "Sam", Password: "sam-pw", Groups: []string{"sales", "marketing"}}
	ssoUnverify = oidctest.User{Subject: "u-uma", Email: "uma@harbor.example", EmailVerified: false, Password: "uma-pw", Groups: []string{"ward-editors"}}
)

// ssoMapping is alpha's organization.sso: local passwords off, the
// alpha admin the break-glass account.
func ssoMapping() *workspace.SSO {
	off := false
	return &workspace.SSO{
		Groups:         map[string]string{"ward-admins": store.RoleAdmin, "ward-editors": store.RoleEditor, "ward-viewers": store.RoleViewer},
		LocalPasswords: &off,
		BreakGlass:     []string{"admin@alpha.example"},
	}
}

// newSSOEnv is NewEnvAt served with single sign-on against a real OpenID
// provider on loopback, alpha mapping the provider's groups.
func newSSOEnv(t *testing.T, db string) (*webtest.TestEnv, *oidctest.Provider) {
	t.Helper()
	return newSSOEnvWith(t, db, nil)
}

// newSSOEnvWith is newSSOEnv with settings changed by set.
func newSSOEnvWith(t *testing.T, db string, set func(*kit.SSOSettings)) (*webtest.TestEnv, *oidctest.Provider) {
	t.Helper()
	p := oidctest.Start(t, ssoEditor, ssoViewer, ssoNobody, ssoUnverify, ssoInvitee)
	e := webtest.NewEnvAt(t, kit.Config{}, db)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	p.AllowRedirect(base + kit.SSOCallbackPath)
	p.AllowPostLogout(base + kit.SSOLogoutPath)
	settings := kit.SSOSettings{
		Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		BaseURL: base, Name: "Test IdP", Scopes: []string{"email", "profile", "groups"},
	}
	if set != nil {
		set(&settings)
	}
	sso, err := kit.NewSSO(context.Background(), settings)
	if err != nil {
		t.Fatal(err)
	}
	e.Server = kit.New(e.Store, kit.Config{SSO: sso})
	srv.Config.Handler = e.Server
	srv.Start()
	t.Cleanup(srv.Close)
	e.HTTP = srv
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "test", store.KindOrganization, store.OrganizationKey,
		workspace.Organization{Name: "Alpha Health", SSO: ssoMapping()}); err != nil {
		t.Fatal(err)
	}
	return e, p
}

// ssoAuthorize runs a login from ward's button to the provider and back
// to just before ward's callback: it returns the callback URL the
// provider sent the browser to (the client holds ward's state cookie).
func ssoAuthorize(t *testing.T, e *webtest.TestEnv, p *oidctest.Provider, c *http.Client, subject string) string {
	t.Helper()
	start := e.Get(c, "/login/sso?next=/orgs/alpha/systems")
	if start.StatusCode != http.StatusFound {
		t.Fatalf("/login/sso: status %d, want 302 to the provider", start.StatusCode)
	}
	authz, err := url.Parse(start.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(authz.String(), p.Issuer) {
		t.Fatalf("/login/sso went to %q, want the provider %s", start.Header.Get("Location"), p.Issuer)
	}
	resp := e.Send(c, mustRequest(t, authz.String()))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("id") == "" {
		t.Fatalf("the provider's authorize: status %d Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	id := loc.Query().Get("id")
	if err := p.Authorize(context.Background(), id, subject); err != nil {
		t.Fatal(err)
	}
	back := e.Send(c, mustRequest(t, p.CallbackURL(id)))
	if back.StatusCode != http.StatusFound && back.StatusCode != http.StatusSeeOther {
		t.Fatalf("the provider's callback: status %d: %s", back.StatusCode, back.Body)
	}
	return back.Header.Get("Location")
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// ssoLogin logs subject in over HTTP and returns the callback's answer.
func ssoLogin(t *testing.T, e *webtest.TestEnv, p *oidctest.Provider, c *http.Client, subject string) webtest.Response {
	t.Helper()
	return e.Send(c, mustRequest(t, ssoAuthorize(t, e, p, c, subject)))
}

func accountActions(t *testing.T, st *store.Store, key string) []string {
	t.Helper()
	log, err := st.AccountLog(context.Background(), key, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Action)
	}
	return out
}

// TestSSOFlow: the authorization-code flow with PKCE against a real
// provider: first login creates the account with the mapped role, the
// role's effect holds, the provider's group change is followed; state,
// nonce and replayed codes are refused; a person mapped to nothing is
// refused with the clear page and nothing is made; local passwords off
// refuse members but the break-glass account, which is audited; log out
// offers the provider's end-session URL. On both engines.
func TestSSOFlow(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e, p := newSSOEnv(t, eng.URL(t))
			ctx := context.Background()

			login := e.Get(e.Client(), "/login")
			if !strings.Contains(login.Body, "Sign in with Test IdP") || !strings.Contains(login.Body, `href="/login/sso"`) {
				t.Errorf("the login page offers no single sign-on:\n%s", login.Body)
			}

			// 1. The editor's first login.
			c := e.Client()
			resp := ssoLogin(t, e, p, c, ssoEditor.Subject)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orgs/alpha/systems" {
				t.Fatalf("callback: status %d Location %q, want 303 to the page asked for:\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
			}
			reqs := p.Requests()
			last := reqs[len(reqs)-1]
			if last.CodeChallengeMethod != "S256" || last.CodeChallenge == "" || last.Nonce == "" || last.State == "" || !slices.Contains(last.Scopes, "openid") {
				t.Errorf("the authorization request lacks PKCE S256, nonce or state: %+v", last)
			}
			if r := e.Get(c, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusOK {
				t.Errorf("an editor by single sign-on: edit page status %d, want 200", r.StatusCode)
			}
			kai, err := e.Store.UserByEmail(ctx, ssoEditor.Email)
			if err != nil {
				t.Fatalf("no account made: %v", err)
			}
			if role, _ := e.Store.RoleIn(ctx, kai.ID, e.OrgA.ID); role != store.RoleEditor {
				t.Errorf("kai's role in alpha = %q, want editor", role)
			}
			if got := accountActions(t, e.Store, ssoEditor.Email); !slices.Equal(got, []string{store.EventLogin, store.EventSSOLink, "user.create"}) {
				t.Errorf("kai's trail = %v", got)
			}

			// 2. A viewer cannot reach the edit page.
			vc := e.Client()
			if r := ssoLogin(t, e, p, vc, ssoViewer.Subject); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("viewer login: %d %s", r.StatusCode, r.Body)
			}
			if r := e.Get(vc, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusForbidden {
				t.Errorf("a viewer by single sign-on: edit page status %d, want 403", r.StatusCode)
			}
			if r := e.Get(vc, "/orgs/alpha/systems"); r.StatusCode != http.StatusOK {
				t.Errorf("a viewer: list page status %d, want 200", r.StatusCode)
			}

			// 3. The provider moves kai to viewers: the next login follows.
			p.SetGroups(ssoEditor.Subject, "ward-viewers")
			c2 := e.Client()
			ssoLogin(t, e, p, c2, ssoEditor.Subject)
			if role, _ := e.Store.RoleIn(ctx, kai.ID, e.OrgA.ID); role != store.RoleViewer {
				t.Errorf("after the group change kai is %q, want viewer", role)
			}
			if r := e.Get(c2, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusForbidden {
				t.Errorf("kai demoted: edit page status %d, want 403", r.StatusCode)
			}
			var sets []string
			orgLog, _ := e.Store.Org(e.OrgA).AuditLog(ctx, 0, 0)
			for _, a := range orgLog {
				if a.Action == "role.set" && a.Actor == store.SSOActor && a.Key == ssoEditor.Email {
					sets = append(sets, string(a.Data))
				}
			}
			if !slices.Equal(sets, []string{`{"after":"viewer","before":"editor"}`, `{"after":"editor","before":""}`}) {
				t.Errorf("alpha's trail of kai's roles by sso = %v", sets)
			}
			p.SetGroups(ssoEditor.Subject, "eng", "ward-editors")

			// 4. Mapped to nothing: the clear 403, nothing made, recorded.
			r := ssoLogin(t, e, p, e.Client(), ssoNobody.Subject)
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("unmapped: status %d, want 403:\n%s", r.StatusCode, r.Body)
			}
			body := html.UnescapeString(r.Body)
			for _, want := range []string{"Sign-in refused", ssoNobody.Email, "marketing, sales", "administrator must map"} {
				if !strings.Contains(body, want) {
					t.Errorf("the refusal page lacks %q:\n%s", want, body)
				}
			}
			if _, err := e.Store.UserByEmail(ctx, ssoNobody.Email); err == nil {
				t.Errorf("a refused login made an account")
			}
			if got := accountActions(t, e.Store, ""); !slices.Contains(got, store.EventSSORefused) {
				t.Errorf("the refusal is not on the accounts' trail: %v", got)
			}
			// An unverified e-mail is refused too.
			if r := ssoLogin(t, e, p, e.Client(), ssoUnverify.Subject); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "verified") {
				t.Errorf("unverified e-mail: status %d:\n%s", r.StatusCode, r.Body)
			}
			if _, err := e.Store.UserByEmail(ctx, ssoUnverify.Email); err == nil {
				t.Errorf("an unverified e-mail made an account")
			}

			// 5. A replayed callback (same state, same code) is refused.
			rc := e.Client()
			cb := ssoAuthorize(t, e, p, rc, ssoEditor.Subject)
			if r := e.Send(rc, mustRequest(t, cb)); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use of the callback: %d", r.StatusCode)
			}
			// The state cookie went with the first use; replayed with it
			// (as an attacker who copied both would), the state is spent.
			if r := e.Send(rc, mustRequest(t, cb)); r.StatusCode != http.StatusBadRequest {
				t.Errorf("replayed callback: status %d, want 400:\n%s", r.StatusCode, r.Body)
			}
			replay := mustRequest(t, cb)
			replay.AddCookie(&http.Cookie{Name: weblogin.SSOCookie, Value: mustParse(t, cb).Query().Get("state")})
			if r := e.Send(e.Client(), replay); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "already used") {
				t.Errorf("replayed callback with its cookie: status %d, want 400 already used:\n%s", r.StatusCode, r.Body)
			}
			// The same code under a fresh login of this browser: the
			// provider refuses it (used once; PKCE verifier of another
			// login).
			code := mustParse(t, cb).Query().Get("code")
			fresh := e.Get(rc, "/login/sso")
			state := mustParse(t, fresh.Header.Get("Location")).Query().Get("state")
			forged := e.HTTP.URL + kit.SSOCallbackPath + "?" + url.Values{"code": {code}, "state": {state}}.Encode()
			if r := e.Send(rc, mustRequest(t, forged)); r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "refused to complete") {
				t.Errorf("replayed code: status %d, want 401:\n%s", r.StatusCode, r.Body)
			}

			// 6. State mismatch: the reply reaches another browser.
			cb = ssoAuthorize(t, e, p, e.Client(), ssoEditor.Subject)
			other := e.Client()
			e.Get(other, "/login/sso") // its own login under way, another state
			if r := e.Send(other, mustRequest(t, cb)); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "does not belong") {
				t.Errorf("state mismatch: status %d, want 400:\n%s", r.StatusCode, r.Body)
			}
			if r := e.Send(e.Client(), mustRequest(t, cb)); r.StatusCode != http.StatusBadRequest {
				t.Errorf("no state cookie: status %d, want 400", r.StatusCode)
			}

			// 7. Nonce mismatch: an ID token issued for another login.
			p.ForgeNonce("a-nonce-of-another-login")
			nc := e.Client()
			if r := ssoLogin(t, e, p, nc, ssoEditor.Subject); r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "nonce mismatch") {
				t.Errorf("nonce mismatch: status %d, want 401:\n%s", r.StatusCode, r.Body)
			}
			p.ForgeNonce("")
			if r := e.Get(nc, "/orgs/alpha/systems"); r.StatusCode != http.StatusFound {
				t.Errorf("after a refused nonce the browser is logged in: %d", r.StatusCode)
			}

			// 8. Local passwords off: a member is refused, break-glass works.
			pc := e.Client()
			form := e.Get(pc, "/login")
			pr := e.PostForm(pc, "/login", url.Values{"csrf": {webtest.FormToken(t, form.Body)}, "email": {e.Users[store.RoleEditor].Email}, "password": {e.Users[store.RoleEditor].Password}})
			if pr.StatusCode != http.StatusForbidden || !strings.Contains(pr.Body, "use single sign-on") {
				t.Errorf("password login with local passwords off: status %d, want 403 use single sign-on:\n%s", pr.StatusCode, pr.Body)
			}
			if got := accountActions(t, e.Store, e.Users[store.RoleEditor].Email); len(got) == 0 || got[0] != store.EventLoginFailed {
				t.Errorf("the refused password login is not recorded: %v", got)
			}
			admin := e.Users[store.RoleAdmin]
			ac, _ := e.Login(admin)
			if r := e.Get(ac, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusOK {
				t.Errorf("break-glass admin: edit page %d", r.StatusCode)
			}
			if got := accountActions(t, e.Store, admin.Email); len(got) < 2 || got[0] != store.EventLogin || got[1] != store.EventBreakGlass {
				t.Errorf("break-glass login on the accounts' trail: %v", got)
			}
			orgLog, _ = e.Store.Org(e.OrgA).AuditLog(ctx, 1, 0)
			if len(orgLog) != 1 || orgLog[0].Action != store.EventBreakGlass || orgLog[0].Key != admin.Email {
				t.Errorf("break-glass login on alpha's trail: %+v", orgLog)
			}
			// Bravo has no sso section: its admin still logs in with a password.
			e.Login(e.Bravo)

			// 9. Log out offers the provider's end-session URL.
			page := e.Get(c, "/orgs/alpha/systems")
			out := e.PostForm(c, "/logout", url.Values{"csrf": {webtest.FormToken(t, page.Body)}})
			if out.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", out.StatusCode)
			}
			if r := e.Get(c, "/orgs/alpha/systems"); r.StatusCode != http.StatusFound {
				t.Errorf("after log out the session lives: %d", r.StatusCode)
			}
			lo := e.Get(c, out.Header.Get("Location"))
			m := regexp.MustCompile(`id="sso-logout">[^<]*<a href="([^"]+)"`).FindStringSubmatch(lo.Body)
			if m == nil {
				t.Fatalf("the logged-out page offers no provider log out:\n%s", lo.Body)
			}
			end := mustParse(t, html.UnescapeString(m[1]))
			if !strings.HasPrefix(end.String(), p.Issuer) || end.Query().Get("id_token_hint") == "" || end.Query().Get("post_logout_redirect_uri") != e.HTTP.URL+kit.SSOLogoutPath {
				t.Errorf("end-session URL = %s", end)
			}
			// The provider accepts it and sends the browser back to ward.
			ended := e.Send(e.Client(), mustRequest(t, end.String()))
			if ended.StatusCode != http.StatusFound || ended.Header.Get("Location") != e.HTTP.URL+kit.SSOLogoutPath {
				t.Errorf("the provider's end session: status %d Location %q: %s", ended.StatusCode, ended.Header.Get("Location"), ended.Body)
			}
			// Back from the provider, the page does not offer it again.
			if again := e.Get(c, kit.SSOLogoutPath); strings.Contains(again.Body, "sso-logout") {
				t.Errorf("the provider's log out is offered again")
			}
			// A password session's log out offers nothing.
			bc, csrf := e.Login(e.Bravo)
			bo := e.PostForm(bc, "/logout", url.Values{"csrf": {csrf}})
			if lo := e.Get(bc, bo.Header.Get("Location")); strings.Contains(lo.Body, "sso-logout") {
				t.Errorf("a password session's log out offers the provider's")
			}
			if err := e.Store.VerifyAccountAudit(ctx); err != nil {
				t.Errorf("accounts' trail: %v", err)
			}
		})
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSSORoutesWithoutProvider: on a server without single sign-on the
// routes send the browser to the login, and the page offers no button.
func TestSSORoutesWithoutProvider(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	c := e.Client()
	for _, path := range []string{"/login/sso", kit.SSOCallbackPath + "?state=x&code=y"} {
		if r := e.Get(c, path); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/login" {
			t.Errorf("%s: status %d Location %q, want 302 /login", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := e.Get(c, "/login"); strings.Contains(r.Body, "Sign in with") {
		t.Errorf("the login page offers single sign-on without a provider")
	}
}

func TestSSOClaims(t *testing.T) {
	for _, c := range []struct {
		raw      string
		claim    string
		verified bool
		groups   []string
	}{
		{`{"email_verified": true, "groups": ["a", "b"]}`, "groups", true, []string{"a", "b"}},
		{`{"email_verified": "true", "groups": "a"}`, "groups", true, []string{"a"}},
		{`{"email_verified": false}`, "groups", false, nil},
		{`{"email_verified": "no", "groups": 3}`, "groups", false, nil},
		{`{}`, "groups", false, nil},
		{`{"groups": ["g"], "roles": ["Ward.Admin", 7, ""]}`, "roles", false, []string{"Ward.Admin"}},
		{`{"realm_access": {"roles": ["x", "y"]}}`, "realm_access.roles", false, []string{"x", "y"}},
		{`{"realm_access": {"roles": "x"}, "realm_access.roles": ["flat"]}`, "realm_access.roles", false, []string{"flat"}},
		{`{"realm_access": ["not an object"]}`, "realm_access.roles", false, nil},
		{`{"https://ward.example/groups": " eng "}`, "https://ward.example/groups", false, []string{"eng"}},
	} {
		var cl weblogin.SSOClaims
		var all map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.raw), &cl); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.raw), &all); err != nil {
			t.Fatal(err)
		}
		if got := weblogin.ClaimGroups(all, c.claim); cl.Verified() != c.verified || !slices.Equal(got, c.groups) {
			t.Errorf("%s (claim %s): verified %v groups %q", c.raw, c.claim, cl.Verified(), got)
		}
	}
}
