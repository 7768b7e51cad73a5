package plan

import (
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// The plan's answers to issue 14 item 8, each on an organization that
// shows it.

// TestCFR164_530a_PrivacyOfficerRequiredOfCoveredEntitiesOnly: a covered
// entity must designate a privacy official (45 CFR 164.530(a)(1)); a
// business associate's direct liability does not include 164.530(a) (HHS
// fact sheet, May 2019). A business associate with a Security Officer and
// no Privacy Officer has appointed its officers; a clinic in the same
// position has not.
func TestCFR164_530a_PrivacyOfficerRequiredOfCoveredEntitiesOnly(t *testing.T) {
	ba := acme()
	ba.Organization.Officers.Privacy = ""
	m := Build(ba, date.Date{}, d("2026-12-20"), Status{}).Milestone(AppointOfficers)
	if m.Status != StatusDone {
		t.Errorf("business associate with a Security Officer: %s (%s)", m.Status, m.Reason)
	}
	for _, want := range []string{"required of covered entities (164.530(a))", "not required", "recommended"} {
		if !strings.Contains(m.Reason+m.Title, want) {
			t.Errorf("business associate: %q lacks %q", m.Title+": "+m.Reason, want)
		}
	}

	clinic := acme()
	clinic.Organization.Roles = []string{workspace.RoleCoveredEntity}
	clinic.Organization.Officers.Privacy = ""
	m = Build(clinic, date.Date{}, d("2026-12-20"), Status{}).Milestone(AppointOfficers)
	if m.Status == StatusDone || !strings.Contains(m.Reason, "164.530(a)(1)") || !strings.Contains(m.Reason, "missing or not in people: privacy") {
		t.Errorf("covered entity without a Privacy Officer: %s (%s)", m.Status, m.Reason)
	}
	if m.Title != "Appoint Privacy and Security Officers" {
		t.Errorf("covered entity title %q", m.Title)
	}
}

// TestCFR164_504e5_SubcontractorSignsWithTheBusinessAssociate: a
// subcontractor's BAA is with the business associate it serves
// (164.502(e)(1)(ii), 164.504(e)(5)), not with that business associate's
// covered entities, even when the answers say it sells to them.
func TestCFR164_504e5_SubcontractorSignsWithTheBusinessAssociate(t *testing.T) {
	ws := acme()
	ws.Organization.Roles = []string{workspace.RoleSubcontractor}
	ws.Customers = []workspace.Customer{{ID: "brightside", Name: "Brightside Telehealth", LivePHI: true}}
	m := Build(ws, date.Date{}, d("2026-12-20"), Status{}).Milestone(ExecuteBAAs)
	if !strings.Contains(m.Reason, "BAA with each business associate you serve (brightside)") || !strings.Contains(m.Reason, "164.504(e)(5)") {
		t.Errorf("subcontractor: %s", m.Reason)
	}
	if strings.Contains(m.Reason, "covered-entity customer") {
		t.Errorf("a subcontractor is told to sign with covered entities: %s", m.Reason)
	}
	// A covered-entity customer of an organization that declares only the
	// subcontractor role is a role to declare, not a BAA it owes as one.
	ws.Customers = append(ws.Customers, workspace.Customer{ID: "st-marys", CoveredEntity: true})
	m = Build(ws, date.Date{}, d("2026-12-20"), Status{}).Milestone(ExecuteBAAs)
	if !strings.Contains(m.Reason, "st-marys are recorded as covered entities") || !strings.Contains(m.Reason, "declare that role too") {
		t.Errorf("subcontractor with a covered-entity customer: %s", m.Reason)
	}
}

// Rule 4 decides SOC 2 for a seller to large health systems too: buyers
// ask, or SOC 2 is not planned; anything ward adds is labelled its own.
func TestSeedsRule4_EnterpriseSellerFollowsBuyersAsk(t *testing.T) {
	ws := acme()
	ws.Organization.Answers = workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, EnterpriseHealthSystems: true}
	p := Build(ws, date.Date{}, d("2026-12-20"), Status{})
	f := p.Framework(SOC2)
	if f.Applies {
		t.Errorf("SOC 2 applies without buyers asking: %s", f.Reason)
	}
	if !strings.HasPrefix(f.Reason, "Rule 4: buyers do not ask") || !strings.Contains(f.Reason, "ward's own advice, not one of the rules") {
		t.Errorf("reason %q", f.Reason)
	}
	if p.Milestone(SOC2Readiness) != nil {
		t.Error("SOC 2 milestones without SOC 2")
	}
	if h := p.Framework(HITRUST); !h.Applies {
		t.Errorf("rule 3 still plans HITRUST: %+v", h)
	}
}

