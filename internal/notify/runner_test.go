package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"

	_ "modernc.org/sqlite"
)

// receiver is a webhook endpoint that checks the signature the way a
// receiver's documentation would tell it to: recompute HMAC-SHA256 over
// timestamp "." body with the shared secret, compare in constant time,
// refuse a stale timestamp.
type receiver struct {
	secret   string
	failures int // answer 503 this many times first
	mu       sync.Mutex
	calls    int
	accepted []WebhookBody
	bad      int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts := r.Header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	want := Sign(rc.secret, ts, body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute || !hmac.Equal([]byte(want), []byte(r.Header.Get(HeaderSignature))) {
		rc.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.failures > 0 {
		rc.failures--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	var b WebhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.accepted = append(rc.accepted, b)
}

// openAcme opens a store on eng, closed when the test ends, holding one
// organization, acme-health.
func openAcme(t *testing.T, eng storetest.Engine) (*store.Store, store.Org) {
	t.Helper()
	s, err := store.Open(context.Background(), eng.URL(t), store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	org, err := s.CreateOrg(context.Background(), "test", "acme-health", "Acme Health")
	if err != nil {
		t.Fatal(err)
	}
	return s, org
}

// TestWebhookSignedRetriedOnce: every planned message reaches the
// webhook signed; a receiver that fails twice then succeeds gets each
// message once (and is called three times for the first); a webhook
// with the wrong secret on record is refused by the receiver and the
// delivery log says so. On SQLite and PostgreSQL.
func TestWebhookSignedRetriedOnce(t *testing.T) {
	ws := load(t, "acme-health")
	day := date.MustParse("2026-11-17")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			s, org := openAcme(t, eng)
			rc := &receiver{secret: "0123456789abcdef-right", failures: 2}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			wrong := &receiver{secret: "0123456789abcdef-other"}
			srv2 := httptest.NewServer(wrong)
			defer srv2.Close()
			o := s.Org(org)
			if _, err := o.AddWebhook(ctx, "test", srv.URL, rc.secret); err != nil {
				t.Fatal(err)
			}
			if _, err := o.AddWebhook(ctx, "test", srv2.URL, "0123456789abcdef-right"); err != nil {
				t.Fatal(err)
			}
			r := &Runner{Store: s, Backoff: func(int) time.Duration { return 0 }, MaxAttempts: 3, Lease: time.Minute}
			n, err := r.Queue(ctx, org, ws, day)
			if err != nil {
				t.Fatal(err)
			}
			want := len(Plan(ws, day, "acme-health", Options{}))
			if n != 2*want {
				t.Fatalf("queued %d, want %d messages for each of 2 webhooks", n, want)
			}
			if again, _ := r.Queue(ctx, org, ws, day); again != 0 {
				t.Errorf("planning the day again queued %d", again)
			}
			sent, failed, err := r.Deliver(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if sent != want || len(rc.accepted) != want {
				t.Errorf("sent %d, the receiver accepted %d, want %d each", sent, len(rc.accepted), want)
			}
			if rc.calls != want+2 || rc.bad != 0 {
				t.Errorf("the receiver was called %d times (%d bad signatures), want %d", rc.calls, rc.bad, want+2)
			}
			seen := map[string]bool{}
			for _, b := range rc.accepted {
				if seen[b.Key] {
					t.Errorf("message %s accepted twice", b.Key)
				}
				seen[b.Key] = true
				if b.Text == "" || len(b.Items) == 0 {
					t.Errorf("body %+v lacks text or items", b)
				}
			}
			// The wrong secret: three attempts each, then failed.
			if wrong.bad != 3*want || failed != 2+3*want {
				t.Errorf("wrong secret: %d refused, %d failures counted; want %d and %d", wrong.bad, failed, 3*want, 2+3*want)
			}
			if s2, f2, _ := r.Deliver(ctx); s2+f2 != 0 {
				t.Errorf("a second delivery round did %d+%d", s2, f2)
			}
			log, err := s.Outbox(ctx, org.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			st := map[string]int{}
			for _, m := range log {
				st[m.Status]++
				if m.Status == store.OutboxFailed && m.LastError == "" {
					t.Errorf("a failed delivery without its error: %+v", m)
				}
			}
			if st[store.OutboxSent] != want || st[store.OutboxFailed] != want {
				t.Errorf("delivery log statuses %v, want %d sent and %d failed", st, want, want)
			}
		})
	}
}

// TestClaimOnce: two runners claiming at once never get the same
// message.
func TestClaimOnce(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, eng.URL(t), store.Options{BlobDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			org, _ := s.CreateOrg(ctx, "test", "a", "A")
			for i := range 40 {
				if _, err := s.Enqueue(ctx, store.Outbound{OrgID: org.ID, Channel: "email", Key: strconv.Itoa(i), Recipient: "x@y", Kind: "digest", Subject: "s", Body: "{}"}); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			got := map[int64]string{}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						m, err := s.Claim(ctx, "w"+strconv.Itoa(w), time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if m == nil {
							return
						}
						mu.Lock()
						if prev, dup := got[m.ID]; dup {
							t.Errorf("message %d claimed by %s and w%d", m.ID, prev, w)
						}
						got[m.ID] = "w" + strconv.Itoa(w)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(got) != 40 {
				t.Errorf("%d of 40 claimed", len(got))
			}
		})
	}
}

// TestWatchNeedsReadRole: what a person watches beyond their own items
// reaches them only while their account may read the organization (viewer
// or above, not disabled). A workforce member sees only their own tasks
// (the web refuses them a watch list), yet preferences are kept per
// e-mail address, for every organization: one saved while a viewer here
// or elsewhere must not mail a member, a person whose role was removed,
// or a disabled account this organization's breach notices, privacy
// requests and risks. On SQLite and PostgreSQL.
func TestWatchNeedsReadRole(t *testing.T) {
	ws := load(t, "acme-health")
	day := date.MustParse("2026-11-17")
	all := `{"no_digest":false,"no_alerts":false,"watch":["all"]}`
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			s, org := openAcme(t, eng)
			other, err := s.CreateOrg(ctx, "test", "harbor", "Harbor")
			if err != nil {
				t.Fatal(err)
			}
			// Four people of the workspace, each watching everything.
			roles := map[string]struct {
				here, elsewhere string
				disabled        bool
			}{
				"lena@acme-health.example":  {here: store.RoleViewer},
				"tom@acme-health.example":   {here: store.RoleMember, elsewhere: store.RoleViewer},
				"priya@acme-health.example": {elsewhere: store.RoleAdmin},
				"noah@acme-health.example":  {here: store.RoleEditor, disabled: true},
			}
			for email, r := range roles {
				u, err := s.CreateUser(ctx, "test", email, email, "x")
				if err != nil {
					t.Fatal(err)
				}
				if r.here != "" {
					if err := s.SetRole(ctx, "test", u.ID, org, r.here); err != nil {
						t.Fatal(err)
					}
				}
				if r.elsewhere != "" {
					if err := s.SetRole(ctx, "test", u.ID, other, r.elsewhere); err != nil {
						t.Fatal(err)
					}
				}
				if r.disabled {
					if err := s.DisableUser(ctx, "test", u.ID); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.SetNotifyPrefs(ctx, "user:"+email, email, all); err != nil {
					t.Fatal(err)
				}
			}
			msgs, err := Planned(ctx, s, org, ws, day, "", false)
			if err != nil {
				t.Fatal(err)
			}
			// What each would get watching nothing: their own items only.
			own := map[string]int{}
			for _, m := range Plan(ws, day, "acme-health", Options{}) {
				own[m.To] += len(m.Items)
			}
			got := map[string]int{}
			for _, m := range msgs {
				got[m.To] += len(m.Items)
			}
			for email, r := range roles {
				if r.here == store.RoleViewer {
					if got[email] <= own[email] {
						t.Errorf("%s (viewer here) watching all gets %d items, no more than their own %d", email, got[email], own[email])
					}
					continue
				}
				if got[email] != own[email] {
					t.Errorf("%s (role here %q, %q elsewhere, disabled %v) watching all gets %d items, want only their own %d", email, r.here, r.elsewhere, r.disabled, got[email], own[email])
				}
			}
		})
	}
}
