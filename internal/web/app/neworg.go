package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"ward/internal/check"
	"ward/internal/onboard"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// A new organization from the web app (issue 15 item 7): an MSP adds a
// client from /orgs. The page is the first run's onboarding (the
// "_onboarding" partial and parseOnboarding, package onboard): the four
// applicability questions, the officers, the SOC 2 target and the first
// systems; it ends on the new organization's plan. The creator becomes
// its admin; the creation, the onboarding's records and the role are on
// the new organization's audit trail, by the creator.
//
// Who may: an admin of at least one organization (an MSP's staff, a
// compliance lead). Organizations are global to the server, so a viewer
// or a workforce member may not add them; the operator can always add
// one with `ward apply` or `ward init`.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/organizations/new", Role: kit.AnyUser, Handler: newOrgForm},
		kit.Route{Method: "POST", Pattern: "/organizations/new", Role: kit.AnyUser, Handler: newOrg},
		kit.Route{Method: "POST", Pattern: "/api/v1/organizations", Role: kit.AnyUser, Handler: newOrgAPI},
	)
}

// msgNewOrgRule is the answer to someone who may not add organizations.
const msgNewOrgRule = "Only an admin of an organization on this server may add another. Ask one of them, or the operator (ward init, ward apply)."

// mayCreateOrg: the caller is an admin of at least one organization.
func mayCreateOrg(s *kit.Server, r *http.Request) (bool, error) {
	ms, err := s.Store.Memberships(r.Context(), kit.CurrentUser(r).ID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.Role == store.RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

type newOrgPage struct {
	Form  OnboardingForm
	Error string
}

func newOrgGate(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) bool {
	ok, err := mayCreateOrg(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return false
	}
	if !ok {
		s.Fail(w, r, api, http.StatusForbidden, msgNewOrgRule)
		return false
	}
	return true
}

func newOrgForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if !newOrgGate(s, w, r, false) {
		return
	}
	s.Render(w, r, "neworg.html", newOrgPage{Form: newOnboardingForm(onboard.Answers{ProgramStart: s.Today(), SOC2Type: "none"}, nil, nil)})
}

func newOrg(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if !newOrgGate(s, w, r, false) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "The form could not be read. Please try again.")
		return
	}
	a, answered, errs := parseOnboarding(r.PostForm, s.Today())
	p := newOrgPage{Form: newOnboardingForm(a, answered, errs)}
	if len(errs) > 0 {
		p.Error = "Some answers need another look: see the fields marked below."
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "neworg.html", p)
		return
	}
	org, status, msg, err := createOrg(s, r, a)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if status != 0 {
		p.Error = msg
		if status == http.StatusConflict {
			p.Form.Errors["name"] = msg
		}
		s.RenderStatus(w, r, status, "neworg.html", p)
		return
	}
	kit.SetFlash(w, fmt.Sprintf("%s is set up and you are its admin: here is its plan. Invite its people from Accounts.", org.Name))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(org.Slug)+"/plan?welcome=1", http.StatusSeeOther)
}

// newOrgAPI takes the onboarding's answers as JSON (onboard.Answers).
func newOrgAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if !newOrgGate(s, w, r, true) {
		return
	}
	var a onboard.Answers
	if err := strictjson.Decode(r.Body, 64<<10, &a); err != nil {
		s.Fail(w, r, true, http.StatusBadRequest, "the body must be the onboarding's answers as JSON: "+err.Error())
		return
	}
	if a.ProgramStart.IsZero() {
		a.ProgramStart = s.Today()
	}
	if a.SOC2Type == "" {
		a.SOC2Type = "none"
	}
	if a.SOC2Type == "type2" && a.ObservationMonths == 0 {
		a.ObservationMonths = onboard.DefaultObservationMonths(a.Answers)
	}
	if errs := a.Check().ByField(); len(errs) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "some answers need another look", "fields": errs})
		return
	}
	org, status, msg, err := createOrg(s, r, a)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	if status != 0 {
		s.Fail(w, r, true, status, msg)
		return
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]string{"organization": org.Slug, "name": org.Name, "role": store.RoleAdmin, "plan": "/orgs/" + org.Slug + "/plan"})
}

// createOrg makes the organization of checked answers a, with the caller
// as its admin. A refusal is a status and a message (0 when created).
func createOrg(s *kit.Server, r *http.Request, a onboard.Answers) (store.Org, int, string, error) {
	ws := a.Workspace()
	// The same rules as ward apply; the onboarding's own check should
	// leave nothing for them to find.
	if es := workspace.Validate(ws, check.WorkspaceOptions()); len(es) > 0 {
		return store.Org{}, http.StatusUnprocessableEntity, "The organization could not be set up: " + es.Error(), nil
	}
	ctx := r.Context()
	u := kit.CurrentUser(r)
	org, err := s.Store.CreateOrg(ctx, u.Email, ws.Organization.Slug, ws.Organization.Name)
	if errors.Is(err, store.ErrConflict) {
		return store.Org{}, http.StatusConflict, fmt.Sprintf("an organization at /orgs/%s exists already on this server: choose another name", ws.Organization.Slug), nil
	}
	if err != nil {
		return store.Org{}, 0, "", err
	}
	// The role before the records: should the records fail, the
	// creator can still reach the organization to fix it.
	if err := s.Store.SetRole(ctx, u.Email, u.ID, org, store.RoleAdmin); err != nil {
		return org, 0, "", err
	}
	if _, err := s.Store.Org(org).Apply(ctx, u.Email, ws, store.ApplyOptions{}); err != nil {
		return org, 0, "", err
	}
	s.Log.InfoContext(ctx, "organization created", "org", org.Slug, "user_id", u.ID, "systems", len(ws.Systems))
	return org, 0, "", nil
}
