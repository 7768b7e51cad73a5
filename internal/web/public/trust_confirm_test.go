package public_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/notify"
	"ward/internal/notify/notifytest"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

var confirmLinkRE = regexp.MustCompile(`https?://[^\s"<]+(/trust/[a-z0-9-]+/confirm/[A-Za-z0-9_-]+)`)

// trustMailbox delivers the notifier's outbox to a real SMTP server on
// loopback and returns the confirmation links received since the last
// call, by address.
type trustMailbox struct {
	t    *testing.T
	e    *webtest.TestEnv
	srv  *notifytest.Server
	run  *notify.Runner
	seen int
}

func newTrustMailbox(t *testing.T, e *webtest.TestEnv) *trustMailbox {
	srv := notifytest.Start(t)
	m, err := notify.ParseSMTP(srv.URL(), "", "ward <ward@alpha.example>")
	if err != nil {
		t.Fatal(err)
	}
	return &trustMailbox{t: t, e: e, srv: srv, run: &notify.Runner{Store: e.Store, Mail: m, ID: "t", Lease: time.Minute}}
}

func (mb *trustMailbox) links() map[string][]string {
	mb.t.Helper()
	if _, failed, err := mb.run.Deliver(context.Background()); err != nil || failed != 0 {
		mb.t.Fatalf("deliver: failed %d %v", failed, err)
	}
	got := mb.srv.Received()
	out := map[string][]string{}
	for _, m := range got[mb.seen:] {
		if m.Kind != "trust-confirmation" {
			continue
		}
		l := confirmLinkRE.FindStringSubmatch(m.Body)
		if l == nil {
			mb.t.Fatalf("no confirmation link in the mail to %s:\n%s", m.To, m.Body)
		}
		out[m.To] = append(out[m.To], l[1])
	}
	mb.seen = len(got)
	return out
}

// subscribe posts the public form for addr.
func subscribe(t *testing.T, e *webtest.TestEnv, c *http.Client, addr string) webtest.Response {
	t.Helper()
	f := e.Get(c, "/trust/alpha/subscribe")
	return e.PostForm(c, "/trust/alpha/subscribe", url.Values{"csrf": {webtest.FormToken(t, f.Body)}, "email": {addr}})
}

// confirm opens a confirmation link and presses its button.
func confirm(t *testing.T, e *webtest.TestEnv, path string) webtest.Response {
	t.Helper()
	c := e.Client()
	page := e.Get(c, path)
	if page.StatusCode != http.StatusOK {
		return page
	}
	return e.PostForm(c, path, url.Values{"csrf": {webtest.FormToken(t, page.Body)}})
}

