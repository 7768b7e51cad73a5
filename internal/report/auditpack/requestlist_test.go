package auditpack

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/workspace"
)

func demo(t *testing.T) *workspace.Workspace {
	t.Helper()
	l, err := workspace.Load("../../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Workspace
}

func TestRequestListShowsWhatIsMissingForThePeriod(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse("2026-11-23")
	rl, err := BuildRequestList(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's Type II window is 2026-10-01 for six months.
	if rl.PeriodStart.String() != "2026-10-01" || rl.PeriodEnd.String() != "2027-03-31" {
		t.Fatalf("period %s..%s", rl.PeriodStart, rl.PeriodEnd)
	}
	rows := map[string][]RequestRow{}
	for _, r := range rl.Rows {
		rows[r.Requirement+" "+r.Control] = append(rows[r.Requirement+" "+r.Control], r)
	}
	cases := []struct{ key, missing string }{
		{"CC7.1 vulnerability-scanning", "2026-10 (exception)"}, // the skipped October scan
		{"CC1.2 ", "no control adopted for this requirement; the catalog maps: board-oversight"},
		{"CC6.1 access-review", "2026-Q4 (due by 2026-12-31)"},
	}
	for _, c := range cases {
		got := rows[c.key]
		if len(got) == 0 {
			t.Errorf("%s: no row", c.key)
			continue
		}
		for _, r := range got {
			if r.Missing != c.missing {
				t.Errorf("%s: missing %q, want %q", c.key, r.Missing, c.missing)
			}
		}
	}
	// Only criteria in scope: security, availability, confidentiality.
	for _, r := range rl.Rows {
		if regexp.MustCompile(`^P(I)?\d`).MatchString(r.Requirement) {
			t.Errorf("%s is not in the demo's scope", r.Requirement)
		}
	}
	// Evidence dated in the missed month clears it.
	ws.Evidence = append(ws.Evidence, workspace.Evidence{ID: "late", Control: "vulnerability-scanning", Collected: date.MustParse("2026-10-20"), Note: "scan"})
	rl, _ = BuildRequestList(ws, catalog.Default(), "soc2", asOf)
	for _, r := range rl.Rows {
		if r.Control == "vulnerability-scanning" && strings.Contains(r.Missing, "2026-10") {
			t.Fatalf("still missing after evidence: %q", r.Missing)
		}
	}
	// HIPAA looks back twelve months.
	rl, _ = BuildRequestList(ws, catalog.Default(), "hipaa", asOf)
	if rl.PeriodStart.String() != "2025-11-24" || rl.PeriodEnd.String() != "2026-11-23" {
		t.Fatalf("hipaa period %s..%s", rl.PeriodStart, rl.PeriodEnd)
	}
	if _, err := BuildRequestList(ws, catalog.Default(), "iso27001", asOf); err == nil {
		t.Fatal("an unknown framework was accepted")
	}
}

// TestRequestListAgreesWithReadinessOnWorkforceEvidence: the evidence the
// workforce records give their controls (policy.Derived: reminders sent,
// acknowledgements, approvals) counts in the readiness report's Type II
// exceptions; the auditor's request list, handed over beside it, must not
// call the same months exceptions nor the controls "no evidence".
func TestRequestListAgreesWithReadinessOnWorkforceEvidence(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse("2026-12-05")
	rl, err := BuildRequestList(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	p, err := posture.Evaluate(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, e := range p.Exceptions {
		want[e.Control+" "+e.Period] = true
	}
	if len(want) == 0 {
		t.Fatal("the demo's readiness has no Type II exception to compare with")
	}
	got := map[string]bool{}
	exc := regexp.MustCompile(`(\S+) \(exception\)`)
	for _, r := range rl.Rows {
		for _, m := range exc.FindAllStringSubmatch(r.Missing, -1) {
			got[r.Control+" "+m[1]] = true
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("request list: %s is an exception; the readiness report has no such exception (%v)", k, p.Exceptions)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("readiness exception %s missing from the request list", k)
		}
	}
	// The reminders sent each month are the security-reminders control's
	// evidence (164.308(a)(5)(ii)(A)), listed as such.
	derived := 0
	for _, r := range rl.Rows {
		if r.Control != "security-reminders" {
			continue
		}
		if r.Missing == "no evidence" {
			t.Errorf("CC2.2 security-reminders: no evidence, though reminders were sent: %+v", r)
		}
		if r.Source == workspace.SourceDerived && strings.HasPrefix(r.EvidenceID, "derived:") {
			derived++
		}
	}
	if derived == 0 {
		t.Error("the reminders on record are not listed as security-reminders evidence")
	}
}

// TestBundleManifestAgreesWithRequestList: the evidence bundle's manifest
// and the request list are handed to an auditor together. Every evidence
// id the request list shows is in the manifest, the workforce-derived
// items included (no file; a note naming the records), and every manifest
// item dated by then is on the request list.
func TestBundleManifestAgreesWithRequestList(t *testing.T) {
	ws := demo(t)
	asOf := date.MustParse("2026-12-05")
	rl, err := BuildRequestList(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	m := BuildManifest(ws, catalog.Default(), Filter{Framework: "soc2"}, asOf)
	inManifest := map[string]ManifestEntry{}
	for _, e := range m.Evidence {
		inManifest[e.ID] = e
	}
	onList := map[string]bool{}
	derived := 0
	for _, r := range rl.Rows {
		if r.EvidenceID == "" {
			continue
		}
		onList[r.EvidenceID] = true
		e, ok := inManifest[r.EvidenceID]
		if !ok {
			t.Errorf("request list %s / %s: evidence %s (source %s) is not in the bundle's manifest", r.Requirement, r.Control, r.EvidenceID, r.Source)
			continue
		}
		if r.Source == workspace.SourceDerived {
			derived++
			if e.Source != workspace.SourceDerived || e.File != "" || e.Note == "" {
				t.Errorf("manifest %s: source %q, file %q, note %q; want derived, no file, a note naming its records", e.ID, e.Source, e.File, e.Note)
			}
		}
	}
	if derived == 0 {
		t.Fatal("the demo's request list has no derived evidence to compare")
	}
	for _, e := range m.Evidence {
		adopted := slices.ContainsFunc(e.Controls, func(c string) bool { return ws.Control(c) != nil })
		if !e.Collected.After(asOf) && e.SupersededBy == "" && adopted && !onList[e.ID] {
			t.Errorf("manifest %s (collected %s, controls %v) is not on the request list", e.ID, e.Collected, e.Controls)
		}
	}
}

// TestRequestListWordsMissedPeriodsAsReadinessDoes: "exception" is the
// SOC 2 Type II word, for an occurrence in the observation window with
// no evidence. Outside such a window (HIPAA's and CSF's twelve-month
// look-back, SOC 2 Type I or none) readiness says "no evidence for"
// the period, and so does the request list.
func TestRequestListWordsMissedPeriodsAsReadinessDoes(t *testing.T) {
	asOf := date.MustParse("2026-11-23")
	type1 := demo(t)
	type1.Organization.SOC2.Type = "type1"
	for _, c := range []struct {
		name, framework string
		ws              *workspace.Workspace
		want            string
	}{
		{"hipaa, twelve months", "hipaa", demo(t), "2026-10 (no evidence)"},
		{"soc2 type1, twelve months", "soc2", type1, "2026-10 (no evidence)"},
		{"soc2 type2, the window", "soc2", demo(t), "2026-10 (exception)"},
	} {
		rl, err := BuildRequestList(c.ws, catalog.Default(), c.framework, asOf)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, r := range rl.Rows {
			if r.Control == "vulnerability-scanning" {
				seen = true
				if !strings.Contains(r.Missing, c.want) {
					t.Errorf("%s: %s missing %q, want it to name %q", c.name, r.Requirement, r.Missing, c.want)
				}
			}
			if rl.Period != "" && !strings.Contains(rl.Period, "Type II") && strings.Contains(r.Missing, "(exception)") {
				t.Errorf("%s: %s / %s says exception outside a Type II window: %q", c.name, r.Requirement, r.Control, r.Missing)
			}
		}
		if !seen {
			t.Errorf("%s: no vulnerability-scanning row", c.name)
		}
	}
	// Readiness without a window, for a month with no scan, says "no
	// evidence for" it.
	small := &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme", Slug: "acme", Roles: []string{workspace.RoleBusinessAssociate}},
		Controls:     []workspace.Control{{ID: "vulnerability-scanning", Status: "implemented", Frequency: "monthly", Owner: "raj@acme.example"}},
		Evidence:     []workspace.Evidence{{ID: "scan-09", Control: "vulnerability-scanning", Collected: date.MustParse("2026-09-10"), Note: "scan"}},
	}
	p, err := posture.Evaluate(small, catalog.Default(), "hipaa", date.MustParse("2026-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cs := range p.Controls {
		if cs.ID == "vulnerability-scanning" {
			found = true
			if !strings.Contains(cs.Reason, "no evidence for 2026-10") {
				t.Errorf("readiness reason %q; the wording this test follows has changed", cs.Reason)
			}
		}
	}
	if !found {
		t.Error("readiness does not list vulnerability-scanning")
	}
}
