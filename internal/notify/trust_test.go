package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"ward/internal/date"
	"ward/internal/notify/notifytest"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

// TestTrustMailSentOnce: a subprocessor added to a trust center with a
// subscriber queues one notice; two runners' ticks (what `ward notify
// send` and the server run) deliver it by SMTP exactly once, with its
// relative link made absolute, and mark it sent in the trust center's
// outbox on the audit trail. On SQLite and PostgreSQL.
func TestTrustMailSentOnce(t *testing.T) {
	ws := load(t, "acme-health")
	day := date.MustParse("2026-11-17")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			s, org := openAcme(t, eng)
			o := s.Org(org)
			if _, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			// Double opt-in: subscribed, then confirmed through the link.
			if _, err := o.Subscribe(ctx, "vrm@mercy.example", "vrm@mercy.example", "confirm-hash", time.Now().Add(store.SubscriptionTTL)); err != nil {
				t.Fatal(err)
			}
			if _, err := o.ConfirmSubscription(ctx, "confirm-hash"); err != nil {
				t.Fatal(err)
			}
			if _, err := o.Put(ctx, "raj@acme.example", store.KindVendor, "scribe", workspace.Vendor{ID: "scribe", Name: "Scribe Labs", Services: []string{"visit transcription"}, Location: "United States"}); err != nil {
				t.Fatal(err)
			}
			queued, _ := o.Outbox(ctx, false)
			if len(queued) != 1 || queued[0].Kind != "subprocessor-notice" {
				t.Fatalf("trust outbox: %+v, want one subprocessor notice", queued)
			}
			srv := notifytest.Start(t)
			m, err := ParseSMTP(srv.URL(), "", "ward <ward@acme-health.example>")
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"a", "b"} {
				r := &Runner{Store: s, Mail: m, ID: id, BaseURL: "https://ward.example/", Lease: time.Minute}
				if _, _, _, err := r.Tick(ctx, day); err != nil {
					t.Fatalf("runner %s: %v", id, err)
				}
			}
			var got []notifytest.Mail
			for _, g := range srv.Received() {
				if g.Kind == "subprocessor-notice" {
					got = append(got, g)
				}
			}
			if len(got) != 1 {
				t.Fatalf("the subscriber received %d notices, want exactly 1", len(got))
			}
			g := got[0]
			if g.To != "vrm@mercy.example" || g.Subject != queued[0].Subject || !strings.Contains(g.Body, "Scribe Labs") {
				t.Errorf("notice to %s %q: %.300s", g.To, g.Subject, g.Body)
			}
			if !strings.Contains(g.Body, "https://ward.example/trust/acme-health#subprocessors") || strings.Contains(g.Body, " /trust/") {
				t.Errorf("the link is not absolute: %.500s", g.Body)
			}
			if left, _ := o.Outbox(ctx, false); len(left) != 0 {
				t.Errorf("still unsent in the trust outbox: %+v", left)
			}
			all, _ := o.Outbox(ctx, true)
			if len(all) != 1 || all[0].Sent.IsZero() {
				t.Errorf("trust outbox after sending: %+v", all)
			}
			trail, err := o.AuditAll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			marks := 0
			for _, e := range trail {
				if e.Kind == "trust_outbox" && e.Action == "sent" && e.Key == queued[0].ID {
					marks++
					if e.Actor != TrustActor {
						t.Errorf("marked sent by %q, want %q", e.Actor, TrustActor)
					}
				}
			}
			if marks != 1 {
				t.Errorf("%d 'sent' entries for the notice on the audit trail, want 1", marks)
			}
			// Sent once: it cannot be marked sent again.
			if err := o.MarkSent(ctx, "raj@acme.example", queued[0].ID); err == nil {
				t.Error("marking the sent notice again succeeded")
			}
		})
	}
}
