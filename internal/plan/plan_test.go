package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

var d = date.MustParse

// roleCases are the roles of the decision space.
var roleCases = []struct {
	name  string
	roles []string
}{
	{"covered-entity", []string{workspace.RoleCoveredEntity}},
	{"business-associate", []string{workspace.RoleBusinessAssociate}},
	{"subcontractor", []string{workspace.RoleSubcontractor}},
	{"covered-entity+business-associate", []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}},
}

// answersOf decodes i in 0..15 as the four answers, handles_phi the most
// significant bit: phi, sells, enterprise, soc2.
func answersOf(i int) workspace.Answers {
	return workspace.Answers{
		HandlesPHI:              i&8 != 0,
		SellsToCoveredEntities:  i&4 != 0,
		EnterpriseHealthSystems: i&2 != 0,
		BuyersAskSOC2:           i&1 != 0,
	}
}

func answersName(a workspace.Answers) string {
	b := func(v bool) string {
		if v {
			return "y"
		}
		return "n"
	}
	return fmt.Sprintf("phi=%s,sells=%s,ent=%s,soc2=%s", b(a.HandlesPHI), b(a.SellsToCoveredEntities), b(a.EnterpriseHealthSystems), b(a.BuyersAskSOC2))
}

// The expected frameworks, in order, for every combination, written out
// rather than derived: rows are answersOf(0..15).
//
// Covered entity: rule 5, HIPAA only, whatever the answers (a covered
// entity is under HIPAA by definition, 45 CFR 160.103 and 164.104).
// Business associate and subcontractor (a subcontractor is a business
// associate, 160.103): HIPAA iff PHI (rule 1); SOC 2 iff buyers ask
// (rule 4: enterprise health-system sales alone do not add it, issue 14
// item 8; ward's advice about them is labelled as its own); HITRUST iff
// enterprise health-system sales (rule 3); selling to covered entities
// changes the BAAs, not the frameworks.
// Covered entity that is also a business associate: HIPAA always, and the
// business-associate side follows the business-associate rules.
var expectedFrameworks = map[string][16]string{
	"covered-entity": {
		"hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa",
		"hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa",
	},
	"business-associate": {
		"", "soc2", "hitrust", "soc2,hitrust", "", "soc2", "hitrust", "soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
	},
	"subcontractor": {
		"", "soc2", "hitrust", "soc2,hitrust", "", "soc2", "hitrust", "soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
	},
	"covered-entity+business-associate": {
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
		"hipaa", "hipaa,soc2", "hipaa,hitrust", "hipaa,soc2,hitrust",
	},
}

var milestonesOf = map[string][]string{
	HIPAA:   {MapDataFlows, AppointOfficers, RiskAnalysis, ExecuteBAAs},
	SOC2:    {SOC2Readiness, SOC2Type1, SOC2Type2Observation, SOC2Type2Report},
	HITRUST: {HITRUSTAssessment},
}

func orgWS(roles []string, a workspace.Answers) *workspace.Workspace {
	return &workspace.Workspace{Organization: workspace.Organization{
		Name: "Test Org", Roles: roles, Answers: a, ProgramStart: d("2027-01-04"),
	}}
}

