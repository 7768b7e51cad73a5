package check

import (
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

// The demo is built with a gap for every source of the gate; the
// aggregate must carry each of them, sorted errors first.
func TestRunCarriesEveryDomainsRules(t *testing.T) {
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs := Run(l.Workspace, date.MustParse("2026-11-23"))
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.Rule] = true
	}
	for _, rule := range []string{
		"baa.downstream.missing", // phimap
		"risk.overdue",           // risk
		"evidence.missing",       // evidence
		"breach.deadline",        // incident
		// the workforce (policy)
		"policy.review-overdue", "policy.ack-overdue", "training.overdue", "workforce.termination-open",
	} {
		if !seen[rule] {
			t.Errorf("no %s finding; got %v", rule, seen)
		}
	}
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Severity == "warning" && fs[i].Severity == "error" {
			t.Fatalf("not sorted errors first at %d: %+v", i, fs[i])
		}
	}
}

// risk.coverage: a PHI system with no risk in the latest analysis is a
// warning (164.308(a)(1)(ii)(A): the analysis covers all ePHI); it does
// not fail the gate, and no analysis at all reports nothing here.
func TestRunReportsUncoveredPHISystems(t *testing.T) {
	d := date.MustParse
	base := func() *workspace.Workspace {
		return &workspace.Workspace{
			Systems: []workspace.System{
				{ID: "ehr", Kind: "service", PHI: true, EncryptedAtRest: true},
				{ID: "billing", Kind: "datastore", PHI: true, EncryptedAtRest: true},
				{ID: "website", Kind: "service"},
			},
			RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra-1", Performed: d("2026-10-01")}},
			Risks: []workspace.Risk{{ID: "r1", Analysis: "ra-1", Asset: "ehr", Threat: "ransomware", Vulnerability: "unpatched-software",
				Likelihood: 3, Impact: 4, Treatment: "accept", AcceptedBy: "a@b.example", AcceptanceReason: "x"}},
		}
	}
	cases := []struct {
		name string
		edit func(ws *workspace.Workspace)
		want []string // subjects of risk.coverage findings
	}{
		{"billing has no risk", func(*workspace.Workspace) {}, []string{"billing"}},
		{"every PHI system covered", func(ws *workspace.Workspace) {
			r := ws.Risks[0]
			r.ID, r.Asset = "r2", "billing"
			ws.Risks = append(ws.Risks, r)
		}, nil},
		{"no analysis yet", func(ws *workspace.Workspace) { ws.RiskAnalyses, ws.Risks = nil, nil }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := base()
			c.edit(ws)
			var got []string
			for _, f := range Run(ws, d("2026-11-23")) {
				if f.Rule == "risk.coverage" {
					if f.Severity != "warning" {
						t.Errorf("risk.coverage is %s, want warning", f.Severity)
					}
					got = append(got, f.Subject)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("risk.coverage on %v, want %v", got, c.want)
			}
		})
	}
}
