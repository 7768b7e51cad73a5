package incidents_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/browsertest"
	"ward/internal/incident"
	"ward/internal/store"
	"ward/internal/web/incidents"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestIncidentsAPI: the JSON twins carry the log with each incident's
// 164.402 determination and deadlines, and the detail with three kinds of
// notice draft; a bad as_of or an unknown incident is refused.
func TestIncidentsAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/api/v1/orgs/alpha/incidents?as_of=2026-11-23")
	if res.StatusCode != 200 {
		t.Fatalf("incidents API: %d %s", res.StatusCode, res.Body)
	}
	var l incidents.IncidentLog
	if err := json.Unmarshal([]byte(res.Body), &l); err != nil {
		t.Fatal(err)
	}
	var row *incidents.IncidentRow
	for i := range l.Incidents {
		if l.Incidents[i].ID == "inc-2026-001" {
			row = &l.Incidents[i]
		}
	}
	if row == nil {
		t.Fatalf("inc-2026-001 not in the log: %s", res.Body)
	}
	if !row.Determination.Breach {
		t.Error("inc-2026-001 (unencrypted laptop, low_probability false) is not a breach; 164.402(2) presumes one")
	}
	// 164.410(b): discovered 2026-11-10; Lakeside's BAA may shorten the
	// 60 days; on 2026-11-23 the covered-entity notice must be overdue.
	overdue := false
	for _, n := range row.Notifications {
		if n.To == incident.ToCoveredEntity && n.Customer == "lakeside-cardiology" && n.DaysLeft < 0 && strings.HasPrefix(n.Countdown, "overdue") {
			overdue = true
		}
	}
	if !overdue {
		t.Errorf("no overdue covered-entity notice for lakeside-cardiology as of 2026-11-23: %+v", row.Notifications)
	}

	res = e.Get(c, "/api/v1/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	if res.StatusCode != 200 {
		t.Fatalf("incident API: %d %s", res.StatusCode, res.Body)
	}
	var d incidents.IncidentDetail
	if err := json.Unmarshal([]byte(res.Body), &d); err != nil {
		t.Fatal(err)
	}
	// Acme held the PHI as the clinic's business associate: its own
	// notice (164.410) comes first, the clinic's drafts after it.
	if len(d.Drafts) != 3 || d.Drafts[0].Customer != "lakeside-cardiology" || !strings.Contains(d.Drafts[1].Title, "for the covered entity to adapt") {
		t.Errorf("drafts: %d, want the covered-entity notice, then individuals and HHS to adapt", len(d.Drafts))
	}
	for _, dr := range d.Drafts {
		if strings.TrimSpace(dr.Text) == "" {
			t.Errorf("draft %q is empty", dr.Title)
		}
	}
	if len(d.Factors) != 4 || d.Factors[0].Value == "" {
		t.Errorf("factors: %+v", d.Factors)
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/incidents?as_of=soon"); r.StatusCode != 400 {
		t.Errorf("bad as_of: %d, want 400", r.StatusCode)
	}
	if r := e.Get(c, "/api/v1/orgs/alpha/incidents/nope"); r.StatusCode != 404 {
		t.Errorf("unknown incident: %d, want 404", r.StatusCode)
	}
}

// TestBrowserIncidents: on 2026-11-23 the demo's inc-2026-001 shows its
// covered-entity notice overdue in red; the detail page shows the drafts.
func TestBrowserIncidents(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	b := browsertest.New(t)
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents?as_of=2026-11-23")
	b.WaitVisible("table.incidents")
	if n := b.Count(".deadline.overdue"); n < 1 {
		t.Errorf("%d overdue deadlines shown, want at least the covered-entity notice", n)
	}
	if txt := b.Text(".deadline.overdue"); !strings.Contains(txt, "lakeside-cardiology") || !strings.Contains(txt, "overdue by") {
		t.Errorf("overdue row reads %q", txt)
	}
	b.Screenshot("incidents")
	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-23")
	b.WaitVisible("article.letter")
	if n := b.Count("article.letter"); n != 3 {
		t.Errorf("%d drafts, want 3", n)
	}
	b.Screenshot("incident")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
}
