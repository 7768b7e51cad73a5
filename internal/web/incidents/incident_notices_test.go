package incidents_test

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
	"ward/internal/incident"
	"ward/internal/store"
	"ward/internal/web/incidents"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// TestCFR164_410_MarkNoticeSentInBrowser: on 2026-11-23 the demo's
// notice to Lakeside Cardiology (164.410(b), the BAA's 10 days) is
// overdue; an editor marks it sent on the incident page, with the date,
// how and to whom; the deadline clears on the page, in the JSON and in
// ward check's rule, and the change is on the audit trail. The letters
// are shown rendered, with the notes beside them, and copy as text.
func TestCFR164_410_MarkNoticeSentInBrowser(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	b := browsertest.New(t)
	ed := e.Users[store.RoleEditor]
	e.BrowserLogin(b, ed)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	b.WaitVisible("tr.deadline.overdue")
	if txt := b.Text("tr.deadline.overdue"); !strings.Contains(txt, "lakeside-cardiology") {
		t.Fatalf("overdue row reads %q", txt)
	}
	// The resulting chain (164.404-164.408): the clinic's own notices,
	// as information, and the standing note on state law.
	if txt := b.Text("table.chain"); !strings.Contains(txt, "individuals") || !strings.Contains(txt, "media (CA)") || !strings.Contains(txt, "hhs") {
		t.Errorf("chain reads %q, want the clinic's notices to individuals, CA media (640 > 500) and HHS", txt)
	}
	if txt := b.Text(".state-law"); !strings.Contains(txt, "counsel") {
		t.Errorf("state-law note reads %q", txt)
	}
	// The letters: rendered, no Markdown, placeholders marked.
	if n := b.Count("article.letter mark.placeholder"); n == 0 {
		t.Error("no placeholder highlighted in the letters")
	}
	if txt := b.Text("#draft-hhs article.letter"); strings.Contains(txt, "##") || strings.Contains(txt, "<!--") || strings.Contains(txt, "[[") {
		t.Errorf("HHS letter shows Markdown: %q", txt)
	}
	b.Click("#draft-hhs button.copy-letter")
	b.WaitVisible("#draft-hhs .copied")

	b.Click("tr.deadline.overdue details.mark-sent summary")
	b.WaitVisible("tr.deadline.overdue form.mark-sent-form")
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ const i = document.querySelector("tr.deadline.overdue input[name=sent]"); i.value = "2026-11-21"; return true })()`)); err != nil {
		t.Fatalf("set the date: %v", err)
	}
	cancel()
	b.Fill("tr.deadline.overdue input[name=recipient]", "Lakeside privacy officer")
	b.Click("tr.deadline.overdue form.mark-sent-form button[type=submit]")
	b.WaitText(".notice.saved", "Notice recorded as sent", 10*time.Second)
	if n := b.Count("tr.deadline.overdue"); n != 0 {
		t.Errorf("%d overdue deadlines after marking the notice sent, want 0", n)
	}
	if txt := b.Text("tr.deadline.sent"); !strings.Contains(txt, "sent 2026-11-21 by email to Lakeside privacy officer") {
		t.Errorf("sent row reads %q", txt)
	}
	b.Screenshot("incident-notice-sent")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}

	inc := e.StoredIncident("inc-2026-001")
	if len(inc.NoticesSent) != 1 || inc.NoticesSent[0].To != "covered-entity" || inc.NoticesSent[0].Customer != "lakeside-cardiology" ||
		inc.NoticesSent[0].Method != "email" || inc.NoticesSent[0].By != ed.Email {
		t.Errorf("stored notices_sent %+v", inc.NoticesSent)
	}
	entries, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if len(entries) != 1 || entries[0].Action != "update" || entries[0].Key != "inc-2026-001" || entries[0].Actor != ed.Email || !strings.Contains(string(entries[0].Data), "notices_sent") {
		t.Errorf("last audit entry %+v, want the update of inc-2026-001 by %s recording notices_sent", entries, ed.Email)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	for _, f := range incident.Check(ws, date.MustParse("2026-11-23")) {
		if f.Subject == "inc-2026-001" {
			t.Errorf("ward check still reports %s: %s", f.Rule, f.Message)
		}
	}
	c, _ := e.Login(ed)
	var d incidents.IncidentDetail
	if r := e.Get(c, "/api/v1/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23"); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &d) != nil {
		t.Fatalf("api: %d", r.StatusCode)
	}
	if n := d.Row.Notifications[0]; n.Sent.String() != "2026-11-21" || n.SentRecipient != "Lakeside privacy officer" || n.Countdown == "" {
		t.Errorf("api notice %+v", n)
	}
	// The clinic now knows (our notice of 2026-11-21), so its own clocks
	// run from then: 60 days, 164.404(b).
	for _, n := range d.Row.CoveredEntityNotices {
		if n.To == incident.ToIndividuals && n.Due.String() != "2027-01-20" {
			t.Errorf("clinic's notice to individuals due %s, want 2027-01-20 (60 days from our notice)", n.Due)
		}
	}
}

// The notice API twin: a notice the incident does not call for, a date
// in the future, or one recorded twice answer 422 by field, and nothing is
// written; a good one answers 201 with the deadline cleared.
func TestCFR164_410_NoticeSentAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	before := e.AuditCount()
	for _, body := range []map[string]string{
		{"to": "media", "state": "TX", "sent": "2026-11-21"},
		{"to": "covered-entity", "customer": "lakeside-cardiology", "sent": "2999-01-01"},
		{"to": "covered-entity", "customer": "lakeside-cardiology", "sent": "2026-11-21", "method": "pigeon"},
	} {
		if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/incidents/inc-2026-001/notices?as_of=2026-11-23", csrf, body); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %s, want 422", body, r.StatusCode, r.Body)
		}
	}
	if n := e.AuditCount(); n != before {
		t.Errorf("refused notices wrote %d audit entries", n-before)
	}
	r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/incidents/inc-2026-001/notices?as_of=2026-11-23", csrf, map[string]string{"to": "covered-entity", "customer": "lakeside-cardiology", "sent": "2026-11-21", "method": "mail", "recipient": "privacy office"})
	var d incidents.IncidentDetail
	if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.Body), &d) != nil || d.Row.Notifications[0].Sent.IsZero() {
		t.Fatalf("notice: %d %s", r.StatusCode, r.Body)
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/incidents/inc-2026-001/notices?as_of=2026-11-23", csrf, map[string]string{"to": "covered-entity", "customer": "lakeside-cardiology", "sent": "2026-11-22"}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already recorded") {
		t.Errorf("twice: %d %s", r.StatusCode, r.Body)
	}
	// Viewers may not record notices; the form needs its CSRF token.
	vc, vcsrf := e.Login(e.Users[store.RoleViewer])
	if r := e.PostJSON(vc, "POST", "/api/v1/orgs/alpha/incidents/inc-2026-001/notices", vcsrf, map[string]string{"to": "hhs", "sent": "2026-11-21"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", r.StatusCode)
	}
	if r := e.PostForm(c, "/orgs/alpha/incidents/inc-2026-001/notices", url.Values{"to": {"hhs"}, "sent": {"2026-11-21"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("form without csrf: %d, want 403", r.StatusCode)
	}
}

// The drafts download as .docx, PDF, text and Markdown for anyone who
// sees the incident page.
func TestIncidentDraftDownloads(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	for format, magic := range map[string]string{"docx": "PK", "pdf": "%PDF", "txt": "Breach report", "md": "<!-- ward draft"} {
		r := e.Get(c, "/orgs/alpha/incidents/inc-2026-001/draft?kind=hhs&format="+format)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Body, magic) || r.Header.Get("Content-Disposition") != "attachment; filename=inc-2026-001-hhs."+format {
			t.Errorf("%s: %d %q %q", format, r.StatusCode, r.Header.Get("Content-Disposition"), r.Body[:min(len(r.Body), 20)])
		}
		// Each copy taken is on the trail, by whom.
		e.WantAudit("download", store.KindIncident, "inc-2026-001", e.Users[store.RoleViewer].Email)
	}
	if r := e.Get(c, "/orgs/alpha/incidents/inc-2026-001/draft?kind=covered-entity&customer=lakeside-cardiology&format=txt"); r.StatusCode != 200 || !strings.Contains(r.Body, "Number of your individuals affected: 812") || strings.Contains(r.Body, "[[") {
		t.Errorf("covered-entity txt: %d\n%s", r.StatusCode, r.Body)
	}
	for _, q := range []string{"kind=press", "kind=hhs&format=rtf", "kind=covered-entity", "kind=covered-entity&customer=st-marys"} {
		if r := e.Get(c, "/api/v1/orgs/alpha/incidents/inc-2026-001/draft?"+q); r.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", q, r.StatusCode)
		}
	}
}

// The wizard records each customer's own figures (164.410(c)(1)): the
// totals are their sums, a split that does not add up is refused naming
// the field, and each customer's notice on the page states only its own.
func TestCFR164_410c1_WizardPerCustomerFigures(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	inc := e.StoredIncident("inc-2026-001")
	inc.Customers = []string{"lakeside-cardiology", "st-marys"}
	if r := e.PostJSON(c, "PUT", "/api/v1/orgs/alpha/incidents/inc-2026-001", csrf, inc); r.StatusCode != 200 {
		t.Fatalf("put: %d %s", r.StatusCode, r.Body)
	}
	page := e.Get(c, "/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	if !strings.Contains(page.Body, `name="affected.individuals"`) {
		t.Fatal("the wizard offers no per-customer figures for two customers")
	}
	form := func(total, lakeside, stMarys string) url.Values {
		f := url.Values{
			"csrf": {webtest.FormToken(t, page.Body)}, "phi_involved": {"yes"}, "phi_types": {"names"}, "individuals": {total}, "states": {""},
			"encrypted": {"unsecured"}, "assessment.exclusion": {""}, "assessment.low_probability": {"no"}, "law_enforcement_delay.kind": {""},
			"assessment.decided_by": {"dana@acme-health.example"}, "assessment.decided_on": {"2026-11-13"}, "action": {"save"},
			"affected.customer": {"lakeside-cardiology", "st-marys"}, "affected.individuals": {lakeside, stMarys}, "affected.states": {"CA 640\nNV 60", "NV 112"},
			"breach_type": {"loss"}, "locations": {"laptop"},
		}
		return f
	}
	before := e.AuditCount()
	if r := e.PostForm(c, "/orgs/alpha/incidents/inc-2026-001/assessment?as_of=2026-11-23", form("812", "700", "100")); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "add up to 800") {
		t.Errorf("a split that does not add up: %d", r.StatusCode)
	}
	if n := e.AuditCount(); n != before {
		t.Errorf("a refused split wrote %d audit entries", n-before)
	}
	if r := e.PostForm(c, "/orgs/alpha/incidents/inc-2026-001/assessment?as_of=2026-11-23", form("", "700", "112")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	got := e.StoredIncident("inc-2026-001")
	if got.Individuals != 812 || got.States["NV"] != 172 || len(got.Affected) != 2 || got.Affected[1].Individuals != 112 || got.BreachType[0] != "loss" {
		t.Errorf("stored %d %v %+v %v", got.Individuals, got.States, got.Affected, got.BreachType)
	}
	var d incidents.IncidentDetail
	r := e.Get(c, "/api/v1/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	if err := json.Unmarshal([]byte(r.Body), &d); err != nil {
		t.Fatal(err)
	}
	for _, dr := range d.Drafts {
		switch dr.Customer {
		case "st-marys":
			if !strings.Contains(dr.Letter, "Number of your individuals affected: 112. Residents per state or jurisdiction: NV 112.") || strings.Contains(dr.Letter, "812") || strings.Contains(dr.Letter, "700") {
				t.Errorf("St. Mary's letter:\n%s", dr.Letter)
			}
		case "lakeside-cardiology":
			if !strings.Contains(dr.Letter, "Number of your individuals affected: 700.") || strings.Contains(dr.Letter, "812") {
				t.Errorf("Lakeside's letter:\n%s", dr.Letter)
			}
		}
	}
	// The clinics' own notices count their own residents: only Lakeside
	// has more than 500 in CA (164.406); St. Mary's 112 go in the annual
	// log (164.408(c)).
	var chain []string
	for _, n := range d.Row.CoveredEntityNotices {
		chain = append(chain, n.Customer+":"+n.To+":"+n.State)
	}
	if got := strings.Join(chain, " "); got != "lakeside-cardiology:individuals: lakeside-cardiology:media:CA lakeside-cardiology:hhs: st-marys:individuals: st-marys:hhs-annual-log:" {
		t.Errorf("chain %s", got)
	}
}

// On a phone (390 px wide) the incident page, with its letters, the
// deadlines and the wizard, is never wider than the screen: tables scroll
// inside their own box.
func TestIncidentPageFitsAPhone(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	b := browsertest.New(t)
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	ctx, cancel := context.WithTimeout(b.Context(), 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	b.WaitVisible("article.letter")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){ const out=[]; for (const e of document.querySelectorAll("main *, .incident-detail *, .drafts *")) { if (e.closest(".table-scroll")) continue; const r=e.getBoundingClientRect(); if (r.right > 391) out.push(e.tagName+"."+e.className+" "+Math.round(r.right)); } return out.slice(0, 10).join("; ") })()`))
	if err != nil {
		t.Fatal(err)
	}
	if wide != "" {
		t.Errorf("wider than a 390 px screen: %s", wide)
	}
	b.Screenshot("incident-390")
}

