package storetest

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"ward/internal/store"
)

// testPasskeys: an account's user handle is made once and stays; a
// passkey registered counts as a second step and frees an enrol-only
// session; the same credential cannot be registered twice; a login moves
// the counter only from the value it read; a removed passkey is kept but
// no longer listed or usable; a ceremony's challenge is taken once, even
// by two at the same time; every change is on the accounts' trail.
func testPasskeys(t *testing.T, s *store.Store) {
	u, err := s.CreateUser(ctx, "test", "kim@acme.example", "Kim", "h")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateUser(ctx, "test", "lou@acme.example", "Lou", "h")
	if err != nil {
		t.Fatal(err)
	}
	h1, err := s.PasskeyHandle(ctx, u.ID)
	if err != nil || len(h1) != 32 {
		t.Fatalf("handle %x, %v", h1, err)
	}
	if h2, err := s.PasskeyHandle(ctx, u.ID); err != nil || !bytes.Equal(h1, h2) {
		t.Errorf("the handle changed: %x then %x (%v)", h1, h2, err)
	}
	if h3, _ := s.PasskeyHandle(ctx, other.ID); bytes.Equal(h1, h3) {
		t.Error("two accounts share a user handle")
	}
	if got, err := s.UserByPasskeyHandle(ctx, h1); err != nil || got.ID != u.ID {
		t.Errorf("account by handle: %+v, %v", got, err)
	}
	if _, err := s.UserByPasskeyHandle(ctx, []byte("nobody")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown handle: %v", err)
	}

	if err := s.CreateSession(ctx, store.Session{TokenHash: "pk-sess", UserID: u.ID, CSRF: "c", MFAEnrol: true}); err != nil {
		t.Fatal(err)
	}
	p := store.Passkey{Name: "laptop", RPID: "ward.example", CredentialID: "Y3JlZDE", Credential: []byte(`{"id":"1"}`), SignCount: 1}
	p, err = s.AddPasskey(ctx, u.Email, u.ID, p)
	if err != nil || p.ID == 0 || p.Created.IsZero() {
		t.Fatalf("AddPasskey = %+v, %v", p, err)
	}
	if sess, _ := s.SessionByHash(ctx, "pk-sess"); sess.MFAEnrol {
		t.Error("the session is still enrol-only after a passkey was registered")
	}
	if _, err := s.AddPasskey(ctx, other.Email, other.ID, store.Passkey{Name: "x", RPID: "ward.example", CredentialID: "Y3JlZDE", Credential: []byte("{}")}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the same credential registered again: %v", err)
	}
	if _, err := s.AddPasskey(ctx, u.Email, u.ID, store.Passkey{Name: "", RPID: "ward.example", CredentialID: "eA", Credential: []byte("{}")}); err == nil {
		t.Error("a passkey without a name was kept")
	}
	p2, err := s.AddPasskey(ctx, u.Email, u.ID, store.Passkey{Name: "phone", RPID: "ward.example", CredentialID: "Y3JlZDI", Credential: []byte(`{"id":"2"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RenewRecovery(ctx, u.Email, u.ID, []string{"pk-r1", "pk-r2"}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.MFA(ctx, u.ID); err != nil || st.Passkeys != 2 || st.TOTP || !st.On() || st.RecoveryLeft != 2 {
		t.Errorf("MFA with two passkeys = %+v, %v", st, err)
	}
	list, err := s.Passkeys(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].Name != "laptop" || list[1].Name != "phone" || list[0].SignCount != 1 || string(list[0].Credential) != `{"id":"1"}` || !list[0].LastUsed.IsZero() {
		t.Fatalf("Passkeys = %+v, %v", list, err)
	}
	if l, _ := s.Passkeys(ctx, other.ID); len(l) != 0 {
		t.Errorf("another account sees %d passkeys", len(l))
	}

	// The counter moves only from the value read.
	if err := s.UsePasskey(ctx, u.ID, p.ID, 1, 5, []byte(`{"id":"1","n":5}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.UsePasskey(ctx, u.ID, p.ID, 1, 6, []byte(`{}`)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a use from a stale counter: %v", err)
	}
	if err := s.UsePasskey(ctx, other.ID, p.ID, 5, 6, []byte(`{}`)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("another account used the passkey: %v", err)
	}
	list, _ = s.Passkeys(ctx, u.ID)
	if list[0].SignCount != 5 || list[0].LastUsed.IsZero() || string(list[0].Credential) != `{"id":"1","n":5}` {
		t.Errorf("after a login: %+v", list[0])
	}
	if err := s.FlagPasskeyClone(ctx, "anonymous", u.ID, p.ID, map[string]any{"ip": "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UsePasskey(ctx, u.ID, p.ID, 5, 9, []byte(`{}`)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a passkey flagged as cloned was used: %v", err)
	}
	if list, _ = s.Passkeys(ctx, u.ID); list[0].CloneWarning.IsZero() {
		t.Error("the clone warning is not kept")
	}

	// Removal: by its owner only; kept, not listed, not usable.
	if err := s.RetirePasskey(ctx, other.Email, other.ID, p2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another account removed the passkey: %v", err)
	}
	if err := s.RetirePasskey(ctx, u.Email, u.ID, p2.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RetirePasskey(ctx, u.Email, u.ID, p2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	if err := s.UsePasskey(ctx, u.ID, p2.ID, 0, 1, []byte(`{}`)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a removed passkey was used: %v", err)
	}
	if list, _ = s.Passkeys(ctx, u.ID); len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("after removal: %+v", list)
	}
	if st, _ := s.MFA(ctx, u.ID); st.RecoveryLeft != 2 {
		t.Errorf("a passkey is left, yet %d recovery codes are, want 2", st.RecoveryLeft)
	}
	if n, err := s.ResetPasskeys(ctx, "ops@acme.example", u.ID); err != nil || n != 1 {
		t.Errorf("reset: %d, %v", n, err)
	}
	if _, err := s.ResetPasskeys(ctx, "ops@acme.example", u.ID); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("reset twice: %v", err)
	}
	if st, _ := s.MFA(ctx, u.ID); st.Passkeys != 0 || st.On() || st.RecoveryLeft != 0 {
		t.Errorf("after reset MFA = %+v", st)
	}
	if _, err := s.AddPasskey(ctx, u.Email, u.ID, store.Passkey{Name: "again", RPID: "ward.example", CredentialID: "Y3JlZDI", Credential: []byte("{}")}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a removed credential registered again: %v", err)
	}

	// Ceremonies: taken once.
	c := store.PasskeyCeremony{Kind: "login", UserID: u.ID, BoundTo: "mfa-hash", Session: []byte(`{"challenge":"abc"}`)}
	if err := s.CreatePasskeyCeremony(ctx, "cer1", c, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePasskeyCeremony(ctx, "cer2", store.PasskeyCeremony{Kind: "other", UserID: u.ID, Session: []byte("{}")}, time.Now()); err == nil {
		t.Error("a ceremony of an unknown kind was kept")
	}
	var wg sync.WaitGroup
	got := make([]error, 4)
	var took store.PasskeyCeremony
	var mu sync.Mutex
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.TakePasskeyCeremony(ctx, "cer1")
			got[i] = err
			if err == nil {
				mu.Lock()
				took = c
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range got {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("taking a ceremony: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("a ceremony was taken %d times by four at once, want once", wins)
	}
	if took.Kind != "login" || took.UserID != u.ID || took.BoundTo != "mfa-hash" || string(took.Session) != `{"challenge":"abc"}` || time.Since(took.Created) > time.Hour {
		t.Errorf("ceremony read back as %+v", took)
	}
	if _, err := s.TakePasskeyCeremony(ctx, "cer1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a ceremony taken again: %v", err)
	}
	if _, err := s.TakePasskeyCeremony(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown ceremony: %v", err)
	}
	// Challenges past their lifetime are deleted when the next is made:
	// transient protocol state, not records.
	old := time.Now().Add(-store.PasskeyCeremonyTTL - time.Minute)
	if err := s.CreatePasskeyCeremony(ctx, "cer-old", c, old); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePasskeyCeremony(ctx, "cer-new", c, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakePasskeyCeremony(ctx, "cer-old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired challenge was kept: %v", err)
	}
	if _, err := s.TakePasskeyCeremony(ctx, "cer-new"); err != nil {
		t.Errorf("a fresh challenge: %v", err)
	}

	log, err := s.AccountLog(ctx, u.Email, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{store.EventPasskeyRegistered, store.EventPasskeyRetired, store.EventPasskeyClone, store.EventPasskeyReset} {
		if !slices.Contains(actions, want) {
			t.Errorf("the trail lacks %s: %v", want, actions)
		}
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		t.Error(err)
	}
}
