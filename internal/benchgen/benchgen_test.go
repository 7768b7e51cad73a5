package benchgen

import (
	"reflect"
	"testing"

	"ward/internal/check"
	"ward/internal/workspace"
)

// The generated organizations are what ward apply accepts: the benchmarks
// measure real data, not records a page would refuse.
func TestValid(t *testing.T) {
	for name, sz := range map[string]Size{"large": Large, "practice": Practice} {
		ws := Org(1, "acme", "Acme", sz)
		if errs := workspace.Validate(ws, check.WorkspaceOptions()); len(errs) > 0 {
			t.Errorf("%s: %d errors, first: %v", name, len(errs), errs[0])
		}
		if len(ws.Systems) != sz.Systems || len(ws.Flows) != sz.Flows || len(ws.Vendors) != sz.Vendors ||
			len(ws.Risks) != sz.Risks || len(ws.Controls) != sz.Controls {
			t.Errorf("%s: %d systems, %d flows, %d vendors, %d risks, %d controls; want %+v", name,
				len(ws.Systems), len(ws.Flows), len(ws.Vendors), len(ws.Risks), len(ws.Controls), sz)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := Org(7, "a", "A", Practice), Org(7, "a", "A", Practice)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave two different organizations")
	}
	if c := Org(8, "a", "A", Practice); reflect.DeepEqual(a, c) {
		t.Error("two seeds gave the same organization")
	}
	if m := MSP(1, 3, Practice); m[1].Organization.Slug != "practice-001" || reflect.DeepEqual(m[0].Systems, m[1].Systems) {
		t.Error("MSP practices are not distinct")
	}
}
