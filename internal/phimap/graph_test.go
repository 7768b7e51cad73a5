package phimap

import (
	"slices"
	"testing"

	"ward/internal/workspace"
)

func sys(id, vendor string, phi, live bool) workspace.System {
	return workspace.System{ID: id, Kind: "service", Vendor: vendor, PHI: phi, LivePHI: live, EncryptedAtRest: true}
}

func phiFlow(from, to string) workspace.Flow {
	return workspace.Flow{From: from, To: to, PHI: true, EncryptedInTransit: true}
}

func TestGraph(t *testing.T) {
	ws := &workspace.Workspace{
		Systems: []workspace.System{
			sys("ehr", "aws", true, true),
			sys("logs", "datadog", false, false),
			sys("warehouse", "snowflake", false, false),
			sys("ml", "openai", false, false),
			sys("a", "", false, false), // a and b form a cycle reached from warehouse
			sys("b", "", false, false),
			sys("website", "vercel", false, false),
			sys("island", "", false, false), // in a PHI cycle nothing feeds: still PHI (the flows say so)
			sys("island2", "", false, false),
			sys("test-db", "aws", true, false),
		},
		Flows: []workspace.Flow{
			phiFlow("ehr", "logs"),
			phiFlow("logs", "warehouse"),
			phiFlow("warehouse", "a"),
			phiFlow("a", "b"),
			phiFlow("b", "a"),
			phiFlow("b", "warehouse"),
			{From: "warehouse", To: "ml", PHI: false}, // de-identified: carries no PHI
			{From: "website", To: "ehr", PHI: false},
			phiFlow("island", "island2"),
			phiFlow("island2", "island"),
			phiFlow("ehr", "nowhere"), // dangling: ignored
		},
	}
	g := Build(ws)

	paths := map[string][]string{
		"ehr":       {"ehr"},
		"logs":      {"ehr", "logs"},
		"warehouse": {"ehr", "logs", "warehouse"},
		"a":         {"ehr", "logs", "warehouse", "a"},
		"b":         {"ehr", "logs", "warehouse", "a", "b"},
		"island":    {"island"},
		"island2":   {"island", "island2"},
		"test-db":   {"test-db"},
		"ml":        nil,
		"website":   nil,
		"nowhere":   nil,
	}
	for id, want := range paths {
		if got := g.Path(id); !slices.Equal(got, want) {
			t.Errorf("Path(%s) = %v, want %v", id, got, want)
		}
		if got := g.HoldsPHI(id); got != (want != nil) {
			t.Errorf("HoldsPHI(%s) = %v, want %v", id, got, want != nil)
		}
	}
	if got, want := g.PHISystems(), []string{"a", "b", "ehr", "island", "island2", "logs", "test-db", "warehouse"}; !slices.Equal(got, want) {
		t.Errorf("PHISystems() = %v, want %v", got, want)
	}
	if got, want := g.LivePHISystems(), []string{"a", "b", "ehr", "logs", "warehouse"}; !slices.Equal(got, want) {
		t.Errorf("LivePHISystems() = %v, want %v", got, want)
	}
	if got, want := g.VendorsWithPHI(), []string{"aws", "datadog", "snowflake"}; !slices.Equal(got, want) {
		t.Errorf("VendorsWithPHI() = %v, want %v", got, want)
	}
	if got, want := g.VendorPHISystems("aws"), []string{"ehr", "test-db"}; !slices.Equal(got, want) {
		t.Errorf("VendorPHISystems(aws) = %v, want %v", got, want)
	}
	if g.CarriesPHI(ws.Flows[6]) || !g.CarriesPHI(ws.Flows[0]) || g.CarriesPHI(ws.Flows[10]) {
		t.Error("CarriesPHI: want true only for phi: true flows between known systems")
	}
}

// The shortest path wins, and among equals the one through the smaller
// ids, whatever the order of the flows, so Path reads the same every run.
func TestPathShortestAndStable(t *testing.T) {
	ws := &workspace.Workspace{
		Systems: []workspace.System{
			sys("src", "", true, false), sys("z", "", false, false), sys("m", "", false, false),
			sys("long1", "", false, false), sys("long2", "", false, false), sys("dst", "", false, false),
		},
		Flows: []workspace.Flow{
			phiFlow("src", "long1"), phiFlow("long1", "long2"), phiFlow("long2", "dst"),
			phiFlow("src", "z"), phiFlow("z", "dst"),
			phiFlow("m", "dst"), phiFlow("src", "m"),
		},
	}
	for range 2 {
		if got, want := Build(ws).Path("dst"), []string{"src", "m", "dst"}; !slices.Equal(got, want) {
			t.Fatalf("Path(dst) = %v, want %v", got, want)
		}
		slices.Reverse(ws.Flows)
	}
}

func TestEmptyWorkspace(t *testing.T) {
	g := Build(&workspace.Workspace{})
	if g.PHISystems() != nil || g.VendorsWithPHI() != nil || g.Path("x") != nil || g.HoldsPHI("x") {
		t.Error("an empty workspace has no PHI")
	}
	if r := Gate(&workspace.Workspace{}, asOf); !r.OK() || len(r.Findings) != 0 || len(r.Blocked) != 0 {
		t.Errorf("empty workspace: %+v", r)
	}
}
