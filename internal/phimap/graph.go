package phimap

import (
	"slices"
	"strings"

	"ward/internal/workspace"
)

// Why a system holds PHI when nothing upstream carried it there.
const (
	originMarked = "marked" // phi: true
	originLive   = "live"   // live_phi: true (real PHI is there, whatever phi says)
	originSends  = "sends"  // the source of a PHI flow: it cannot send what it does not have
)

// Graph is the organization's systems and the directed flows between them,
// with where PHI can be. Build it once and ask it questions; it does not
// change when the workspace does.
type Graph struct {
	ws    *workspace.Workspace
	ids   []string       // system ids in workspace order
	index map[string]int // system id -> position in ids
	// out and in hold, per system, the indexes (into ws.Flows) of the PHI
	// flows leaving and entering it. Flows marked phi: false carry no PHI
	// and take no part in reachability.
	out, in [][]int
	holds   []bool
	live    []bool
	origin  []string // non-empty for systems where PHI starts
	via     []int    // the PHI flow that first brought PHI (BFS order), -1 for origins and non-holders
	sorted  []string // system ids sorted, for deterministic output
	// vendorPHI maps a vendor to its PHI systems, sorted: the rules ask
	// once per vendor and per agreement, too often to scan every system.
	vendorPHI map[string][]string
}