// Without PHI, SOC 2 is the first framework: its readiness is not "in
// parallel with HIPAA", and starts at once.
func TestSeedsRule1_NoPHISOC2ReadinessIsFirst(t *testing.T) {
	ws := orgWS([]string{}, workspace.Answers{BuyersAskSOC2: true})
	p := Build(ws, date.Date{}, d("2027-01-04"), Status{})
	r := p.Milestone(SOC2Readiness)
	if r == nil {
		t.Fatal("no readiness milestone")
	}
	if strings.Contains(r.Reason, "parallel") || strings.Contains(p.Framework(SOC2).Reason, "parallel") {
		t.Errorf("no-PHI readiness is said to run in parallel with HIPAA: %s / %s", r.Reason, p.Framework(SOC2).Reason)
	}
	if r.Start != d("2027-01-04") || !strings.Contains(r.Reason, "first framework") {
		t.Errorf("readiness %s..%s: %s", r.Start, r.Due, r.Reason)
	}
	// With PHI it does run in parallel, from week 4.
	p = Build(acme(), date.Date{}, d("2026-12-20"), Status{})
	if r := p.Milestone(SOC2Readiness); r.Start != d("2026-12-22") || !strings.Contains(r.Reason, "in parallel with HIPAA") {
		t.Errorf("with PHI: %s %s", r.Start, r.Reason)
	}
}

// soc2.type: none while buyers ask says what to do.
func TestSOC2TypeNoneWhileBuyersAsk(t *testing.T) {
	ws := acme()
	ws.Organization.SOC2.Type = "none"
	p := Build(ws, date.Date{}, d("2026-12-20"), Status{})
	f := p.Framework(SOC2)
	for _, want := range []string{"soc2.type is none", "set soc2.type: type1", "type2", "buyers_ask_soc2: false"} {
		if !strings.Contains(f.Reason, want) {
			t.Errorf("reason lacks %q: %s", want, f.Reason)
		}
	}
}

// A Type II target keeps the Type I milestone 8–12 weeks after readiness
// starts, and says how to skip it; skip_type1 drops it.
func TestSOC2TypeIITargetKeepsTypeI(t *testing.T) {
	ws := acme()
	ws.Organization.SOC2.Type = "type2"
	p := Build(ws, date.Date{}, d("2026-12-20"), Status{})
	m, r := p.Milestone(SOC2Type1), p.Milestone(SOC2Readiness)
	if m == nil {
		t.Fatal("no Type I milestone for a Type II target")
	}
	if m.Start != r.Start.AddDays(8*7) || m.Due != r.Start.AddDays(12*7) || !strings.Contains(m.Reason, "skip_type1: true") {
		t.Errorf("Type I %s..%s (readiness from %s): %s", m.Start, m.Due, r.Start, m.Reason)
	}
	ws.Organization.SOC2.SkipType1 = true
	if Build(ws, date.Date{}, d("2026-12-20"), Status{}).Milestone(SOC2Type1) != nil {
		t.Error("skip_type1 keeps the Type I milestone")
	}
}

// An observation window under 3 months is a warning that cites common
// practice, labelled as practice and not law, in ward check and the plan.
func TestSOC2ObservationUnderThreeMonthsWarns(t *testing.T) {
	ws := acme()
	ws.Organization.SOC2 = workspace.SOC2{Type: "type2", ObservationMonths: 2}
	fs := Check(ws)
	if len(fs) != 1 || fs[0].Rule != RuleObservationShort || fs[0].Severity != finding.Warning {
		t.Fatalf("findings %+v", fs)
	}
	for _, want := range []string{"common practice", "not a rule", "AICPA sets no minimum", "3 to 6 months"} {
		if !strings.Contains(fs[0].Message, want) {
			t.Errorf("message lacks %q: %s", want, fs[0].Message)
		}
	}
	obs := Build(ws, date.Date{}, d("2026-12-20"), Status{}).Milestone(SOC2Type2Observation)
	if !strings.Contains(obs.Reason, "shorter than common practice") {
		t.Errorf("plan: %s", obs.Reason)
	}
	for _, months := range []int{0, 3, 6} {
		ws.Organization.SOC2.ObservationMonths = months
		if fs := Check(ws); len(fs) != 0 {
			t.Errorf("%d months: %+v", months, fs)
		}
	}
}
