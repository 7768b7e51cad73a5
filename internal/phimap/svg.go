package phimap

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"

	"ward/internal/finding"
	"ward/internal/workspace"
)

// SVGOptions shrink the diagram of a large inventory to what matters.
type SVGOptions struct {
	// PHIOnly draws only systems that can hold PHI and the flows that
	// carry it.
	PHIOnly bool
	// Collapse draws one node per vendor (and one for in-house systems)
	// instead of one per system.
	Collapse bool
	// Vendor, when set, draws that vendor's systems (InHouse: the systems
	// without a vendor) and the systems they exchange data with.
	Vendor string
	// MaxBoxes, when more than zero, is the most boxes the collapsed
	// diagram draws: when there are more vendors, the ones that matter
	// most (failing first, then those holding PHI, then those with the
	// most flows) keep their box and the rest share one box (Others).
	MaxBoxes int
	// Expand, in the collapsed diagram, opens one vendor's box (InHouse:
	// the in-house systems) to draw its systems inside it; the others
	// stay one box each.
	Expand string
	// Href, when set, makes each box of the collapsed diagram a link:
	// Href(vendor id, InHouse or Others) is its address, "" for none.
	Href func(box string) string
}

// Others is the box that the collapsed diagram's least important vendors
// share when there are more than SVGOptions.MaxBoxes.
const Others = "(others)"

// InHouse is the group of systems that name no vendor.
const InHouse = "in-house"

// The palette: neutral greys and blue-grey, orange for PHI, and red only
// for what fails a rule.
const (
	FailFill     = "#dc2626" // a system or vendor with an error-level finding
	failTint     = "#fef2f2" // the body of a failing vendor's box
	warnStroke   = "#d97706"
	phiColor     = "#ea580c"
	flowColor    = "#94a3b8"
	nodeFill     = "#ffffff"
	nodeStroke   = "#cbd5e1"
	groupFill    = "#f8fafc"
	groupStroke  = "#e2e8f0"
	textColor    = "#1e293b"
	mutedColor   = "#64748b"
	fontFamily   = `system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif`
	nodeW, nodeH = 172, 46
	colNodeW     = 196 // a collapsed vendor's node
	nodeGap      = 12  // between nodes in a group
	groupPad     = 12
	groupHead    = 26
	groupGap     = 24 // between groups in a column
	columnGap    = 96 // between columns: room for arrows
	margin       = 24
	headerH      = 56
	legendH      = 96
	labelSize    = 12   // px, bold: box and vendor names (the .label rule)
	subSize      = 10.5 // px: the line under a name (the .sub rule)
)

// DataflowSVG draws the organization's data flows as a standalone SVG
// document: systems grouped by vendor, flows as arrows, PHI flows thick
// and orange (red and dashed when unencrypted), and systems and vendors
// with an error-level finding filled red with the reasons in a hover
// title. g may be nil (it is built from ws); findings are usually
// Gate(ws, asOf).Findings.
//
// The layout is computed, never hand-placed: vendor boxes are placed in
// columns by longest-path layering of the flows between them (cycles are
// broken by ignoring the edges that close them), ordered within a column
// by where their senders sit, and each box stacks its systems in the
// order data reaches them.
func DataflowSVG(ws *workspace.Workspace, g *Graph, findings []finding.Finding, opt SVGOptions) []byte {
	if g == nil {
		g = Build(ws)
	}
	d := newDiagram(ws, g, findings, opt)
	d.layout()
	return d.render()
}

type node struct {
	id       string // system id, or group key when collapsed
	label    string
	sub      string // second line
	group    *group
	phi      bool
	live     bool
	findings []finding.Finding
	layer    int
	x, y     int
	w, h     int
	members  int  // collapsed: systems in the group
	box      bool // one box for the whole group (collapsed)
	inside   int  // collapsed: flows between two of the group's systems
}

type group struct {
	key      string // vendor id, or "" for in-house
	label    string
	nodes    []*node
	findings []finding.Finding
	layer    int
	cols     int
	x, y     int
	w, h     int
	order    float64 // barycenter used to sort a column
	open     bool    // drawn as a box around its systems
	vendors  int     // Others: how many vendors share the box
}

type edge struct {
	from, to    *node
	phi         bool
	unencrypted bool
	keys        []string
	phiFlows    int
	findings    []finding.Finding
}

type diagram struct {
	ws       *workspace.Workspace
	g        *Graph
	opt      SVGOptions
	nodes    []*node // sorted by id
	groups   []*group
	edges    []*edge
	orgFinds []finding.Finding
	errors   int
	warnings int
	width    int
	height   int
}

