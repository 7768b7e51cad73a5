package records_test

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

// An editor adds a system and a PHI flow to it through the forms in
// Chromium, and the data-flow page then draws the new PHI path: the
// system's box and an orange PHI arrow from patient-api to it.
func TestBrowserCreateSystemAndFlow(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	choose := func(sel, value string) {
		t.Helper()
		b.Do("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	}

	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems")
	b.Click(`a.button[href="/orgs/alpha/systems/new"]`)
	b.WaitText("main h1", "New system", 5*time.Second)
	// The id is made from the name as one types (issue 19 item 8) and
	// can be changed under "more".
	b.Fill(`input[name="name"]`, "Appointment reminders by SMS for every clinic")
	if got := b.WaitText(".id-made", "appointment-reminders-by-sms-for-every-clinic", 5*time.Second); got != "(appointment-reminders-by-sms-for-every-clinic)" {
		t.Errorf("made id reads %q", got)
	}
	b.Click(`details.more > summary`)
	b.Fill(`input[name="id"]`, "sms-gateway")
	choose(`select[name="kind"]`, "saas")
	choose(`select[name="vendor"]`, "aws")
	for _, box := range []string{"phi", "live_phi", "encrypted_at_rest"} {
		b.Click(`input[name="` + box + `"]`)
	}
	b.Screenshot("system-form")
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText("main h1", "Appointment reminders", 5*time.Second)

	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows")
	b.Click(`a.button[href="/orgs/alpha/flows/new"]`)
	b.WaitText("main h1", "New flow", 5*time.Second)
	choose(`select[name="from"]`, "patient-api")
	choose(`select[name="to"]`, "sms-gateway")
	b.Click(`input[name="phi"]`)
	b.Click(`input[name="encrypted_in_transit"]`)
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText("main h1", "patient-api → sms-gateway", 5*time.Second)

	b.Navigate(e.HTTP.URL + "/orgs/alpha/systems/sms-gateway")
	if got := b.WaitText(".record-findings", "patient-api → sms-gateway", 5*time.Second); !strings.Contains(got, "Where PHI reaches it from") {
		t.Errorf("system page reads %q", got)
	}
	b.Screenshot("system-page")

	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows")
	b.WaitVisible(".dataflow svg #system-sms-gateway")
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
	defer cancel()
	titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".dataflow svg g.edge.phi > title")).map(t => t.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range titles {
		found = found || strings.HasPrefix(s, "patient-api->sms-gateway\ncarries PHI, encrypted in transit")
	}
	if !found {
		t.Errorf("no PHI arrow patient-api->sms-gateway on the diagram; PHI arrows: %q", titles)
	}
	if list := b.Text("section.flow-list table"); !strings.Contains(list, "sms-gateway") {
		t.Errorf("the flows list reads %q", list)
	}
	b.Screenshot("flows-new-phi-path")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}
