package auditpack

import (
	"regexp"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
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