func TestDecisionSpace(t *testing.T) {
	for _, rc := range roleCases {
		for i := range 16 {
			a := answersOf(i)
			t.Run(rc.name+"/"+answersName(a), func(t *testing.T) {
				p := Build(orgWS(rc.roles, a), date.Date{}, d("2027-01-04"), Status{})
				want := expectedFrameworks[rc.name][i]
				if got := strings.Join(p.Applying(), ","); got != want {
					t.Fatalf("frameworks = %q, want %q", got, want)
				}
				// Order: 1..n in the order listed, 0 for the rest; every
				// framework is listed, with a reason naming its rule.
				if len(p.Frameworks) != 3 {
					t.Fatalf("want hipaa, soc2 and hitrust listed, got %d frameworks", len(p.Frameworks))
				}
				n := 0
				for _, f := range p.Frameworks {
					if f.Applies {
						n++
						if f.Order != n {
							t.Errorf("%s: order %d, want %d", f.ID, f.Order, n)
						}
					} else if f.Order != 0 {
						t.Errorf("%s does not apply but has order %d", f.ID, f.Order)
					}
					if !strings.Contains(f.Reason, "Rule ") && !strings.Contains(f.Reason, "Rules ") {
						t.Errorf("%s: reason does not cite its rule: %q", f.ID, f.Reason)
					}
				}
				// Only the milestones of applying frameworks appear, in the
				// roadmap's order.
				var wantMs []string
				for _, fw := range p.Applying() {
					wantMs = append(wantMs, milestonesOf[fw]...)
				}
				var gotMs []string
				for _, m := range p.Milestones {
					gotMs = append(gotMs, m.ID)
				}
				if !slices.Equal(gotMs, wantMs) {
					t.Errorf("milestones = %v, want %v", gotMs, wantMs)
				}
				// Live PHI is gated exactly when HIPAA applies.
				if hipaa := slices.Contains(p.Applying(), HIPAA); hipaa != (len(p.Gates) == 1) {
					t.Errorf("hipaa applies: %v, gates: %+v", hipaa, p.Gates)
				}
			})
		}
	}
}

// Rule 4: SOC 2 readiness runs in parallel and a BAA is never delayed to
// wait for SOC 2. Over the whole decision space and every SOC 2 setting:
// no SOC 2 milestone is a prerequisite of execute-baas (or of any HIPAA
// milestone), the live-PHI gate waits for no SOC 2 milestone, and the BAA
// dates are the same as without SOC 2.
func TestSOC2NeverGatesABAA(t *testing.T) {
	socs := []workspace.SOC2{
		{},
		{Type: "type1"},
		{Type: "type2", ObservationMonths: 6},
		{Type: "type2", ObservationStart: d("2027-02-01")},
		// An observation window recorded before the BAAs are due must not
		// pull them either way.
		{ObservationStart: d("2027-01-05"), ObservationMonths: 3},
	}
	for _, rc := range roleCases {
		for i := range 16 {
			for _, soc := range socs {
				a := answersOf(i)
				ws := orgWS(rc.roles, a)
				ws.Organization.SOC2 = soc
				p := Build(ws, date.Date{}, d("2027-03-01"), Status{})
				baa := p.Milestone(ExecuteBAAs)
				if baa == nil {
					continue
				}
				name := fmt.Sprintf("%s/%s/%+v", rc.name, answersName(a), soc)
				for _, m := range p.Milestones {
					if m.Framework != HIPAA {
						continue
					}
					for _, pre := range p.Prerequisites(m.ID) {
						if strings.HasPrefix(pre, "soc2") {
							t.Errorf("%s: %s waits for %s", name, m.ID, pre)
						}
					}
				}
				for _, g := range p.Gates {
					for _, w := range g.WaitsFor {
						if p.Milestone(w).Framework != HIPAA {
							t.Errorf("%s: gate %s waits for %s", name, g.ID, w)
						}
					}
				}
				a.BuyersAskSOC2 = false
				a.EnterpriseHealthSystems = false
				ws2 := orgWS(rc.roles, a)
				ws2.Organization.SOC2 = soc
				without := Build(ws2, date.Date{}, d("2027-03-01"), Status{}).Milestone(ExecuteBAAs)
				if without.Start != baa.Start || without.Due != baa.Due || without.Status != baa.Status {
					t.Errorf("%s: execute-baas %s..%s %s with SOC 2, %s..%s %s without", name,
						baa.Start, baa.Due, baa.Status, without.Start, without.Due, without.Status)
				}
			}
		}
	}
}