func newDiagram(ws *workspace.Workspace, g *Graph, findings []finding.Finding, opt SVGOptions) *diagram {
	d := &diagram{ws: ws, g: g, opt: opt}

	// Where each finding is drawn.
	bySubject := map[string][]finding.Finding{}
	for _, f := range findings {
		bySubject[f.Subject] = append(bySubject[f.Subject], f)
		if f.Severity == finding.Error {
			d.errors++
		} else {
			d.warnings++
		}
		if f.Subject == OrganizationSubject {
			d.orgFinds = append(d.orgFinds, f)
		}
	}
	vendorFinds := map[string][]finding.Finding{}
	for _, v := range ws.Vendors {
		vendorFinds[v.ID] = append(vendorFinds[v.ID], bySubject[v.ID]...)
	}
	for _, a := range ws.Agreements {
		if fs := bySubject[a.ID]; len(fs) > 0 && ws.Vendor(a.Counterparty) != nil {
			vendorFinds[a.Counterparty] = append(vendorFinds[a.Counterparty], fs...)
		}
	}

	// Which systems and flows are drawn.
	keep := map[string]bool{}
	for _, id := range g.sorted {
		if !opt.PHIOnly || g.HoldsPHI(id) {
			keep[id] = true
		}
	}
	flowDrawn := func(f workspace.Flow) bool {
		return keep[f.From] && keep[f.To] && f.From != f.To && (!opt.PHIOnly || g.CarriesPHI(f))
	}
	if opt.Vendor != "" {
		want := opt.Vendor
		if want == InHouse {
			want = ""
		}
		focus := map[string]bool{}
		for id := range keep {
			if ws.Systems[g.index[id]].Vendor == want {
				focus[id] = true
			}
		}
		near := map[string]bool{}
		for id := range focus {
			near[id] = true
		}
		for _, f := range ws.Flows {
			if flowDrawn(f) && (focus[f.From] || focus[f.To]) {
				near[f.From], near[f.To] = true, true
			}
		}
		keep = near
	}

	expand := opt.Expand
	if expand == InHouse {
		expand = ""
	}
	boxOf := d.boxes(keep, flowDrawn, bySubject, vendorFinds)
	groups := map[string]*group{}
	sysNode := map[string]*node{}
	for _, id := range g.sorted {
		if !keep[id] {
			continue
		}
		s := ws.Systems[g.index[id]]
		key := s.Vendor
		if k, ok := boxOf[key]; ok {
			key = k
		}
		gr := groups[key]
		if gr == nil {
			gr = &group{key: key, label: InHouse, findings: vendorFinds[key], open: !opt.Collapse || (opt.Expand != "" && key == expand)}
			if key != "" {
				gr.label = key
				if v := ws.Vendor(key); v != nil && v.Name != "" {
					gr.label = v.Name
				}
			}
			groups[key] = gr
			d.groups = append(d.groups, gr)
		}
		if key == Others && gr.vendors == 0 {
			seen := map[string]bool{}
			for v, k := range boxOf {
				if k == Others && !seen[v] {
					seen[v] = true
					gr.vendors++
					gr.findings = append(gr.findings, vendorFinds[v]...)
				}
			}
			gr.label = fmt.Sprintf("%d other vendors", gr.vendors)
			finding.Sort(gr.findings)
		}
		if !gr.open {
			n := sysNode[":"+key]
			if n == nil {
				n = &node{id: key, label: gr.label, group: gr, w: colNodeW, h: nodeH + 8, box: true}
				sysNode[":"+key] = n
				gr.nodes = append(gr.nodes, n)
				d.nodes = append(d.nodes, n)
			}
			n.members++
			n.phi = n.phi || g.HoldsPHI(id)
			n.live = n.live || g.LivePHI(id)
			n.findings = append(n.findings, bySubject[id]...)
			sysNode[id] = n
			continue
		}
		label := s.Name
		if label == "" {
			label = s.ID
		}
		sub := s.Kind
		if s.Name != "" && s.Name != s.ID {
			sub = s.ID + " · " + s.Kind
		}
		n := &node{id: id, label: label, sub: sub, group: gr, phi: g.HoldsPHI(id), live: g.LivePHI(id),
			findings: bySubject[id], w: nodeW, h: nodeH}
		sysNode[id] = n
		gr.nodes = append(gr.nodes, n)
		d.nodes = append(d.nodes, n)
	}
	for _, n := range d.nodes {
		if n.box {
			n.findings = append(n.findings, n.group.findings...)
			n.sub = fmt.Sprintf("%d system%s", n.members, plural(n.members))
		}
	}

	// Flows between the same two nodes become one arrow.
	byPair := map[[2]*node]*edge{}
	for _, f := range ws.Flows {
		if !flowDrawn(f) {
			continue
		}
		a, b := sysNode[f.From], sysNode[f.To]
		if a == nil || b == nil {
			continue
		}
		if a == b {
			a.inside++ // a collapsed box's own flow: counted on the box
			continue
		}
		e := byPair[[2]*node{a, b}]
		if e == nil {
			e = &edge{from: a, to: b}
			byPair[[2]*node{a, b}] = e
			d.edges = append(d.edges, e)
		}
		carries := g.CarriesPHI(f)
		if carries {
			e.phiFlows++
		}
		e.phi = e.phi || carries
		e.unencrypted = e.unencrypted || (carries && !f.EncryptedInTransit)
		e.keys = append(e.keys, f.Key())
		e.findings = append(e.findings, bySubject[f.Key()]...)
	}
	// Plain flows first, PHI on top, unencrypted PHI topmost: in a dense
	// picture the arrows that matter stay visible.
	rank := func(e *edge) int {
		switch {
		case e.unencrypted:
			return 2
		case e.phi:
			return 1
		}
		return 0
	}
	slices.SortFunc(d.edges, func(x, y *edge) int {
		return cmp.Or(cmp.Compare(rank(x), rank(y)), cmp.Compare(x.from.id, y.from.id), cmp.Compare(x.to.id, y.to.id))
	})
	return d
}

