package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ward/internal/store"
)

// testCaller: the one statement a request starts with (store.Caller)
// finds a live session or token with its account, the role in the
// organization asked for and that organization's audit head, and the
// account's organizations when asked; an organization that does not
// exist and one without a live role look the same.
func testCaller(t *testing.T, s *store.Store) {
	u, _ := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "h")
	acme, _ := s.CreateOrg(ctx, "test", "acme", "Acme Health")
	beta, _ := s.CreateOrg(ctx, "test", "beta", "Beta Clinic")
	other, _ := s.CreateOrg(ctx, "test", "other", "Other")
	if err := s.SetRole(ctx, "test", u.ID, beta, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "test", u.ID, acme, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "test", u.ID, other, store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "test", u.ID, other, ""); err != nil { // revoked
		t.Fatal(err)
	}
	head, err := s.Org(acme).AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2027, 5, 1, 9, 0, 0, 0, time.UTC)
	sess := store.Session{TokenHash: strings.Repeat("a", 64), UserID: u.ID, CSRF: "csrf-1", Created: t0, LastSeen: t0}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for _, withOrgs := range []bool{false, true} {
		c, err := s.CallerBySession(ctx, sess.TokenHash, "acme", withOrgs)
		if err != nil {
			t.Fatal(err)
		}
		if c.Session.CSRF != "csrf-1" || !c.Session.LastSeen.Equal(t0) || c.User.ID != u.ID || c.User.Email != "dana@acme.example" {
			t.Errorf("memberships %v: session %+v, user %+v", withOrgs, c.Session, c.User)
		}
		if c.Org.ID != acme.ID || c.Org.Name != "Acme Health" || c.Role != store.RoleViewer || !c.HasHead || c.Head != head {
			t.Errorf("memberships %v: org %+v role %q head %+v (%v), want acme, viewer, %+v", withOrgs, c.Org, c.Role, c.Head, c.HasHead, head)
		}
		var slugs []string
		for _, m := range c.Memberships {
			slugs = append(slugs, m.Org.Slug+"="+m.Role)
		}
		want := ""
		if withOrgs {
			want = "acme=viewer beta=editor"
		}
		if strings.Join(slugs, " ") != want || c.HasMemberships != withOrgs {
			t.Errorf("memberships %v: %v (%v), want %q", withOrgs, slugs, c.HasMemberships, want)
		}
		// No such organization, a revoked role, no organization asked
		// for: no org, no role, no head; the session is still found.
		for _, slug := range []string{"nosuch", "other", ""} {
			c, err := s.CallerBySession(ctx, sess.TokenHash, slug, withOrgs)
			if err != nil || c.User.ID != u.ID || c.Org.ID != 0 || c.Role != "" || c.HasHead {
				t.Errorf("memberships %v, slug %q: %+v, %v; want the session without an organization", withOrgs, slug, c, err)
			}
			if withOrgs && len(c.Memberships) != 2 {
				t.Errorf("slug %q: %d memberships, want 2", slug, len(c.Memberships))
			}
		}
	}
	if _, err := s.CallerBySession(ctx, strings.Repeat("b", 64), "acme", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown session = %v, want ErrNotFound", err)
	}
	// An account with no organization: one row, no memberships.
	lone, _ := s.CreateUser(ctx, "test", "lone@acme.example", "Lone", "h")
	loneSess := store.Session{TokenHash: strings.Repeat("c", 64), UserID: lone.ID, CSRF: "x", Created: t0, LastSeen: t0}
	if err := s.CreateSession(ctx, loneSess); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CallerBySession(ctx, loneSess.TokenHash, "acme", true); err != nil || c.User.ID != lone.ID || len(c.Memberships) != 0 || c.Org.ID != 0 {
		t.Errorf("account without organizations: %+v, %v", c, err)
	}
	// The head moves with a change.
	if _, err := s.Org(acme).Put(ctx, "test", store.KindVendor, "aws", map[string]string{"id": "aws", "name": "AWS"}); err != nil {
		t.Fatal(err)
	}
	moved, _ := s.Org(acme).AuditHead(ctx)
	if c, _ := s.CallerBySession(ctx, sess.TokenHash, "acme", false); c.Head != moved || moved == head {
		t.Errorf("head after a change = %+v, want %+v (was %+v)", c.Head, moved, head)
	}
	if err := s.EndSession(ctx, sess.TokenHash, t0.Add(time.Minute), store.EndLogout); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CallerBySession(ctx, sess.TokenHash, "acme", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ended session = %v, want ErrNotFound", err)
	}

	// A token: the same, and ErrNotFound once revoked or its account
	// disabled.
	hash := strings.Repeat("d", 64)
	tok, err := s.CreateToken(ctx, "test", u.ID, "ci", hash, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CallerByToken(ctx, hash, "beta", false)
	if err != nil || c.User.ID != u.ID || c.Token.ID != tok.ID || c.Org.ID != beta.ID || c.Role != store.RoleEditor || !c.HasHead {
		t.Errorf("CallerByToken = %+v, %v", c, err)
	}
	if _, err := s.CallerByToken(ctx, strings.Repeat("e", 64), "beta", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token = %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, "test", u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CallerByToken(ctx, hash, "beta", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token = %v, want ErrNotFound", err)
	}
	hash2 := strings.Repeat("f", 64)
	if _, err := s.CreateToken(ctx, "test", u.ID, "ci-2", hash2, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, "test", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CallerByToken(ctx, hash2, "beta", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token of a disabled account = %v, want ErrNotFound", err)
	}
}

// testLoginFailures: failed logins counted in the database, read for
// several keys in one statement, newest first, only inside the window;
// a right password clears its key only.
func testLoginFailures(t *testing.T, s *store.Store) {
	t0 := time.Date(2027, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := s.AddFailures(ctx, t0.Add(time.Duration(i)*time.Minute), t0.Add(-time.Hour), "email:a", "ip:1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddFailures(ctx, t0.Add(5*time.Minute), t0.Add(-time.Hour), "ip:1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecentFailures(ctx, []string{"email:a", "ip:1", "email:b"}, t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(got["email:a"]) != 2 || len(got["ip:1"]) != 3 || len(got["email:b"]) != 0 {
		t.Fatalf("failures after 09:00:30 = %v, want 2 for the account, 3 for the address, none for another", got)
	}
	if ip := got["ip:1"]; !ip[0].Equal(t0.Add(5*time.Minute)) || !ip[2].Equal(t0.Add(time.Minute)) {
		t.Errorf("the address's failures %v, want newest first", ip)
	}
	if err := s.ClearFailures(ctx, "email:a"); err != nil {
		t.Fatal(err)
	}
	got, err = s.RecentFailures(ctx, []string{"email:a", "ip:1"}, t0.Add(-time.Minute))
	if err != nil || len(got["email:a"]) != 0 || len(got["ip:1"]) != 4 {
		t.Errorf("after clearing the account's: %v, %v; want none for it, 4 for the address", got, err)
	}
}