func TestCoveredEntityCustomerCountsAsSellingToCoveredEntities(t *testing.T) {
	// Rule 2 reads answers.sells_to_covered_entities or any customer with
	// covered_entity: true.
	ws := orgWS(nil, workspace.Answers{HandlesPHI: true})
	ws.Customers = []workspace.Customer{{ID: "clinic-a", CoveredEntity: false}, {ID: "st-marys", CoveredEntity: true}}
	p := Build(ws, date.Date{}, d("2027-01-04"), Status{})
	if !p.Inputs.SellsToCoveredEntities || !slices.Equal(p.Inputs.CoveredEntityCustomers, []string{"st-marys"}) {
		t.Fatalf("inputs = %+v", p.Inputs)
	}
	// No role declared: handling PHI for a covered entity makes a business
	// associate (45 CFR 160.103).
	if p.Inputs.InferredRole != workspace.RoleBusinessAssociate {
		t.Errorf("inferred role = %q", p.Inputs.InferredRole)
	}
	baa := p.Milestone(ExecuteBAAs)
	for _, want := range []string{"st-marys", "164.504(e)", "Rule 2"} {
		if !strings.Contains(baa.Reason, want) {
			t.Errorf("execute-baas reason lacks %q: %s", want, baa.Reason)
		}
	}
}

func TestReasonsCiteTheRegulation(t *testing.T) {
	cases := []struct {
		roles []string
		id    string
		want  []string
	}{
		{[]string{workspace.RoleBusinessAssociate}, HIPAA, []string{"Rule 1", "160.103", "164.314(a)(2)(iii)"}},
		{[]string{workspace.RoleCoveredEntity}, HIPAA, []string{"Rule 5", "160.103", "164.502(e)"}},
		{[]string{workspace.RoleCoveredEntity}, SOC2, []string{"Rule 5", "SOC 2 does not apply to providing care"}},
		{[]string{workspace.RoleBusinessAssociate}, SOC2, []string{"Rule 4", "never delayed"}},
		{[]string{workspace.RoleBusinessAssociate}, HITRUST, []string{"Rule 3", "reuses the HIPAA and SOC 2 evidence"}},
	}
	all := workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, EnterpriseHealthSystems: true, BuyersAskSOC2: true}
	for _, c := range cases {
		p := Build(orgWS(c.roles, all), date.Date{}, d("2027-01-04"), Status{})
		f := p.Framework(c.id)
		for _, w := range c.want {
			if !strings.Contains(f.Reason, w) {
				t.Errorf("%v %s: reason lacks %q: %s", c.roles, c.id, w, f.Reason)
			}
		}
	}
	p := Build(orgWS([]string{workspace.RoleBusinessAssociate}, all), date.Date{}, d("2027-01-04"), Status{})
	if r := p.Milestone(RiskAnalysis).Reason; !strings.Contains(r, "164.308(a)(1)(ii)(A)") {
		t.Errorf("risk-analysis reason lacks 164.308(a)(1)(ii)(A): %s", r)
	}
}

type span struct{ start, due string }

