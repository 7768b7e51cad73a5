package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ward/internal/audit"
	"ward/internal/store"
)

// securityTests are the contract of issue 20's security half, run by Run
// after the others.
var securityTests = []struct {
	name string
	f    func(t *testing.T, s *store.Store)
}{
	{"AccountLifecycle", testAccountLifecycle},
	{"TokenExpiry", testTokenExpiry},
	{"AccountTrail", testAccountTrail},
	{"MFA", testMFA},
	{"Passkeys", testPasskeys},
	{"BoundsRefused", testBoundsRefused},
}

// testAccountLifecycle is issue 20's finding 4 on every engine: an
// account can be disabled and enabled, its password changed, its tokens
// and sessions revoked, its membership removed; each stops at once and
// each is on a trail.
func testAccountLifecycle(t *testing.T, s *store.Store) {
	a := mustOrg(t, s, "alpha")
	u, err := s.CreateUser(ctx, "admin@msp.example", "lee@acme.example", "Lee", "h1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	session := func(c string) store.Session {
		sess := store.Session{TokenHash: strings.Repeat(c, 64), UserID: u.ID, CSRF: "x", IP: "192.0.2.7", Agent: "Firefox"}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		return sess
	}
	s1, s2 := session("1"), session("2")
	live, err := s.Sessions(ctx, u.ID)
	if err != nil || len(live) != 2 || live[0].IP != "192.0.2.7" || live[0].Agent != "Firefox" {
		t.Fatalf("Sessions = %+v, %v", live, err)
	}

	// Revoking one session by its short id ends that one only.
	if err := s.RevokeSession(ctx, "lee@acme.example", u.ID, s1.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, s1.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked session still live: %v", err)
	}
	if _, err := s.SessionByHash(ctx, s2.TokenHash); err != nil {
		t.Errorf("the other session ended too: %v", err)
	}
	if err := s.RevokeSession(ctx, "x", u.ID, s1.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking an ended session = %v, want ErrNotFound", err)
	}
	other, _ := s.CreateUser(ctx, "test", "other@acme.example", "Other", "h")
	if err := s.RevokeSession(ctx, "x", other.ID, s2.ID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking someone else's session = %v, want ErrNotFound", err)
	}

	// A password change ends every session but the one that made it.
	s3 := session("3")
	if err := s.ChangePassword(ctx, "lee@acme.example", u.ID, "h2", s3.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, s2.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session from before the password change still live: %v", err)
	}
	if _, err := s.SessionByHash(ctx, s3.TokenHash); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if got, _ := s.UserByID(ctx, u.ID); got.PasswordHash != "h2" {
		t.Errorf("password hash = %q after ChangePassword", got.PasswordHash)
	}

	// Disabling ends sessions and revokes tokens at once.
	tok, err := s.CreateToken(ctx, "admin@msp.example", u.ID, "ci", strings.Repeat("t", 64), later)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, "admin@msp.example", u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, "admin@msp.example", u.ID); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("disabling twice = %v, want ErrNoChange", err)
	}
	if _, err := s.SessionByHash(ctx, s3.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session of a disabled account still live: %v", err)
	}
	if _, err := s.UserByToken(ctx, strings.Repeat("t", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token of a disabled account = %v", err)
	}
	toks, _ := s.Tokens(ctx, u.ID)
	if len(toks) != 1 || toks[0].ID != tok.ID || toks[0].Revoked.IsZero() {
		t.Errorf("Tokens after disable = %+v, want the token revoked", toks)
	}
	if _, err := s.CreateToken(ctx, "x", u.ID, "ci", strings.Repeat("u", 64), later); err == nil {
		t.Error("a disabled account was given a token")
	}
	if err := s.EnableUser(ctx, "admin@msp.example", u.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, u.ID); got.Disabled {
		t.Error("still disabled after EnableUser")
	}
	// Enabling does not bring the revoked token back.
	if _, err := s.UserByToken(ctx, strings.Repeat("t", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token after enable = %v, want still revoked", err)
	}
	if err := s.EnableUser(ctx, "x", u.ID); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("enabling twice = %v, want ErrNoChange", err)
	}

	// Removing the membership is on the organization's trail.
	if err := s.SetRole(ctx, "admin@msp.example", u.ID, a.Info(), ""); err != nil {
		t.Fatal(err)
	}
	if role, _ := s.RoleIn(ctx, u.ID, a.Info().ID); role != "" {
		t.Errorf("role after removal = %q", role)
	}
	entries, _ := a.AuditLog(ctx, 1, 0)
	if len(entries) != 1 || entries[0].Action != "role.set" || !strings.Contains(string(entries[0].Data), `"after":""`) {
		t.Errorf("last alpha entry = %+v, want the membership's removal", entries)
	}

	// Every step is on the accounts' trail, in order, and it verifies.
	log, err := s.AccountLog(ctx, "lee@acme.example", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(log) - 1; i >= 0; i-- {
		got = append(got, log[i].Action+" by "+log[i].Actor)
	}
	want := []string{
		"user.create by admin@msp.example",
		"session.revoke by lee@acme.example",
		"password.change by lee@acme.example",
		"token.create by admin@msp.example",
		"user.disable by admin@msp.example",
		"user.enable by admin@msp.example",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("accounts' trail for lee:\n got %q\nwant %q", got, want)
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Errorf("VerifyAccountAudit: %v", err)
	}
	ms, _ := s.Members(ctx, a.Info())
	if len(ms) != 0 {
		t.Errorf("Members after removal = %+v", ms)
	}
}

// testTokenExpiry: a token past its expiry answers like an unknown one;
// a token made before tokens carried an expiry is good for
// LegacyTokenLifetime from when it was made; use is noted.
func testTokenExpiry(t *testing.T, s *store.Store) {
	u, _ := s.CreateUser(ctx, "test", "ci@acme.example", "CI", "h")
	if _, err := s.CreateToken(ctx, "test", u.ID, "old", strings.Repeat("a", 64), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, strings.Repeat("a", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired token = %v, want ErrNotFound", err)
	}
	if _, err := s.CreateToken(ctx, "test", u.ID, "none", strings.Repeat("n", 64), time.Time{}); err == nil {
		t.Error("a token without an expiry date was made")
	}
	// Tokens from before migration 010 have no expires_at.
	stamp := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(audit.TimeLayout) }
	if _, err := s.RawExec(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, 'legacy-old', ?, ?)", u.ID, strings.Repeat("b", 64), stamp(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RawExec(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, 'legacy-new', ?, ?)", u.ID, strings.Repeat("c", 64), stamp(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, strings.Repeat("b", 64)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a 100-day-old token without expiry = %v, want expired", err)
	}
	if got, err := s.UserByToken(ctx, strings.Repeat("c", 64)); err != nil || got.ID != u.ID {
		t.Errorf("a day-old token without expiry = %+v, %v, want good", got, err)
	}
	toks, err := s.Tokens(ctx, u.ID)
	if err != nil || len(toks) != 3 {
		t.Fatalf("Tokens = %+v, %v", toks, err)
	}
	now := time.Now()
	status := map[string]string{}
	for _, tk := range toks {
		status[tk.Name] = tk.Status(now)
		if tk.Name == "legacy-new" && tk.LastUsed.IsZero() {
			t.Error("a used token shows no last use")
		}
		if tk.Name == "old" && !tk.LastUsed.IsZero() {
			t.Error("an expired token shows a use")
		}
	}
	if status["old"] != "expired" || status["legacy-old"] != "expired" || status["legacy-new"] != "live" {
		t.Errorf("statuses = %v", status)
	}
}

// testAccountTrail: the accounts' trail is tamper-evident like an
// organization's, and a failed login records no e-mail that names no
// account.
func testAccountTrail(t *testing.T, s *store.Store) {
	if h, err := s.AccountHead(ctx); err != nil || h.Seq != 0 {
		t.Fatalf("head of a new database = %+v, %v", h, err)
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Fatalf("empty trail: %v", err)
	}
	u, _ := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "h")
	for _, ev := range []struct{ action, key string }{
		{store.EventLogin, u.Email}, {store.EventLogout, u.Email}, {store.EventLoginFailed, ""},
	} {
		if err := s.RecordAccount(ctx, "dana@acme.example", ev.action, ev.key, map[string]string{"ip": "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordAccount(ctx, "", store.EventLogin, u.Email, nil); err == nil {
		t.Error("an event without an actor was recorded")
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Fatalf("VerifyAccountAudit: %v", err)
	}
	h, _ := s.AccountHead(ctx)
	if h.Seq != 4 {
		t.Errorf("head at %d, want 4 entries", h.Seq)
	}
	if _, err := s.RawExec(ctx, "UPDATE account_audit SET actor = 'mallory@evil.example' WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	var bad *audit.BadEntry
	if err := s.VerifyAccountAudit(ctx); !errors.As(err, &bad) || bad.Seq != 2 {
		t.Errorf("after tampering with entry 2: %v", err)
	}
}
