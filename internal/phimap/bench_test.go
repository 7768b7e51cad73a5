package phimap

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"ward/internal/workspace"
)

// generate builds a large, messy, reproducible organization: systems
// spread over vendors (a tenth in-house), flows mostly "downstream" with
// some going back (so there are cycles), a share of PHI flows and
// systems, a few unencrypted, BAAs for most vendors with some expired,
// draft or not yet effective, and covered-entity customers.
func generate(systems, flows, vendors int) *workspace.Workspace {
	r := rand.New(rand.NewPCG(5, 2027))
	ws := &workspace.Workspace{
		Organization: workspace.Organization{
			Name: "Generated Health", Roles: []string{workspace.RoleBusinessAssociate},
			Answers:  workspace.Answers{HandlesPHI: true},
			Officers: workspace.Officers{Privacy: "p@x.example", Security: "s@x.example"},
		},
		People:       []workspace.Person{{Email: "p@x.example"}, {Email: "s@x.example"}},
		RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra", Performed: d("2026-06-01")}},
	}
	for v := range vendors {
		ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: fmt.Sprintf("vendor-%03d", v), Name: fmt.Sprintf("Vendor %d", v)})
		a := workspace.Agreement{ID: fmt.Sprintf("baa-%03d", v), Kind: "baa", Counterparty: fmt.Sprintf("vendor-%03d", v),
			Direction: "downstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 5 + r.IntN(30)}
		switch k := r.IntN(20); {
		case k == 0:
			continue // no BAA at all
		case k == 1:
			a.Expires = d("2026-12-01")
		case k == 2:
			a.Status = "draft"
		case k == 3:
			a.Effective = d("2027-03-01")
		case k < 6:
			a.Expires = asOf.AddDays(r.IntN(90))
		}
		ws.Agreements = append(ws.Agreements, a)
	}
	for i := range systems {
		s := workspace.System{ID: fmt.Sprintf("sys-%04d", i), Name: fmt.Sprintf("System %d", i),
			Kind: workspace.SystemKinds[r.IntN(len(workspace.SystemKinds))], EncryptedAtRest: r.IntN(30) != 0}
		if r.IntN(10) != 0 {
			s.Vendor = fmt.Sprintf("vendor-%03d", r.IntN(vendors))
		}
		if r.IntN(10) == 0 {
			s.PHI = true
			s.LivePHI = r.IntN(3) == 0
		}
		ws.Systems = append(ws.Systems, s)
	}
	for range flows {
		a, b := r.IntN(systems), r.IntN(systems)
		if a > b && r.IntN(10) != 0 {
			a, b = b, a // mostly forward, sometimes back: cycles
		}
		ws.Flows = append(ws.Flows, workspace.Flow{
			From: ws.Systems[a].ID, To: ws.Systems[b].ID,
			PHI: r.IntN(100) < 3, EncryptedInTransit: r.IntN(20) != 0,
		})
	}
	for c := range systems / 40 {
		id := fmt.Sprintf("customer-%03d", c)
		ws.Customers = append(ws.Customers, workspace.Customer{ID: id, CoveredEntity: true, LivePHI: r.IntN(2) == 0})
		if r.IntN(8) != 0 {
			ws.Agreements = append(ws.Agreements, workspace.Agreement{ID: "baa-" + id, Kind: "baa", Counterparty: id,
				Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 10 + r.IntN(50)})
		}
	}
	return ws
}

// BenchmarkGate2000 is issue 5's "stays interactive" figure: the whole
// gate (graph, every rule, blocked paths) on 2,000 systems, 10,000 flows
// and 200 vendors.
func BenchmarkGate2000(b *testing.B) {
	ws := generate(2000, 10000, 200)
	var r Result
	for b.Loop() {
		r = Gate(ws, asOf)
	}
	b.ReportMetric(float64(len(r.Findings)), "findings")
	b.ReportMetric(float64(len(r.Blocked)), "blocked")
}

func BenchmarkBuild2000(b *testing.B) {
	ws := generate(2000, 10000, 200)
	for b.Loop() {
		Build(ws)
	}
}

func BenchmarkDataflowSVG2000(b *testing.B) {
	ws := generate(2000, 10000, 200)
	g := Build(ws)
	fs := Check(ws, asOf)
	for _, opt := range []SVGOptions{{}, {PHIOnly: true}, {Collapse: true}, {Collapse: true, MaxBoxes: 24}} {
		b.Run(fmt.Sprintf("phi=%v,collapse=%v,boxes=%d", opt.PHIOnly, opt.Collapse, opt.MaxBoxes), func(b *testing.B) {
			var out []byte
			for b.Loop() {
				out = DataflowSVG(ws, g, fs, opt)
			}
			b.ReportMetric(float64(len(out)), "bytes")
		})
	}
}

// A large inventory still gives a well-formed, reproducible diagram, and
// the gate's answer does not depend on the order of the files.
func TestLargeInventory(t *testing.T) {
	ws := generate(400, 2000, 40)
	first := Gate(ws, asOf)
	if first.OK() || len(first.Blocked) == 0 {
		t.Fatalf("the generated workspace is built to fail; got OK=%v blocked=%d", first.OK(), len(first.Blocked))
	}
	for _, opt := range []SVGOptions{{}, {PHIOnly: true}, {Collapse: true}, {Vendor: "vendor-007"}} {
		a := DataflowSVG(ws, nil, first.Findings, opt)
		parseSVG(t, a)
		if b := DataflowSVG(ws, nil, first.Findings, opt); !bytes.Equal(a, b) {
			t.Errorf("%+v: two renders differ", opt)
		}
	}

	// Reverse every list: same findings, same blocked.
	rev := *ws
	rev.Systems = reversed(ws.Systems)
	rev.Flows = reversed(ws.Flows)
	rev.Agreements = reversed(ws.Agreements)
	rev.Customers = reversed(ws.Customers)
	rev.Vendors = reversed(ws.Vendors)
	second := Gate(&rev, asOf)
	if fmt.Sprint(first.Findings) != fmt.Sprint(second.Findings) {
		t.Error("findings depend on the order of the workspace lists")
	}
	if fmt.Sprint(first.Blocked) != fmt.Sprint(second.Blocked) {
		t.Error("blocked depends on the order of the workspace lists")
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
