package incident

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

var d = date.MustParse

func orgWith(roles ...string) *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme Health", Roles: roles,
			Officers: workspace.Officers{Privacy: "dana@acme.example", Security: "raj@acme.example"}},
		People: []workspace.Person{{Email: "dana@acme.example", Name: "Dana Kim"}},
		Systems: []workspace.System{
			{ID: "patient-api", Name: "Patient API", Kind: "service", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{ID: "laptop-fleet", Name: "Staff laptops", Kind: "endpoint", PHI: true, LivePHI: true},
		},
		Customers: []workspace.Customer{
			{ID: "st-marys", Name: "St. Mary's Clinic", CoveredEntity: true, LivePHI: true, Contact: "privacy@stmarys.example"},
			{ID: "valley-ortho", Name: "Valley Orthopedics", CoveredEntity: true, LivePHI: true},
			{ID: "lakeside", Name: "Lakeside Pediatrics", CoveredEntity: true, LivePHI: true},
			{ID: "old-clinic", Name: "Old Clinic", CoveredEntity: true},
		},
		Agreements: []workspace.Agreement{
			{ID: "baa-st-marys", Kind: "baa", Counterparty: "st-marys", Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 10},
			// valley-ortho's BAA sets no term: the statute's 60 days apply.
			{ID: "baa-valley", Kind: "baa", Counterparty: "valley-ortho", Direction: "upstream", Status: "executed", Effective: d("2026-01-01")},
			// A term longer than the statute cannot extend it.
			{ID: "baa-lakeside", Kind: "baa", Counterparty: "lakeside", Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 90},
			// Expired before discovery: its 5-day term no longer binds.
			{ID: "baa-old", Kind: "baa", Counterparty: "old-clinic", Direction: "upstream", Status: "executed", Effective: d("2024-01-01"), Expires: d("2025-01-01"), BreachNoticeDays: 5},
		},
	}
}

func breach(id, discovered string, individuals int, states map[string]int) workspace.Incident {
	return workspace.Incident{ID: id, Discovered: d(discovered), Summary: "laptop stolen from car", PHIInvolved: true, Individuals: individuals, States: states}
}

