package privacyrule_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/date"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/privacyrule"
	"ward/internal/web/records"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

const privacyAsOf = "2027-03-20"

// The request log, a request's page and their JSON twins show each
// request's clock as package privacy computes it; a viewer sees no forms.
func TestPrivacyPagesAndAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedClinic(e.OrgA)
	c, _ := e.Login(e.Users[store.RoleViewer])

	page := e.Get(c, "/orgs/alpha/privacy?as_of="+privacyAsOf)
	if page.StatusCode != 200 {
		t.Fatalf("privacy page: %d\n%s", page.StatusCode, page.Body)
	}
	for _, want := range []string{"par-1", "overdue by 18 days (due 2027-03-02)", "par-2", "extended", "day 28: 32 days left", "acc-1", "acted on 4 days late", ">1</strong> overdue"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "Log a request") {
		t.Error("a viewer is offered the form to log a request")
	}

	var l privacy.Log
	r := e.Get(c, "/api/v1/orgs/alpha/privacy?as_of="+privacyAsOf)
	if err := json.Unmarshal([]byte(r.Body), &l); err != nil || r.StatusCode != 200 {
		t.Fatalf("API: %d %v\n%s", r.StatusCode, err, r.Body)
	}
	want := privacy.Evaluate(webtest.ClinicWorkspace(), date.MustParse(privacyAsOf))
	if l.Overdue != want.Overdue || l.Open != want.Open || len(l.Requests) != len(want.Requests) || l.Requests[0].ID != "par-1" || l.Requests[0].Status != privacy.StatusOverdue {
		t.Errorf("API log: overdue %d open %d, first %s %s; want %d, %d, par-1 overdue", l.Overdue, l.Open, l.Requests[0].ID, l.Requests[0].Status, want.Overdue, want.Open)
	}

	// The accounting's page shows the six years it covers (164.528(a)(1)).
	page = e.Get(c, "/orgs/alpha/privacy/requests/acc-1?as_of="+privacyAsOf)
	if !strings.Contains(page.Body, "2021-03-15 to 2027-03-14, the six years before the request") {
		t.Errorf("the accounting's page does not show its window:\n%s", page.Body)
	}
	var rp privacyrule.RequestPage
	r = e.Get(c, "/api/v1/orgs/alpha/privacy/requests/acc-1?as_of="+privacyAsOf)
	if err := json.Unmarshal([]byte(r.Body), &rp); err != nil || rp.Request.Window == nil || rp.Request.Window.From.String() != "2021-03-15" || len(rp.History) != 1 {
		t.Errorf("request API: %v %+v", err, rp)
	}
	if r := e.Get(c, "/orgs/alpha/privacy/requests/nope"); r.StatusCode != 404 {
		t.Errorf("unknown request: %d", r.StatusCode)
	}
	for _, p := range []string{"/orgs/alpha/privacy/complaints", "/orgs/alpha/privacy/notice", "/api/v1/orgs/alpha/privacy/complaints", "/api/v1/orgs/alpha/privacy/notice"} {
		if r := e.Get(c, p+"?as_of="+privacyAsOf); r.StatusCode != 200 || !strings.Contains(r.Body, map[bool]string{true: "2026-1", false: "cmp-1"}[strings.HasSuffix(p, "notice")]) {
			t.Errorf("%s: %d\n%s", p, r.StatusCode, r.Body)
		}
	}
}

