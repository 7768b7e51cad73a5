package check

import (
	"reflect"
	"testing"

	"ward/internal/benchgen"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// TestEvidenceCheckWithDerived: the gate's evidence rule over the
// workspace and the derived workforce items (evidence.CheckWith) finds
// what it found over a copy of the workspace with the items appended
// (policy.WithDerived), on the demo (policies, acknowledgements,
// trainings), the demo with an item superseding another, and a
// generated practice, on several dates.
func TestEvidenceCheckWithDerived(t *testing.T) {
	l, err := workspace.Load("../../examples/acme-health", WorkspaceOptions())
	if err != nil {
		t.Fatal(err)
	}
	demo := l.Workspace
	superseding := *demo
	superseding.Evidence = append([]workspace.Evidence(nil), demo.Evidence...)
	last := superseding.Evidence[len(superseding.Evidence)-1]
	last.ID, last.Supersedes = last.ID+"-again", superseding.Evidence[0].ID
	superseding.Evidence = append(superseding.Evidence, last)
	if len(policy.Derived(demo)) == 0 {
		t.Fatal("the demo derives no evidence: the test compares nothing")
	}
	for name, ws := range map[string]*workspace.Workspace{"demo": demo, "superseding": &superseding,
		"practice": benchgen.Org(9, "p", "P", benchgen.Practice)} {
		for _, d := range []string{"2025-03-01", "2026-11-23", "2026-12-31", "2027-08-15"} {
			asOf := date.MustParse(d)
			want := evidence.Check(policy.WithDerived(ws), asOf)
			got := evidence.CheckWith(ws, policy.Derived(ws), asOf)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %s:\n got %v\nwant %v", name, d, got, want)
			}
		}
	}
}