func TestDetermine(t *testing.T) {
	full := workspace.Assessment{Nature: "names and appointment dates only", UnauthorizedPerson: "another clinic's nurse", AcquiredOrViewed: "envelope returned unopened", Mitigation: "recipient attested destruction", LowProbability: true, DecidedBy: "dana@acme.example", DecidedOn: d("2027-05-09")}
	missingMitigation := full
	missingMitigation.Mitigation = "  "
	notLow := full
	notLow.LowProbability = false
	undecided := full
	undecided.DecidedBy, undecided.DecidedOn = "", date.Date{}

	cases := []struct {
		name       string
		inc        workspace.Incident
		breach     bool
		basis      string
		citation   string
		reasonHas  string
		missing    []string
		hasWarning bool
	}{
		{name: "164.402: no PHI involved is not a breach", inc: workspace.Incident{ID: "i", PHIInvolved: false}, basis: BasisNoPHI, citation: "164.402", reasonHas: "No PHI"},
		{name: "164.402(1)(i) workforce good faith", inc: withAssessment(workspace.Assessment{Exclusion: "workforce-good-faith", DecidedBy: "dana@acme.example", DecidedOn: d("2027-05-03")}), basis: BasisExclusion, citation: "164.402(1)(i)", reasonHas: "decided by dana@acme.example on 2027-05-03"},
		{name: "164.402(1)(ii) inadvertent disclosure between authorized persons", inc: withAssessment(workspace.Assessment{Exclusion: "inadvertent-authorized"}), basis: BasisExclusion, citation: "164.402(1)(ii)", hasWarning: true},
		{name: "164.402(1)(iii) recipient unable to retain", inc: withAssessment(workspace.Assessment{Exclusion: "unable-to-retain"}), basis: BasisExclusion, citation: "164.402(1)(iii)", hasWarning: true},
		{name: "164.402(1): an unknown exclusion is ignored, presumption stands", inc: withAssessment(workspace.Assessment{Exclusion: "felt-fine"}), breach: true, basis: BasisPresumed, citation: "164.402(2)", hasWarning: true},
		{name: "164.402 unsecured PHI: encrypted per HHS guidance is the safe harbor", inc: func() workspace.Incident {
			i := breach("i", "2027-05-02", 812, nil)
			i.Encrypted, i.KeyCompromised = true, ptr(false)
			return i
		}(), basis: BasisSafeHarbor, reasonHas: "Safe harbor"},
		{name: "164.402(2): complete four-factor assessment, low probability", inc: withAssessment(full), basis: BasisLowProbability, citation: "164.402(2)", reasonHas: "low probability"},
		{name: "164.402(2): low probability without who decided is a warning only", inc: withAssessment(undecided), basis: BasisLowProbability, citation: "164.402(2)", hasWarning: true},
		{name: "164.402(2)(iv): mitigation factor missing, presumed breach", inc: withAssessment(missingMitigation), breach: true, basis: BasisPresumed, citation: "164.402(2)", reasonHas: "(iv) the extent to which the risk", missing: []string{"mitigation"}},
		{name: "164.402(2)(i)-(iii): three factors missing", inc: withAssessment(workspace.Assessment{Mitigation: "x", LowProbability: true}), breach: true, basis: BasisPresumed, missing: []string{"nature", "unauthorized_person", "acquired_or_viewed"}, reasonHas: "(ii) the unauthorized person"},
		{name: "164.402(2): factors documented but low probability not concluded", inc: withAssessment(notLow), breach: true, basis: BasisPresumed, citation: "164.402(2)"},
		{name: "164.402(2): no assessment, presumed", inc: breach("i", "2027-05-02", 10, nil), breach: true, basis: BasisPresumed, citation: "164.402(2)", reasonHas: "Presumed"},
	}
	ws := orgWith(workspace.RoleCoveredEntity)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Determine(ws, c.inc)
			if got.Breach != c.breach || got.Basis != c.basis {
				t.Fatalf("breach=%v basis=%s, want %v %s (reason: %s)", got.Breach, got.Basis, c.breach, c.basis, got.Reason)
			}
			if c.citation != "" && got.Citation != c.citation {
				t.Errorf("citation %q, want %q", got.Citation, c.citation)
			}
			if !strings.Contains(got.Reason, c.reasonHas) {
				t.Errorf("reason %q does not contain %q", got.Reason, c.reasonHas)
			}
			if !slices.Equal(got.Missing, c.missing) {
				t.Errorf("missing %v, want %v", got.Missing, c.missing)
			}
			if (len(got.Warnings) > 0) != c.hasWarning {
				t.Errorf("warnings %v, want some: %v", got.Warnings, c.hasWarning)
			}
		})
	}
}

func withAssessment(a workspace.Assessment) workspace.Incident {
	i := breach("i", "2027-05-02", 3, nil)
	i.Assessment = &a
	return i
}

func TestDetermineHintsAtSafeHarborWhenSystemsAreEncrypted(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("i", "2027-05-02", 3, nil)
	inc.Systems = []string{"patient-api"}
	if det := Determine(ws, inc); !det.Breach || len(det.Warnings) != 1 || !strings.Contains(det.Warnings[0], "encrypted: true") {
		t.Errorf("want a presumed breach with a safe-harbor hint, got %+v", det)
	}
	inc.Systems = []string{"patient-api", "laptop-fleet"}
	if det := Determine(ws, inc); len(det.Warnings) != 0 {
		t.Errorf("an unencrypted system is involved: no hint expected, got %v", det.Warnings)
	}
}

// want is a notification as "to[:state|customer] due citation".
func render(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		to := n.To
		if n.State != "" {
			to += ":" + n.State
		}
		if n.Customer != "" {
			to += ":" + n.Customer
		}
		out = append(out, fmt.Sprintf("%s %s %s", to, n.Due, n.Citation))
	}
	return out
}

