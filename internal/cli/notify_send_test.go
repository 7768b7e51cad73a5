package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ward/internal/cli"
	"ward/internal/notify"
	"ward/internal/notify/notifytest"
	"ward/internal/store/storetest"
)

// The demo as of 2026-11-17: the breach notice to the covered entity is 3
// days out (an alert), the incident is new (alerts to both officers),
// the BAA with SendGrid has expired (an alert), and six people have a
// digest.
const notifyDay = "2026-11-17"

// TestNotifySendExactlyOnceAcrossAKill: what `ward notify --dry-run`
// prints is what a real SMTP server on loopback receives, each message
// exactly once, although the first sender is killed (SIGKILL) between two
// messages and a second one finishes the work; a third send finds nothing
// to do. On SQLite and PostgreSQL.
func TestNotifySendExactlyOnceAcrossAKill(t *testing.T) {
	if args := os.Getenv("WARD_NOTIFY_CHILD"); args != "" {
		var a []string
		json.Unmarshal([]byte(args), &a)
		os.Exit(cli.Main(context.Background(), a, strings.NewReader(""), os.Stdout, os.Stderr))
	}
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.URL(t)
			if code, out, errs := wardAt(t, db, "", "apply", "-f", cli.DemoDir); code != 0 {
				t.Fatalf("apply: %d %s %s", code, out, errs)
			}
			code, out, errs := wardAt(t, db, "", "notify", "--dry-run", "--format", "json", "--as-of", notifyDay, "--base-url", "https://ward.example")
			if code != 0 {
				t.Fatalf("notify --dry-run: %d %s", code, errs)
			}
			var plan struct {
				Messages []notify.Message `json:"messages"`
			}
			if err := json.Unmarshal([]byte(out), &plan); err != nil {
				t.Fatal(err)
			}
			if len(plan.Messages) < 6 {
				t.Fatalf("the dry run plans %d messages; the demo on %s has more", len(plan.Messages), notifyDay)
			}

			srv := notifytest.Start(t)
			const killAt = 3 // the third connection: two messages are sent and marked
			reached := make(chan struct{})
			hold := make(chan struct{})
			srv.OnSession = func(n int) {
				if n == killAt {
					close(reached)
					<-hold
				}
			}
			const lease = 3 * time.Second
			send := []string{"--db", db, "notify", "send", "--as-of", notifyDay, "--lease", lease.String(), "--smtp-url", srv.URL(),
				"--smtp-from", "ward <ward@acme-health.example>", "--base-url", "https://ward.example"}
			child := func() *exec.Cmd {
				a, _ := json.Marshal(send)
				cmd := exec.Command(os.Args[0], "-test.run=^TestNotifySendExactlyOnceAcrossAKill$")
				cmd.Env = append(os.Environ(), "WARD_NOTIFY_CHILD="+string(a))
				cmd.Stderr = os.Stderr
				return cmd
			}
			first := child()
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-reached:
			case <-time.After(60 * time.Second):
				first.Process.Kill()
				t.Fatal("the sender never opened a third connection")
			}
			first.Process.Signal(syscall.SIGKILL)
			first.Wait()
			close(hold)
			if n := len(srv.Received()); n != killAt-1 {
				t.Fatalf("before the kill the server had %d messages, want %d", n, killAt-1)
			}

			// The message the killed sender had claimed is its own until
			// the lease lapses; the restarted sender then takes it.
			time.Sleep(lease)
			var out2 bytes.Buffer
			second := child()
			second.Stdout = &out2
			if err := second.Run(); err != nil {
				t.Fatalf("the second sender: %v\n%s", err, out2.String())
			}
			if !strings.Contains(out2.String(), "queued 0,") {
				t.Errorf("the second sender queued again: %s", out2.String())
			}

			got := srv.Received()
			var gotKeys, wantKeys []string
			for _, m := range got {
				gotKeys = append(gotKeys, m.To+" "+m.Kind+" "+m.Subject)
			}
			byID := map[string]int{}
			for _, m := range got {
				byID[m.MessageID]++
			}
			for id, n := range byID {
				if n > 1 {
					t.Errorf("Message-ID %s received %d times", id, n)
				}
			}
			for _, m := range plan.Messages {
				wantKeys = append(wantKeys, m.To+" "+m.Kind+" "+m.Subject)
				// The body lists every item of the dry run, with its link.
				for _, r := range got {
					if r.To == m.To && r.Subject == m.Subject {
						for _, it := range m.Items {
							if !strings.Contains(r.Body, it.Title) || (it.Link != "" && !strings.Contains(r.Body, it.Link)) {
								t.Errorf("%s %q: the body lacks %q (%s):\n%s", m.To, m.Subject, it.Title, it.Link, r.Body)
							}
						}
					}
				}
			}
			slices.Sort(gotKeys)
			slices.Sort(wantKeys)
			if !slices.Equal(gotKeys, wantKeys) {
				t.Errorf("received (%d):\n  %s\nwant what the dry run printed (%d):\n  %s", len(gotKeys), strings.Join(gotKeys, "\n  "), len(wantKeys), strings.Join(wantKeys, "\n  "))
			}

			// Once more: nothing is queued or sent.
			code, out, errs = wardAt(t, db, "", send[2:]...)
			if code != 0 || !strings.Contains(out, "queued 0, sent 0, failed 0") {
				t.Errorf("a third send: %d %s %s", code, out, errs)
			}
			if n := len(srv.Received()); n != len(wantKeys) {
				t.Errorf("after a third send the server has %d messages, want %d", n, len(wantKeys))
			}
			// The delivery log says so.
			code, out, _ = wardAt(t, db, "", "notify", "log", "--format", "json")
			var log struct {
				Deliveries []struct {
					Status   string `json:"status"`
					Attempts int    `json:"attempts"`
				} `json:"deliveries"`
			}
			json.Unmarshal([]byte(out), &log)
			if code != 0 || len(log.Deliveries) != len(wantKeys) {
				t.Fatalf("notify log: %d, %d deliveries, want %d", code, len(log.Deliveries), len(wantKeys))
			}
			for _, d := range log.Deliveries {
				if d.Status != "sent" {
					t.Errorf("a delivery is %s", d.Status)
				}
			}
		})
	}
}