func TestDates(t *testing.T) {
	all := workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, EnterpriseHealthSystems: true, BuyersAskSOC2: true}
	cases := []struct {
		name  string
		start string
		soc   workspace.SOC2
		want  map[string]span
	}{
		{
			// Week 1 is start..start+6; month 4 begins three months after
			// the start, clamped by AddMonths: Jan 31 -> Apr 30.
			name: "month end, 3-month observation", start: "2027-01-31",
			want: map[string]span{
				MapDataFlows:         {"2027-01-31", "2027-02-13"},
				AppointOfficers:      {"2027-01-31", "2027-02-13"},
				RiskAnalysis:         {"2027-02-07", "2027-02-27"},
				ExecuteBAAs:          {"2027-02-21", "2027-03-13"},
				SOC2Readiness:        {"2027-02-21", "2027-04-17"},
				SOC2Type1:            {"2027-04-18", "2027-05-16"}, // 8 and 12 weeks after readiness starts
				SOC2Type2Observation: {"2027-04-30", "2027-07-29"},
				SOC2Type2Report:      {"2027-07-30", "2027-10-29"},
				HITRUSTAssessment:    {"2028-01-31", "2029-01-30"},
			},
		},
		{
			// 2028 is a leap year: the weeks step over Feb 29.
			name: "across a leap day, 6-month observation", start: "2028-02-15",
			soc: workspace.SOC2{ObservationMonths: 6},
			want: map[string]span{
				MapDataFlows:         {"2028-02-15", "2028-02-28"},
				RiskAnalysis:         {"2028-02-22", "2028-03-13"},
				ExecuteBAAs:          {"2028-03-07", "2028-03-27"},
				SOC2Readiness:        {"2028-03-07", "2028-05-01"},
				SOC2Type1:            {"2028-05-02", "2028-05-30"},
				SOC2Type2Observation: {"2028-05-15", "2028-11-14"},
				SOC2Type2Report:      {"2028-11-15", "2029-02-14"}, // end of program month 12
				HITRUSTAssessment:    {"2029-02-15", "2030-02-14"},
			},
		},
		{
			// Month 4 of a program starting Nov 30 begins on Feb 29, 2028.
			name: "Nov 30 into a leap February, 3-month observation", start: "2027-11-30",
			soc: workspace.SOC2{ObservationMonths: 3},
			want: map[string]span{
				MapDataFlows:         {"2027-11-30", "2027-12-13"},
				RiskAnalysis:         {"2027-12-07", "2027-12-27"},
				ExecuteBAAs:          {"2027-12-21", "2028-01-10"},
				SOC2Readiness:        {"2027-12-21", "2028-02-14"},
				SOC2Type1:            {"2028-02-15", "2028-03-14"},
				SOC2Type2Observation: {"2028-02-29", "2028-05-28"},
				SOC2Type2Report:      {"2028-05-29", "2028-08-28"},
				HITRUSTAssessment:    {"2028-11-30", "2029-11-29"},
			},
		},
		{
			// A recorded window moves the observation and the report.
			name: "recorded 6-month observation", start: "2026-12-01",
			soc: workspace.SOC2{Type: "type2", ObservationStart: d("2027-04-01"), ObservationMonths: 6},
			want: map[string]span{
				SOC2Readiness:        {"2026-12-22", "2027-02-15"},
				SOC2Type2Observation: {"2027-04-01", "2027-09-30"},
				SOC2Type2Report:      {"2027-10-01", "2027-12-31"},
				HITRUSTAssessment:    {"2028-01-01", "2028-12-31"}, // after the report, not month 13
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := orgWS([]string{workspace.RoleBusinessAssociate}, all)
			ws.Organization.SOC2 = c.soc
			p := Build(ws, d(c.start), d(c.start), Status{})
			for id, w := range c.want {
				m := p.Milestone(id)
				if m == nil {
					t.Errorf("%s missing", id)
					continue
				}
				if got := (span{m.Start.String(), m.Due.String()}); got != w {
					t.Errorf("%s = %s..%s, want %s..%s", id, got.start, got.due, w.start, w.due)
				}
			}
		})
	}
}

func TestStartDefaultsToProgramStart(t *testing.T) {
	ws := orgWS([]string{workspace.RoleBusinessAssociate}, workspace.Answers{HandlesPHI: true})
	ws.Organization.ProgramStart = d("2026-12-01")
	if p := Build(ws, date.Date{}, d("2027-01-01"), Status{}); p.Start != d("2026-12-01") {
		t.Errorf("start = %s, want organization.program_start", p.Start)
	}
	if p := Build(ws, d("2027-03-01"), d("2027-01-01"), Status{}); p.Start != d("2027-03-01") || p.Milestone(MapDataFlows).Start != d("2027-03-01") {
		t.Errorf("--start not honoured: %s", p.Start)
	}
}