// TestCFR164_406_UnknownCountMediaNoticeInBrowser: a covered entity's
// breach with the number of individuals not yet known gets a media notice
// dated to be safe (more than 500 residents of a State cannot be ruled
// out, 164.406(a); 60 days, 164.406(b)), shown with its assumption. The
// editor confirms it by marking it sent for the state whose media was
// told; ward check then no longer reports it.
func TestCFR164_406_UnknownCountMediaNoticeInBrowser(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.CoveredEntity()
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	res := e.PostForm(c, "/orgs/alpha/incidents?as_of=2026-11-20", url.Values{"csrf": {csrf}, "id": {"inc-9"}, "summary": {"laptop stolen from a car"}, "discovered": {"2026-11-10"},
		"status": {"open"}, "phi_involved": {"yes"}, "systems": {"patient-api"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new incident: %d %s", res.StatusCode, res.Body)
	}

	b := browsertest.New(t)
	e.BrowserLogin(b, ed)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents/inc-9?as_of=2026-12-31")
	b.WaitVisible(`tr.deadline[data-to="media"]`)
	row := `tr.deadline[data-to="media"]`
	if txt := b.Text(row); !strings.Contains(txt, "count is not known yet") || !strings.Contains(txt, "2027-01-09") || !strings.Contains(txt, "164.406(b)") {
		t.Errorf("media row reads %q, want the unknown-count notice due 2027-01-09 (60 days, 164.406(b))", txt)
	}
	if txt := b.Text(".assumptions"); !strings.Contains(txt, "protective route and dates a media notice") {
		t.Errorf("assumptions read %q", txt)
	}
	ws, _ := e.Store.Org(e.OrgA).Workspace(context.Background())
	media := func(ws *workspace.Workspace) string {
		for _, f := range incident.Check(ws, date.MustParse("2026-12-31")) {
			if f.Subject == "inc-9" && strings.Contains(f.Message, "media") {
				return f.Message
			}
		}
		return ""
	}
	if msg := media(ws); !strings.Contains(msg, "164.406") {
		t.Errorf("ward check 9 days before: %q, want the media notice (164.406)", msg)
	}

	b.Click(row + " details.mark-sent summary")
	b.WaitVisible(row + " form.mark-sent-form")
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ const i = document.querySelector('tr.deadline[data-to="media"] input[name=sent]'); i.value = "2026-11-20"; return true })()`)); err != nil {
		t.Fatalf("set the date: %v", err)
	}
	cancel()
	b.Fill(row+" input[name=state]", "ca")
	b.Click(row + " form.mark-sent-form button[type=submit]")
	b.WaitText(".notice.saved", "Notice recorded as sent", 10*time.Second)
	if txt := b.Text(`tr.deadline[data-to="media"]`); !strings.Contains(txt, "recorded") {
		t.Errorf("media row after marking it sent reads %q", txt)
	}
	b.Screenshot("incident-unknown-count-media-sent")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
	inc := e.StoredIncident("inc-9")
	if len(inc.NoticesSent) != 1 || inc.NoticesSent[0].To != "media" || inc.NoticesSent[0].State != "CA" {
		t.Errorf("stored notices_sent %+v", inc.NoticesSent)
	}
	ws, _ = e.Store.Org(e.OrgA).Workspace(context.Background())
	if msg := media(ws); msg != "" {
		t.Errorf("ward check still reports the media notice once given: %s", msg)
	}
}
