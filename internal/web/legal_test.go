package web_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// Issue 14's answers on the pages and their JSON twins: the incident page
// and API show the capacity the PHI was held in, the notices given on a
// covered entity's behalf, the assumptions (tolling, unknown counts), the
// stricter reading's date and the warnings about the clocks.

func TestIncidentPageShowsCapacityDelegationAndAssumptions(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.DualRole()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	d := date.MustParse
	inc := workspace.Incident{ID: "inc-portal", Discovered: d("2027-03-01"), Summary: "portal bug exposed other patients' records",
		Customers: []string{"northside"}, PHIInvolved: true,
		LawEnforcementDelay: &workspace.Delay{Kind: "written", Requested: d("2027-03-03"), Until: d("2027-04-12")}}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/incidents?as_of=2027-03-01", csrf, inc); r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}

	res := e.Get(c, "/api/v1/orgs/alpha/incidents/inc-portal?as_of=2027-03-01")
	var api struct {
		Summary struct {
			HeldAs        string `json:"held_as"`
			Notifications []struct {
				To, Due, Customer, Assumption string
				OnBehalfOf                    string `json:"on_behalf_of"`
				StrictDue                     string `json:"strict_due"`
			} `json:"notifications"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(res.Body), &api); err != nil {
		t.Fatal(err)
	}
	s := api.Summary
	// 164.410: the notice to the clinic (BAA: 15 days), then the clinic's
	// delegated notices: individuals, the media and HHS (count unknown:
	// the protective route, 164.406, 164.408(b)); a 40-day written delay
	// (164.412) tolls each, with the stricter reading's date beside it.
	if s.HeldAs != "business-associate" || len(s.Notifications) != 4 {
		t.Fatalf("API summary %+v", s)
	}
	ce, ind, media, hhs := s.Notifications[0], s.Notifications[1], s.Notifications[2], s.Notifications[3]
	if media.To != "media" || media.OnBehalfOf != "northside" || media.Due != "2027-06-09" || !strings.Contains(media.Assumption, "164.406(a)") {
		t.Errorf("media on behalf %+v", media)
	}
	if ce.To != "covered-entity" || ce.Customer != "northside" || ce.Due != "2027-04-25" || ce.StrictDue != "2027-04-12" {
		t.Errorf("notice to the clinic %+v", ce)
	}
	if ind.To != "individuals" || ind.OnBehalfOf != "northside" || ind.Due != "2027-06-09" || ind.StrictDue != "2027-04-30" || !strings.Contains(ind.Assumption, "tolls the clock") {
		t.Errorf("individuals on behalf %+v", ind)
	}
	if hhs.To != "hhs" || !strings.Contains(hhs.Assumption, "not known yet") {
		t.Errorf("HHS %+v", hhs)
	}

	page := e.Get(c, "/orgs/alpha/incidents/inc-portal?as_of=2027-03-01")
	body := html.UnescapeString(page.Body)
	for _, want := range []string{
		"PHI held as: <strong>business associate</strong>",
		"(for northside, under its BAA)",
		"stricter reading: due <span class=\"strict-due\">2027-04-30</span>",
		"<h3>Assumptions</h3>",
		"protective route",
		"Notice to covered entity Northside Pediatrics (164.410)",
		"We are writing on behalf of Northside Pediatrics",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}

	// A timeline entry that records earlier knowledge, through the page's
	// form: the clocks move and the page warns, naming the entry.
	form := url.Values{"csrf": {webtest.FormToken(t, page.Body)}, "date": {"2027-02-25"}, "note": {"support lead saw the bug report"}, "knew": {"1"}}
	if r := e.PostForm(c, "/orgs/alpha/incidents/inc-portal/timeline?as_of=2027-03-01", form); r.StatusCode != 303 {
		t.Fatalf("timeline: %d %s", r.StatusCode, r.Body)
	}
	if !e.StoredIncident("inc-portal").Timeline[0].Knew {
		t.Error("knew was not stored")
	}
	body = html.UnescapeString(e.Get(c, "/orgs/alpha/incidents/inc-portal?as_of=2027-03-01").Body)
	for _, want := range []string{"clocks run from <strong>2027-02-25</strong>", `class="alert deadline-warning"`, "timeline[0] (2027-02-25", `class="badge knew"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after the knew entry the page lacks %q", want)
		}
	}
}

