package posture

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/workspace"
)

func demo(t *testing.T) *workspace.Workspace {
	t.Helper()
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Workspace
}

func TestDemoTypeIIExceptionAndItsFix(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse("2026-11-23")
	p, err := Evaluate(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	if p.Window == nil || p.Window.Type != "type2" || p.Window.Start.String() != "2026-10-01" || p.Window.End.String() != "2027-03-31" {
		t.Fatalf("window = %+v, want type2 2026-10-01..2027-03-31 (six months)", p.Window)
	}
	found := false
	for _, e := range p.Exceptions {
		if e.Control == "vulnerability-scanning" && e.Period == "2026-10" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the demo's skipped October scan should be an exception; got %+v", p.Exceptions)
	}
	// Evidence dated inside the missed month removes the exception.
	ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "late-scan", Control: "vulnerability-scanning", Collected: date.MustParse("2026-10-20"), Note: "October scan report"})
	p, _ = Evaluate(ws, catalog.Default(), "soc2", asOf)
	for _, e := range p.Exceptions {
		if e.Control == "vulnerability-scanning" && e.Period == "2026-10" {
			t.Fatalf("exception still reported after adding evidence: %+v", p.Exceptions)
		}
	}
}

func TestRequirementStatusFromControls(t *testing.T) {
	cat := catalog.Default()
	// Pick an assessable HIPAA specification and adopt every control
	// mapped to it with current evidence: it is met. Drop the evidence of
	// one: partial. Mark them planned: not met. Not applicable: n/a.
	fw := cat.Framework("hipaa")
	req := fw.Requirement("164.312(a)(2)(iii)") // automatic logoff
	if req == nil || len(req.Controls) == 0 {
		t.Fatal("164.312(a)(2)(iii) has no controls in the catalog")
	}
	asOf := date.MustParse("2026-11-23")
	build := func(status string, withEvidence bool) *workspace.Workspace {
		ws := &workspace.Workspace{}
		for _, id := range req.Controls {
			ws.Controls = append(ws.Controls, workspace.Control{ID: id, Status: status, Frequency: "annual", Justification: "no workstations"})
			if withEvidence {
				ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "e-" + id, Control: id, Collected: date.MustParse("2026-03-01"), Note: "config export"})
			}
		}
		return ws
	}
	cases := []struct {
		name, status string
		evidence     bool
		want         string
	}{
		{"implemented with evidence", "implemented", true, Met},
		{"implemented without evidence", "implemented", false, Partial},
		{"in progress", "in-progress", false, Partial},
		{"planned", "planned", false, NotMet},
		{"not applicable", "not-applicable", false, NotApplicable},
	}
	for _, c := range cases {
		p, err := Evaluate(build(c.status, c.evidence), cat, "hipaa", asOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requirements {
			if r.ID == req.ID && r.Status != c.want {
				t.Errorf("%s: %s is %s, want %s (%s)", c.name, r.ID, r.Status, c.want, r.Reason)
			}
		}
	}
}

