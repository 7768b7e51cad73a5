package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	securityTests = append(securityTests, struct {
		name string
		f    func(t *testing.T, s *store.Store)
	}{"SSO", testSSO})
}

func actions(es []store.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

// testSSO: organization.sso survives apply and export; a single sign-on
// login that maps to nothing creates nothing and is recorded; the first
// login creates the account (or links the one with the e-mail) and gives
// the mapped role; later logins follow the provider's changes, removals
// included, each on the organization's trail; break-glass accounts keep
// their role; a login under way serves once; local passwords off refuse
// members but break-glass accounts.
func testSSO(t *testing.T, s *store.Store) {
	off := false
	acme := mustOrg(t, s, "acme")
	ws := Acme()
	ws.Organization.SSO = &workspace.SSO{
		Groups:         map[string]string{"ward-admins": "admin", "eng": "editor"},
		Domains:        map[string]string{"harbor.example": "viewer"},
		LocalPasswords: &off,
		BreakGlass:     []string{"ops@harbor.example"},
	}
	mustApply(t, acme, ws)
	back, err := acme.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Organization.SSO, ws.Organization.SSO) {
		t.Fatalf("sso read back as %+v, want %+v", back.Organization.SSO, ws.Organization.SSO)
	}
	if cs := mustApply(t, acme, back); len(cs) != 0 {
		t.Errorf("re-applying the exported sso: %v, want no change", summary(cs))
	}
	beta := mustOrg(t, s, "beta")
	bws := &workspace.Workspace{Organization: workspace.Organization{Name: "Beta Health", SSO: &workspace.SSO{Groups: map[string]string{"beta-staff": "viewer"}}}}
	mustApply(t, beta, bws)

	// Nothing maps: refused, nothing made, recorded.
	_, err = s.SignInSSO(ctx, store.SSOIdentity{Issuer: "https://idp", Subject: "s-0", Email: "eve@elsewhere.example", Groups: []string{"sales"}})
	var ref *store.SSORefusal
	if !errors.As(err, &ref) || ref.Email != "eve@elsewhere.example" || !slices.Equal(ref.Groups, []string{"sales"}) {
		t.Fatalf("unmapped login: %v, want an SSORefusal naming the e-mail and groups", err)
	}
	if _, err := s.UserByEmail(ctx, "eve@elsewhere.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused login made an account: %v", err)
	}
	trail, _ := s.AccountLog(ctx, "", 1, 0)
	if len(trail) != 1 || trail[0].Action != store.EventSSORefused || trail[0].Actor != store.SSOActor {
		t.Errorf("the refusal is not on the accounts' trail: %+v", trail)
	}

	// First login: created, linked, mapped in both organizations.
	id := store.SSOIdentity{Issuer: "https://idp", Subject: "s-1", Email: "Kai@Harbor.example", Name: "Kai", Groups: []string{"eng", "beta-staff"}}
	res, err := s.SignInSSO(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Linked || res.User.Email != "kai@harbor.example" || res.User.PasswordHash != "" {
		t.Errorf("first login = %+v", res)
	}
	role := func(o *store.OrgStore) string {
		t.Helper()
		r, err := s.RoleIn(ctx, res.User.ID, o.Info().ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if role(acme) != "editor" || role(beta) != "viewer" {
		t.Errorf("roles after the first login: acme %q beta %q, want editor, viewer", role(acme), role(beta))
	}
	kai, _ := s.AccountLog(ctx, "kai@harbor.example", 0, 0)
	if got := actions(kai); !slices.Equal(got, []string{store.EventSSOLink, "user.create"}) {
		t.Errorf("kai's trail = %v", got)
	}

	// The provider changes the groups: the roles follow, one removed.
	id.Groups = []string{"ward-admins"}
	if res, err = s.SignInSSO(ctx, id); err != nil || res.Created || res.Linked {
		t.Fatalf("second login = %+v, %v", res, err)
	}
	if role(acme) != "admin" || role(beta) != "" {
		t.Errorf("roles after the groups changed: acme %q beta %q, want admin and none", role(acme), role(beta))
	}
	id.Groups = nil // the domain still maps
	if _, err = s.SignInSSO(ctx, id); err != nil || role(acme) != "viewer" {
		t.Errorf("with no group the domain maps to viewer: %q, %v", role(acme), err)
	}
	log, _ := acme.AuditLog(ctx, 0, 0)
	var sets []string
	for _, e := range log {
		if e.Action == "role.set" && e.Actor == store.SSOActor && e.Key == "kai@harbor.example" {
			sets = append(sets, string(e.Data))
		}
	}
	if len(sets) != 3 {
		t.Errorf("acme's trail has %d role changes by sso for kai, want 3: %v", len(sets), sets)
	}
	bl, _ := beta.AuditLog(ctx, 0, 0)
	if len(bl) == 0 || bl[0].Action != "role.set" || string(bl[0].Data) != `{"after":"","before":"viewer"}` {
		t.Errorf("beta's trail does not show the removal first: %+v", bl)
	}

	// An existing local account is linked by its e-mail.
	local, err := s.CreateUser(ctx, "test", "lee@harbor.example", "Lee", "hash")
	if err != nil {
		t.Fatal(err)
	}
	res, err = s.SignInSSO(ctx, store.SSOIdentity{Issuer: "https://idp", Subject: "s-2", Email: "lee@harbor.example", Groups: []string{"eng"}})
	if err != nil || !res.Linked || res.Created || res.User.ID != local.ID {
		t.Fatalf("linking lee = %+v, %v", res, err)
	}

	// A break-glass account keeps the role an admin gave it.
	ops, err := s.CreateUser(ctx, "test", "ops@harbor.example", "Ops", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "test", ops.ID, acme.Info(), "admin"); err != nil {
		t.Fatal(err)
	}
	if res, err = s.SignInSSO(ctx, store.SSOIdentity{Issuer: "https://idp", Subject: "s-3", Email: "ops@harbor.example"}); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RoleIn(ctx, ops.ID, acme.Info().ID); r != "admin" || !res.Grants[0].BreakGlass {
		t.Errorf("break-glass role after sso = %q, grants %+v", r, res.Grants)
	}

	// A disabled account is refused.
	if err := s.DisableUser(ctx, "test", local.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInSSO(ctx, store.SSOIdentity{Issuer: "https://idp", Subject: "s-2", Email: "lee@harbor.example", Groups: []string{"eng"}}); !errors.Is(err, store.ErrSSODisabled) {
		t.Errorf("disabled account: %v", err)
	}

	// Local passwords: off for acme's members but the break-glass one.
	refused, glass, err := s.LocalPasswordCheck(ctx, ops.ID, ops.Email)
	if err != nil || len(refused) != 0 || len(glass) != 1 || glass[0].Slug != "acme" {
		t.Errorf("ops: refused %v, break-glass %v, %v", refused, glass, err)
	}
	_, glass, err = s.LocalPasswordCheck(ctx, res.User.ID, "kai@harbor.example")
	if err != nil || len(glass) != 0 {
		t.Fatal(err, glass)
	}
	kaiRes, _ := s.UserByEmail(ctx, "kai@harbor.example")
	refused, _, _ = s.LocalPasswordCheck(ctx, kaiRes.ID, kaiRes.Email)
	if len(refused) != 1 || refused[0].Slug != "acme" {
		t.Errorf("kai: refused %v, want acme", refused)
	}

	// A login under way serves once.
	if err := s.BeginSSOLogin(ctx, store.SSOLogin{StateHash: "st", Nonce: "n", Verifier: "v", Next: "/x", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if l, err := s.TakeSSOLogin(ctx, "st"); err != nil || l.Nonce != "n" || l.Verifier != "v" || l.Next != "/x" {
		t.Errorf("take = %+v, %v", l, err)
	}
	if _, err := s.TakeSSOLogin(ctx, "st"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a used state was taken again: %v", err)
	}
	if _, err := s.TakeSSOLogin(ctx, "never"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown state: %v", err)
	}
	// A login begun longer ago than its lifetime is refused.
	if err := s.BeginSSOLogin(ctx, store.SSOLogin{StateHash: "stale", Nonce: "n", Verifier: "v", Next: "/", Created: time.Now().Add(-store.SSOLoginTTL - time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeSSOLogin(ctx, "stale"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired state was taken: %v", err)
	}

	// The ID token of a session.
	if err := s.SetSSOSession(ctx, "sess", "id.token.x"); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.SSOSession(ctx, "sess"); err != nil || tok != "id.token.x" {
		t.Errorf("sso session = %q, %v", tok, err)
	}
	if _, err := s.SSOSession(ctx, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a password session has an ID token: %v", err)
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Errorf("accounts' trail: %v", err)
	}
}