// The wizard records whether the key was compromised: encrypted with the
// key safe is the safe harbor; key not known is not (HHS guidance).
func TestWizardRecordsTheKey(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.CoveredEntity()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	inc := workspace.Incident{ID: "inc-laptop", Discovered: date.MustParse("2027-03-01"), Summary: "laptop stolen", PHIInvolved: true, Individuals: 30}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/incidents", csrf, inc); r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	page := e.Get(c, "/orgs/alpha/incidents/inc-laptop?as_of=2027-03-01")
	base := url.Values{"csrf": {webtest.FormToken(t, page.Body)}, "phi_involved": {"yes"}, "individuals": {"30"}, "encrypted": {"secured"},
		"assessment.low_probability": {"no"}, "assessment.decided_by": {"dana@alpha.example"}, "assessment.decided_on": {"2027-03-02"}, "action": {"save"}}
	for _, c2 := range []struct {
		key    string
		breach bool
	}{{"no", false}, {"", true}, {"yes", true}} {
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("key_compromised", c2.key)
		if r := e.PostForm(c, "/orgs/alpha/incidents/inc-laptop/assessment?as_of=2027-03-01", f); r.StatusCode != 303 {
			t.Fatalf("key %q: %d %s", c2.key, r.StatusCode, r.Body)
		}
		stored := e.StoredIncident("inc-laptop")
		var det struct {
			Summary struct {
				Determination struct{ Breach bool } `json:"determination"`
			} `json:"summary"`
		}
		json.Unmarshal([]byte(e.Get(c, "/api/v1/orgs/alpha/incidents/inc-laptop").Body), &det)
		if det.Summary.Determination.Breach != c2.breach {
			t.Errorf("key_compromised %q (stored %v): breach %v, want %v", c2.key, stored.KeyCompromised, det.Summary.Determination.Breach, c2.breach)
		}
	}
}

// Issue 19 item 5: a system's page names the real cause of its block and
// the path, with links: the demo's visit-summaries receives PHI over an
// encrypted flow from patient-api, which gets it from rpm-ingest in plain
// HTTP. Its JSON twin carries the same reasons.
func TestSystemPageNamesTheBlockCauseAndPath(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	page := e.Get(c, "/orgs/alpha/systems/visit-summaries?as_of=2026-11-25")
	body := html.UnescapeString(page.Body)
	for _, want := range []string{
		`PHI reaches this system through <a href="/orgs/alpha/systems/rpm-ingest">rpm-ingest</a> → <a href="/orgs/alpha/systems/patient-api">patient-api</a> → <a href="/orgs/alpha/systems/visit-summaries">visit-summaries</a>, and the flow rpm-ingest → patient-api is not encrypted in transit.`,
		`<a class="fix" href="/orgs/alpha/flows/rpm-ingest-%3Epatient-api">open the cause</a>`,
		"This system is run by vendor openai, which has no BAA in force.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("visit-summaries page lacks %q", want)
		}
	}
	var api struct {
		Reasons []struct {
			Rule, Subject, Text string
			Path                []string
		} `json:"blocked_reasons"`
	}
	if err := json.Unmarshal([]byte(e.Get(c, "/api/v1/orgs/alpha/systems/visit-summaries?as_of=2026-11-25").Body), &api); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range api.Reasons {
		if r.Rule == "flow.unencrypted" && r.Subject == "rpm-ingest->patient-api" && strings.Join(r.Path, ",") == "rpm-ingest,patient-api,visit-summaries" {
			found = true
		}
	}
	if !found {
		t.Errorf("API reasons %+v", api.Reasons)
	}
}