func TestSOC2Types(t *testing.T) {
	a := workspace.Answers{HandlesPHI: true, BuyersAskSOC2: true}
	cases := []struct {
		typ  string
		want []string
	}{
		{"", milestonesOf[SOC2]},
		{"type1", milestonesOf[SOC2]},
		// A Type II target keeps the Type I milestone 8–12 weeks after
		// readiness starts unless the organization skips it (issue 14).
		{"type2", milestonesOf[SOC2]},
		{"type2 skip_type1", []string{SOC2Readiness, SOC2Type2Observation, SOC2Type2Report}},
		{"none", nil},
	}
	for _, c := range cases {
		ws := orgWS([]string{workspace.RoleBusinessAssociate}, a)
		typ, skip := strings.CutSuffix(c.typ, " skip_type1")
		ws.Organization.SOC2.Type, ws.Organization.SOC2.SkipType1 = typ, skip
		p := Build(ws, date.Date{}, d("2027-01-04"), Status{})
		var got []string
		for _, m := range p.Milestones {
			if m.Framework == SOC2 {
				got = append(got, m.ID)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("type %q: SOC 2 milestones %v, want %v", c.typ, got, c.want)
		}
	}
}

// acme is a business associate with the program of DESIGN.md's example,
// starting 2026-12-01: weeks 1–2 end Dec 14, weeks 2–4 run Dec 8..28,
// weeks 4–6 Dec 22..Jan 11.
func acme() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{
			Name:         "Acme Health",
			Roles:        []string{workspace.RoleBusinessAssociate},
			ProgramStart: d("2026-12-01"),
			Answers:      workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
			Officers:     workspace.Officers{Privacy: "dana@acme.example", Security: "raj@acme.example"},
		},
		People: []workspace.Person{{Email: "dana@acme.example"}, {Email: "raj@acme.example"}},
		Systems: []workspace.System{
			{ID: "patient-api", Kind: "service", PHI: true, Owner: "raj@acme.example"},
			{ID: "sms-gateway", Kind: "saas", Vendor: "twilio", PHI: true, Owner: "raj@acme.example"},
			{ID: "marketing-site", Kind: "service"},
		},
		Flows:        []workspace.Flow{{From: "patient-api", To: "sms-gateway", PHI: true}},
		Agreements:   []workspace.Agreement{{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: d("2026-12-30")}},
		Customers:    []workspace.Customer{{ID: "st-marys", CoveredEntity: true, LivePHI: true}},
		RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra-2026", Performed: d("2026-12-20")}},
	}
}

