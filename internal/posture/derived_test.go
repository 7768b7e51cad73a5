package posture

import (
	"reflect"
	"testing"

	"ward/internal/benchgen"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// TestEvaluatorIndexesDerivedInPlace: the evaluator indexing the derived
// workforce items after the workspace's evidence gives every framework's
// posture and every control's standing that the evaluator over a copy
// of the workspace with the items appended (policy.WithDerived) gave, on
// the demo, the demo with an item superseding another, and a generated
// practice, on several dates.
func TestEvaluatorIndexesDerivedInPlace(t *testing.T) {
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demo := l.Workspace
	if len(policy.Derived(demo)) == 0 {
		t.Fatal("the demo derives no evidence: the test compares nothing")
	}
	superseding := *demo
	superseding.Evidence = append([]workspace.Evidence(nil), demo.Evidence...)
	last := superseding.Evidence[len(superseding.Evidence)-1]
	last.ID, last.Supersedes = last.ID+"-again", superseding.Evidence[0].ID
	superseding.Evidence = append(superseding.Evidence, last)
	cat := catalog.Default()
	copied := func(ws *workspace.Workspace, asOf date.Date) *evaluator {
		ws = policy.WithDerived(ws)
		return &evaluator{ws: ws, cat: cat, asOf: asOf, idx: evidence.IndexRefs(ws.Evidence), own: ownMappings(ws),
			states: map[stateKey]*ControlState{}, gaps: policy.Gaps(ws, asOf)}
	}
	for name, ws := range map[string]*workspace.Workspace{"demo": demo, "superseding": &superseding,
		"practice": benchgen.Org(9, "p", "P", benchgen.Practice)} {
		for _, d := range []string{"2025-03-01", "2026-11-23", "2027-08-15"} {
			asOf := date.MustParse(d)
			in, cp := newEvaluator(ws, cat, asOf), copied(ws, asOf)
			for _, fw := range []string{"hipaa", "soc2", "csf", "hipaa-nprm"} {
				got, err1 := in.evaluate(fw)
				want, err2 := cp.evaluate(fw)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s on %s: the postures differ", name, fw, d)
				}
			}
			for _, c := range ws.Controls {
				if got, want := in.state("", c.ID), cp.state("", c.ID); !reflect.DeepEqual(got, want) {
					t.Errorf("%s, control %s on %s: %+v, want %+v", name, c.ID, d, got, want)
				}
			}
		}
	}
}
