package storetest

import (
	"testing"

	"ward/internal/store"
)

// testNotifySettingsAudited: a webhook and a calendar feed token are
// changed in the same transaction as their audit entry. A change the
// trail cannot record (here: no actor) writes nothing; one it can is on
// the trail, with its actor, and the trail still verifies.
func testNotifySettingsAudited(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	if _, err := o.AddWebhook(ctx, "", "https://hooks.example/x", "0123456789abcdef-secret"); err == nil {
		t.Error("a webhook without an actor was accepted")
	}
	if _, err := o.CreateCalToken(ctx, "", 0, "hash-without-actor"); err == nil {
		t.Error("a calendar token without an actor was accepted")
	}
	if hs, _ := o.Webhooks(ctx, true); len(hs) != 0 {
		t.Errorf("a refused webhook was stored: %+v", hs)
	}
	if ts, _ := o.CalTokens(ctx, 0); len(ts) != 0 {
		t.Errorf("a refused calendar token was stored: %+v", ts)
	}
	if _, err := s.CalTokenByHash(ctx, "hash-without-actor"); err == nil {
		t.Error("a refused calendar token opens the feed")
	}

	h, err := o.AddWebhook(ctx, "dana@acme.example", "https://hooks.example/y", "0123456789abcdef-secret")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := o.CreateCalToken(ctx, "dana@acme.example", 0, "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	// Retiring and revoking without an actor write nothing either.
	if err := o.RetireWebhook(ctx, "", h.ID); err == nil {
		t.Error("retiring a webhook without an actor was accepted")
	}
	if err := o.RevokeCalToken(ctx, "", 0, tok.ID); err == nil {
		t.Error("revoking a calendar token without an actor was accepted")
	}
	if hs, _ := o.Webhooks(ctx, false); len(hs) != 1 {
		t.Errorf("live webhooks after a refused retire: %+v", hs)
	}
	if _, err := s.CalTokenByHash(ctx, "hash-1"); err != nil {
		t.Errorf("the token stopped opening the feed after a refused revoke: %v", err)
	}
	if err := o.RetireWebhook(ctx, "raj@acme.example", h.ID); err != nil {
		t.Fatal(err)
	}
	if err := o.RevokeCalToken(ctx, "raj@acme.example", 0, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := o.RetireWebhook(ctx, "raj@acme.example", h.ID); err == nil {
		t.Error("a retired webhook was retired again")
	}
	all, err := o.AuditAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		if e.Action != "org.create" {
			got = append(got, e.Actor+" "+e.Action)
		}
	}
	want := []string{"dana@acme.example notify.webhook.add", "dana@acme.example calendar.token.create", "raj@acme.example notify.webhook.retire", "raj@acme.example calendar.token.revoke"}
	if len(got) != len(want) {
		t.Fatalf("trail %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("trail entry %d: %q, want %q", i+1, got[i], want[i])
		}
	}
	if err := o.VerifyAudit(ctx); err != nil {
		t.Errorf("the trail does not verify: %v", err)
	}
}