func TestStatuses(t *testing.T) {
	clean := Checked(nil)
	upstream := Checked([]finding.Finding{
		{Rule: "baa.upstream.missing", Severity: finding.Error, Subject: "st-marys"},
		{Rule: "flow.unencrypted", Severity: finding.Error, Subject: "patient-api->sms-gateway"},
	})
	warnOnly := Checked([]finding.Finding{
		{Rule: "baa.expiring", Severity: finding.Warning, Subject: "baa-twilio"},
		{Rule: "baa.flowdown", Severity: finding.Warning, Subject: "baa-twilio"},
		{Rule: "baa.clause-missing", Severity: finding.Warning, Subject: "baa-twilio"},
	})
	// 164.502(e), 164.504(e): a signed-up covered-entity customer without a
	// BAA is only a warning in ward check, but the BAA comes first.
	signedUp := Checked([]finding.Finding{{Rule: "baa.upstream.missing", Severity: finding.Warning, Subject: "st-marys"}})

	empty := func() *workspace.Workspace {
		ws := acme()
		ws.People, ws.Systems, ws.Flows, ws.Agreements, ws.RiskAnalyses = nil, nil, nil, nil, nil
		return ws
	}
	cases := []struct {
		name string
		ws   *workspace.Workspace
		asOf string
		st   Status
		want map[string]string
		gate bool
	}{
		{"day 4, nothing recorded", empty(), "2026-12-04", Status{}, map[string]string{
			MapDataFlows: StatusInProgress, AppointOfficers: StatusInProgress,
			RiskAnalysis: StatusNotStarted, ExecuteBAAs: StatusNotStarted, SOC2Readiness: StatusNotStarted,
		}, false},
		{"week 8, nothing recorded", empty(), "2027-01-20", Status{}, map[string]string{
			MapDataFlows: StatusOverdue, AppointOfficers: StatusOverdue,
			RiskAnalysis: StatusOverdue, ExecuteBAAs: StatusOverdue, SOC2Readiness: StatusInProgress,
		}, false},
		{"the last due day is not overdue", empty(), "2027-01-11", Status{}, map[string]string{
			RiskAnalysis: StatusOverdue, ExecuteBAAs: StatusInProgress,
		}, false},
		{"everything recorded, check clean", acme(), "2027-01-05", clean, map[string]string{
			MapDataFlows: StatusDone, AppointOfficers: StatusDone, RiskAnalysis: StatusDone, ExecuteBAAs: StatusDone,
		}, true},
		{"a BAA error holds execute-baas open", acme(), "2027-01-05", upstream, map[string]string{
			RiskAnalysis: StatusDone, ExecuteBAAs: StatusInProgress,
		}, false},
		{"BAA warnings do not", acme(), "2027-01-05", warnOnly, map[string]string{ExecuteBAAs: StatusDone}, true},
		{"but a missing upstream BAA does, even as a warning", acme(), "2027-01-05", signedUp, map[string]string{ExecuteBAAs: StatusInProgress}, false},
		{"an unrun check is not a clean one", acme(), "2027-01-05", Status{}, map[string]string{ExecuteBAAs: StatusInProgress}, false},
		{"risk analysis performed after as-of does not count", acme(), "2026-12-19", clean, map[string]string{
			RiskAnalysis: StatusInProgress,
		}, false},
		{"a PHI system without an owner", func() *workspace.Workspace {
			ws := acme()
			ws.Systems[1].Owner = ""
			return ws
		}(), "2026-12-10", clean, map[string]string{MapDataFlows: StatusInProgress}, false},
		{"a map without a PHI system", func() *workspace.Workspace {
			ws := acme()
			ws.Systems[0].PHI, ws.Systems[1].PHI = false, false
			return ws
		}(), "2026-12-15", clean, map[string]string{MapDataFlows: StatusOverdue}, false},
		{"an officer who is not in people", func() *workspace.Workspace {
			ws := acme()
			ws.People = ws.People[:1]
			return ws
		}(), "2026-12-15", clean, map[string]string{AppointOfficers: StatusOverdue}, false},
		{"one person may be both officers", func() *workspace.Workspace {
			ws := acme()
			ws.Organization.Officers.Privacy = "raj@acme.example"
			ws.People = ws.People[1:]
			return ws
		}(), "2026-12-15", clean, map[string]string{AppointOfficers: StatusDone}, false},
		{"as of before the start", acme(), "2026-11-01", clean, map[string]string{
			MapDataFlows: StatusNotStarted, AppointOfficers: StatusNotStarted,
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Build(c.ws, date.Date{}, d(c.asOf), c.st)
			for id, want := range c.want {
				m := p.Milestone(id)
				if m.Status != want {
					t.Errorf("%s: %s, want %s (%s)", id, m.Status, want, m.Reason)
				}
				if m.Overdue != (want == StatusOverdue) {
					t.Errorf("%s: overdue = %v with status %s", id, m.Overdue, m.Status)
				}
			}
			if g := p.Gates[0]; g.Open != c.gate {
				t.Errorf("live-phi open = %v, want %v (%s)", g.Open, c.gate, g.Reason)
			}
		})
	}
}

func TestDoneDatesAndGate(t *testing.T) {
	p := Build(acme(), date.Date{}, d("2027-01-05"), Checked(nil))
	if got := p.Milestone(RiskAnalysis).DoneOn; got != d("2026-12-20") {
		t.Errorf("risk-analysis done on %s, want the analysis's date", got)
	}
	if got := p.Milestone(ExecuteBAAs).DoneOn; got != d("2026-12-30") {
		t.Errorf("execute-baas done on %s, want the latest BAA's effective date", got)
	}
	g := p.Gates[0]
	if !slices.Equal(g.WaitsFor, []string{RiskAnalysis, ExecuteBAAs}) || !g.Open || g.Date != d("2026-12-30") {
		t.Errorf("gate = %+v", g)
	}
	// Closed: the earliest it can open is the last due date of what it
	// waits for (execute-baas, Jan 11).
	p = Build(acme(), date.Date{}, d("2027-01-05"), Status{})
	if g := p.Gates[0]; g.Open || g.Date != d("2027-01-11") {
		t.Errorf("closed gate = %+v", g)
	}
	// Past that date and still closed, the earliest is today.
	p = Build(acme(), date.Date{}, d("2027-02-01"), Status{})
	if g := p.Gates[0]; g.Open || g.Date != d("2027-02-01") {
		t.Errorf("closed gate after its due dates = %+v", g)
	}
}