func TestSOC2ScopeFollowsCategories(t *testing.T) {
	ws := &workspace.Workspace{}
	p, err := Evaluate(ws, catalog.Default(), "soc2", date.MustParse("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	// Security only: the 33 common criteria CC1.1-CC9.2 (TSP section 100).
	if p.Score.Total != 33 {
		t.Fatalf("security-only SOC 2 has %d criteria, want 33", p.Score.Total)
	}
	ws.Organization.SOC2.Categories = []string{"availability"}
	p, _ = Evaluate(ws, catalog.Default(), "soc2", date.MustParse("2026-11-23"))
	if p.Score.Total != 36 {
		t.Fatalf("security + availability has %d criteria, want 36 (A1.1-A1.3)", p.Score.Total)
	}
}

func TestRequirementStatusFromControlsInScope(t *testing.T) {
	// CC6.1 maps many catalog controls; the organization runs a few. The
	// status follows the ones it adopted: catalog alternatives it did not
	// adopt never make it fall short, and with none adopted it is not met.
	cat := catalog.Default()
	req := cat.Framework("soc2").Requirement("CC6.1")
	if req == nil || len(req.Controls) < 3 {
		t.Fatal("CC6.1 should map several catalog controls")
	}
	a, b := req.Controls[0], req.Controls[1]
	asOf := date.MustParse("2026-11-23")
	ctl := func(id, status string) workspace.Control {
		return workspace.Control{ID: id, Status: status, Frequency: "annual", Justification: "cloud only"}
	}
	ev := func(id string) workspace.Evidence {
		return workspace.Evidence{ID: "e-" + id, Control: id, Collected: date.MustParse("2026-06-01"), Note: "config export"}
	}
	cases := []struct {
		name     string
		controls []workspace.Control
		evidence []workspace.Evidence
		want     string
		inScope  int
	}{
		{"none adopted", nil, nil, NotMet, 0},
		{"one adopted, implemented with evidence", []workspace.Control{ctl(a, "implemented")}, []workspace.Evidence{ev(a)}, Met, 1},
		{"two adopted, both with evidence", []workspace.Control{ctl(a, "implemented"), ctl(b, "implemented")}, []workspace.Evidence{ev(a), ev(b)}, Met, 2},
		{"two adopted, one without evidence", []workspace.Control{ctl(a, "implemented"), ctl(b, "implemented")}, []workspace.Evidence{ev(a)}, Partial, 2},
		{"one met, one not applicable", []workspace.Control{ctl(a, "implemented"), ctl(b, "not-applicable")}, []workspace.Evidence{ev(a)}, Met, 2},
		{"in progress", []workspace.Control{ctl(a, "in-progress")}, nil, Partial, 1},
		{"only planned", []workspace.Control{ctl(a, "planned"), ctl(b, "planned")}, nil, NotMet, 2},
		{"every adopted not applicable", []workspace.Control{ctl(a, "not-applicable")}, nil, NotApplicable, 1},
	}
	for _, c := range cases {
		ws := &workspace.Workspace{Controls: c.controls, Evidence: c.evidence}
		p, err := Evaluate(ws, cat, "soc2", asOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Requirements {
			if r.ID != "CC6.1" {
				continue
			}
			if r.Status != c.want || len(r.InScope) != c.inScope || len(r.Controls) != len(req.Controls) {
				t.Errorf("%s: %s (%d in scope of %d), want %s (%d in scope): %s %v", c.name, r.Status, len(r.InScope), len(r.Controls), c.want, c.inScope, r.Reason, r.Missing)
			}
			if c.want == NotMet && c.inScope == 0 && (len(r.Missing) != 1 || r.Missing[0] == "") {
				t.Errorf("%s: missing should say which controls to adopt: %v", c.name, r.Missing)
			}
		}
	}
}

func TestDemoReadinessCounts(t *testing.T) {
	// The demo runs a realistic subset of the catalog: most requirements
	// it addresses are met, the gaps are real (no policy controls, an MDM
	// roll-out under way), and none is met without an adopted control.
	ws := demo(t)
	for _, fw := range []string{"hipaa", "soc2", "csf"} {
		p, err := Evaluate(ws, catalog.Default(), fw, date.MustParse("2026-11-23"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Score.Met == 0 || p.Score.Partial == 0 || p.Score.NotMet == 0 {
			t.Errorf("%s: %+v, want some met, some partial and some not met", fw, p.Score)
		}
		for _, r := range p.Requirements {
			if r.Status == Met && len(r.InScope) == 0 {
				t.Errorf("%s %s met with no control in scope", fw, r.ID)
			}
		}
	}
}

// Issue 7 item 3: a SOC 2 Type I report is point in time, every in-scope
// control implemented with at least one piece of evidence on the date.
// The demo switched to Type I: its in-progress and planned controls and
// an implemented one with no evidence yet are the gaps; evidence collected
// after the date does not count; once all are in place it is ready.
func TestTypeIPointInTime(t *testing.T) {
	ws := demo(t)
	ws.Organization.SOC2.Type = "type1"
	asOf := date.MustParse("2026-11-23")
	p, err := Evaluate(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	if p.TypeI == nil || p.Window == nil || p.Window.Type != "type1" || len(p.Exceptions) != 0 {
		t.Fatalf("type1: window %+v, typeI %+v, exceptions %+v", p.Window, p.TypeI, p.Exceptions)
	}
	gaps := map[string]string{}
	for _, g := range p.TypeI.Gaps {
		gaps[g.Control] = g.Status
	}
	// mdm is in progress and penetration-test planned in the demo.
	if gaps["mdm"] != "in-progress" || gaps["penetration-test"] != "planned" || p.TypeI.Ready {
		t.Fatalf("gaps %v, ready %v", gaps, p.TypeI.Ready)
	}
	// Not-applicable controls are out of the test.
	for _, c := range ws.Controls {
		if _, ok := gaps[c.ID]; ok && c.Status == "not-applicable" {
			t.Errorf("not-applicable %s counted as a gap", c.ID)
		}
	}

	// Everything implemented; one control's only evidence is dated after
	// the as-of date, so it is still a gap, and evidence on the date clears it.
	var sole string
	for i := range ws.Controls {
		if ws.Controls[i].Status != "not-applicable" {
			ws.Controls[i].Status = "implemented"
		}
	}
	ws.Evidence = nil
	// The workforce records are evidence too (policy.Derived); this test
	// is about dated uploads, so they go as well.
	ws.Policies, ws.Acknowledgements, ws.TrainingRecords, ws.SecurityReminders = nil, nil, nil, nil
	for i := range ws.People {
		ws.People[i].Clearance = date.Date{}
	}
	for _, c := range p.Controls {
		if !c.Adopted || ws.Control(c.ID).Status == "not-applicable" {
			continue
		}
		if sole == "" {
			sole = c.ID
			ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "late", Control: c.ID, Collected: asOf.AddDays(1), Note: "after the date"})
			continue
		}
		ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "ev-" + c.ID, Control: c.ID, Collected: asOf, Note: "in place"})
	}
	p, _ = Evaluate(ws, catalog.Default(), "soc2", asOf)
	if p.TypeI.Ready || len(p.TypeI.Gaps) != 1 || p.TypeI.Gaps[0].Control != sole {
		t.Fatalf("only %s (evidence after the date) should be a gap: %+v", sole, p.TypeI)
	}
	ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "on-time", Control: sole, Collected: asOf, Note: "in place"})
	p, _ = Evaluate(ws, catalog.Default(), "soc2", asOf)
	if !p.TypeI.Ready || len(p.TypeI.Gaps) != 0 || p.TypeI.Controls == 0 {
		t.Fatalf("all in place: %+v", p.TypeI)
	}
	var text strings.Builder
	if err := WriteText(&text, p); err != nil || !strings.Contains(text.String(), "SOC 2 Type I as of 2026-11-23 (every in-scope control implemented, with evidence): ready") {
		t.Errorf("text report: %v\n%s", err, text.String())
	}
	// Type II has no Type I verdict.
	ws.Organization.SOC2.Type = "type2"
	if p, _ = Evaluate(ws, catalog.Default(), "soc2", asOf); p.TypeI != nil {
		t.Errorf("type2 carries a Type I verdict: %+v", p.TypeI)
	}
}

