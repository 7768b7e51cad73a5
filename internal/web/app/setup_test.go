package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

const setupToken = "one-time-setup-token-for-tests"

// freshEnv is a server over an empty database: no account, no
// organization, as `ward serve` starts on a new SQLite file.
func freshEnv(t *testing.T, token string) *webtest.TestEnv {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "ward.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &webtest.TestEnv{T: t, Store: st, Users: map[string]webtest.TestUser{}, Now: time.Now}
	e.Server = kit.New(st, kit.Config{SetupToken: token})
	e.HTTP = httptest.NewServer(e.Server)
	t.Cleanup(e.HTTP.Close)
	return e
}

// setupForm is a complete, valid first run: the administrator and a
// business associate's onboarding.
func setupForm() url.Values {
	return url.Values{
		"token":                       {setupToken},
		"account.name":                {"Ana Ruiz"},
		"account.email":               {"Ana@Brightline.example"},
		"account.password":            {"brightline onboarding passphrase"},
		"account.password2":           {"brightline onboarding passphrase"},
		"name":                        {"Brightline Health"},
		"program_start":               {"2027-01-04"},
		"handles_phi":                 {"yes"},
		"sells_to_covered_entities":   {"yes"},
		"enterprise_health_systems":   {"no"},
		"buyers_ask_soc2":             {"yes"},
		"role":                        {"business-associate"},
		"privacy.name":                {"Ana Ruiz"},
		"privacy.email":               {"ana@brightline.example"},
		"security.name":               {"Ben Cho"},
		"security.email":              {"ben@brightline.example"},
		"soc2_type":                   {"type2"},
		"observation_start":           {""},
		"observation_months":          {"6"},
		"systems.0.name":              {"Patient API"},
		"systems.0.kind":              {"service"},
		"systems.0.vendor":            {"AWS"},
		"systems.0.phi":               {"true"},
		"systems.0.live_phi":          {"true"},
		"systems.0.encrypted_at_rest": {"true"},
		"systems.1.name":              {""},
		"systems.1.kind":              {"service"},
		"systems.1.vendor":            {""},
		"systems.2.name":              {"Reminders"},
		"systems.2.kind":              {"saas"},
		"systems.2.vendor":            {"Twilio"},
		"systems.2.phi":               {"true"},
	}
}