// boxes maps the vendor keys ("" for in-house) of the drawn systems to
// the box that draws them when the collapsed diagram has more vendors than
// opt.MaxBoxes: the vendors kept, and the opened one (opt.Expand), map to
// themselves, the rest to Others. It is nil when every vendor keeps its
// box.
func (d *diagram) boxes(keep map[string]bool, flowDrawn func(workspace.Flow) bool, bySubject, vendorFinds map[string][]finding.Finding) map[string]string {
	if !d.opt.Collapse || d.opt.MaxBoxes <= 0 {
		return nil
	}
	type score struct {
		key   string
		fails bool
		phi   bool
		flows int
	}
	scores := map[string]*score{}
	vendorOf := func(id string) string { return d.ws.Systems[d.g.index[id]].Vendor }
	for id := range keep {
		k := vendorOf(id)
		sc := scores[k]
		if sc == nil {
			sc = &score{key: k, fails: failing(vendorFinds[k])}
			scores[k] = sc
		}
		sc.fails = sc.fails || failing(bySubject[id])
		sc.phi = sc.phi || d.g.HoldsPHI(id)
	}
	if len(scores) <= d.opt.MaxBoxes {
		return nil
	}
	for _, f := range d.ws.Flows {
		if flowDrawn(f) {
			scores[vendorOf(f.From)].flows++
			scores[vendorOf(f.To)].flows++
		}
	}
	expand := d.opt.Expand
	if expand == InHouse {
		expand = ""
	}
	ranked := make([]*score, 0, len(scores))
	for _, sc := range scores {
		ranked = append(ranked, sc)
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	slices.SortFunc(ranked, func(x, y *score) int {
		return cmp.Or(
			cmp.Compare(b2i(y.key == expand && d.opt.Expand != ""), b2i(x.key == expand && d.opt.Expand != "")),
			cmp.Compare(b2i(y.fails), b2i(x.fails)),
			cmp.Compare(b2i(y.phi), b2i(x.phi)),
			cmp.Compare(y.flows, x.flows),
			cmp.Compare(x.key, y.key))
	})
	out := make(map[string]string, len(ranked))
	for i, sc := range ranked {
		if i < d.opt.MaxBoxes-1 {
			out[sc.key] = sc.key
		} else {
			out[sc.key] = Others
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func failing(fs []finding.Finding) bool { return finding.HasError(fs) }
func warned(fs []finding.Finding) bool  { return len(fs) > 0 && !failing(fs) }
func (gr *group) failing() bool         { return failing(gr.findings) }
func (gr *group) elementID() string     { return elementID("vendor-", cmp.Or(gr.key, InHouse)) }

// elementID of a node: a system's, or for a collapsed box its vendor's.
func (n *node) elementID() string {
	if n.box {
		return n.group.elementID()
	}
	return elementID("system-", n.id)
}

func elementID(prefix, id string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}

// layers assigns longest-path layers from the sources: a depth-first walk
// in id order drops the edges that close cycles, then each node sits one
// layer right of its furthest predecessor.
func layers(ids []string, succ map[string][]string) map[string]int {
	const (
		unseen = iota
		onStack
		done
	)
	state := map[string]int{}
	dag := map[string][]string{}
	var post []string
	var visit func(string)
	visit = func(v string) {
		state[v] = onStack
		for _, w := range succ[v] {
			switch state[w] {
			case unseen:
				dag[v] = append(dag[v], w)
				visit(w)
			case done:
				dag[v] = append(dag[v], w)
			} // onStack: a back edge, dropped
		}
		state[v] = done
		post = append(post, v)
	}
	for _, v := range ids {
		if state[v] == unseen {
			visit(v)
		}
	}
	layer := make(map[string]int, len(ids))
	for i := len(post) - 1; i >= 0; i-- {
		v := post[i]
		for _, w := range dag[v] {
			layer[w] = max(layer[w], layer[v]+1)
		}
	}
	return layer
}

func (d *diagram) layout() {
	// Node layers order systems inside a box.
	var ids []string
	succ := map[string][]string{}
	byID := map[string]*node{}
	for _, n := range d.nodes {
		ids = append(ids, n.id)
		byID[n.id] = n
	}
	for _, e := range d.edges {
		succ[e.from.id] = append(succ[e.from.id], e.to.id)
	}
	for id, l := range layers(ids, succ) {
		byID[id].layer = l
	}

	// Group layers place the boxes in columns.
	var keys []string
	gsucc := map[string][]string{}
	gpred := map[*group][]*group{}
	byKey := map[string]*group{}
	for _, gr := range d.groups {
		keys = append(keys, gr.key)
		byKey[gr.key] = gr
	}
	slices.Sort(keys)
	seen := map[[2]*group]bool{}
	for _, e := range d.edges {
		a, b := e.from.group, e.to.group
		if a == b || seen[[2]*group{a, b}] {
			continue
		}
		seen[[2]*group{a, b}] = true
		gsucc[a.key] = append(gsucc[a.key], b.key)
		gpred[b] = append(gpred[b], a)
	}
	for _, k := range keys {
		slices.Sort(gsucc[k])
	}
	gl := layers(keys, gsucc)
	ncols := 0
	for _, gr := range d.groups {
		gr.layer = gl[gr.key]
		ncols = max(ncols, gr.layer+1)
	}

	// Size each box: a grid about three times taller than wide, filled
	// top to bottom, so a vendor with a hundred systems stays a column.
	for _, gr := range d.groups {
		slices.SortFunc(gr.nodes, func(a, b *node) int { return cmp.Or(cmp.Compare(a.layer, b.layer), cmp.Compare(a.id, b.id)) })
		n := len(gr.nodes)
		gr.cols = max(1, int(math.Ceil(math.Sqrt(float64(n)/6))))
		rows := (n + gr.cols - 1) / gr.cols
		w := gr.nodes[0].w
		h := gr.nodes[0].h
		gr.w = 2*groupPad + gr.cols*w + (gr.cols-1)*nodeGap
		gr.h = groupHead + groupPad + rows*h + (rows-1)*nodeGap + groupPad
	}

	// Long chains make many layers and a strip too wide to read; fold
	// consecutive layers into as many columns as a page of about 16:10
	// holds, balancing the columns' heights. Layers keep their
	// left-to-right order, and within a column earlier layers sit higher.
	layerH := make([]float64, ncols)
	var area, width float64
	for _, gr := range d.groups {
		layerH[gr.layer] += float64(gr.h + groupGap)
		area += float64((gr.w + columnGap) * (gr.h + groupGap))
		width += float64(gr.w + columnGap)
	}
	colOf := make([]int, ncols)
	k := max(1, int(math.Round(math.Sqrt(area*1.6)/(width/float64(len(d.groups))))))
	if k < ncols {
		var total float64
		for _, h := range layerH {
			total += h
		}
		col, acc := 0, 0.0
		for l, h := range layerH {
			// Start a new column when this layer would overfill the
			// current one more than it underfills it.
			if acc > 0 && acc+h/2 > total/float64(k) && col < k-1 {
				col, acc = col+1, 0
			}
			colOf[l] = col
			acc += h
		}
		ncols = col + 1
	} else {
		for l := range colOf {
			colOf[l] = l
		}
	}
	columns := make([][]*group, ncols)
	for _, gr := range d.groups {
		columns[colOf[gr.layer]] = append(columns[colOf[gr.layer]], gr)
	}
	x := margin
	tallest := 0
	for c, col := range columns {
		for _, gr := range col {
			// Barycenter of senders already placed, so arrows cross less;
			// boxes nobody sends to go last.
			gr.order = math.Inf(1)
			var sum float64
			var k int
			for _, p := range gpred[gr] {
				if colOf[p.layer] < c {
					sum += float64(p.y + p.h/2)
					k++
				}
			}
			if k > 0 {
				gr.order = sum / float64(k)
			}
		}
		slices.SortFunc(col, func(a, b *group) int {
			return cmp.Or(cmp.Compare(a.layer, b.layer), cmp.Compare(a.order, b.order), cmp.Compare(a.key, b.key))
		})
		y := margin + headerH
		colW := 0
		for _, gr := range col {
			gr.x, gr.y = x, y
			y += gr.h + groupGap
			colW = max(colW, gr.w)
			for i, n := range gr.nodes {
				rows := (len(gr.nodes) + gr.cols - 1) / gr.cols
				cx, cy := i/rows, i%rows
				n.x = gr.x + groupPad + cx*(n.w+nodeGap)
				n.y = gr.y + groupHead + groupPad + cy*(n.h+nodeGap)
			}
		}
		tallest = max(tallest, y-groupGap)
		x += colW + columnGap
	}
	d.width = max(x-columnGap+margin+48, legendW+2*margin) // 48: room for arrows that loop back on the right
	d.height = max(tallest, margin+headerH) + 16 + legendH + margin
}

type svgWriter struct{ bytes.Buffer }

func (w *svgWriter) f(format string, a ...any) { fmt.Fprintf(&w.Buffer, format, a...) }

// esc escapes text for XML content and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func titleOf(head string, lines []string, fs []finding.Finding) string {
	return titleOfN(head, lines, fs, maxTitleFindings)
}

// titleOfN is titleOf naming at most maxShown findings.
func titleOfN(head string, lines []string, fs []finding.Finding, maxShown int) string {
	parts := append([]string{head}, lines...)
	shown := fs
	if len(fs) > maxShown {
		// A vendor of hundreds of systems, collapsed, gathers hundreds of
		// findings: the hover names the errors first and counts the rest,
		// so it stays a tooltip (`ward check` lists them all).
		shown = slices.Clone(fs)
		finding.Sort(shown)
		shown = shown[:maxShown]
	}
	for _, f := range shown {
		parts = append(parts, f.Severity+" "+f.Rule+": "+f.Message)
	}
	if rest := len(fs) - len(shown); rest > 0 {
		errs := 0 // errors among the findings not shown
		for _, f := range fs {
			if f.Severity == finding.Error {
				errs++
			}
		}
		for _, f := range shown {
			if f.Severity == finding.Error {
				errs--
			}
		}
		parts = append(parts, fmt.Sprintf("… and %d more findings (%d of them errors): ward check lists them all", rest, errs))
	}
	return strings.Join(parts, "\n")
}

// maxTitleFindings is how many findings a hover names before it counts
// the rest.
const maxTitleFindings = 10

// maxMergedFindings is how many an arrow that merges several flows names.
const maxMergedFindings = 3

func (d *diagram) render() []byte {
	var w svgWriter
	w.f(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.f(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="diagram-title">`+"\n", d.width, d.height, d.width, d.height)
	org := d.ws.Organization.Name
	if org == "" {
		org = "Organization"
	}
	w.f("<title id=\"diagram-title\">%s</title>\n", esc(org+": data flows"))
	w.f("<style>\n")
	w.f("text { font-family: %s; font-size: 12px; fill: %s; }\n", fontFamily, textColor)
	w.f(".h1 { font-size: 17px; font-weight: 600; }\n.muted { fill: %s; font-size: 11px; }\n", mutedColor)
	w.f(".label { font-weight: 600; }\n.sub { fill: %s; font-size: 10.5px; }\n", mutedColor)
	w.f(".fail text, text.fail { fill: #ffffff; }\n")
	w.f(".badge { font-size: 9px; font-weight: 700; letter-spacing: 0.04em; }\n")
	w.f(".edge-label { font-size: 9.5px; font-weight: 700; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }\n")
	w.f(".edge:hover path, .node:hover > rect { filter: brightness(0.96); }\n")
	w.f("</style>\n<defs>\n")
	for _, m := range []struct{ id, color string }{{"arrow", flowColor}, {"arrow-phi", phiColor}, {"arrow-fail", FailFill}} {
		w.f(`<marker id="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`+"\n", m.id, m.color)
	}
	w.f("</defs>\n")
	w.f(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", d.width, d.height)

	// Header.
	w.f(`<text class="h1" x="%d" y="%d">%s</text>`+"\n", margin, margin+14, esc(org+" — data flows"))
	phiCount := 0
	for _, n := range d.nodes {
		if n.phi {
			phiCount++
		}
	}
	boxes := 0
	for _, n := range d.nodes {
		if n.box {
			boxes++
		}
	}
	var counts string
	switch {
	case boxes == 0:
		counts = fmt.Sprintf("%d systems", len(d.nodes))
	case boxes == len(d.nodes):
		counts = fmt.Sprintf("%d vendor groups", boxes)
	default:
		counts = fmt.Sprintf("%d vendor groups and %d systems", boxes, len(d.nodes)-boxes)
	}
	summary := fmt.Sprintf("%s, %d with PHI · %d errors, %d warnings", counts, phiCount, d.errors, d.warnings)
	var filters []string
	if d.opt.PHIOnly {
		filters = append(filters, "PHI only")
	}
	if d.opt.Vendor != "" {
		filters = append(filters, "vendor "+d.opt.Vendor+" and its neighbours")
	}
	if d.opt.Collapse {
		filters = append(filters, "one node per vendor")
	}
	if d.opt.Collapse && d.opt.Expand != "" {
		filters = append(filters, d.opt.Expand+" opened")
	}
	if len(filters) > 0 {
		summary += " · " + strings.Join(filters, ", ")
	}
	if len(d.orgFinds) > 0 {
		var rules []string
		for _, f := range d.orgFinds {
			rules = append(rules, f.Rule)
		}
		summary += " · organization: " + strings.Join(rules, ", ")
	}
	// A long summary (many organization-wide rules) is cut to the
	// picture's width; hovering shows it whole.
	if short := fit(summary, float64(d.width-2*margin), 11, false); short != summary {
		w.f(`<text class="muted" x="%d" y="%d"><title>%s</title>%s</text>`+"\n", margin, margin+34, esc(summary), esc(short))
	} else {
		w.f(`<text class="muted" x="%d" y="%d">%s</text>`+"\n", margin, margin+34, esc(summary))
	}
	if len(d.nodes) == 0 {
		w.f(`<text class="muted" x="%d" y="%d">Nothing to draw with these filters.</text>`+"\n", margin, margin+headerH+20)
	}

	// Vendor boxes around their systems (collapsed, the node is the box).
	for _, gr := range d.groups {
		if gr.open {
			fill, stroke, head, headText := groupFill, groupStroke, groupFill, textColor
			class := "group"
			if gr.failing() {
				fill, stroke, head, headText, class = failTint, FailFill, FailFill, "#ffffff", "group fail"
			} else if warned(gr.findings) {
				stroke = warnStroke
			}
			title := titleOf(groupTitle(gr), nil, gr.findings)
			w.f(`<g id="%s" class="%s">`+"\n", gr.elementID(), class)
			w.f("<title>%s</title>\n", esc(title))
			href := d.href(gr)
			if href != "" {
				w.f(`<a href="%s">`+"\n", esc(href))
			}
			w.f(`<rect x="%d" y="%d" width="%d" height="%d" rx="10" fill="%s" stroke="%s" stroke-width="1.5"/>`+"\n", gr.x, gr.y, gr.w, gr.h, fill, stroke)
			if head != groupFill {
				// A solid red header band; its lower corners squared by a
				// second rect so it joins the box.
				w.f(`<rect x="%d" y="%d" width="%d" height="%d" rx="10" fill="%s"/>`+"\n", gr.x, gr.y, gr.w, groupHead, head)
				w.f(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", gr.x, gr.y+groupHead-10, gr.w, 10, head)
			}
			w.f(`<text class="label" x="%d" y="%d" style="fill:%s">%s</text>`+"\n", gr.x+groupPad, gr.y+18, headText, esc(fit(gr.label, float64(gr.w-2*groupPad), labelSize, true)))
			if href != "" {
				w.f("</a>\n")
			}
			w.f("</g>\n")
		}
	}

	// Arrows under the nodes, so a line crossing a box hides behind it.
	for _, e := range d.edges {
		d.renderEdge(&w, e)
	}
	for _, n := range d.nodes {
		d.renderNode(&w, n)
	}
	d.renderLegend(&w)
	w.f("</svg>\n")
	return w.Bytes()
}

// href is where a box of the collapsed diagram links, "" for nowhere.
func (d *diagram) href(gr *group) string {
	if !d.opt.Collapse || d.opt.Href == nil {
		return ""
	}
	return d.opt.Href(cmp.Or(gr.key, InHouse))
}

func groupTitle(gr *group) string {
	if gr.key == Others {
		return fmt.Sprintf("%d other vendors: too many to draw one by one (open one to see its systems)", gr.vendors)
	}
	if gr.key == "" {
		return "In-house systems (no vendor)"
	}
	if gr.label != gr.key {
		return fmt.Sprintf("Vendor %s (%s)", gr.label, gr.key)
	}
	return "Vendor " + gr.key
}

func (d *diagram) renderNode(w *svgWriter, n *node) {
	fill, stroke, sw, class := nodeFill, nodeStroke, "1", "node"
	switch {
	case failing(n.findings):
		fill, stroke, class = FailFill, FailFill, "node fail"
	case warned(n.findings):
		stroke, sw = warnStroke, "2"
	}
	var lines []string
	var head string
	if n.box {
		head = groupTitle(n.group)
		lines = append(lines, n.sub)
		if n.inside > 0 {
			lines = append(lines, fmt.Sprintf("%d flow%s between its own systems", n.inside, plural(n.inside)))
		}
		if phi := d.g.VendorPHISystems(n.group.key); n.group.key != "" && len(phi) > 0 {
			lines = append(lines, "PHI in "+listIDs(phi))
		}
	} else {
		head = fmt.Sprintf("%s (%s)", n.label, n.id)
		if n.label == n.id {
			head = n.id
		}
		s := d.ws.Systems[d.g.index[n.id]]
		lines = append(lines, "kind: "+s.Kind+", vendor: "+cmp.Or(s.Vendor, InHouse))
		switch {
		case n.live:
			lines = append(lines, "live PHI: "+strings.Join(d.g.Path(n.id), " → "))
		case n.phi:
			lines = append(lines, "PHI (test data): "+strings.Join(d.g.Path(n.id), " → "))
		}
	}
	if n.box {
		w.f(`<g id="%s" class="%s" data-systems="%d" data-flows-inside="%d">`+"\n", n.elementID(), class, n.members, n.inside)
	} else {
		w.f(`<g id="%s" class="%s">`+"\n", n.elementID(), class)
	}
	w.f("<title>%s</title>\n", esc(titleOf(head, lines, n.findings)))
	href := ""
	if n.box {
		href = d.href(n.group)
	}
	if href != "" {
		w.f(`<a href="%s">`+"\n", esc(href))
	}
	w.f(`<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s" stroke-width="%s"/>`+"\n", n.x, n.y, n.w, n.h, fill, stroke, sw)
	// Text starts 10px in and ends 8px before the edge, or 4px before
	// the PHI badge; a longer name is cut (the <title> above has it whole).
	room := n.w - 10 - 8
	if n.phi {
		room = n.w - 10 - (38 + 4)
	}
	w.f(`<text class="label" x="%d" y="%d">%s</text>`+"\n", n.x+10, n.y+19, esc(fit(n.label, float64(room), labelSize, true)))
	w.f(`<text class="sub" x="%d" y="%d">%s</text>`+"\n", n.x+10, n.y+35, esc(fit(n.sub, float64(n.w-10-8), subSize, false)))
	if n.phi {
		bx, by := n.x+n.w-38, n.y+7
		if n.live {
			w.f(`<rect x="%d" y="%d" width="30" height="15" rx="7.5" fill="%s"/>`+"\n", bx, by, phiColor)
			w.f(`<text class="badge" x="%d" y="%d" text-anchor="middle" style="fill:#ffffff">PHI</text>`+"\n", bx+15, by+11)
		} else {
			w.f(`<rect x="%d" y="%d" width="30" height="15" rx="7.5" fill="#ffffff" stroke="%s"/>`+"\n", bx, by, phiColor)
			w.f(`<text class="badge" x="%d" y="%d" text-anchor="middle" style="fill:%s">PHI</text>`+"\n", bx+15, by+11, phiColor)
		}
	}
	if href != "" {
		w.f("</a>\n")
	}
	w.f("</g>\n")
}

func (d *diagram) renderEdge(w *svgWriter, e *edge) {
	a, b := e.from, e.to
	var x1, y1, x2, y2, c1x, c2x float64
	y1, y2 = float64(a.y+a.h/2), float64(b.y+b.h/2)
	switch {
	case b.x > a.x+a.w: // forward: right side to left side
		x1, x2 = float64(a.x+a.w), float64(b.x)
		dx := max(40, (x2-x1)/2)
		c1x, c2x = x1+dx, x2-dx
	case b.x+b.w < a.x: // backward: left side to right side
		x1, x2 = float64(a.x), float64(b.x+b.w)
		dx := max(40, (x1-x2)/2)
		c1x, c2x = x1-dx, x2+dx
	default: // same column: loop out to the right
		x1, x2 = float64(a.x+a.w), float64(b.x+b.w)
		bulge := 28 + math.Min(math.Abs(y2-y1)/6, 60)
		c1x, c2x = x1+bulge, x2+bulge
	}
	stroke, width, marker, dash := flowColor, "1.25", "arrow", ` stroke-opacity="0.75"`
	if e.phi {
		stroke, width, marker, dash = phiColor, "2.75", "arrow-phi", ""
	}
	if e.unencrypted {
		stroke, marker, dash = FailFill, "arrow-fail", ` stroke-dasharray="7 5"`
	}
	class := "edge"
	if e.phi {
		class += " phi"
	}
	if e.unencrypted {
		class += " unencrypted"
	}
	var lines []string
	switch {
	case e.unencrypted:
		lines = append(lines, "carries PHI, NOT encrypted in transit")
	case e.phi:
		lines = append(lines, "carries PHI, encrypted in transit")
	default:
		lines = append(lines, "no PHI")
	}
	head := strings.Join(e.keys[:min(len(e.keys), 5)], ", ")
	if len(e.keys) > 5 {
		head += fmt.Sprintf(" and %d more", len(e.keys)-5)
	}
	if n := len(e.keys); n > 1 {
		head = fmt.Sprintf("%d flows: %s", n, head)
		if e.phi {
			lines[0] = fmt.Sprintf("%d of them carry PHI", e.phiFlows)
			if e.unencrypted {
				lines[0] += ", some NOT encrypted in transit"
			}
		}
	}
	w.f(`<g class="%s" data-flows="%d">`+"\n", class, len(e.keys))
	shown := maxTitleFindings
	if len(e.keys) > 1 {
		// An arrow merging many flows names a few of their findings; the
		// flow table below the diagram lists each flow's.
		shown = maxMergedFindings
	}
	w.f("<title>%s</title>\n", esc(titleOfN(head, lines, e.findings, shown)))
	w.f(`<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="none" stroke="%s" stroke-width="%s"%s marker-end="url(#%s)"/>`+"\n",
		x1, y1, c1x, y1, c2x, y2, x2, y2, stroke, width, dash, marker)
	// An arrow that merges several flows says how many; one carrying PHI
	// says so.
	label := ""
	if n := len(e.keys); n > 1 {
		label = fmt.Sprint(n)
	}
	if e.phi {
		label = strings.TrimSuffix("PHI · "+label, " · ")
	}
	if label != "" {
		// The Bézier's midpoint: (P0 + 3·P1 + 3·P2 + P3) / 8.
		mx := (x1 + 3*c1x + 3*c2x + x2) / 8
		my := (y1 + 3*y1 + 3*y2 + y2) / 8
		fill := stroke
		if !e.phi {
			fill = mutedColor
		}
		w.f(`<text class="edge-label" x="%.1f" y="%.1f" text-anchor="middle" style="fill:%s">%s</text>`+"\n", mx, my-4, fill, label)
	}
	w.f("</g>\n")
}

// The legend's samples: boxes and badges in the first row, arrows in the
// second, each followed by its label.
var (
	legendBoxes  = []string{"system", "live PHI", "PHI, test data", "fails a rule (hover for why)", "warning only"}
	legendArrows = []string{"flow", "PHI flow", "PHI flow, not encrypted"}
)

// legendAdvance is how far one legend label moves the next sample:
// its estimated width at 12px and a gap.
func legendAdvance(label string) int { return int(math.Ceil(textWidth(label, 12, false))) + 26 }

// legendW is the width the legend needs: its wider row of samples.
var legendW = func() int {
	row1, row2 := 14, 14
	for _, l := range legendBoxes {
		row1 += legendAdvance(l) + 34
	}
	for _, l := range legendArrows {
		row2 += legendAdvance(l) + 44
	}
	return max(row1, row2)
}()

func (d *diagram) renderLegend(w *svgWriter) {
	y := d.height - margin - legendH + 8
	w.f(`<g id="legend" transform="translate(%d,%d)">`+"\n", margin, y)
	w.f(`<rect width="%d" height="%d" rx="8" fill="%s" stroke="%s"/>`+"\n", d.width-2*margin, legendH-8, groupFill, groupStroke)
	advance := func(cx *int, label string) { *cx += legendAdvance(label) }
	cx, row := 14, 0
	box := func(fill, stroke, sw, label string) {
		w.f(`<rect x="%d" y="%d" width="26" height="16" rx="5" fill="%s" stroke="%s" stroke-width="%s"/>`+"\n", cx, row+10, fill, stroke, sw)
		w.f(`<text x="%d" y="%d">%s</text>`+"\n", cx+34, row+22, esc(label))
		advance(&cx, label)
		cx += 34
	}
	badge := func(live bool, label string) {
		fill, text, stroke := phiColor, "#ffffff", ""
		if !live {
			fill, text, stroke = "#ffffff", phiColor, ` stroke="`+phiColor+`"`
		}
		w.f(`<rect x="%d" y="%d" width="26" height="14" rx="7" fill="%s"%s/><text class="badge" x="%d" y="%.1f" text-anchor="middle" style="fill:%s">PHI</text>`+"\n", cx, row+11, fill, stroke, cx+13, float64(row)+21.5, text)
		w.f(`<text x="%d" y="%d">%s</text>`+"\n", cx+34, row+22, esc(label))
		advance(&cx, label)
		cx += 34
	}
	line := func(stroke, width, dash, marker, label string) {
		w.f(`<path d="M%d,%d L%d,%d" stroke="%s" stroke-width="%s"%s marker-end="url(#%s)"/>`+"\n", cx, row+18, cx+34, row+18, stroke, width, dash, marker)
		w.f(`<text x="%d" y="%d">%s</text>`+"\n", cx+44, row+22, esc(label))
		advance(&cx, label)
		cx += 44
	}
	box(nodeFill, nodeStroke, "1", legendBoxes[0])
	badge(true, legendBoxes[1])
	badge(false, legendBoxes[2])
	box(FailFill, FailFill, "1", legendBoxes[3])
	box(nodeFill, warnStroke, "2", legendBoxes[4])
	cx, row = 14, 26
	line(flowColor, "1.25", "", "arrow", legendArrows[0])
	line(phiColor, "2.75", "", "arrow-phi", legendArrows[1])
	line(FailFill, "2.75", ` stroke-dasharray="7 5"`, "arrow-fail", legendArrows[2])
	w.f(`<text class="muted" x="14" y="%d">Boxes are vendors, arrows are flows; the layout is computed from the flows, left to right.</text>`+"\n", row+42)
	w.f("</g>\n")
}
