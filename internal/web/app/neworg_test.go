package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// clientOnboarding is the onboarding form of a new client organization.
func clientOnboarding(csrf, name string) url.Values {
	return url.Values{
		"csrf": {csrf}, "name": {name}, "program_start": {"2026-12-01"},
		"handles_phi": {"yes"}, "sells_to_covered_entities": {"yes"}, "enterprise_health_systems": {"no"}, "buyers_ask_soc2": {"no"},
		"role":         {"business-associate"},
		"privacy.name": {"Rosa Diaz"}, "privacy.email": {"rosa@riverside.example"},
		"security.name": {"Ken Ito"}, "security.email": {"ken@riverside.example"},
		"soc2_type":      {"none"},
		"systems.0.name": {"Patient portal"}, "systems.0.kind": {"service"}, "systems.0.vendor": {"AWS"}, "systems.0.phi": {"true"}, "systems.0.encrypted_at_rest": {"true"},
		"systems.1.name": {""}, "systems.1.kind": {"service"}, "systems.1.vendor": {""},
	}
}

// TestNewOrganization: an admin of alpha (an MSP's staff) adds a client
// from /orgs through the onboarding and lands on its plan as its admin;
// the organization, its officers and first system are on its own audit
// trail by that admin. Refusals: someone who is no admin anywhere, a
// form without its CSRF token, missing answers (named, nothing made),
// and a name already taken. The JSON twin too. On SQLite and PostgreSQL.
func TestNewOrganization(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			admin := e.Users[store.RoleAdmin]
			c, csrf := e.Login(admin)

			if r := e.Get(c, "/orgs"); !strings.Contains(r.Body, `href="/organizations/new"`) {
				t.Errorf("an admin's /orgs offers no new organization:\n%.1500s", r.Body)
			}
			vc, vcsrf := e.Login(e.Users[store.RoleEditor])
			if r := e.Get(vc, "/orgs"); strings.Contains(r.Body, `href="/organizations/new"`) {
				t.Error("an editor (admin nowhere) is offered a new organization")
			}
			if r := e.Get(vc, "/organizations/new"); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Only an admin") {
				t.Errorf("editor opens the form: %d", r.StatusCode)
			}
			if r := e.PostForm(vc, "/organizations/new", clientOnboarding(vcsrf, "Sneaky Co")); r.StatusCode != http.StatusForbidden {
				t.Errorf("editor posts the form: %d", r.StatusCode)
			}

			form := e.Get(c, "/organizations/new")
			if form.StatusCode != 200 {
				t.Fatalf("form: %d", form.StatusCode)
			}
			for _, q := range []string{"handles_phi", "sells_to_covered_entities", "enterprise_health_systems", "buyers_ask_soc2", "privacy.email", "security.email", "systems.0.name"} {
				if !strings.Contains(form.Body, `name="`+q+`"`) {
					t.Errorf("the form does not ask %s", q)
				}
			}
			noCSRF := clientOnboarding("", "Riverside Therapy")
			noCSRF.Del("csrf")
			if r := e.PostForm(c, "/organizations/new", noCSRF); r.StatusCode != http.StatusForbidden {
				t.Errorf("no CSRF token: %d", r.StatusCode)
			}
			missing := clientOnboarding(csrf, "Riverside Therapy")
			missing.Del("buyers_ask_soc2")
			missing.Set("security.email", "not an address")
			r := e.PostForm(c, "/organizations/new", missing)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "answer yes or no") {
				t.Errorf("missing answers: %d\n%.600s", r.StatusCode, r.Body)
			}
			if _, err := e.Store.OrgBySlug(ctx, "riverside-therapy"); err == nil {
				t.Fatal("a refused form created the organization")
			}

			r = e.PostForm(c, "/organizations/new", clientOnboarding(csrf, "Riverside Therapy"))
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/riverside-therapy/plan?welcome=1" {
				t.Fatalf("create: %d %q\n%.800s", r.StatusCode, r.Header.Get("Location"), r.Body)
			}
			plan := e.Get(c, r.Header.Get("Location"))
			if plan.StatusCode != 200 || !strings.Contains(plan.Body, "Riverside Therapy") {
				t.Errorf("the plan: %d", plan.StatusCode)
			}
			org, err := e.Store.OrgBySlug(ctx, "riverside-therapy")
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := e.Store.RoleIn(ctx, admin.ID, org.ID); role != store.RoleAdmin {
				t.Errorf("creator's role %q, want admin", role)
			}
			ws, err := e.Store.Org(org).Workspace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if ws.Organization.Officers.Security != "ken@riverside.example" || len(ws.Systems) != 1 || ws.Systems[0].ID != "patient-portal" || !ws.Organization.Answers.HandlesPHI {
				t.Errorf("workspace: %+v %+v", ws.Organization, ws.Systems)
			}
			trail, _ := e.Store.Org(org).AuditAll(ctx)
			seen := map[string]bool{}
			for _, a := range trail {
				if a.Actor != admin.Email {
					t.Errorf("entry %s %s %s by %q, want the creator", a.Action, a.Kind, a.Key, a.Actor)
				}
				seen[a.Action+" "+a.Kind] = true
			}
			for _, want := range []string{"org.create org", "role.set membership", "create " + store.KindSystem} {
				if !seen[want] {
					t.Errorf("no %q on the new organization's trail: %v", want, seen)
				}
			}
			if r := e.Get(c, "/orgs"); !strings.Contains(r.Body, `href="/orgs/riverside-therapy"`) {
				t.Error("/orgs does not list the new organization")
			}
			if r := e.PostForm(c, "/organizations/new", clientOnboarding(csrf, "Riverside Therapy")); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "exists already") {
				t.Errorf("the same name again: %d", r.StatusCode)
			}

			// The JSON twin.
			body := `{"name": "Lakeside Labs", "answers": {"handles_phi": false, "buyers_ask_soc2": true},
				"privacy": {"name": "Ana", "email": "ana@lakeside.example"}, "security": {"name": "Ana", "email": "ana@lakeside.example"},
				"soc2_type": "type1", "systems": [{"name": "Lab app", "kind": "service"}]}`
			ar := e.APIPost(admin.User, "/api/v1/organizations", body)
			if ar.StatusCode != http.StatusCreated || !strings.Contains(ar.Body, `"organization": "lakeside-labs"`) {
				t.Fatalf("API create: %d %s", ar.StatusCode, ar.Body)
			}
			lake, err := e.Store.OrgBySlug(ctx, "lakeside-labs")
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := e.Store.RoleIn(ctx, admin.ID, lake.ID); role != store.RoleAdmin {
				t.Errorf("API creator's role %q", role)
			}
			if ar := e.APIPost(admin.User, "/api/v1/organizations", `{"name": "Empty"}`); ar.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ar.Body, `"fields"`) {
				t.Errorf("API without answers: %d %s", ar.StatusCode, ar.Body)
			}
			if ar := e.APIPost(e.Users[store.RoleViewer].User, "/api/v1/organizations", body); ar.StatusCode != http.StatusForbidden {
				t.Errorf("API as a viewer: %d", ar.StatusCode)
			}
		})
	}
}