// Open failing scan findings lower a control only from met to partly met;
// a control already short, or not adopted, keeps its own reason.
func TestScanFailingLowersOnlyOperatingControls(t *testing.T) {
	asOf := date.MustParse("2026-11-23")
	cases := []struct {
		name, control, status string
		failing               int
		want                  string
	}{
		{"operating control with a failing check", "mfa", "implemented", 2, Partial},
		{"operating control, checks pass", "mfa", "implemented", 0, Met},
		{"planned control stays not met", "mfa", "planned", 3, NotMet},
		{"not applicable stays not applicable", "mfa", "not-applicable", 1, NotApplicable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := demo(t)
			for i := range ws.Controls {
				if ws.Controls[i].ID == c.control {
					ws.Controls[i].Status = c.status
					ws.Controls[i].Justification = "test"
				}
			}
			ws.ScanFailing = map[string]int{c.control: c.failing, "not-adopted-anywhere": 5}
			p, err := Evaluate(ws, catalog.Default(), "hipaa", asOf)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range p.Controls {
				if s.ID != c.control {
					continue
				}
				if s.State != c.want {
					t.Errorf("state %s (%s), want %s", s.State, s.Reason, c.want)
				}
				if c.want == Partial && (s.Failing != c.failing || !strings.Contains(s.Reason, "2 failing findings from imported scans are open")) {
					t.Errorf("failing %d, reason %q", s.Failing, s.Reason)
				}
				return
			}
			t.Fatalf("%s not in the HIPAA posture", c.control)
		})
	}
}

