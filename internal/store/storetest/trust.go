package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/store"
	"ward/internal/trust"
	"ward/internal/workspace"
)

// testTrustCenter: the trust center's records on both engines. Enabling
// it takes the subprocessor list as its baseline (nothing announced);
// a vendor added by apply is one change, effective after the promised
// notice, with one queued notice per subscriber, in the same transaction;
// applying the same files again announces nothing; a download link is
// spent once however many try at the same time; another organization
// sees none of it.
func testTrustCenter(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	other := mustOrg(t, s, "other")
	ws := Acme()
	mustApply(t, o, ws)
	subscribe := func(email, tok string) {
		t.Helper()
		if _, err := o.Subscribe(ctx, "subscriber:"+email, email, tok, time.Now().Add(store.SubscriptionTTL)); err != nil {
			t.Fatal(err)
		}
	}
	subscribe("VRM@Mercy.example", "tok-x")
	if _, err := o.ConfirmSubscription(ctx, "tok-x"); err != nil {
		t.Fatal(err)
	}
	// Double opt-in: a link works once; an address that never confirms
	// receives nothing; a confirmed one is not asked again.
	if _, err := o.ConfirmSubscription(ctx, "tok-x"); !errors.Is(err, store.ErrConfirmUsed) {
		t.Errorf("a confirmation link used twice: %v", err)
	}
	if _, err := other.ConfirmSubscription(ctx, "tok-x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another organization's link: %v", err)
	}
	if _, err := o.Subscribe(ctx, "subscriber:x", "vrm@mercy.example", "tok-x2", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("a confirmed address subscribing again: %v", err)
	}
	subscribe("pending@nowhere.example", "tok-p")
	if _, err := o.Subscribe(ctx, "subscriber:late", "late@nowhere.example", "tok-late", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ConfirmSubscription(ctx, "tok-late"); !errors.Is(err, store.ErrConfirmExpired) {
		t.Errorf("an expired confirmation link: %v", err)
	}
	ws.Organization.Trust = &workspace.Trust{Enabled: true, Public: workspace.TrustSections, SubprocessorNoticeDays: 30}
	mustApply(t, o, ws)
	if cs, _ := o.SubprocessorChanges(ctx); len(cs) != 0 {
		t.Fatalf("enabling announced %+v: the first list is the baseline", cs)
	}
	subscribe("security@lakeshore.example", "tok-y")
	if _, err := o.ConfirmSubscription(ctx, "tok-y"); err != nil {
		t.Fatal(err)
	}
	// A subscription stored before double opt-in existed (no
	// unconfirmed field, no confirmation) still receives notices; asking
	// again is no change, so no confirmation mail goes to it.
	if _, err := o.Put(ctx, "subscriber:legacy@old.example", store.KindTrustSubscriber, "legacy@old.example", map[string]any{"email": "legacy@old.example", "since": "2026-01-05T10:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Subscribe(ctx, "subscriber:legacy", "legacy@old.example", "tok-legacy", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrNoChange) {
		t.Errorf("a subscription from before double opt-in subscribing again: %v", err)
	}
	ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "scribe", Name: "Scribe Labs", Services: []string{"transcription"}})
	mustApply(t, o, ws)
	mustApply(t, o, ws)
	cs, err := o.SubprocessorChanges(ctx)
	if err != nil || len(cs) != 1 || cs[0].Vendor != "scribe" || cs[0].Action != trust.ActionAdded || !cs[0].Effective.Equal(cs[0].Announced.AddDays(30)) {
		t.Fatalf("changes = %+v, %v", cs, err)
	}
	mails, err := o.Outbox(ctx, false)
	if err != nil || len(mails) != 3 {
		t.Fatalf("outbox = %+v, %v: want one notice per confirmed subscriber and the one from before confirmation existed", mails, err)
	}
	to := map[string]bool{}
	for _, m := range mails {
		to[m.To] = true
		if !strings.Contains(m.Subject, "Scribe Labs") {
			t.Errorf("notice %+v", m)
		}
	}
	if len(to) != 3 || !to["legacy@old.example"] || to["pending@nowhere.example"] {
		t.Errorf("notices went to %v: want vrm, security and the earlier subscriber, not the pending one", to)
	}
	if err := o.MarkSent(ctx, "sender", mails[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := o.MarkSent(ctx, "sender", mails[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("marking a sent mail again: %v", err)
	}
	if left, _ := o.Outbox(ctx, false); len(left) != 2 {
		t.Errorf("%d pending after one sent", len(left))
	}
	all, _ := o.Outbox(ctx, true)
	sent := 0
	for _, m := range all {
		if !m.Sent.IsZero() {
			sent++
		}
	}
	if len(all) != 3 || sent != 1 {
		t.Errorf("all mails %+v: want three, one sent", all)
	}

	// A request, approved, spent once.
	now := time.Now().UTC()
	req := trust.Request{ID: "tr-00112233aabbccdd", Document: "pen", Name: "Ana", Email: "ana@x.example", Company: "X", NDA: trust.NDAVersion(), Requested: now, Status: trust.RequestPending}
	if err := o.AddTrustRequest(ctx, "requester:ana@x.example", req); err != nil {
		t.Fatal(err)
	}
	if err := o.AddTrustRequest(ctx, "requester:ana@x.example", req); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the same request twice: %v", err)
	}
	ap := trust.Approve(req, "Pen test", "Acme Health", "https://ward.example/trust/acme", "tok-secret", "dana@acme.example", now, 72)
	if err := o.DecideTrustRequest(ctx, "dana@acme.example", ap.Request, 1, &store.Mail{ID: ap.MailID, Kind: "document-link", To: req.Email, Subject: ap.Subject, Body: ap.Body}); err != nil {
		t.Fatal(err)
	}
	if err := o.DecideTrustRequest(ctx, "dana@acme.example", ap.Request, 0, nil); !errors.Is(err, store.ErrNotPending) {
		t.Errorf("deciding twice: %v", err)
	}
	if _, err := o.UseTrustLink(ctx, req.ID, "wrong", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a wrong token: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, used := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := o.UseTrustLink(ctx, req.ID, "tok-secret", now)
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrLinkUsed):
					used++
				case errors.Is(err, store.ErrBusy):
					mu.Unlock()
					continue
				default:
					t.Errorf("use: %v", err)
				}
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	if ok != 1 || used != 7 {
		t.Errorf("eight uses at once: %d served, %d refused as used; want 1 and 7", ok, used)
	}
	got, _, err := o.TrustRequest(ctx, req.ID)
	if err != nil || got.Status != trust.RequestDownloaded || got.Downloaded.IsZero() {
		t.Errorf("after the download: %+v, %v", got, err)
	}
	// Expiry is the caller's clock.
	req2 := req
	req2.ID = "tr-99887766554433aa"
	o.AddTrustRequest(ctx, "requester:ana@x.example", req2)
	ap2 := trust.Approve(req2, "Pen test", "Acme Health", "https://ward.example/trust/acme", "tok-2", "dana@acme.example", now, 1)
	o.DecideTrustRequest(ctx, "dana@acme.example", ap2.Request, 0, nil)
	if _, err := o.UseTrustLink(ctx, req2.ID, "tok-2", now.Add(61*time.Minute)); !errors.Is(err, store.ErrLinkExpired) {
		t.Errorf("after its hour: %v", err)
	}
	if err := o.Unsubscribe(ctx, "dana@acme.example", "vrm@mercy.example"); err != nil {
		t.Error(err)
	}
	confirmed := 0
	subs, _ := o.Subscribers(ctx)
	for _, sub := range subs {
		if !sub.Pending() {
			confirmed++
		}
	}
	if len(subs) != 4 || confirmed != 2 {
		t.Errorf("subscribers after one left: %+v, want two receiving (security, the earlier one) and two pending", subs)
	}
	mustVerify(t, o)

	// The other organization sees none of it.
	if r, _ := other.TrustRequests(ctx); len(r) != 0 {
		t.Errorf("another organization lists %d requests", len(r))
	}
	if m, _ := other.Outbox(ctx, true); len(m) != 0 {
		t.Errorf("another organization's outbox holds %d", len(m))
	}
	if _, err := other.UseTrustLink(ctx, req2.ID, "tok-2", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another organization spends a link: %v", err)
	}
}
