package incidents_test

import (
	"bytes"
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
	"ward/internal/web/records"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

func TestValidateIncident(t *testing.T) {
	ws := &workspace.Workspace{People: []workspace.Person{{Email: "dana@alpha.example"}}, Systems: []workspace.System{{ID: "patient-api"}}}
	d := date.MustParse
	base := func() workspace.Incident {
		return workspace.Incident{ID: "inc-1", Discovered: d("2026-11-10"), Summary: "lost laptop", PHIInvolved: true, Individuals: 600, States: map[string]int{"CA": 600},
			Assessment: &workspace.Assessment{DecidedBy: "dana@alpha.example", DecidedOn: d("2026-11-12")}}
	}
	tests := []struct {
		name   string
		change func(*workspace.Incident)
		field  string // "" when valid
		says   string
	}{
		{"valid", func(*workspace.Incident) {}, "", ""},
		{"no discovered date: every clock runs from it, 164.404(a)(2)", func(i *workspace.Incident) { i.Discovered = date.Date{} }, "discovered", "164.404(a)(2)"},
		{"occurred after discovered", func(i *workspace.Incident) { i.Occurred = d("2026-11-11") }, "occurred", "after discovered"},
		{"id with a slash", func(i *workspace.Incident) { i.ID = "a/b" }, "id", "letters, digits"},
		{"unknown system", func(i *workspace.Incident) { i.Systems = []string{"nope"} }, "systems", "not a system"},
		{"states add up to more than individuals", func(i *workspace.Incident) { i.States["NY"] = 1 }, "states", "add up to 601"},
		{"state code", func(i *workspace.Incident) { i.States = map[string]int{"California": 600} }, "states", "not a US state or jurisdiction code"},
		// 45 CFR 164.406: media notice is per state or jurisdiction.
		{"no such state", func(i *workspace.Incident) { i.States = map[string]int{"ZZ": 600} }, "states", `"ZZ" is not a US state or jurisdiction code`},
		{"written delay needs its date, 164.412(a)", func(i *workspace.Incident) {
			i.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2026-11-11")}
		}, "law_enforcement_delay.until", "164.412(a)"},
		{"oral delay of 30 days is allowed, 164.412(b)", func(i *workspace.Incident) {
			i.LawEnforcementDelay = &workspace.Delay{Kind: "oral", Requested: d("2026-11-11"), Until: d("2026-12-11")}
		}, "", ""},
		{"oral delay of 31 days is not, 164.412(b)", func(i *workspace.Incident) {
			i.LawEnforcementDelay = &workspace.Delay{Kind: "oral", Requested: d("2026-11-11"), Until: d("2026-12-12")}
		}, "law_enforcement_delay.until", "at most 30 days (164.412(b))"},
		{"low probability without the four factors, 164.402(2)", func(i *workspace.Incident) {
			i.Assessment.LowProbability = true
			i.Assessment.Nature, i.Assessment.UnauthorizedPerson, i.Assessment.AcquiredOrViewed = "names only", "a courier", "not opened"
		}, "assessment.mitigation", "164.402(2)"},
		{"unknown exclusion", func(i *workspace.Incident) { i.Assessment.Exclusion = "oops" }, "assessment.exclusion", "not one of"},
		{"decider not among people", func(i *workspace.Incident) { i.Assessment.DecidedBy = "x@y.example" }, "assessment.decided_by", "not anyone"},
		{"decided before discovery", func(i *workspace.Incident) { i.Assessment.DecidedOn = d("2026-11-01") }, "assessment.decided_on", "before the incident was discovered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := base()
			tt.change(&inc)
			fe := incidents.ValidateIncident(ws, inc)
			if tt.field == "" {
				if fe != nil {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if !strings.Contains(fe[tt.field], tt.says) {
				t.Errorf("error on %s = %q, want it to say %q (all: %v)", tt.field, fe[tt.field], tt.says, fe)
			}
		})
	}
}

// wizardForm is the wizard filled in for a breach of unsecured PHI of
// 600 California residents.
func wizardForm(csrf string) url.Values {
	return url.Values{
		"csrf": {csrf}, "phi_involved": {"yes"}, "phi_types": {"names, diagnoses"}, "individuals": {"600"}, "states": {"CA 600"},
		"encrypted": {"unsecured"}, "assessment.exclusion": {""},
		"assessment.nature": {"names and diagnoses"}, "assessment.unauthorized_person": {"unknown thief"},
		"assessment.acquired_or_viewed": {"laptop stolen, presumed viewed"}, "assessment.mitigation": {"remote wipe failed"},
		"assessment.low_probability": {"no"}, "law_enforcement_delay.kind": {""},
		"assessment.decided_by": {"dana@alpha.example"}, "assessment.decided_on": {"2026-11-12"}, "action": {"save"},
	}
}

// TestIncidentForms: an editor records an incident, assesses it and adds
// to its timeline through the forms; a wrong answer shows the error next
// to its field and writes nothing; preview writes nothing; a save is one
// audited update.
func TestIncidentForms(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.CoveredEntity()
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)

	before := e.AuditCount()
	bad := e.PostForm(c, "/orgs/alpha/incidents", url.Values{"csrf": {csrf}, "id": {"inc-7"}, "summary": {""}, "discovered": {"2026-13-01"}, "status": {"open"}, "phi_involved": {"yes"}})
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("new incident with errors: %d, want 422", bad.StatusCode)
	}
	for _, want := range []string{`2026-13-01&#34; is not a date (write 2026-12-01 or 12/01/2026)`, "summary", "is missing: one line on what happened", "<details class=\"new-incident\" open>"} {
		if !strings.Contains(bad.Body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if n := e.AuditCount(); n != before {
		t.Errorf("a refused form wrote %d audit entries", n-before)
	}

	res := e.PostForm(c, "/orgs/alpha/incidents?as_of=2026-11-20", url.Values{"csrf": {csrf}, "id": {"inc-7"}, "summary": {"laptop stolen from a car"}, "discovered": {"2026-11-10"},
		"status": {"open"}, "phi_involved": {"yes"}, "systems": {"patient-api"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/orgs/alpha/incidents/inc-7?as_of=2026-11-20&saved=created") {
		t.Fatalf("new incident: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if inc := e.StoredIncident("inc-7"); inc.Discovered != date.MustParse("2026-11-10") || inc.Systems[0] != "patient-api" {
		t.Errorf("stored %+v", inc)
	}

	// Wrong answers: nothing is written, each error sits by its field.
	before = e.AuditCount()
	f := wizardForm(csrf)
	f.Set("states", "CA 700")
	f.Set("law_enforcement_delay.kind", "oral")
	f.Set("law_enforcement_delay.requested", "2026-11-11")
	f.Set("law_enforcement_delay.until", "2026-12-31")
	f.Set("assessment.low_probability", "yes")
	f.Set("assessment.mitigation", "")
	res = e.PostForm(c, "/orgs/alpha/incidents/inc-7/assessment?as_of=2026-11-20", f)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wizard with errors: %d, want 422", res.StatusCode)
	}
	for _, want := range []string{
		`name="states" rows="3" placeholder="CA 600" aria-invalid="true">CA 700</textarea></label><p class="field-error">the residents per state add up to 700, more than the 600 individuals affected</p>`,
		"at most 30 days (164.412(b))",
		`name="assessment.mitigation" rows="2" aria-invalid="true"></textarea></label><p class="field-error">is missing: a low probability of compromise must be demonstrated by at least the four factors of 164.402(2)`,
		"Nothing was saved",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the refused wizard lacks %q", want)
		}
	}
	if n := e.AuditCount(); n != before {
		t.Errorf("a refused wizard wrote %d audit entries", n-before)
	}

	// Preview: the result, nothing written.
	f = wizardForm(csrf)
	f.Set("action", "preview")
	res = e.PostForm(c, "/orgs/alpha/incidents/inc-7/assessment?as_of=2026-11-20", f)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "not saved") || !strings.Contains(res.Body, "164.406(b)") {
		t.Errorf("preview: %d, want the media notice of 164.406(b) and the not-saved notice", res.StatusCode)
	}
	if n := e.AuditCount(); n != before {
		t.Errorf("a preview wrote %d audit entries", n-before)
	}

	res = e.PostForm(c, "/orgs/alpha/incidents/inc-7/assessment?as_of=2026-11-20", wizardForm(csrf))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/orgs/alpha/incidents/inc-7?as_of=2026-11-20&saved=assessment#determination" {
		t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	entries, _ := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if len(entries) != 1 || entries[0].Action != "update" || entries[0].Key != "inc-7" || entries[0].Actor != ed.Email {
		t.Errorf("last audit entry %+v, want an update of inc-7 by %s", entries, ed.Email)
	}
	inc := e.StoredIncident("inc-7")
	if inc.Individuals != 600 || inc.States["CA"] != 600 || inc.Encrypted || inc.Assessment == nil || inc.Assessment.DecidedBy != "dana@alpha.example" {
		t.Errorf("stored %+v %+v", inc, inc.Assessment)
	}

	res = e.PostForm(c, "/orgs/alpha/incidents/inc-7/timeline?as_of=2026-11-20", url.Values{"csrf": {csrf}, "date": {"2026-11-13"}, "note": {"notified:hhs"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("timeline: %d %s", res.StatusCode, res.Body)
	}
	inc = e.StoredIncident("inc-7")
	if len(inc.Timeline) != 1 || inc.Timeline[0].By != ed.Email || inc.Timeline[0].Note != "notified:hhs" {
		t.Errorf("timeline %+v", inc.Timeline)
	}
	if res := e.PostForm(c, "/orgs/alpha/incidents/inc-7/timeline", url.Values{"csrf": {csrf}, "date": {""}, "note": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "the date of this entry") {
		t.Errorf("timeline without a date: %d", res.StatusCode)
	}

	// Viewers see no forms.
	v, _ := e.Login(e.Users[store.RoleViewer])
	page := e.Get(v, "/orgs/alpha/incidents/inc-7")
	if strings.Contains(page.Body, "wizard-form") || strings.Contains(page.Body, "timeline-form") || !strings.Contains(page.Body, "Four-factor assessment") {
		t.Error("a viewer's incident page shows the editors' forms, or not the assessment")
	}
}

// TestIncidentAPIWrite: POST and PUT under /api/v1 take the incident as
// JSON, answer 422 with the errors by field, and otherwise the detail with
// the recomputed deadlines.
func TestIncidentAPIWrite(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.CoveredEntity()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	send := func(method, path string, v any) webtest.Response {
		b, _ := json.Marshal(v)
		req, _ := http.NewRequest(method, e.HTTP.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		return e.Send(c, req)
	}
	inc := workspace.Incident{ID: "inc-9", Discovered: date.MustParse("2026-11-10"), Summary: "misdirected fax", PHIInvolved: true, Individuals: 499}
	res := send("POST", "/api/v1/orgs/alpha/incidents?as_of=2026-11-20", inc)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	var d incidents.IncidentDetail
	json.Unmarshal([]byte(res.Body), &d)
	// 499: fewer than 500, so the annual log (164.408(c)), due 60 days
	// after the end of 2026: 2027-03-01.
	found := false
	for _, n := range d.Row.Notifications {
		if n.To == incident.ToHHSAnnualLog && n.Due == date.MustParse("2027-03-01") {
			found = true
		}
	}
	if !found {
		t.Errorf("499 individuals: no annual-log notice due 2027-03-01 (164.408(c)): %+v", d.Row.Notifications)
	}
	if res := send("POST", "/api/v1/orgs/alpha/incidents", inc); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already an incident") {
		t.Errorf("duplicate: %d %s", res.StatusCode, res.Body)
	}
	inc.Individuals, inc.States = 500, map[string]int{"TX": 500}
	inc.Assessment = &workspace.Assessment{LowProbability: true, DecidedBy: "dana@alpha.example", DecidedOn: date.MustParse("2026-11-11")}
	res = send("PUT", "/api/v1/orgs/alpha/incidents/inc-9", inc)
	var fe records.APIFieldErrors
	json.Unmarshal([]byte(res.Body), &fe)
	if res.StatusCode != http.StatusUnprocessableEntity || len(fe.Fields) != 4 || !strings.Contains(fe.Fields["assessment.nature"], "164.402(2)") {
		t.Errorf("low probability without factors: %d %s", res.StatusCode, res.Body)
	}
	inc.Assessment.LowProbability = false
	res = send("PUT", "/api/v1/orgs/alpha/incidents/inc-9?as_of=2026-11-20", inc)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("put: %d %s", res.StatusCode, res.Body)
	}
	d = incidents.IncidentDetail{}
	json.Unmarshal([]byte(res.Body), &d)
	// Exactly 500 in one state: HHS now (164.408(b), 500 or more), no
	// media (164.406 needs more than 500).
	var tos []string
	for _, n := range d.Row.Notifications {
		tos = append(tos, n.To)
	}
	if strings.Join(tos, ",") != "individuals,hhs" {
		t.Errorf("500 in TX: notices to %v, want individuals and hhs, no media", tos)
	}
	if res := send("PUT", "/api/v1/orgs/alpha/incidents/nope", inc); res.StatusCode != http.StatusNotFound {
		t.Errorf("put unknown: %d", res.StatusCode)
	}
	inc.ID = "inc-10"
	if res := send("PUT", "/api/v1/orgs/alpha/incidents/inc-9", inc); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("put with another id: %d", res.StatusCode)
	}
}

// TestBrowserIncidentWizard: an editor records an incident in Chromium and
// fills the wizard for 600 individuals, all in California: the page then
// shows notices to the individuals (164.404(b)), the California media
// (164.406(b): more than 500 residents of a State) and HHS at the same time
// (164.408(b): 500 or more), all due 60 days after discovery.
func TestBrowserIncidentWizard(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.CoveredEntity()
	b := browsertest.New(t)
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	set := func(sel, v string) { b.Do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), v)) }

	b.Navigate(e.HTTP.URL + "/orgs/alpha/incidents?as_of=2026-11-20")
	b.Click("details.new-incident > summary")
	b.Click(`.new-incident-form details.more > summary`)
	b.Fill(`.new-incident-form input[name="id"]`, "inc-2026-050")
	b.Fill(`.new-incident-form input[name="summary"]`, "Stolen laptop with the patient list")
	set(`.new-incident-form input[name="discovered"]`, "2026-11-10")
	b.Click(`.new-incident-form input[name="systems"][value="patient-api"]`)
	b.Click(`.new-incident-form button[type="submit"]`)
	b.WaitText(".notice.saved", "Incident recorded", 15*time.Second)

	b.Fill(`.wizard-form input[name="individuals"]`, "600")
	b.Fill(`.wizard-form textarea[name="states"]`, "CA 600")
	b.Click(`.wizard-form input[name="encrypted"][value="unsecured"]`)
	b.Fill(`.wizard-form textarea[name="assessment.nature"]`, "Names, dates of birth and diagnoses")
	b.Fill(`.wizard-form textarea[name="assessment.unauthorized_person"]`, "Unknown thief")
	b.Fill(`.wizard-form textarea[name="assessment.acquired_or_viewed"]`, "Laptop not recovered")
	b.Fill(`.wizard-form textarea[name="assessment.mitigation"]`, "Remote wipe attempted, not confirmed")
	b.Click(`.wizard-form input[name="assessment.low_probability"][value="no"]`)
	set(`.wizard-form select[name="assessment.decided_by"]`, "dana@alpha.example")
	set(`.wizard-form input[name="assessment.decided_on"]`, "2026-11-12")
	b.Screenshot("incident-wizard-filled")
	b.Click(`.wizard-form button[value="save"]`)
	b.WaitText(".notice.saved", "Assessment saved", 15*time.Second)

	if det := b.Text(".determination"); !strings.Contains(det, "breach") || !strings.Contains(det, "164.402(2)") {
		t.Errorf("determination reads %q", det)
	}
	table := b.Text("table.deadlines")
	// 2026-11-10 + 60 calendar days = 2027-01-09.
	for _, want := range []string{"individuals", "164.404(b)", "media (CA)", "164.406(b)", "hhs", "164.408(b)", "2027-01-09"} {
		if !strings.Contains(table, want) {
			t.Errorf("deadlines read %q, want %q", table, want)
		}
	}
	if n := b.Count("table.deadlines tbody tr"); n != 3 {
		t.Errorf("%d notifications, want individuals, media CA and HHS", n)
	}
	if strings.Contains(table, "hhs-annual-log") {
		t.Error("600 individuals went to the annual log; 164.408(b) says HHS now")
	}
	b.Screenshot("incident-wizard-saved")

	// A wrong answer comes back next to its field.
	b.Fill(`.wizard-form textarea[name="states"]`, "CA 700")
	b.Click(`.wizard-form button[value="save"]`)
	b.WaitText(".alert", "Nothing was saved", 15*time.Second)
	if txt := b.Text(`.wizard-form textarea[name="states"] ~ .field-error, .wizard-form .field-error`); !strings.Contains(txt, "add up to 700") {
		t.Errorf("field error reads %q", txt)
	}
	b.Screenshot("incident-wizard-error")
	if inc := e.StoredIncident("inc-2026-050"); inc.States["CA"] != 600 {
		t.Errorf("the refused answer was written: %v", inc.States)
	}
	// The refused form is answered 422 on purpose, which Chromium logs as
	// a failed load; anything else is a problem.
	var pr []string
	for _, p := range b.Problems() {
		if !strings.Contains(p, "status of 422") {
			pr = append(pr, p)
		}
	}
	if len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
}