func TestDeadlinesCoveredEntity(t *testing.T) {
	cases := []struct {
		name        string
		discovered  string
		individuals int
		states      map[string]int
		want        []string
	}{
		{"164.404(b): 60 calendar days across a month end", "2026-11-10", 3, nil,
			[]string{"individuals 2027-01-09 164.404(b)", "hhs-annual-log 2027-03-01 164.408(c)"}},
		{"164.404(b): 60 days into a leap February", "2027-12-31", 3, nil,
			[]string{"individuals 2028-02-29 164.404(b)", "hhs-annual-log 2028-02-29 164.408(c)"}},
		{"164.404(b): 60 days past a leap February", "2028-01-01", 3, nil,
			[]string{"individuals 2028-03-01 164.404(b)", "hhs-annual-log 2029-03-01 164.408(c)"}},
		{"164.406(a) more than 500 vs 164.408(b) 500 or more: exactly 500 in one state is HHS now, no media", "2027-05-02", 500, map[string]int{"CA": 500},
			[]string{"individuals 2027-07-01 164.404(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.406(a): 501 in one state is media and HHS", "2027-05-02", 501, map[string]int{"CA": 501},
			[]string{"individuals 2027-07-01 164.404(b)", "media:CA 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.408(c): 499 in total is the annual log, 60 days after year end across a leap February", "2027-05-02", 499, map[string]int{"CA": 499},
			[]string{"individuals 2027-07-01 164.404(b)", "hhs-annual-log 2028-02-29 164.408(c)"}},
		{"164.408(c): annual log in a common year ends March 1", "2026-03-01", 12, nil,
			[]string{"individuals 2026-04-30 164.404(b)", "hhs-annual-log 2027-03-01 164.408(c)"}},
		{"164.406(a): media per state, only where more than 500", "2027-05-02", 812, map[string]int{"NV": 172, "CA": 640},
			[]string{"individuals 2027-07-01 164.404(b)", "media:CA 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.408(b): 600 across two states is HHS now but no media in either", "2027-05-02", 600, map[string]int{"CA": 300, "NV": 300},
			[]string{"individuals 2027-07-01 164.404(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.406(a): 812 with no state recorded cannot rule out more than 500 in one State: media dated to be safe", "2027-05-02", 812, nil,
			[]string{"individuals 2027-07-01 164.404(b)", "media 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.406(a): 800 with CA 300 recorded leaves 500 without a state, which could make CA 800: media dated to be safe", "2027-05-02", 800, map[string]int{"CA": 300},
			[]string{"individuals 2027-07-01 164.404(b)", "media 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.406(a): 700 with CA 600 recorded: media in CA, and the 100 without a state could make no other State more than 500", "2027-05-02", 700, map[string]int{"CA": 600},
			[]string{"individuals 2027-07-01 164.404(b)", "media:CA 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}},
		{"164.406(a): 450 with no state recorded cannot be more than 500 in one State: no media; 164.408(c) annual log", "2027-05-02", 450, nil,
			[]string{"individuals 2027-07-01 164.404(b)", "hhs-annual-log 2028-02-29 164.408(c)"}},
		{"164.408(b): states counted when the total is not recorded", "2027-05-02", 0, map[string]int{"CA": 250, "NV": 250},
			[]string{"individuals 2027-07-01 164.404(b)", "hhs 2027-07-01 164.408(b)"}},
	}
	ws := orgWith(workspace.RoleCoveredEntity)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Deadlines(ws, breach("inc-1", c.discovered, c.individuals, c.states), d(c.discovered))
			if !r.Breach {
				t.Fatalf("not a breach: %s", r.Reason)
			}
			if got := render(r.Notifications); !slices.Equal(got, c.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func TestDeadlinesSafeHarborNotifiesNobody(t *testing.T) {
	// 164.402 (unsecured PHI) and 164.404(a)(1): notice is owed only for
	// unsecured PHI, whatever the role and the count.
	ws := orgWith(workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate)
	inc := breach("inc-enc", "2027-05-02", 5000, map[string]int{"CA": 5000})
	inc.Encrypted, inc.KeyCompromised = true, ptr(false)
	inc.Customers = []string{"st-marys"}
	r := Deadlines(ws, inc, d("2027-05-02"))
	if r.Breach || len(r.Notifications) != 0 {
		t.Fatalf("want no breach and no notifications, got %+v", r)
	}
	if !strings.Contains(strings.ToLower(r.Reason), "safe harbor") {
		t.Errorf("reason should name the safe harbor: %s", r.Reason)
	}
}

func TestDeadlinesBusinessAssociate(t *testing.T) {
	cases := []struct {
		name      string
		roles     []string
		customers []string
		want      []string
		reasonHas string
	}{
		{"164.410(b) with a 10-day BAA term: the shorter contractual term wins", []string{workspace.RoleBusinessAssociate}, []string{"st-marys"},
			[]string{"covered-entity:st-marys 2027-05-12 164.410(b); BAA baa-st-marys: 10 days"}, "the covered entity notifies individuals"},
		{"164.410(b) without a BAA term: 60 days", []string{workspace.RoleBusinessAssociate}, []string{"valley-ortho"},
			[]string{"covered-entity:valley-ortho 2027-07-01 164.410(b)"}, ""},
		{"164.410(b): a 90-day BAA term cannot extend the 60 days", []string{workspace.RoleBusinessAssociate}, []string{"lakeside"},
			[]string{"covered-entity:lakeside 2027-07-01 164.410(b)"}, ""},
		{"164.410(b): an expired BAA's 5-day term no longer applies", []string{workspace.RoleBusinessAssociate}, []string{"old-clinic"},
			[]string{"covered-entity:old-clinic 2027-07-01 164.410(b)"}, ""},
		{"164.410(b): each affected customer, once", []string{workspace.RoleSubcontractor}, []string{"st-marys", "valley-ortho", "st-marys"},
			[]string{"covered-entity:st-marys 2027-05-12 164.410(b); BAA baa-st-marys: 10 days", "covered-entity:valley-ortho 2027-07-01 164.410(b)"}, ""},
		{"164.410(b): no customer recorded still starts the clock", []string{workspace.RoleBusinessAssociate}, nil,
			[]string{"covered-entity 2027-07-01 164.410(b)"}, "incident.customers"},
		{"164.410: a covered entity that is also a business associate, holding a client's PHI, owes only the notice to the client", []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}, []string{"st-marys"},
			[]string{"covered-entity:st-marys 2027-05-12 164.410(b); BAA baa-st-marys: 10 days"}, "ward reads the PHI as held for them"},
		{"164.404-164.408: the same organization's own patients' breach is its own to notify", []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}, nil,
			[]string{"individuals 2027-07-01 164.404(b)", "media:CA 2027-07-01 164.406(b)", "hhs 2027-07-01 164.408(b)"}, "held as a covered entity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := orgWith(c.roles...)
			inc := breach("inc-ba", "2027-05-02", 812, map[string]int{"CA": 640, "NV": 172})
			inc.Customers = c.customers
			r := Deadlines(ws, inc, d("2027-05-02"))
			if got := render(r.Notifications); !slices.Equal(got, c.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			if !strings.Contains(r.Reason, c.reasonHas) {
				t.Errorf("reason %q does not contain %q", r.Reason, c.reasonHas)
			}
		})
	}
}

func TestDeadlinesLawEnforcementDelay(t *testing.T) {
	// Discovered 2027-05-02: the undelayed 60-day clock ends 2027-07-01.
	cases := []struct {
		name      string
		delay     workspace.Delay
		roles     []string
		wantDue   string
		wantBy    int
		reasonHas string
	}{
		{"164.412(a): written statement delays until the date stated; the remaining clock then runs",
			workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d("2027-06-15")}, nil, "2027-08-06", 36, "164.412(a)"},
		{"164.412(b): oral statement, at most 30 days from the statement",
			workspace.Delay{Kind: "oral", Requested: d("2027-05-10"), Until: d("2027-07-30")}, nil, "2027-07-31", 30, "record kind: written"},
		{"164.412(b): oral statement for less than 30 days",
			workspace.Delay{Kind: "oral", Requested: d("2027-05-10"), Until: d("2027-05-20")}, nil, "2027-07-11", 10, "164.412(b)"},
		{"164.412(b): oral statement without an end date lasts 30 days",
			workspace.Delay{Kind: "oral", Requested: d("2027-05-10")}, nil, "2027-07-31", 30, "164.412(b)"},
		{"164.412(a): a written statement must state the time; not applied without it",
			workspace.Delay{Kind: "written", Requested: d("2027-05-10")}, nil, "2027-07-01", 0, "law_enforcement_delay.until"},
		{"164.412: a statement after the deadline cannot revive it",
			workspace.Delay{Kind: "written", Requested: d("2027-07-05"), Until: d("2027-08-01")}, nil, "2027-07-01", 0, "164.412(a)"},
		{"164.412: time before discovery was never on the clock",
			workspace.Delay{Kind: "written", Requested: d("2027-04-20"), Until: d("2027-05-12")}, nil, "2027-07-11", 10, "164.412(a)"},
		{"164.412 and 164.410(b): the delay applies to a business associate's 10-day BAA clock too",
			workspace.Delay{Kind: "written", Requested: d("2027-05-05"), Until: d("2027-05-25")}, []string{workspace.RoleBusinessAssociate}, "2027-06-01", 20, "164.412(a)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roles := c.roles
			if roles == nil {
				roles = []string{workspace.RoleCoveredEntity}
			}
			ws := orgWith(roles...)
			inc := breach("inc-le", "2027-05-02", 812, map[string]int{"CA": 640})
			inc.Customers = []string{"st-marys"}
			delay := c.delay
			inc.LawEnforcementDelay = &delay
			r := Deadlines(ws, inc, d("2027-05-02"))
			if len(r.Notifications) == 0 {
				t.Fatal("no notifications")
			}
			for _, n := range r.Notifications {
				if n.Due.String() != c.wantDue || n.DelayedBy != c.wantBy {
					t.Errorf("%s: due %s delayed by %d, want %s by %d", n.To, n.Due, n.DelayedBy, c.wantDue, c.wantBy)
				}
			}
			if !strings.Contains(r.Reason, c.reasonHas) {
				t.Errorf("reason %q does not contain %q", r.Reason, c.reasonHas)
			}
		})
	}
}

func TestAnnualLogMovesOnlyWhenTheDelayOutlastsIt(t *testing.T) {
	// 164.408(c) is not a clock from discovery: a delay in May does not
	// move a log due next February, but a delay past it does (164.412).
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("inc-log", "2027-05-02", 20, nil)
	inc.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d("2027-06-15")}
	if got := render(Deadlines(ws, inc, d("2027-05-02")).Notifications); got[1] != "hhs-annual-log 2028-02-29 164.408(c)" {
		t.Errorf("short delay moved the log: %v", got)
	}
	inc.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d("2028-03-15")}
	r := Deadlines(ws, inc, d("2027-05-02"))
	if n := r.Notifications[1]; n.Due.String() != "2028-03-15" || n.DelayedBy != 15 {
		t.Errorf("log due %s delayed by %d, want 2028-03-15 by 15", n.Due, n.DelayedBy)
	}
}

func TestDeadlinesJSONContract(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate)
	inc := breach("inc-2027-001", "2027-05-02", 812, map[string]int{"CA": 640, "NV": 172})
	inc.Customers = []string{"st-marys"}
	inc.Timeline = []workspace.TimelineEntry{{Date: d("2027-05-08"), Note: "notified:covered-entity:st-marys by e-mail to their privacy officer"}}
	b, err := json.Marshal(Deadlines(ws, inc, d("2027-05-02")))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Incident      string           `json:"incident"`
		Breach        bool             `json:"breach"`
		Reason        string           `json:"reason"`
		Notifications []map[string]any `json:"notifications"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	json.Unmarshal(b, &top)
	// The contract's keys (issue 8) and those issue 14 added: held_as,
	// clock_start, and warnings when there are any; issue 19 the covered
	// entity's resulting notices (information, 164.404-164.408) and the
	// standing note on state law.
	if keys := slices.Sorted(maps.Keys(top)); !slices.Equal(keys, []string{"breach", "clock_start", "covered_entity_notices", "held_as", "incident", "notifications", "reason", "state_law_note"}) {
		t.Errorf("top-level keys %v", keys)
	}
	if got.Incident != "inc-2027-001" || !got.Breach || got.Reason == "" {
		t.Errorf("header %+v", got)
	}
	for _, n := range got.Notifications {
		_, hasState := n["state"]
		_, hasCustomer := n["customer"]
		_, hasSent := n["sent"]
		if hasState != (n["to"] == ToMedia) {
			t.Errorf("state present=%v for %v", hasState, n)
		}
		if hasCustomer != (n["to"] == ToCoveredEntity) {
			t.Errorf("customer present=%v for %v", hasCustomer, n)
		}
		if hasSent != (n["to"] == ToCoveredEntity) {
			t.Errorf("sent present=%v for %v", hasSent, n)
		}
		if _, err := date.Parse(n["due"].(string)); err != nil {
			t.Errorf("due: %v", err)
		}
	}
	// A non-breach still prints an empty list, never null.
	inc.PHIInvolved = false
	b, _ = json.Marshal(Deadlines(ws, inc, d("2027-05-02")))
	if !strings.Contains(string(b), `"notifications":[]`) {
		t.Errorf("want an empty list: %s", b)
	}
}

func TestCheckBreachDeadline(t *testing.T) {
	// Discovered 2027-05-02, 812 individuals (CA 640): individuals, media
	// CA and HHS are all due 2027-07-01 (164.404(b), 164.406(b), 164.408(b)).
	base := breach("inc-1", "2027-05-02", 812, map[string]int{"CA": 640, "NV": 172})
	cases := []struct {
		name     string
		asOf     string
		timeline []string // "YYYY-MM-DD note"
		status   string
		want     int
		msgHas   string
	}{
		{"11 days left is not yet a finding", "2027-06-20", nil, "open", 0, ""},
		{"10 days left is a finding (inclusive)", "2027-06-21", nil, "open", 3, "10 days left"},
		{"due today", "2027-07-01", nil, "open", 3, "due today"},
		{"overdue", "2027-07-04", nil, "open", 3, "overdue by 3 days"},
		{"recorded notices are not findings", "2027-07-04", []string{"2027-06-25 notified:individuals letters mailed", "2027-06-25 notified:media:CA", "2027-06-26 notified:hhs portal"}, "closed", 0, ""},
		{"media in CA only covers CA; HHS still owed", "2027-06-25", []string{"2027-06-25 notified:individuals", "2027-06-25 notified:media:CA"}, "open", 1, "HHS (breach portal)"},
		{"a notice recorded for another state does not count", "2027-06-25", []string{"2027-06-25 notified:individuals", "2027-06-25 notified:media:NV", "2027-06-26 notified:hhs"}, "open", 1, "media outlets in CA"},
		{"closing an incident does not give the notices", "2027-07-04", nil, "closed", 3, "ward breach sent inc-1 --to hhs --date YYYY-MM-DD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inc := base
			inc.Status = c.status
			for _, e := range c.timeline {
				day, note, _ := strings.Cut(e, " ")
				inc.Timeline = append(inc.Timeline, workspace.TimelineEntry{Date: d(day), Note: note})
			}
			ws := orgWith(workspace.RoleCoveredEntity)
			ws.Incidents = []workspace.Incident{inc}
			fs := Check(ws, d(c.asOf))
			if len(fs) != c.want {
				t.Fatalf("%d findings, want %d: %+v", len(fs), c.want, fs)
			}
			for _, f := range fs {
				if f.Rule != "breach.deadline" || f.Severity != finding.Error || f.Subject != "inc-1" {
					t.Errorf("finding %+v", f)
				}
			}
			if c.want > 0 && !slices.ContainsFunc(fs, func(f finding.Finding) bool { return strings.Contains(f.Message, c.msgHas) }) {
				t.Errorf("no message contains %q: %+v", c.msgHas, fs)
			}
		})
	}
}

func TestCheckBusinessAssociateTermAtTenDays(t *testing.T) {
	// 164.410(b) with a 10-day BAA term: the alert is live on the day of
	// discovery, since 10 days left is within the 10-day window.
	ws := orgWith(workspace.RoleBusinessAssociate)
	inc := breach("inc-ba", "2027-05-02", 40, nil)
	inc.Customers = []string{"st-marys", "valley-ortho"}
	ws.Incidents = []workspace.Incident{inc}
	fs := Check(ws, d("2027-05-02"))
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "covered entity st-marys") || !strings.Contains(fs[0].Message, "2027-05-12") {
		t.Errorf("want one finding for st-marys due 2027-05-12, got %+v", fs)
	}
}

func TestCheckIgnoresNonBreaches(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	enc := breach("inc-enc", "2027-01-02", 900, nil)
	enc.Encrypted, enc.KeyCompromised = true, ptr(false)
	nophi := breach("inc-nophi", "2027-01-02", 0, nil)
	nophi.PHIInvolved = false
	ws.Incidents = []workspace.Incident{enc, nophi}
	if fs := Check(ws, d("2027-12-31")); len(fs) != 0 {
		t.Errorf("want none, got %+v", fs)
	}
}

func TestParseNotified(t *testing.T) {
	cases := []struct{ note, to, qual string }{
		{"notified:hhs", "hhs", ""},
		{"  notified:media:CA press release", "media", "CA"},
		{"notified:covered-entity:st-marys\tby phone", "covered-entity", "st-marys"},
		{"called the FBI; notified:hhs", "", ""},
		{"notified:", "", ""},
	}
	for _, c := range cases {
		to, qual, ok := parseNotified(c.note)
		if to != c.to || qual != c.qual || ok != (c.to != "") {
			t.Errorf("%q: %q %q %v", c.note, to, qual, ok)
		}
	}
}

func ptr[T any](v T) *T { return &v }