// Build computes the PHI graph of ws.
//
// A system holds PHI when it is marked phi: true, has live_phi: true, is
// the source of a PHI flow, or is reached from such a system over PHI
// flows, however many hops away (PHI sent to a log pipeline and on to a
// warehouse puts PHI in both). The search visits each system once, so
// cycles of flows terminate.
//
// The source of a flow marked phi: true counts as holding PHI even when
// nothing else says so: the inventory claims PHI moves over the flow, and a
// gate that fails closed must believe the claim rather than drop it (the
// system is then reported as inventory.phi-unmarked).
//
// Flows whose ends are not systems are ignored; validating references is
// the workspace parser's job.
func Build(ws *workspace.Workspace) *Graph {
	n := len(ws.Systems)
	g := &Graph{
		ws:     ws,
		ids:    make([]string, 0, n),
		index:  make(map[string]int, n),
		out:    make([][]int, n),
		in:     make([][]int, n),
		holds:  make([]bool, n),
		live:   make([]bool, n),
		origin: make([]string, n),
		via:    make([]int, n),
	}
	for i, s := range ws.Systems {
		g.ids = append(g.ids, s.ID)
		if _, dup := g.index[s.ID]; !dup {
			g.index[s.ID] = i
		}
		g.via[i] = -1
	}
	for fi, f := range ws.Flows {
		if !f.PHI {
			continue
		}
		a, okA := g.index[f.From]
		b, okB := g.index[f.To]
		if !okA || !okB {
			continue
		}
		g.out[a] = append(g.out[a], fi)
		g.in[b] = append(g.in[b], fi)
	}
	// Visit receivers in id order, so that which of two equally short
	// paths Path reports does not depend on the order of the files.
	for _, out := range g.out {
		slices.SortStableFunc(out, func(x, y int) int { return strings.Compare(ws.Flows[x].To, ws.Flows[y].To) })
	}
	g.sorted = slices.Clone(g.ids)
	slices.Sort(g.sorted)
	g.sorted = slices.Compact(g.sorted)

	// Breadth-first from the declared holders, in id order, so that Path
	// is a shortest path and the same one on every run. Sources of PHI
	// flows that no declared holder reaches are added afterwards: they are
	// origins only because nothing better explains their PHI.
	var queue []int
	seed := func(i int, why string) {
		if !g.holds[i] {
			g.holds[i] = true
			g.origin[i] = why
			queue = append(queue, i)
		}
	}
	for _, id := range g.sorted {
		i := g.index[id]
		s := ws.Systems[i]
		switch {
		case s.PHI:
			seed(i, originMarked)
		case s.LivePHI:
			seed(i, originLive)
		}
	}
	queue = g.spread(queue)
	for _, id := range g.sorted {
		// One at a time, so a source that another source reaches is
		// explained by that path rather than counted as an origin.
		if i := g.index[id]; len(g.out[i]) > 0 {
			seed(i, originSends)
			queue = g.spread(queue)
		}
	}

	g.vendorPHI = map[string][]string{}
	for _, id := range g.sorted {
		i := g.index[id]
		if v := ws.Systems[i].Vendor; g.holds[i] && v != "" {
			g.vendorPHI[v] = append(g.vendorPHI[v], id)
		}
	}

	// Live PHI (real patients' data) goes wherever PHI flows from a live
	// system: a test flag on the receiving end does not make it test data.
	queue = queue[:0]
	for _, id := range g.sorted {
		i := g.index[id]
		if ws.Systems[i].LivePHI && g.holds[i] {
			g.live[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, fi := range g.out[i] {
			j := g.index[ws.Flows[fi].To]
			if !g.live[j] {
				g.live[j] = true
				queue = append(queue, j)
			}
		}
	}
	return g
}

// spread runs the breadth-first search from queue over PHI flows and
// returns the emptied queue for reuse.
func (g *Graph) spread(queue []int) []int {
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, fi := range g.out[i] {
			j := g.index[g.ws.Flows[fi].To]
			if !g.holds[j] {
				g.holds[j] = true
				g.via[j] = fi
				queue = append(queue, j)
			}
		}
	}
	return queue
}

func (g *Graph) lookup(id string) (int, bool) {
	i, ok := g.index[id]
	return i, ok
}

// HoldsPHI reports whether PHI can be in the system.
func (g *Graph) HoldsPHI(systemID string) bool {
	i, ok := g.lookup(systemID)
	return ok && g.holds[i]
}

// LivePHI reports whether real PHI can be in the system: it is marked
// live_phi: true, or a PHI flow reaches it from a system that is.
func (g *Graph) LivePHI(systemID string) bool {
	i, ok := g.lookup(systemID)
	return ok && g.live[i]
}

// PHISystems lists, sorted, every system that can hold PHI.
func (g *Graph) PHISystems() []string {
	var out []string
	for _, id := range g.sorted {
		if g.holds[g.index[id]] {
			out = append(out, id)
		}
	}
	return out
}

// LivePHISystems lists, sorted, every system that can hold live PHI.
func (g *Graph) LivePHISystems() []string {
	var out []string
	for _, id := range g.sorted {
		if g.live[g.index[id]] {
			out = append(out, id)
		}
	}
	return out
}

// Path is how PHI reaches the system: the system ids from where the PHI
// starts to systemID, following PHI flows: a shortest such chain, and of
// equals the one through the smallest ids. It is
// just [systemID] when PHI starts there, and nil when the system holds no
// PHI or does not exist.
func (g *Graph) Path(systemID string) []string {
	i, ok := g.lookup(systemID)
	if !ok || !g.holds[i] {
		return nil
	}
	path := []string{systemID}
	for g.via[i] >= 0 {
		i = g.index[g.ws.Flows[g.via[i]].From]
		path = append(path, g.ids[i])
	}
	slices.Reverse(path)
	return path
}

// VendorsWithPHI lists, sorted, the vendors running at least one system
// that can hold PHI: the parties that must be under a downstream BAA.
func (g *Graph) VendorsWithPHI() []string {
	var out []string
	for v := range g.vendorPHI {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// VendorPHISystems lists, sorted, the vendor's systems that can hold PHI.
func (g *Graph) VendorPHISystems(vendorID string) []string {
	return slices.Clone(g.vendorPHI[vendorID])
}

// CarriesPHI reports whether the flow (an element of the workspace's
// Flows) carries PHI: it is marked phi: true and joins two systems.
func (g *Graph) CarriesPHI(f workspace.Flow) bool {
	if !f.PHI {
		return false
	}
	_, okA := g.lookup(f.From)
	_, okB := g.lookup(f.To)
	return okA && okB
}
