package web_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestBrowserLoginOverviewIdleLogoff is what a person sees in Chromium:
// the login form, the overview after logging in, and the page going back
// to the login by itself when the idle time passes (HIPAA automatic
// logoff, 164.312(a)(2)(iii)): the screen must not keep showing PHI.
// Real time, a 5-second idle timeout: short, but long enough for the
// checks on the overview on a busy two-core machine.
func TestBrowserLoginOverviewIdleLogoff(t *testing.T) {
	b := browsertest.New(t)
	// Long enough that a loaded two-core machine finishes the checks
	// before the log-off; the waits below allow for the same machine.
	const idle = 10 * time.Second
	e := webtest.NewEnv(t, kit.Config{IdleTimeout: idle})
	u := e.Users[store.RoleEditor]

	b.Navigate(e.HTTP.URL + "/orgs/alpha")
	if !strings.Contains(b.URL(), "/login?next=%2Forgs%2Falpha") {
		t.Errorf("logged out, the overview went to %s, want the login with next", b.URL())
	}
	b.WaitVisible(`input[name="email"]`)
	b.Screenshot("login")
	b.Fill(`input[name="email"]`, u.Email)
	b.Fill(`input[name="password"]`, u.Password)
	start := time.Now()
	b.Click(`button[type="submit"]`)

	b.WaitText("main h1", "Alpha Health", 20*time.Second)
	counts := b.Text(".counts")
	for _, want := range []string{"2\nSystems", "1\nVendor", "1\nPerson"} {
		if !strings.Contains(counts, want) {
			t.Errorf("counts read %q, want %q", counts, want)
		}
	}
	changes := b.Text("table.table")
	for _, want := range []string{"patient-api", "billing-db", "dana@alpha.example", "create"} {
		if !strings.Contains(changes, want) {
			t.Errorf("last changes read %q, want %q", changes, want)
		}
	}
	if n := b.Count(".sidebar a"); n < 2 {
		t.Errorf("sidebar has %d links", n)
	}
	cookie, ok := b.Cookie("ward_session")
	if !ok {
		t.Fatal("no session cookie in the browser after logging in")
	}
	b.Screenshot("overview")
	if time.Since(start) > idle*4/5 {
		t.Log("warning: the checks above took most of the idle timeout; a slow machine may race the log-off")
	}

	// The menu leads to the audit trail; a page load is activity, so the
	// idle clock starts again there.
	b.Click(`.sidebar a[href="/orgs/alpha/audit"]`)
	start = time.Now()
	b.WaitText("main h1", "Audit trail", 20*time.Second)
	entries, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rows := b.Count("table.table tbody tr"); rows != len(entries) {
		t.Errorf("audit trail shows %d rows, the store holds %d entries", rows, len(entries))
	}
	b.Screenshot("audit")

	// No one touches the page: the idle script sends it to the login.
	notice := b.WaitText(".notice", "logged off", 3*idle)
	if notice != "You were logged off after 10 seconds of inactivity." {
		t.Errorf("notice %q", notice)
	}
	if waited := time.Since(start); waited < idle {
		t.Errorf("logged off after %v, before the %v idle timeout", waited, idle)
	}
	if url := b.URL(); !strings.Contains(url, "/login?reason=idle") || !strings.Contains(url, "next=%2Forgs%2Falpha%2Faudit") {
		t.Errorf("logged-off page is %s", url)
	}
	if strings.Contains(b.Text("body"), "patient-api") {
		t.Error("the logged-off page still shows the organization's records")
	}
	b.Screenshot("logged-off")

	// The server ended the session too, and the browser dropped it.
	if _, err := e.Store.SessionByHash(context.Background(), auth.TokenHash(cookie)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session is not ended on the server: %v", err)
	}
	if _, ok := b.Cookie("ward_session"); ok {
		t.Error("the browser still holds the session cookie")
	}
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("the pages caused browser errors (CSP violations, script errors): %q", p)
	}
}
