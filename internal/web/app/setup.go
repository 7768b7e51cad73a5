package app

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"ward/internal/auth"
	"ward/internal/bounds"
	"ward/internal/check"
	"ward/internal/onboard"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// The first run: a database without any account opens on a page that
// creates the first administrator and, when the database holds no
// organization yet, the organization itself with the onboarding `ward
// init` asks, and ends on its plan.
//
// Whoever reaches a fresh server first would own it, so the page is open
// only while no account exists at all, and only with the one-time setup
// token `ward serve` prints on its terminal (Config.SetupToken): a
// stranger on the network, who cannot read that terminal, cannot claim
// the server. The token is never logged; it stops working when the first
// account exists. It also guards the form against cross-site posts (a
// page elsewhere cannot know it), as the login form's cookie does there.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/setup", Role: kit.Public, Handler: serveSetupForm},
		kit.Route{Method: "POST", Pattern: "/setup", Role: kit.Public, Handler: setup},
	)
}

// setupMu makes the check that no account exists and the creation of the
// first one a single step within this process.
var setupMu sync.Mutex

type setupPage struct {
	Token   string
	Name    string
	Email   string
	Orgs    []store.Org // organizations the first admin will manage (applied from files)
	Form    *OnboardingForm
	Errors  map[string]string
	Error   string
	Minimum int
}

// setupGate answers a request the first run must not serve: when an
// account exists (to the login, or home), or without the right token.
// It returns true when the request may go on.
func setupGate(s *kit.Server, w http.ResponseWriter, r *http.Request, token string) bool {
	open, err := s.SetupOpen(r)
	if err != nil {
		s.ServerError(w, r, false, err)
		return false
	}
	if !open {
		// Not an error: the server is set up. A logged-in person goes
		// home; anyone else logs in.
		target := "/login"
		if kit.CurrentUser(r).ID != 0 {
			target = "/"
		}
		http.Redirect(w, r, target, http.StatusFound)
		return false
	}
	if s.Config.SetupToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.Config.SetupToken)) != 1 {
		s.Log.WarnContext(r.Context(), "first-run page asked without the setup token", "ip", s.ClientIP(r))
		s.Fail(w, r, false, http.StatusForbidden, "This ward has no account yet. Open the setup link that `ward serve` printed on its terminal when it started (restart it to get a new one), or create the first administrator with `ward user add EMAIL --role admin`.")
		return false
	}
	return true
}

func serveSetupForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if !setupGate(s, w, r, tok) {
		return
	}
	p, err := newSetupPage(s, r, tok)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.Render(w, r, "setup.html", p)
}

func newSetupPage(s *kit.Server, r *http.Request, tok string) (setupPage, error) {
	orgs, err := s.Store.Orgs(r.Context())
	if err != nil {
		return setupPage{}, err
	}
	p := setupPage{Token: tok, Orgs: orgs, Errors: map[string]string{}, Minimum: auth.MinPasswordLen}
	if len(orgs) == 0 {
		f := newOnboardingForm(onboard.Answers{ProgramStart: s.Today(), SOC2Type: "none"}, nil, nil)
		p.Form = &f
	}
	return p, nil
}

func setup(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "The form could not be read. Please try again.")
		return
	}
	setupMu.Lock()
	defer setupMu.Unlock()
	tok := r.PostForm.Get("token")
	if !setupGate(s, w, r, tok) {
		return
	}
	p, err := newSetupPage(s, r, tok)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	p.Name = strings.TrimSpace(r.PostForm.Get("account.name"))
	p.Email = strings.ToLower(strings.TrimSpace(r.PostForm.Get("account.email")))
	password := r.PostForm.Get("account.password")
	if err := bounds.Email(p.Email); err != nil {
		p.Errors["account.email"] = "give the e-mail address you will log in with: " + err.Error()
	}
	if err := bounds.Line(p.Name, bounds.MaxName); err != nil {
		p.Errors["account.name"] = err.Error()
	}
	switch err := auth.CheckPolicy(password, p.Email); {
	case err != nil:
		p.Errors["account.password"] = err.Error()
	case password != r.PostForm.Get("account.password2"):
		p.Errors["account.password2"] = "the two passwords differ"
	}
	var ws *workspace.Workspace
	if p.Form != nil {
		a, answered, errs := parseOnboarding(r.PostForm, s.Today())
		f := newOnboardingForm(a, answered, errs)
		p.Form = &f
		if len(errs) == 0 {
			ws = a.Workspace()
			// The same rules as ward apply; the onboarding's own check
			// should leave nothing for them to find.
			if es := workspace.Validate(ws, check.WorkspaceOptions()); len(es) > 0 {
				p.Error = "The organization could not be set up: " + es.Error()
			}
		}
	}
	if len(p.Errors) > 0 || p.Error != "" || (p.Form != nil && len(p.Form.Errors) > 0) {
		if p.Error == "" {
			p.Error = "Some answers need another look: see the fields marked below."
		}
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "setup.html", p)
		return
	}

	ctx := r.Context()
	actor := p.Email
	orgs := p.Orgs
	if ws != nil {
		// The organization first: if the account cannot be created after
		// it, the first run stays open and offers to manage it.
		org, err := s.Store.CreateOrg(ctx, actor, ws.Organization.Slug, ws.Organization.Name)
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		if _, err := s.Store.Org(org).Apply(ctx, actor, ws, store.ApplyOptions{}); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		orgs = []store.Org{org}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	u, err := s.Store.CreateUser(ctx, actor, p.Email, p.Name, hash)
	if errors.Is(err, store.ErrConflict) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	for _, org := range orgs {
		if err := s.Store.SetRole(ctx, actor, u.ID, org, store.RoleAdmin); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	s.Log.InfoContext(r.Context(), "first run: administrator created", "user_id", u.ID, "orgs", len(orgs), "new_org", ws != nil)
	if err := s.StartSession(w, r, u, false); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	target := "/"
	if ws != nil {
		target = "/orgs/" + url.PathEscape(orgs[0].Slug) + "/plan?welcome=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