// TestTrustDoubleOptIn: subscribing mails a confirmation link through
// the notifier's outbox (read back from a real SMTP server); until it is
// opened the address is pending, shown so to the admin, and receives no
// subprocessor notice; the link's page confirms only with its button
// (a form token), works once, and an unknown link is a 404. A confirmed
// address receives the next notice. On both engines.
func TestTrustDoubleOptIn(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{Mail: true, BaseURL: "https://ward.example"}, eng.URL(t))
			enableTrust(t, e, workspace.TrustSubprocessors)
			ctx := context.Background()
			o := e.Store.Org(e.OrgA)
			mb := newTrustMailbox(t, e)
			c := e.Client()
			for _, addr := range []string{"vrm@mercy.example", "security@lakeshore.example"} {
				r := subscribe(t, e, c, addr)
				if r.StatusCode != 200 || !strings.Contains(r.Body, "Check your inbox") {
					t.Fatalf("subscribe %s: %d %.500s", addr, r.StatusCode, r.Body)
				}
			}
			links := mb.links()
			if len(links) != 2 || len(links["vrm@mercy.example"]) != 1 || len(links["security@lakeshore.example"]) != 1 {
				t.Fatalf("confirmation mails: %v", links)
			}
			subs, _ := o.Subscribers(ctx)
			if len(subs) != 2 || !subs[0].Pending() || !subs[1].Pending() {
				t.Fatalf("subscribers before confirmation: %+v", subs)
			}
			admin, _ := e.Login(e.Users[store.RoleAdmin])
			page := e.Get(admin, "/orgs/alpha/trust/requests")
			if !strings.Contains(page.Body, "2 awaiting confirmation") || strings.Count(page.Body, `data-status="pending"`) != 2 {
				t.Errorf("the admin page does not show the pending subscribers:\n%.3000s", page.Body)
			}

			// A change while both are pending notifies no one.
			addVendor := func(id, name string) {
				t.Helper()
				if _, err := o.Put(ctx, "dana@alpha.example", store.KindVendor, id, workspace.Vendor{ID: id, Name: name, Services: []string{"transcription"}}); err != nil {
					t.Fatal(err)
				}
			}
			addVendor("scribe", "Scribe Labs")
			if mails, _ := o.Outbox(ctx, false); len(mails) != 0 {
				t.Errorf("pending subscribers were sent notices: %+v", mails)
			}

			// The link: a page with a button; a post without the form's
			// token confirms nothing; with it, confirmed, once.
			link := links["security@lakeshore.example"][0]
			if r := e.PostForm(e.Client(), link, url.Values{}); r.StatusCode != http.StatusBadRequest {
				t.Errorf("confirming without the form token: %d, want 400", r.StatusCode)
			}
			if r := confirm(t, e, link); r.StatusCode != 200 || !strings.Contains(r.Body, "Confirmed: security@lakeshore.example") {
				t.Fatalf("confirm: %d %.800s", r.StatusCode, r.Body)
			}
			if r := e.Get(e.Client(), link); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "already used") {
				t.Errorf("a used link: %d %.500s", r.StatusCode, r.Body)
			}
			if r := e.Get(e.Client(), "/trust/alpha/confirm/not-a-token"); r.StatusCode != http.StatusNotFound {
				t.Errorf("an unknown link: %d, want 404", r.StatusCode)
			}
			if !e.TrailHas("trust.confirm", store.KindTrustSubscriber, "security@lakeshore.example", "subscriber:security@lakeshore.example") ||
				!e.TrailHas("trust.subscribe", store.KindTrustSubscriber, "vrm@mercy.example", "subscriber:vrm@mercy.example") {
				t.Errorf("subscribe and confirm are not on the trail")
			}
			// Subscribing a confirmed address again sends nothing.
			if r := subscribe(t, e, c, "security@lakeshore.example"); r.StatusCode != 200 {
				t.Errorf("subscribing again: %d", r.StatusCode)
			}
			if again := mb.links(); len(again) != 0 {
				t.Errorf("a confirmed address was sent another link: %v", again)
			}

			addVendor("notes", "Notes Inc")
			mails, _ := o.Outbox(ctx, false)
			if len(mails) != 1 || mails[0].To != "security@lakeshore.example" || !strings.Contains(mails[0].Subject, "Notes Inc") {
				t.Errorf("notices after one confirmed: %+v, want one to security@lakeshore.example", mails)
			}
			page = e.Get(admin, "/orgs/alpha/trust/requests")
			if !strings.Contains(page.Body, "1 awaiting confirmation") || strings.Count(page.Body, `data-status="confirmed"`) != 1 {
				t.Errorf("the admin page after one confirmed:\n%.3000s", page.Body)
			}
		})
	}
}

// TestTrustSubscribeWithoutMail: without --smtp-url no confirmation can
// be sent: the form says so and nothing is stored.
func TestTrustSubscribeWithoutMail(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	enableTrust(t, e, workspace.TrustSubprocessors)
	c := e.Client()
	if r := e.Get(c, "/trust/alpha/subscribe"); !strings.Contains(r.Body, "cannot confirm e-mail subscriptions") {
		t.Errorf("form without mail: %.800s", r.Body)
	}
	r := e.PostForm(c, "/trust/alpha/subscribe", url.Values{"email": {"vrm@mercy.example"}})
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("subscribe without mail: %d, want 503", r.StatusCode)
	}
	if subs, _ := e.Store.Org(e.OrgA).Subscribers(context.Background()); len(subs) != 0 {
		t.Errorf("stored %+v", subs)
	}
}