func TestSetupNeedsTheTokenAndNoAccount(t *testing.T) {
	t.Parallel()
	e := freshEnv(t, setupToken)
	c := e.Client()
	for _, path := range []string{"/setup", "/setup?token=wrong", "/setup?token=" + setupToken[:10]} {
		if r := e.Get(c, path); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "setup link") {
			t.Errorf("GET %s without the token: %d, want 403 saying where the link is", path, r.StatusCode)
		}
	}
	form := setupForm()
	form.Set("token", "guessed")
	if r := e.PostForm(c, "/setup", form); r.StatusCode != http.StatusForbidden {
		t.Errorf("POST /setup with a wrong token: %d, want 403", r.StatusCode)
	}
	if users, _ := e.Store.Users(context.Background()); len(users) != 0 {
		t.Fatalf("a post without the token created %d accounts", len(users))
	}
	login := e.Get(c, "/login")
	if !strings.Contains(login.Body, "no account yet") {
		t.Errorf("the login page of an empty ward does not say how to begin:\n%s", login.Body)
	}
	r := e.Get(c, "/setup?token="+setupToken)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /setup with the token: %d", r.StatusCode)
	}
	for _, want := range []string{
		`name="token" value="` + setupToken + `"`,
		"Will you create, receive, store or transmit protected health information",
		`name="privacy.email"`, `name="soc2_type"`, `name="systems.0.name"`, `name="account.password2"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the first-run page lacks %q", want)
		}
	}

	// Without a token configured, there is no first run over the web.
	off := freshEnv(t, "")
	if r := off.Get(off.Client(), "/setup?token="); r.StatusCode != http.StatusForbidden {
		t.Errorf("no SetupToken: %d, want 403", r.StatusCode)
	}
}

func TestSetupCreatesTheAdminAndTheOrganizationAndEndsOnThePlan(t *testing.T) {
	t.Parallel()
	e := freshEnv(t, setupToken)
	c := e.Client()
	ctx := context.Background()

	// Bad answers: every problem named beside its field, nothing written.
	bad := setupForm()
	bad.Set("account.password2", "something else entirely")
	bad.Del("handles_phi")
	bad.Set("security.email", "ben at brightline")
	bad.Set("systems.2.kind", "server")
	r := e.PostForm(c, "/setup", bad)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad answers: %d, want 422\n%s", r.StatusCode, r.Body)
	}
	for _, want := range []string{"the two passwords differ", "answer yes or no", "no e-mail address has", "is not one of service"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if !strings.Contains(r.Body, `value="Brightline Health"`) || !strings.Contains(r.Body, `value="Reminders"`) {
		t.Errorf("the answers given are lost on the page with errors")
	}
	if users, _ := e.Store.Users(ctx); len(users) != 0 {
		t.Fatalf("bad answers created %d accounts", len(users))
	}
	if orgs, _ := e.Store.Orgs(ctx); len(orgs) != 0 {
		t.Fatalf("bad answers created %d organizations", len(orgs))
	}

	r = e.PostForm(c, "/setup", setupForm())
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/brightline-health/plan?welcome=1" {
		t.Fatalf("setup: %d to %q, want 303 to the plan\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	plan := e.Get(c, r.Header.Get("Location"))
	if plan.StatusCode != http.StatusOK || !strings.Contains(plan.Body, "Brightline Health is set up") || !strings.Contains(plan.Body, "soc2-type2-observation") {
		t.Fatalf("the plan after setup: %d\n%.2000s", plan.StatusCode, plan.Body)
	}

	u, err := e.Store.UserByEmail(ctx, "ana@brightline.example")
	if err != nil {
		t.Fatal(err)
	}
	org, err := e.Store.OrgBySlug(ctx, "brightline-health")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := e.Store.RoleIn(ctx, u.ID, org.ID); role != store.RoleAdmin {
		t.Errorf("the first account is %q of the organization, want admin", role)
	}
	ws, err := e.Store.Org(org).Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Organization.SOC2.ObservationMonths != 6 || !ws.Organization.HasRole(workspace.RoleBusinessAssociate) ||
		ws.Organization.Officers.Security != "ben@brightline.example" || len(ws.Systems) != 2 || ws.Vendor("twilio") == nil {
		t.Errorf("the organization does not hold the answers: %+v, systems %+v", ws.Organization, ws.Systems)
	}
	// The set-up is on the audit trail, by the new administrator.
	log, err := e.Store.Org(org).AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actors, actions []string
	for _, en := range log {
		actors = append(actors, en.Actor)
		actions = append(actions, en.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "org.create") || !strings.Contains(strings.Join(actions, " "), "role.set") {
		t.Errorf("audit actions %v", actions)
	}
	for _, a := range actors {
		if a != "ana@brightline.example" {
			t.Errorf("audit entry by %q, want the administrator who set it up", a)
		}
	}

	// Set up: the page is closed, to everyone, token or not.
	if r := e.Get(e.Client(), "/setup?token="+setupToken); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/login" {
		t.Errorf("GET /setup once set up: %d %q, want 302 to /login", r.StatusCode, r.Header.Get("Location"))
	}
	again := setupForm()
	again.Set("account.email", "mallory@example.com")
	again.Set("name", "Mallory Health")
	if r := e.PostForm(e.Client(), "/setup", again); r.StatusCode != http.StatusFound {
		t.Errorf("POST /setup once set up: %d, want 302", r.StatusCode)
	}
	if users, _ := e.Store.Users(ctx); len(users) != 1 {
		t.Errorf("%d accounts after a second setup, want 1", len(users))
	}
	if _, err := e.Store.OrgBySlug(ctx, "mallory-health"); err == nil {
		t.Errorf("a second setup created an organization")
	}
}

// An organization applied from files (ward init, ward apply) with no
// account yet: the first run creates its administrator only.
func TestSetupAfterApplyMakesTheAdministratorOfWhatIsThere(t *testing.T) {
	t.Parallel()
	e := freshEnv(t, setupToken)
	ctx := context.Background()
	org, err := e.Store.CreateOrg(ctx, "cli:test", "acme-health", "Acme Health")
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	page := e.Get(c, "/setup?token="+setupToken)
	if !strings.Contains(page.Body, "administrator of Acme Health") || strings.Contains(page.Body, `name="handles_phi"`) {
		t.Errorf("with an organization already there, the page asks for the account only:\n%s", page.Body)
	}
	r := e.PostForm(c, "/setup", url.Values{
		"token": {setupToken}, "account.email": {"dana@acme.example"},
		"account.password": {"a long enough passphrase"}, "account.password2": {"a long enough passphrase"},
	})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("setup: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	u, err := e.Store.UserByEmail(ctx, "dana@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := e.Store.RoleIn(ctx, u.ID, org.ID); role != store.RoleAdmin {
		t.Errorf("role %q, want admin", role)
	}
	if home := e.Get(c, "/"); home.StatusCode != http.StatusFound || home.Header.Get("Location") != "/orgs/acme-health" {
		t.Errorf("home after setup: %d %q", home.StatusCode, home.Header.Get("Location"))
	}
}

// TestBrowserOnboarding is the first run as a person does it in Chromium:
// the link from the terminal, the account, the four questions, the
// officers, SOC 2 and a system, then the plan.
func TestBrowserOnboarding(t *testing.T) {
	b := browsertest.New(t)
	e := freshEnv(t, setupToken)
	b.Navigate(e.HTTP.URL + "/setup?token=" + setupToken)
	b.WaitVisible(`input[name="account.email"]`)
	b.Fill(`input[name="account.name"]`, "Ana Ruiz")
	b.Fill(`input[name="account.email"]`, "ana@brightline.example")
	b.Fill(`input[name="account.password"]`, "brightline onboarding passphrase")
	b.Fill(`input[name="account.password2"]`, "brightline onboarding passphrase")
	b.Fill(`input[name="name"]`, "Brightline Health")
	for _, q := range []string{"handles_phi=yes", "sells_to_covered_entities=yes", "enterprise_health_systems=no", "buyers_ask_soc2=yes"} {
		name, v, _ := strings.Cut(q, "=")
		b.Click(`input[name="` + name + `"][value="` + v + `"]`)
	}
	choose := func(sel, value string) {
		t.Helper()
		b.Do("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	}
	choose(`select[name="role"]`, "business-associate")
	b.Fill(`input[name="privacy.name"]`, "Ana Ruiz")
	b.Fill(`input[name="privacy.email"]`, "ana@brightline.example")
	b.Fill(`input[name="security.name"]`, "Ana Ruiz")
	b.Fill(`input[name="security.email"]`, "ana@brightline.example")
	choose(`select[name="soc2_type"]`, "type2")
	b.Fill(`input[name="systems.0.name"]`, "Patient API")
	b.Fill(`input[name="systems.0.vendor"]`, "AWS")
	b.Click(`input[name="systems.0.phi"]`)
	b.Click(`input[name="systems.0.live_phi"]`)
	b.Click(`input[name="systems.0.encrypted_at_rest"]`)
	b.Screenshot("setup-filled")
	b.Click(`button[type="submit"]`)

	b.WaitText(".welcome", "Brightline Health is set up", 30*time.Second)
	if !strings.Contains(b.URL(), "/orgs/brightline-health/plan") {
		t.Errorf("the onboarding ended on %s, want the plan", b.URL())
	}
	if txt := b.Text("main"); !strings.Contains(txt, "execute-baas") && !strings.Contains(txt, "BAA") {
		t.Errorf("the plan does not show the BAA step:\n%.1500s", txt)
	}
	if n := b.Count(".sidebar a"); n < 5 {
		t.Errorf("logged in as the new administrator, the menu has %d links", n)
	}
	b.Screenshot("setup-plan")
}
