package login_test

import (
	"context"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

func TestSecondFactor(t *testing.T) {
	for _, c := range []struct {
		amr  []string
		want bool
	}{
		{nil, false},
		{[]string{"pwd"}, false},
		{[]string{"otp"}, false},
		{[]string{"hwk", "user"}, false},
		{[]string{"pwd", "kba"}, false},
		{[]string{"mfa"}, true},
		{[]string{"pwd", "mfa"}, true},
		{[]string{"mca"}, true},
		{[]string{"pwd", "otp"}, true},
		{[]string{"hwk", "pin"}, true},
		{[]string{"swk", "fpt"}, true},
		{[]string{"pwd", "sms"}, true},
		{[]string{"face", "pwd"}, true},
		{[]string{"geo", "rba", "pwd"}, false},
	} {
		if got := store.SecondFactor(c.amr); got != c.want {
			t.Errorf("SecondFactor(%q) = %v, want %v", c.amr, got, c.want)
		}
	}
}

// TestSSORequireMFA: alpha sets organization.sso.require_mfa: a single
// sign-on login whose ID token reports no second factor in amr (only
// pwd, or no amr at all, or one factor) is refused with a page that says
// why, on the accounts' trail and alpha's, making nothing; with mfa, or
// pwd and otp, it logs in. On both engines.
func TestSSORequireMFA(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e, p := newSSOEnv(t, eng.URL(t))
			ctx := context.Background()
			conf := ssoMapping()
			conf.RequireMFA = true
			if _, err := e.Store.Org(e.OrgA).Put(ctx, "test", store.KindOrganization, store.OrganizationKey, workspace.Organization{Name: "Alpha Health", SSO: conf}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				amr  []string
				says string
			}{{nil, "pwd"}, {[]string{}, "no amr claim"}, {[]string{"otp"}, "otp"}} {
				p.SetAMR(c.amr)
				r := ssoLogin(t, e, p, e.Client(), ssoEditor.Subject)
				body := html.UnescapeString(r.Body)
				if r.StatusCode != http.StatusForbidden || !strings.Contains(body, "Alpha Health requires a second factor at sign-in, and Test IdP did not report one") || !strings.Contains(body, c.says) {
					t.Errorf("amr %q: status %d, want 403 naming the second factor and %q:\n%.2000s", c.amr, r.StatusCode, c.says, body)
				}
			}
			if _, err := e.Store.UserByEmail(ctx, ssoEditor.Email); err == nil {
				t.Errorf("a login refused for want of a second factor made an account")
			}
			if got := accountActions(t, e.Store, ""); !slices.Contains(got, store.EventSSORefused) {
				t.Errorf("the refusal is not on the accounts' trail: %v", got)
			}
			if !e.TrailHas(store.EventSSORefused, "membership", ssoEditor.Email, store.SSOActor) {
				t.Errorf("the refusal is not on alpha's trail")
			}

			for _, amr := range [][]string{{"pwd", "otp"}, {"mfa"}} {
				p.SetAMR(amr)
				c := e.Client()
				if r := ssoLogin(t, e, p, c, ssoEditor.Subject); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("amr %q: status %d, want 303:\n%.1500s", amr, r.StatusCode, r.Body)
				}
				if r := e.Get(c, "/orgs/alpha/systems/patient-api/edit"); r.StatusCode != http.StatusOK {
					t.Errorf("amr %q: edit page %d", amr, r.StatusCode)
				}
			}
			// Once an editor, a later login without the second factor is
			// refused too, and the role stays as it was.
			p.SetAMR(nil)
			if r := ssoLogin(t, e, p, e.Client(), ssoEditor.Subject); r.StatusCode != http.StatusForbidden {
				t.Errorf("a member without a second factor: status %d, want 403", r.StatusCode)
			}
			kai, _ := e.Store.UserByEmail(ctx, ssoEditor.Email)
			if role, _ := e.Store.RoleIn(ctx, kai.ID, e.OrgA.ID); role != store.RoleEditor {
				t.Errorf("kai's role %q after a refused login, want editor", role)
			}
			if got := accountActions(t, e.Store, ssoEditor.Email); len(got) == 0 || got[0] != store.EventSSORefused {
				t.Errorf("the member's refusal on the accounts' trail: %v", got)
			}
		})
	}
}
