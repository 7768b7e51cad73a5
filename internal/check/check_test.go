package check

import (
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
