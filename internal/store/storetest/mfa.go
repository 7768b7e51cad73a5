package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"ward/internal/store"
)

// testMFA: an authenticator app is on only once confirmed; a time step
// is accepted once; each recovery code works once and the old ones stop
// when new ones are made; turning off keeps the rows; a session that had
// to enrol is freed by the confirmation; every change is on the trail.
func testMFA(t *testing.T, s *store.Store) {
	u, err := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "h")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := s.MFA(ctx, u.ID); err != nil || st.TOTP || st.Pending {
		t.Fatalf("a new account's MFA = %+v, %v", st, err)
	}
	if err := s.CreateSession(ctx, store.Session{TokenHash: "sess1", UserID: u.ID, CSRF: "c", MFAEnrol: true}); err != nil {
		t.Fatal(err)
	}
	if sess, err := s.SessionByHash(ctx, "sess1"); err != nil || !sess.MFAEnrol {
		t.Fatalf("enrol-only session read back as %+v, %v", sess, err)
	}
	if err := s.StartTOTP(ctx, u.Email, u.ID, "SECRETONE"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ActiveTOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unconfirmed secret is active: %v", err)
	}
	if sec, err := s.PendingTOTP(ctx, u.ID); err != nil || sec != "SECRETONE" {
		t.Errorf("pending secret %q, %v", sec, err)
	}
	if err := s.ConfirmTOTP(ctx, u.Email, u.ID, 1000, []string{"h1", "h2", "h3"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(ctx, u.Email, u.ID, 1001, []string{"h4"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("confirming twice: %v", err)
	}
	if sess, _ := s.SessionByHash(ctx, "sess1"); sess.MFAEnrol {
		t.Error("the session is still enrol-only after the confirmation")
	}
	if err := s.StartTOTP(ctx, u.Email, u.ID, "SECRETTWO"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second app over an active one: %v", err)
	}
	st, _ := s.MFA(ctx, u.ID)
	if !st.TOTP || st.RecoveryLeft != 3 || st.Since.IsZero() {
		t.Errorf("after confirmation MFA = %+v", st)
	}
	if sec, step, err := s.ActiveTOTP(ctx, u.ID); err != nil || sec != "SECRETONE" || step != 1000 {
		t.Errorf("active = %q %d %v", sec, step, err)
	}
	for _, c := range []struct {
		step int64
		ok   bool
	}{{1000, false}, {999, false}, {1001, true}, {1001, false}, {1003, true}, {1002, false}} {
		err := s.UseTOTPStep(ctx, u.ID, c.step)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, store.ErrConflict)) {
			t.Errorf("step %d: %v, want accepted=%v", c.step, err, c.ok)
		}
	}
	if left, err := s.UseRecoveryCode(ctx, u.Email, u.ID, "h2", "192.0.2.1"); err != nil || left != 2 {
		t.Errorf("first use of a recovery code: %d left, %v", left, err)
	}
	if _, err := s.UseRecoveryCode(ctx, u.Email, u.ID, "h2", "192.0.2.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second use of the same code: %v", err)
	}
	if _, err := s.UseRecoveryCode(ctx, u.Email, u.ID, "nope", "192.0.2.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown code: %v", err)
	}
	if err := s.RenewRecovery(ctx, u.Email, u.ID, []string{"n1", "n2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseRecoveryCode(ctx, u.Email, u.ID, "h1", "192.0.2.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an old code after renewal: %v", err)
	}
	if st, _ := s.MFA(ctx, u.ID); st.RecoveryLeft != 2 {
		t.Errorf("after renewal %d codes left, want 2", st.RecoveryLeft)
	}
	if err := s.DisableTOTP(ctx, "ops@acme.example", u.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableTOTP(ctx, "ops@acme.example", u.ID, true); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("disabling twice: %v", err)
	}
	if st, _ := s.MFA(ctx, u.ID); st.TOTP || st.Pending {
		t.Errorf("after reset MFA = %+v", st)
	}
	if _, err := s.UseRecoveryCode(ctx, u.Email, u.ID, "n1", "192.0.2.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a recovery code after the reset: %v", err)
	}
	// Set up again after the reset.
	if err := s.StartTOTP(ctx, u.Email, u.ID, "SECRETTHREE"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.MFA(ctx, u.ID); !st.Pending || st.TOTP {
		t.Errorf("set up again: MFA = %+v, want pending", st)
	}

	// Challenges: counted, ended, not found once ended.
	if err := s.CreateMFAChallenge(ctx, "ch1", u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FailMFAChallenge(ctx, "ch1"); err != nil || n != 1 {
		t.Errorf("attempts %d, %v", n, err)
	}
	if c, err := s.MFAChallengeByHash(ctx, "ch1"); err != nil || c.UserID != u.ID || time.Since(c.Created) > time.Hour {
		t.Errorf("challenge %+v, %v", c, err)
	}
	if err := s.EndMFAChallenge(ctx, "ch1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MFAChallengeByHash(ctx, "ch1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an ended challenge: %v", err)
	}

	log, err := s.AccountLog(ctx, u.Email, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{store.EventMFAStarted, store.EventMFAEnrolled, store.EventMFARecoveryUse, store.EventMFARecoveryNew, store.EventMFAReset} {
		if !slices.Contains(actions, want) {
			t.Errorf("the trail lacks %s: %v", want, actions)
		}
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Error(err)
	}
}
