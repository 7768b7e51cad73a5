package login_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
)

// TestBrowserSSOLogin: in headless Chromium, from ward's login page
// through the provider's login and consent pages and back, logged in with
// the role the provider's groups map to: the editor reaches an edit page;
// after logging out (the page offers the provider's log out) the viewer
// signs in and may not.
func TestBrowserSSOLogin(t *testing.T) {
	b := browsertest.New(t)
	e, p := newSSOEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ward.db"))
	const wait = 20 * time.Second

	signIn := func(email, password string) {
		t.Helper()
		b.WaitText("#sso", "Sign in with Test IdP", wait)
		b.Click("#sso")
		b.WaitText("h1", "Sign in to the test provider", wait)
		b.Fill("#username", email)
		b.Fill("#password", password)
		b.Click("#signin")
		b.WaitText("h1", "Allow ward?", wait)
		b.Click("#allow")
		b.WaitVisible(".sidebar")
	}

	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems")
	b.Screenshot("sso-login")
	signIn(ssoEditor.Email, ssoEditor.Password)
	if u := b.URL(); !strings.HasSuffix(u, "/orgs/alpha/systems") {
		t.Errorf("after single sign-on the browser is at %s, want the page it asked for", u)
	}
	if role := b.Text(".who .badge"); role != "editor" {
		t.Errorf("the editor's badge reads %q", role)
	}
	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems/patient-api/edit")
	b.WaitText("main h1", "Edit", wait)
	if n := b.Count(`main form button[type="submit"]`); n == 0 {
		t.Errorf("the editor's edit page has no Save button")
	}

	b.Click("form.logout button")
	b.WaitText("#sso-logout", "Sign out of Test IdP too", wait)
	b.Screenshot("sso-logged-out")
	ctx, cancel := context.WithTimeout(b.Context(), wait)
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#sso-logout a").href`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	end, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, p.Issuer) || end.Query().Get("id_token_hint") == "" || end.Query().Get("post_logout_redirect_uri") == "" {
		t.Errorf("the provider's log out link is %q", link)
	}

	signIn(ssoViewer.Email, ssoViewer.Password)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems/patient-api/edit")
	b.WaitText("main", "this needs the editor role", wait)

	// An invitation into alpha, whose local passwords are off: no
	// password is asked for; the page sends her to the provider, and she
	// lands in alpha as the invited editor.
	e.BrowserLogout(b)
	b.Navigate(e.HTTP.URL + e.InvitePath(e.OrgA, ssoInvitee.Email, store.RoleEditor))
	b.WaitText("#sso-invite", "Sign in with Test IdP", wait)
	if n := b.Count(`input[type="password"]`); n != 0 {
		t.Errorf("the SSO-only invitation asks for a password (%d fields)", n)
	}
	b.Fill(`input[name="name"]`, "Nia Okafor")
	b.Click(`#sso-invite button[type="submit"]`)
	b.WaitText("#sso-joined", "you have no ward password", wait)
	b.Screenshot("sso-invite-joined")
	b.Click("#sso-join")
	b.WaitText("h1", "Sign in to the test provider", wait)
	b.Fill("#username", ssoInvitee.Email)
	b.Fill("#password", ssoInvitee.Password)
	b.Click("#signin")
	b.WaitText("h1", "Allow ward?", wait)
	b.Click("#allow")
	b.WaitVisible(".sidebar")
	if u := b.URL(); !strings.HasSuffix(u, "/orgs/alpha") {
		t.Errorf("after the invitation's sign-in the browser is at %s", u)
	}
	if role := b.Text(".who .badge"); role != "editor" {
		t.Errorf("the invited editor's badge reads %q", role)
	}
	for _, pr := range b.Problems() {
		// The viewer's 403 is the answer this test wants.
		if !strings.Contains(pr, "status of 403") || !strings.Contains(pr, "/patient-api/edit") {
			t.Errorf("script error or CSP violation: %s", pr)
		}
	}
}
