package public_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// TestBrowserTrustCenter is the trust center as people see it in
// Chromium: the page, anonymous, with only its public sections; a
// subscription to subprocessor notices; a document request with the NDA;
// an admin's approval showing the link once; the link downloading a
// stamped PDF once and then answering that it was used; and a
// subprocessor added through the workspace appearing on the page with
// its effective date, with one notice per subscriber.
func TestBrowserTrustCenter(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{Mail: true})
	enableTrust(t, e, workspace.TrustFrameworks, workspace.TrustSubprocessors, workspace.TrustDocuments)
	ctx := context.Background()
	o := e.Store.Org(e.OrgA)

	b.Navigate(e.HTTP.URL + "/trust/alpha")
	b.WaitText("main h1", "Alpha Health trust center", 10*time.Second)
	for sel, want := range map[string]string{"#frameworks": "HIPAA", "#subprocessors": "Amazon Web Services", "#documents": "Pen test summary 2026"} {
		if got := b.Text(sel); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
	body := b.Text("body")
	for _, not := range []string{"Internal readiness draft", "Policies"} {
		if strings.Contains(body, not) {
			t.Errorf("the anonymous page shows %q, which is not public", not)
		}
	}
	if _, ok := b.Cookie("ward_session"); ok {
		t.Error("the trust page started a session")
	}
	b.Screenshot("trust-page")

	// Subscribe to subprocessor notices.
	b.Click(`a[href="/trust/alpha/subscribe"]`)
	b.Fill(`input[name="email"]`, "vrm@mercy.example")
	b.Click(`button[type="submit"]`)
	b.WaitText(".notice", "a confirmation link is on its way to vrm@mercy.example", 10*time.Second)
	// Double opt-in: the link mailed (through a real SMTP server), opened,
	// and its button pressed.
	links := newTrustMailbox(t, e).links()["vrm@mercy.example"]
	if len(links) != 1 {
		t.Fatalf("confirmation links mailed: %v", links)
	}
	b.Navigate(e.HTTP.URL + links[0])
	b.Click("#confirm")
	b.WaitText("#confirmed", "Confirmed: vrm@mercy.example will receive", 10*time.Second)

	// Request the public document.
	b.Navigate(e.HTTP.URL + "/trust/alpha")
	b.Click(`#doc-pen-test a`)
	b.Fill(`input[name="name"]`, "Jordan Reyes")
	b.Fill(`input[name="email"]`, "jreyes@mercy.example")
	b.Fill(`input[name="company"]`, "Mercy Regional Health")
	b.Click(`input[name="nda"]`)
	b.Screenshot("trust-request")
	b.Click(`button[type="submit"]`)
	b.WaitText(".notice", "Your request was recorded", 10*time.Second)

	// The admin approves in the app; the link is shown once.
	admin := e.Users[store.RoleAdmin]
	b.Navigate(e.HTTP.URL + "/login?next=/orgs/alpha/trust/requests")
	b.Fill(`input[name="email"]`, admin.Email)
	b.Fill(`input[name="password"]`, admin.Password)
	b.Click(`button[type="submit"]`)
	b.WaitText("main h1", "Trust center", 20*time.Second)
	if got := b.Text("table.trust-requests"); !strings.Contains(got, "Jordan Reyes") || !strings.Contains(got, "pending") {
		t.Errorf("requests table reads %q", got)
	}
	b.Click(`form[action$="/approve"] button`)
	b.WaitText(".notice", "Approved", 10*time.Second)
	link := get(b, "#trust-link")
	if !strings.Contains(link, "/trust/alpha/download/tr-") {
		t.Fatalf("the link shown is %q", link)
	}
	b.Screenshot("trust-approved")

	// The requester opens it: one download, a PDF stamped on each page.
	dir := t.TempDir()
	dctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	if _, err := chromedp.CallBrowser(dctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	cancel()
	b.Navigate(link)
	b.WaitText("main p", "This link works once", 10*time.Second)
	b.Click(`button[type="submit"]`)
	var pdf []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(dir, "*.pdf")); len(m) == 1 {
			pdf, _ = os.ReadFile(m[0])
			if len(pdf) > 0 {
				break
			}
		}
	}
	if len(pdf) == 0 {
		t.Fatal("no PDF downloaded")
	}
	text := pdfText(t, pdf)
	if strings.Count(text, "Jordan Reyes (Mercy Regional Health, jreyes@mercy.example)") != 2 || !strings.Contains(text, "Alpha pen test summary, page 2") {
		t.Errorf("the downloaded PDF reads %q: want the report with the stamp on both pages", text)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("script errors or CSP violations: %v", p)
	}
	// Then it is spent: 410 Gone, which the browser logs as a failed load.
	b.Navigate(link)
	b.WaitText(".alert", "already used", 10*time.Second)
	b.Screenshot("trust-link-used")
	for _, p := range b.Problems() {
		if !strings.Contains(p, "410 (Gone)") {
			t.Errorf("script error or CSP violation: %s", p)
		}
	}

	// A subprocessor added in the workspace: on the page from its
	// effective date, one notice to the one subscriber.
	ws, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "scribe", Name: "Scribe Labs", Services: []string{"visit transcription"}, Location: "United States"})
	if _, err := o.Apply(ctx, "apply", ws, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	b.Navigate(e.HTTP.URL + "/trust/alpha")
	eff := date.Of(time.Now().UTC()).AddDays(30).String()
	if got := b.WaitText("#sp-scribe", "Scribe Labs", 10*time.Second); !strings.Contains(got, "from "+eff) {
		t.Errorf("Scribe Labs row reads %q, want it effective from %s", got, eff)
	}
	if got := b.Text(".changes"); !strings.Contains(got, "New subprocessor: Scribe Labs") || !strings.Contains(got, "effective "+eff) {
		t.Errorf("announced changes read %q", got)
	}
	b.Screenshot("trust-new-subprocessor")
	mails, _ := o.Outbox(ctx, false)
	notices := 0
	for _, m := range mails {
		if m.Kind == "subprocessor-notice" {
			notices++
			if m.To != "vrm@mercy.example" || !strings.Contains(m.Subject, "Scribe Labs") {
				t.Errorf("notice %+v", m)
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d notices, want one for the one subscriber", notices)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("script errors or CSP violations: %v", p)
	}
}

// get reads an input's value.
func get(b *browsertest.Browser, selector string) string {
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(selector)))
	return v
}