func TestSOC2Statuses(t *testing.T) {
	ws := acme()
	ws.Organization.SOC2 = workspace.SOC2{Type: "type2", ObservationStart: d("2027-04-01"), ObservationMonths: 6}
	cases := []struct {
		asOf string
		done map[string]date.Date
		want map[string]string
	}{
		// Readiness (Dec 22..Feb 15) is past due until the window starts.
		{"2027-03-01", nil, map[string]string{SOC2Readiness: StatusOverdue, SOC2Type2Observation: StatusNotStarted}},
		{"2027-05-01", nil, map[string]string{SOC2Readiness: StatusDone, SOC2Type2Observation: StatusInProgress, SOC2Type2Report: StatusNotStarted}},
		{"2027-09-30", nil, map[string]string{SOC2Type2Observation: StatusInProgress}},
		{"2027-10-15", nil, map[string]string{SOC2Type2Observation: StatusDone, SOC2Type2Report: StatusInProgress}},
		{"2028-01-02", nil, map[string]string{SOC2Type2Report: StatusOverdue}},
		{"2028-01-02", map[string]date.Date{SOC2Type2Report: d("2027-12-15")}, map[string]string{SOC2Type2Report: StatusDone}},
		// A completion dated after as-of does not count yet.
		{"2027-12-01", map[string]date.Date{SOC2Type2Report: d("2027-12-15")}, map[string]string{SOC2Type2Report: StatusInProgress}},
	}
	for _, c := range cases {
		p := Build(ws, date.Date{}, d(c.asOf), Status{Done: c.done})
		for id, want := range c.want {
			if got := p.Milestone(id).Status; got != want {
				t.Errorf("as of %s: %s = %s, want %s", c.asOf, id, got, want)
			}
		}
	}
	// Without a recorded window, a planned one that has passed is overdue:
	// nothing says it happened.
	ws.Organization.SOC2 = workspace.SOC2{}
	p := Build(ws, date.Date{}, d("2027-07-15"), Status{})
	if m := p.Milestone(SOC2Type2Observation); m.Status != StatusOverdue || !strings.Contains(m.Reason, "observation_start") {
		t.Errorf("unrecorded past window: %s (%s)", m.Status, m.Reason)
	}
}

func TestHITRUSTIsNeverOverdue(t *testing.T) {
	ws := acme()
	ws.Organization.Answers.EnterpriseHealthSystems = true
	p := Build(ws, date.Date{}, d("2031-01-01"), Status{})
	m := p.Milestone(HITRUSTAssessment)
	if !m.Tentative || m.Status != StatusNotStarted || m.Overdue {
		t.Errorf("hitrust past its placed dates: %+v", m)
	}
	if p.Milestone(SOC2Type2Report).Status != StatusOverdue {
		t.Errorf("committed milestones still go overdue")
	}
}

func TestJSONShape(t *testing.T) {
	p := Build(acme(), date.Date{}, d("2027-01-05"), Checked(nil))
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Frameworks []map[string]any `json:"frameworks"`
		Milestones []map[string]any `json:"milestones"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "applies", "order", "reason"} {
		if _, ok := v.Frameworks[0][k]; !ok {
			t.Errorf("framework lacks %q: %v", k, v.Frameworks[0])
		}
	}
	for _, m := range v.Milestones {
		for _, k := range []string{"id", "framework", "start", "due", "status", "gates", "reason"} {
			if _, ok := m[k]; !ok {
				t.Errorf("milestone lacks %q: %v", k, m)
			}
		}
		if _, ok := m["gates"].([]any); !ok {
			t.Errorf("%v: gates must be a list, even empty", m["id"])
		}
	}
	if s := v.Milestones[0]["start"]; s != "2026-12-01" {
		t.Errorf("start = %v, want YYYY-MM-DD", s)
	}
}