// An editor logs a request, is refused an extension on day 31
// (164.524(b)(2)(ii)) with the error next to the field and nothing
// stored, extends on day 29, and closes it through the API; each change
// is one audit entry.
func TestPrivacyForms(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedClinic(e.OrgA)
	c, csrf := e.Login(e.Users[store.RoleEditor])
	o := e.Store.Org(e.OrgA)
	ctx := context.Background()

	resp := e.PostForm(c, "/orgs/alpha/privacy/requests?as_of=2027-01-16", url.Values{"csrf": {csrf}, "kind": {"access"}, "received": {"2027-01-16"}, "reference": {"log 14"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/orgs/alpha/privacy/requests/par-2027-001") {
		t.Fatalf("log a request: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	page := e.Get(c, resp.Header.Get("Location"))
	if !strings.Contains(page.Body, "Request logged") || !strings.Contains(page.Body, "one of up to 30 days may be given in writing by 2027-02-15") {
		t.Errorf("the new request's page:\n%s", page.Body)
	}
	head, _ := o.AuditHead(ctx)

	resp = e.PostForm(c, "/orgs/alpha/privacy/requests/par-2027-001/extend?as_of=2027-02-16", url.Values{"csrf": {csrf}, "notified": {"2027-02-16"}, "reason": {"archived"}, "until": {"2027-03-17"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "2027-02-16 is day 31 after the request (received 2027-01-16)") || !strings.Contains(resp.Body, `name="notified" value="2027-02-16" class="date-input" data-date inputmode="numeric" autocomplete="off" placeholder="2026-12-01 or 12/01/2026" aria-invalid="true">`) {
		t.Errorf("extend on day 31: %d\n%s", resp.StatusCode, resp.Body)
	}
	if h, _ := o.AuditHead(ctx); h != head {
		t.Error("the refused extension was written")
	}
	resp = e.PostForm(c, "/orgs/alpha/privacy/requests/par-2027-001/extend?as_of=2027-02-14", url.Values{"csrf": {csrf}, "notified": {"2027-02-14"}, "reason": {"archived off site"}, "until": {"2027-03-17"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("extend on day 29: %d\n%s", resp.StatusCode, resp.Body)
	}
	page = e.Get(c, "/orgs/alpha/privacy/requests/par-2027-001?as_of=2027-03-18")
	if !strings.Contains(page.Body, "overdue by 1 day (due 2027-03-17)") || !strings.Contains(page.Body, "privacy.request-overdue") || strings.Contains(page.Body, `action="/orgs/alpha/privacy/requests/par-2027-001/extend`) {
		t.Errorf("the day after the extended deadline (and no second extension offered):\n%s", page.Body)
	}

	// The API: a denial without its ground is 422 naming the field.
	post := func(path, body string) webtest.Response {
		req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(kit.CSRFHeader, csrf)
		return e.Send(c, req)
	}
	r := post("/api/v1/orgs/alpha/privacy/requests/par-2027-001/close?as_of=2027-03-01", `{"completed": "2027-03-01", "outcome": "denied"}`)
	var fe records.APIFieldErrors
	if json.Unmarshal([]byte(r.Body), &fe); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fe.Fields["denial.ground"], "is missing") {
		t.Errorf("close denied without a ground: %d %s", r.StatusCode, r.Body)
	}
	r = post("/api/v1/orgs/alpha/privacy/requests/par-2027-001/close?as_of=2027-03-01", `{"completed": "2027-03-01", "outcome": "denied", "denial": {"ground": "endangerment", "rights_stated": false}}`)
	var rp privacyrule.RequestPage
	if err := json.Unmarshal([]byte(r.Body), &rp); r.StatusCode != 200 || err != nil || rp.Request.Status != privacy.StatusDone || len(rp.Request.Findings) != 1 || rp.Request.Findings[0].Rule != privacy.RuleDenialIncomplete {
		t.Errorf("close: %d %s", r.StatusCode, r.Body)
	}
	hist, _ := o.History(ctx, store.KindPrivacyRequest, "par-2027-001")
	if len(hist) != 3 || hist[1].Fields[0] != "extension" {
		t.Errorf("history %+v, want create, update (extension), update", hist)
	}
	if r := post("/api/v1/orgs/alpha/privacy/requests", `{"kind": "accounting", "received": "2027-03-15", "since": "2020-01-01"}`); r.StatusCode != 422 || !strings.Contains(r.Body, "more than 6 years before the request") {
		t.Errorf("an accounting reaching back more than six years: %d %s", r.StatusCode, r.Body)
	}

	// Complaints and the notice.
	resp = e.PostForm(c, "/orgs/alpha/privacy/complaints/cmp-1/close?as_of="+privacyAsOf, url.Values{"csrf": {csrf}, "resolved": {"2027-03-19"}, "outcome": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "outcome: is missing") {
		t.Errorf("resolve without an outcome: %d", resp.StatusCode)
	}
	resp = e.PostForm(c, "/orgs/alpha/privacy/complaints/cmp-1/close?as_of="+privacyAsOf, url.Values{"csrf": {csrf}, "resolved": {"2027-03-19"}, "outcome": {"substantiated"}, "disposition": {"retrained"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("resolve: %d\n%s", resp.StatusCode, resp.Body)
	}
	if r := post("/api/v1/orgs/alpha/privacy/notice?as_of="+privacyAsOf, `{"version": "2027-1", "effective": "2027-04-01", "posted": ["waiting room", "portal"]}`); r.StatusCode != 201 || !strings.Contains(r.Body, `"upcoming"`) {
		t.Errorf("new notice version: %d %s", r.StatusCode, r.Body)
	}
	if err := o.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
	// A viewer may not change anything.
	vc, vcsrf := e.Login(e.Users[store.RoleViewer])
	if r := e.PostForm(vc, "/orgs/alpha/privacy/requests", url.Values{"csrf": {vcsrf}, "kind": {"access"}, "received": {"2027-01-16"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer logging a request: %d", r.StatusCode)
	}
}

// The MSP overview counts each organization's overdue requests, and
// sorts by them.
func TestOrgsOverviewOverdueRequests(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedClinic(e.OrgA)
	u := e.Users[store.RoleViewer]
	ctx := context.Background()
	for i, n := range []int{0, 3} {
		org, err := e.Store.CreateOrg(ctx, "test", []string{"clinic-a", "clinic-b"}[i], []string{"Clinic A", "Clinic B"}[i])
		if err != nil {
			t.Fatal(err)
		}
		ws := webtest.ClinicWorkspace()
		ws.Organization.Name = org.Name
		ws.PrivacyRequests = nil
		for j := range n {
			ws.PrivacyRequests = append(ws.PrivacyRequests, workspace.PrivacyRequest{ID: "par-" + string(rune('a'+j)), Kind: workspace.RequestAccess, Received: date.MustParse("2027-01-02")})
		}
		if _, err := e.Store.Org(org).Apply(ctx, "test", ws, store.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.SetRole(ctx, "test", u.ID, org, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := e.Login(u)
	var ov app.OrgsOverview
	r := e.Get(c, "/api/v1/overview?sort=-requests&as_of="+privacyAsOf)
	if err := json.Unmarshal([]byte(r.Body), &ov); err != nil {
		t.Fatal(err, r.Body)
	}
	var got []string
	for _, row := range ov.Orgs {
		got = append(got, row.Slug+":"+string(rune('0'+row.OverdueRequests)))
	}
	if strings.Join(got, " ") != "clinic-b:3 alpha:1 clinic-a:0" {
		t.Errorf("sorted by overdue requests, most first: %v", got)
	}
	page := e.Get(c, "/orgs?as_of="+privacyAsOf)
	if !strings.Contains(page.Body, "Overdue requests") || !strings.Contains(page.Body, `<td class="n requests bad">3</td>`) {
		t.Errorf("the overview page has no overdue requests column:\n%s", page.Body)
	}
	// The next deadline is the first dated item of the organization's
	// home page (issue 19): alpha's overdue request par-1, said overdue.
	for _, row := range ov.Orgs {
		if row.Slug == "alpha" && (row.Next == nil || row.Next.Due.String() != "2027-03-02" || !row.Next.Overdue || !strings.Contains(row.Next.What, "request par-1")) {
			t.Errorf("alpha's next deadline: %+v, want 2027-03-02, overdue, act on request par-1", row.Next)
		}
	}
}

// In Chromium: an editor logs an access request through the form, sees
// its clock, and records its extension.
func TestBrowserPrivacyRequest(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedClinic(e.OrgA)
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	setValue := func(sel, value string) {
		t.Helper()
		b.Do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	}

	b.Navigate(e.HTTP.URL + "/orgs/alpha/privacy?as_of=2027-02-10")
	b.WaitText("main h1", "Privacy requests", 5*time.Second)
	if got := b.Text("table.privacy-log"); !strings.Contains(got, "overdue by") && !strings.Contains(got, "par-1") {
		t.Errorf("the log reads %q", got)
	}
	b.Click("details.privacy-new > summary")
	setValue(`form.privacy-form select[name="kind"]`, "amendment")
	setValue(`form.privacy-form input[name="received"]`, "2027-02-01")
	b.Fill(`form.privacy-form input[name="reference"]`, "letter of 2027-02-01")
	b.Screenshot("privacy-new-request")
	b.Click(`form.privacy-form button[type="submit"]`)
	b.WaitText("main h1", "amd-2027-001", 5*time.Second)
	// 164.526(b)(2): 60 days from 2027-02-01.
	if got := b.Text(".clock-panel"); !strings.Contains(got, "60 days, to 2027-04-02") || !strings.Contains(got, "day 9: 51 days left") {
		t.Errorf("the clock reads %q", got)
	}
	b.Fill(`#extend input[name="reason"]`, "the chart is under review by the treating physician")
	setValue(`#extend input[name="notified"]`, "2027-02-10")
	b.Click(`#extend button[type="submit"]`)
	b.WaitText(".notice.saved", "Extension recorded", 5*time.Second)
	if got := b.Text(".privacy-timeline"); !strings.Contains(got, "extension given in writing (day 9)") || !strings.Contains(got, "2027-05-02 extended deadline") {
		t.Errorf("the timeline reads %q", got)
	}
	b.Screenshot("privacy-request-extended")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}