// Readiness moves by itself: an approved sanctions policy is evidence for
// sanctions-policy (164.308(a)(1)(ii)(C)) without an upload, training
// completions for security-training (164.308(a)(5)(i)), and both lapse:
// the policy when its review is overdue (164.316(b)(2)(iii)), the
// training when people fall behind on it.
func TestWorkforceRecordsMoveReadiness(t *testing.T) {
	d := date.MustParse
	cat := catalog.Default()
	ws := &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme", Roles: []string{workspace.RoleBusinessAssociate}, Answers: workspace.Answers{HandlesPHI: true},
			SOC2: workspace.SOC2{Type: "type2", ObservationStart: d("2026-07-01"), ObservationMonths: 6}},
		People: []workspace.Person{{Email: "dana@acme.example", Start: d("2020-01-01")}, {Email: "tom@acme.example", Start: d("2026-01-05")}},
		Controls: []workspace.Control{
			{ID: "sanctions-policy", Status: "implemented"},
			{ID: "security-training", Status: "implemented", Frequency: "annual"},
			{ID: "policy-acknowledgment", Status: "implemented", Frequency: "annual"},
		},
		Policies: []workspace.Policy{{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Controls: []string{"sanctions-policy"},
			Versions: []workspace.PolicyVersion{{Version: 1, File: "s.md", ApprovedBy: "dana@acme.example", ApprovedOn: d("2026-02-01")}}}},
		Trainings:        []workspace.Training{{ID: "hipaa", Title: "HIPAA awareness", Controls: []string{"security-training"}}},
		Acknowledgements: []workspace.Acknowledgement{{Person: "dana@acme.example", Policy: "sanctions", Version: 1, On: d("2026-02-03")}, {Person: "tom@acme.example", Policy: "sanctions", Version: 1, On: d("2026-02-10")}},
		TrainingRecords:  []workspace.TrainingRecord{{Person: "dana@acme.example", Training: "hipaa", Completed: d("2026-01-20")}, {Person: "tom@acme.example", Training: "hipaa", Completed: d("2026-01-30")}},
	}
	state := func(asOf, id string) ControlState { return Control(ws, cat, id, d(asOf)) }
	for _, id := range []string{"sanctions-policy", "security-training", "policy-acknowledgment"} {
		if s := state("2026-11-23", id); s.State != Met || s.Evidence == 0 {
			t.Errorf("%s on 2026-11-23: %s (%s), %d items; want met from the workforce records alone", id, s.State, s.Reason, s.Evidence)
		}
	}
	// The Type II window counts them: no exception for 2026.
	p, err := Evaluate(ws, cat, "soc2", d("2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Exceptions {
		if e.Control == "security-training" || e.Control == "policy-acknowledgment" {
			t.Errorf("Type II exception %+v despite completions and acknowledgements in 2026", e)
		}
	}
	// The policy's review was due 2027-02-01: after that it lapses.
	if s := state("2027-02-02", "sanctions-policy"); s.State != Partial || !strings.Contains(s.Reason, "overdue for review") {
		t.Errorf("sanctions-policy after the missed review: %s (%s), want partial", s.State, s.Reason)
	}
	// Tom's completion of 2026-01-30 runs out on 2027-01-30: security
	// training is then only partly met, naming why.
	s := state("2027-01-31", "security-training")
	if s.State != Partial || !slices.ContainsFunc(s.Workforce, func(g string) bool { return strings.Contains(g, "overdue on training hipaa") }) {
		t.Errorf("security-training with tom overdue: %s (%s) %v, want partial", s.State, s.Reason, s.Workforce)
	}
}

// A control's standing says what its calendar says: met on the last
// period that is over, with the current period's evidence due by the
// period's last day (issue 19: "met" beside "due now" read as a
// contradiction).
func TestStandingAgreesWithTheCalendar(t *testing.T) {
	asOf := date.MustParse("2026-11-23") // in 2026-Q4
	cases := []struct {
		name      string
		collected string
		state     string
		reason    string
		current   string // the current period's status on the calendar
	}{
		{"evidence for the current quarter", "2026-11-20", Met, "with evidence for 2026-Q4, the current quarter", evidence.Covered},
		{"evidence for the last quarter only", "2026-09-30", Met, "with evidence for 2026-Q3; 2026-Q4's is due now, by 2026-12-31", evidence.Due},
		{"evidence two quarters back", "2026-06-30", Partial, "no evidence for 2026-Q3", evidence.Due},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := &workspace.Workspace{
				Controls: []workspace.Control{{ID: "access-review", Status: "implemented", Frequency: "quarterly"}},
				Evidence: []workspace.Evidence{{ID: "ev-1", Control: "access-review", Collected: date.MustParse(c.collected), Note: "review"}},
			}
			st := Control(ws, catalog.Default(), "access-review", asOf)
			if st.State != c.state || !strings.Contains(st.Reason, c.reason) {
				t.Errorf("standing %s: %q, want %s: %q", st.State, st.Reason, c.state, c.reason)
			}
			cs, ce := evidence.PeriodOf("quarterly", asOf)
			occ := evidence.Occurrences("quarterly", cs, ce, asOf, ws.Evidence)
			if len(occ) != 1 || occ[0].Status != c.current {
				t.Fatalf("calendar: %+v, want the current quarter %s", occ, c.current)
			}
			if (occ[0].Status == evidence.Due) != strings.Contains(st.Reason, "due") && st.State == Met {
				t.Errorf("the standing (%q) and the calendar (%s) disagree about the current quarter", st.Reason, occ[0].Status)
			}
		})
	}
}
