package workforce_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// cellText is the people page's cell of one person and column.
func cellText(b *browsertest.Browser, person, col string) string {
	return b.Text(`tr[data-person="` + person + `"] td[data-col="` + col + `"]`)
}

// A workforce member logs in, reads a policy and acknowledges it by
// clicking through; the compliance lead's people page, which showed the
// acknowledgement due, shows it done that day.
func TestBrowserMemberAcknowledgesPolicy(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	const col = "policy:acceptable-use"

	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/people")
	if got := cellText(b, "member@alpha.example", col); !strings.Contains(got, "due by "+d.AupApproved.AddDays(30).String()) {
		t.Errorf("before: the member's acceptable-use cell reads %q", got)
	}
	e.BrowserLogout(b)

	e.BrowserLogin(b, e.Users[store.RoleMember])
	b.WaitText("main h1", "My tasks", 5*time.Second)
	if n := b.Count(".sidebar a"); n != 1 {
		t.Errorf("a member's menu has %d links, want 1 (My tasks): %q", n, b.Text(".sidebar"))
	}
	b.Click(`tr[data-policy="acceptable-use"] a.button`)
	b.WaitText("main h1", "Acceptable use policy", 5*time.Second)
	if text := b.Text("article.policy-text"); !strings.Contains(text, "Use company devices for company work.") {
		t.Errorf("the policy's text reads %q", text)
	}
	b.Screenshot("member-reads-policy")
	b.Click(`form.ack-form input[name="read"]`)
	b.Click(`form.ack-form button[type="submit"]`)
	b.WaitText("p.notice", "Recorded: you acknowledged Acceptable use policy, version 1", 5*time.Second)
	if got := b.Text(`tr[data-policy="acceptable-use"] td.status`); !strings.Contains(got, "done "+d.Today.String()) {
		t.Errorf("after: the member's own list reads %q", got)
	}
	b.Screenshot("member-acknowledged")
	e.BrowserLogout(b)

	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/people")
	if got := cellText(b, "member@alpha.example", col); !strings.Contains(got, "done "+d.Today.String()) {
		t.Errorf("after: the people page's cell reads %q, want done %s", got, d.Today)
	}
	b.Screenshot("people-after-ack")
	e.WantAudit("create", store.KindAcknowledgement, "member@alpha.example|acceptable-use|1", "member@alpha.example")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}

// An officer approves a new version of a policy on its page; every
// member's acknowledgement then falls due again, 30 days on, on the
// people page and on a member's own list.
func TestBrowserApprovalMakesAcknowledgementsDueAgain(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	const col = "policy:sanctions"
	due := "due by " + d.Today.AddDays(30).String()

	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/people")
	if got := cellText(b, "member@alpha.example", col); !strings.Contains(got, "done") {
		t.Errorf("before: the member's sanctions cell reads %q, want done (v1 acknowledged)", got)
	}
	b.Navigate(e.HTTP.URL + "/orgs/alpha/policies/sanctions?from=1&to=2")
	if diff := b.Text(".diff"); !strings.Contains(diff, "+ Level 2: pasting PHI into an AI tool without a BAA.") {
		t.Errorf("the diff reads %q", diff)
	}
	b.Do("choose draft 2", chromedp.SetValue(chromedp.CSS(`form.approve-form select[name="draft"]`), "2"))
	b.Screenshot("officer-approves")
	b.Click(`form.approve-form button[type="submit"]`)
	b.WaitText("p.notice", "Version 2 approved by editor@alpha.example", 5*time.Second)
	if st := b.Text(`tr.version[data-version="2"] td.state`); st != "in force" {
		t.Errorf("version 2 is %q, want in force", st)
	}

	b.Navigate(e.HTTP.URL + "/orgs/alpha/people")
	for _, p := range []string{"member@alpha.example", "dana@alpha.example", "editor@alpha.example", "new@alpha.example"} {
		if got := cellText(b, p, col); !strings.Contains(got, due) {
			t.Errorf("after: %s's sanctions cell reads %q, want %q", p, got, due)
		}
	}
	if h := b.Text(`th[data-col="` + col + `"]`); !strings.Contains(strings.ToLower(h), "v2") {
		t.Errorf("the column is %q, want version 2", h)
	}
	b.Screenshot("people-after-approval")
	// The reminder list copies with one click.
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#remind-text").value`)); err != nil || !strings.Contains(got, "To: Nia New <new@alpha.example>") {
		t.Errorf("the reminder text reads %q (%v)", got, err)
	}
	b.Click(`button.copy`)
	time.Sleep(300 * time.Millisecond)
	copied, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector(".remind-card .copied").hidden`))
	cancel()
	if err != nil || !copied {
		t.Errorf("the copy button did not say it copied the reminder text (%v)", err)
	}
	b.Navigate(e.HTTP.URL + "/orgs/alpha/policies")
	if got := b.Text(`tr[data-policy="sanctions"] td.retain`); !strings.Contains(got, "v1 (superseded): "+d.Today.AddDays(-1).AddMonths(72).String()) {
		t.Errorf("the list's retention dates for sanctions read %q: v1, superseded today, is kept six years from yesterday, its last day in effect (164.316(b)(2)(i))", got)
	}
	b.Screenshot("policies-list")
	b.Navigate(e.HTTP.URL + "/orgs/alpha/trainings")
	b.Screenshot("trainings")
	e.BrowserLogout(b)

	e.BrowserLogin(b, e.Users[store.RoleMember])
	if got := b.Text(`tr[data-policy="sanctions"]`); !strings.Contains(got, "v2") || !strings.Contains(got, due) {
		t.Errorf("the member's list reads %q, want v2 %s", got, due)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}

// The acknowledge form refused (422) names the field at fault, as the
// other forms' errors do: a version that is no whole number (a stale or
// altered page) is "version: is missing: ...", not a bare "not recorded".
// Nothing is written.
func TestBrowserAcknowledgeRefusalNamesTheField(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedWorkforce()

	e.BrowserLogin(b, e.Users[store.RoleMember])
	b.WaitText("main h1", "My tasks", 5*time.Second)
	b.Click(`tr[data-policy="acceptable-use"] a.button`)
	b.WaitText("main h1", "Acceptable use policy", 5*time.Second)
	b.Do("alter the version the form sends", chromedp.SetValue(chromedp.CSS(`form.ack-form input[name="version"]`), "one"))
	b.Click(`form.ack-form input[name="read"]`)
	b.Click(`form.ack-form button[type="submit"]`)
	b.WaitText("main h1", "Unprocessable Entity", 5*time.Second)
	msg := b.Text("main p.lead")
	if !strings.Contains(msg, "version: ") || !strings.Contains(msg, "nothing was written") {
		t.Errorf("the 422 page reads %q; want it to name the field version and say nothing was written", msg)
	}
	b.Screenshot("ack-refused-names-field")
	e.BrowserLogout(b)

	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Navigate(e.HTTP.URL + "/orgs/alpha/people")
	if got := cellText(b, "member@alpha.example", "policy:acceptable-use"); strings.Contains(got, "done") {
		t.Errorf("a refused acknowledgement was recorded: the people page reads %q", got)
	}
	for _, p := range b.Problems() {
		if !strings.Contains(p, "status of 422") { // the refusal itself
			t.Errorf("browser problem (CSP, scripts): %v", p)
		}
	}
}