// TestNotifySMTPURLErrors: a bad --smtp-url or a missing sender exits 2
// and never prints the password.
func TestNotifySMTPURLErrors(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/w.db"
	wardAt(t, db, "", "apply", "-f", cli.DemoDir)
	for _, a := range [][]string{
		{"--smtp-url", "http://user:hunter2hunter2@mail.example"},
		{"--smtp-url", "smtp://user:hunter2hunter2@mail.example:587"},
	} {
		code, out, errs := wardAt(t, db, "", append([]string{"notify", "send"}, a...)...)
		if code != cli.ExitBadInput || strings.Contains(out+errs, "hunter2") {
			t.Errorf("%v: exit %d, %s%s", a, code, out, errs)
		}
	}
	code, _, errs := wardAt(t, db, "", "notify")
	if code != cli.ExitBadInput || !strings.Contains(errs, "--dry-run") {
		t.Errorf("notify without --dry-run: %d %s", code, errs)
	}
	_ = fmt.Sprint
}

// TestNotifyScanTurnsControlNotMet: a Prowler import whose checks fail on
// controls that were met alerts each control's owner once, by webhook,
// signed; sending again alerts nothing more.
func TestNotifyScanTurnsControlNotMet(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := wardAt(t, db, "", "apply", "-f", cli.DemoDir); code != 0 {
		t.Fatal(errs)
	}
	var mu sync.Mutex
	var alerts []notify.WebhookBody
	const secret = "a-webhook-secret-of-some-length"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if notify.Sign(secret, r.Header.Get(notify.HeaderTimestamp), body) != r.Header.Get(notify.HeaderSignature) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var b notify.WebhookBody
		json.Unmarshal(body, &b)
		mu.Lock()
		if b.Kind == notify.MessageAlert && b.Items[0].Kind == notify.KindControlNotMet {
			alerts = append(alerts, b)
		}
		mu.Unlock()
	}))
	defer srv.Close()
	sf := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(sf, []byte(secret), 0o600)
	if code, out, errs := wardAt(t, db, "", "notify", "webhook", "add", srv.URL, "--secret-file", sf); code != 0 {
		t.Fatal(out, errs)
	}
	send := func(day string) {
		t.Helper()
		if code, out, errs := wardAt(t, db, "", "notify", "send", "--as-of", day); code != 0 {
			t.Fatalf("send %s: %d %s %s", day, code, out, errs)
		}
	}
	send("2026-11-24")
	if len(alerts) != 0 {
		t.Fatalf("control alerts before any scan: %+v", alerts)
	}
	if code, _, errs := wardAt(t, db, "", "import", "prowler", "../../examples/files/prowler-acme-prod-2026-11-25.ocsf.json"); code != 0 {
		t.Fatal(errs)
	}
	send("2026-11-26")
	send("2026-11-26")
	var got []string
	for _, a := range alerts {
		got = append(got, a.To+" "+a.Items[0].Subject)
	}
	slices.Sort(got)
	want := []string{"raj@acme-health.example access-review", "raj@acme-health.example mfa", "sam@acme-health.example encryption-at-rest"}
	if !slices.Equal(got, want) {
		t.Errorf("control alerts %v, want %v", got, want)
	}
}
