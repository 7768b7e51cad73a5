package login_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestBrowserInviteAndNewOrganization is issue 15 item 7 in Chromium:
// alpha's admin invites a colleague as editor and copies the link; the
// colleague opens it, sets a password and lands in Alpha Health as an
// editor. Then the admin, as an MSP, adds a client organization from
// /orgs through the onboarding and lands on its plan.
func TestBrowserInviteAndNewOrganization(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	admin := e.Users[store.RoleAdmin]
	e.BrowserLogin(b, admin)

	b.Navigate(e.HTTP.URL + "/orgs/alpha/accounts")
	b.Click(`a[href="/orgs/alpha/accounts/invitations"]`)
	b.WaitText("main h1", "Invitations", 20*time.Second)
	b.Fill(`#invite input[name="email"]`, "pat@alpha.example")
	b.Do("choose the role", chromedp.SetValue(chromedp.CSS(`#invite select[name="role"]`), store.RoleEditor))
	b.Click(`#invite button[type="submit"]`)
	b.WaitVisible("#invite-link")
	link := webtest.EvalJS[string](t, b, `document.querySelector("#invite-link").value`)
	b.Screenshot("invite-1-link")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") {
		t.Fatalf("invitation link %q", link)
	}
	if txt := b.Text("#pending"); !strings.Contains(txt, "pat@alpha.example") {
		t.Errorf("pending invitations: %q", txt)
	}
	e.BrowserLogout(b)

	// The colleague opens the link in the browser.
	b.Navigate(link)
	b.WaitText(".tagline", "Alpha Health", 20*time.Second)
	pw := "pat's own long passphrase"
	b.Fill(`input[name="name"]`, "Pat Moreno")
	b.Fill(`input[name="password"]`, pw)
	b.Fill(`input[name="password2"]`, pw)
	b.Screenshot("invite-2-form")
	b.Click(`button[type="submit"]`)
	b.WaitVisible(".sidebar")
	b.WaitText("main h1", "Alpha Health", 20*time.Second)
	if f := b.Text(".flash"); !strings.Contains(f, "you are an editor here") {
		t.Errorf("welcome: %q", f)
	}
	b.Screenshot("invite-3-joined")
	pat, err := e.Store.UserByEmail(ctx, "pat@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := e.Store.RoleIn(ctx, pat.ID, e.OrgA.ID); role != store.RoleEditor {
		t.Errorf("Pat's role %q, want editor", role)
	}
	// An editor may change records: the new system form is offered.
	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems/new")
	b.WaitVisible("form.record-form")
	e.BrowserLogout(b)

	// The link works once.
	b.Navigate(link)
	b.WaitText("main", "used already", 20*time.Second)

	// The MSP adds a client organization.
	e.BrowserLogin(b, admin)
	b.Navigate(e.HTTP.URL + "/orgs")
	b.Click("#new-org")
	b.WaitText("main h1", "New organization", 20*time.Second)
	b.Fill(`input[name="name"]`, "Harbor Pediatrics")
	for _, q := range []string{"handles_phi", "sells_to_covered_entities"} {
		b.Click(`input[name="` + q + `"][value="yes"]`)
	}
	for _, q := range []string{"enterprise_health_systems", "buyers_ask_soc2"} {
		b.Click(`input[name="` + q + `"][value="no"]`)
	}
	b.Do("choose the HIPAA role", chromedp.SetValue(chromedp.CSS(`select[name="role"]`), "covered-entity"))
	b.Fill(`input[name="privacy.name"]`, "Lina Ortiz")
	b.Fill(`input[name="privacy.email"]`, "lina@harbor.example")
	b.Fill(`input[name="security.name"]`, "Lina Ortiz")
	b.Fill(`input[name="security.email"]`, "lina@harbor.example")
	b.Fill(`input[name="systems.0.name"]`, "Harbor EHR")
	b.Fill(`input[name="systems.0.vendor"]`, "Epic")
	b.Click(`input[name="systems.0.phi"]`)
	b.Screenshot("neworg-1-form")
	b.Click(`.form-actions button[type="submit"]`)
	b.WaitText("main h1", "Plan", 30*time.Second)
	if !strings.Contains(b.URL(), "/orgs/harbor-pediatrics/plan") {
		t.Errorf("after the onboarding: %s", b.URL())
	}
	if f := b.Text(".flash"); !strings.Contains(f, "Harbor Pediatrics is set up") {
		t.Errorf("confirmation: %q", f)
	}
	b.Screenshot("neworg-2-plan")
	org, err := e.Store.OrgBySlug(ctx, "harbor-pediatrics")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := e.Store.RoleIn(ctx, admin.ID, org.ID); role != store.RoleAdmin {
		t.Errorf("creator's role %q", role)
	}
	for _, p := range b.Problems() {
		// The used link's page is a 410, as it should be.
		if !strings.Contains(p, "status of 410") {
			t.Errorf("browser problem: %s", p)
		}
	}
}
