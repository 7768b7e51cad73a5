package app

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/flows", Role: store.RoleViewer, Handler: kit.CachedGET(flowsPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/flows", Role: store.RoleViewer, Handler: kit.CachedGET(flowsAPI)},
	)
}

// FlowsPage is the data-flow page's data: the go-live gate's result and
// the diagram drawn from the same findings.
type FlowsPage struct {
	Gate    phimap.Result
	PHIOnly bool
	// Collapse (?collapse=1) draws one box per vendor; Vendor (?vendor=ID,
	// or in-house) draws that vendor's systems and their neighbours: how
	// an inventory of hundreds of systems stays readable (issue 5 item 4).
	// An inventory of more than AutoCollapse systems opens collapsed
	// (AutoCollapsed) unless ?collapse=0 asks for every system.
	Collapse      bool
	AutoCollapsed bool
	Vendor        string
	// Expand (?expand=ID, or in-house) opens one vendor's box of the
	// collapsed diagram to draw its systems (issue 21): the others stay
	// one box each. Merged is how many vendors share one box because
	// there were more than MaxBoxes.
	Expand string
	Merged bool
	// Views are the links that switch between those views, keeping as_of.
	Views   []FlowsView
	Diagram template.HTML
	// Boxes are the vendors a box of the collapsed diagram can open to
	// (the form beside it), and Keep the query it keeps while opening one.
	Boxes []FlowsBox
	Keep  []FlowsParam
	// Vendors are the choices of the table's vendor filter.
	Vendors []FlowsBox
	// Flows lists one page of the flows that pass Filter, each linking to
	// its page (records/record_pages.go); Pages links the others.
	Flows  records.RecordList
	Filter FlowFilter
	Pages  records.Pages
	// Findings are the gate's findings in plain words (issue 19 item 2),
	// errors first, at most maxFindingsShown; FindingsMore counts the rest
	// (ward check and the JSON API list every one).
	Findings     []records.FindingView
	FindingsMore int
}

// FlowsBox is one choice of the form that opens a box of the diagram.
type FlowsBox struct {
	ID, Label string
	Current   bool
}

// FlowsParam is a query parameter that a form keeps as a hidden field.
type FlowsParam struct{ Name, Value string }

// FlowsJSON is GET /api/v1/orgs/{org}/flows: the gate's result and the
// flows as the workspace files have them. Without filter or paging
// parameters it lists every flow, as it always has; Total counts the
// flows that pass the filters, and Page and PerPage say which slice of
// them Flows is when ?page= or ?per_page= asks for one.
type FlowsJSON struct {
	phimap.Result
	Flows   []workspace.Flow `json:"flows"`
	Total   int              `json:"total"`
	Page    int              `json:"page,omitempty"`
	PerPage int              `json:"per_page,omitempty"`
}

// FlowFilter is which flows the table (and the API) lists: those from or
// to System, from or to one of Vendor's systems (in-house: systems with
// no vendor), carrying PHI or not (PHI "yes" or "no"; "" for either), and
// whose key, name, description or end systems' names contain Text
// (case-insensitive). The page's vendor and PHI choices also shape the
// diagram (?vendor= focuses it, ?phi=1 draws only PHI).
type FlowFilter struct {
	System, Vendor, PHI, Text string
}

// Any reports whether the filter leaves any flow out.
func (f FlowFilter) Any() bool { return f != FlowFilter{} }

// FlowsPerPage is how many flows the page's table lists at once.
const FlowsPerPage = 100

// maxFlowsPerPage is the most flows one API answer's page may hold.
const maxFlowsPerPage = 1000

// MaxBoxes is the most boxes the collapsed diagram draws: the vendors
// that matter most keep theirs, the rest share one (issue 21: 300 boxes
// and 7,442 arrows is not a picture a person reads).
const MaxBoxes = 20

// maxFindingsShown is how many of the gate's findings the page lists.
const maxFindingsShown = 20

// parseFlowFilter reads the filter from the query: system, vendor, phi
// (1, yes or true; 0, no or false) and q.
func parseFlowFilter(q url.Values, ws *workspace.Workspace) (FlowFilter, error) {
	f := FlowFilter{System: strings.TrimSpace(q.Get("system")), Vendor: strings.TrimSpace(q.Get("vendor")), Text: strings.TrimSpace(q.Get("q"))}
	switch strings.ToLower(q.Get("phi")) {
	case "":
	case "1", "yes", "true":
		f.PHI = "yes"
	case "0", "no", "false":
		f.PHI = "no"
	default:
		return f, fmt.Errorf("phi must be yes or no (or 1 or 0), not %q", q.Get("phi"))
	}
	if f.System != "" && ws.System(f.System) == nil {
		return f, fmt.Errorf("no system %s in this organization", f.System)
	}
	if f.Vendor != "" && f.Vendor != phimap.InHouse && ws.Vendor(f.Vendor) == nil {
		return f, fmt.Errorf("no vendor %s in this organization: the flows can be filtered by a vendor id or %s", f.Vendor, phimap.InHouse)
	}
	return f, nil
}

// filterFlows is the indexes in ws.Flows of the flows that pass f.
func filterFlows(ws *workspace.Workspace, g *phimap.Graph, f FlowFilter) []int {
	vendorOf := map[string]string{}
	names := map[string]string{}
	for _, s := range ws.Systems {
		vendorOf[s.ID] = s.Vendor
		names[s.ID] = strings.ToLower(s.Name)
	}
	vendor := f.Vendor
	if vendor == phimap.InHouse {
		vendor = ""
	}
	text := strings.ToLower(f.Text)
	out := make([]int, 0, len(ws.Flows))
	for i, fl := range ws.Flows {
		if f.System != "" && fl.From != f.System && fl.To != f.System {
			continue
		}
		if f.Vendor != "" {
			_, okFrom := vendorOf[fl.From]
			_, okTo := vendorOf[fl.To]
			if !(okFrom && vendorOf[fl.From] == vendor) && !(okTo && vendorOf[fl.To] == vendor) {
				continue
			}
		}
		if f.PHI != "" && g.CarriesPHI(fl) != (f.PHI == "yes") {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(fl.Key()), text) && !strings.Contains(strings.ToLower(fl.Description), text) &&
			!strings.Contains(names[fl.From], text) && !strings.Contains(names[fl.To], text) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func flowsGate(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (FlowsPage, bool) {
	asOf, ok := s.PlanAsOf(w, r, api)
	if !ok {
		return FlowsPage{}, false
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return FlowsPage{}, false
	}
	g := phimap.Gate(ws, asOf)
	// Failing first: errors before warnings, whatever order the gate
	// found them in.
	finding.Sort(g.Findings)
	q := r.URL.Query()
	p := FlowsPage{Gate: g, PHIOnly: q.Get("phi") == "1", Collapse: q.Get("collapse") == "1", Vendor: q.Get("vendor"), Expand: q.Get("expand")}
	if q.Get("collapse") == "" && p.Vendor == "" && len(ws.Systems) > AutoCollapse {
		p.Collapse, p.AutoCollapsed = true, true
	}
	if !api && p.Vendor != "" && p.Vendor != phimap.InHouse && ws.Vendor(p.Vendor) == nil {
		s.Fail(w, r, false, http.StatusNotFound, fmt.Sprintf("No vendor %s in this organization: the diagram can focus on a vendor id or %s.", p.Vendor, phimap.InHouse))
		return p, false
	}
	if !api && p.Expand != "" && p.Expand != phimap.InHouse && ws.Vendor(p.Expand) == nil {
		s.Fail(w, r, false, http.StatusNotFound, fmt.Sprintf("No vendor %s in this organization: a box of the diagram opens by a vendor id or %s.", p.Expand, phimap.InHouse))
		return p, false
	}
	filter, err := parseFlowFilter(q, ws)
	if err != nil {
		status := http.StatusBadRequest
		if strings.HasPrefix(err.Error(), "no ") {
			status = http.StatusNotFound
		}
		s.Fail(w, r, api, status, err.Error())
		return p, false
	}
	p.PHIOnly = filter.PHI == "yes"
	graph := phimap.Build(ws)
	idx := filterFlows(ws, graph, filter)
	if api {
		writeFlowsJSON(s, w, r, g, ws, idx)
		return p, false
	}
	p.Filter = filter
	p.Vendors, _ = flowsBoxes(ws, q, filter.Vendor)
	pageNo, err := records.PageParam(q, "page", 1)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return p, false
	}
	p.Pages = flowPages(q, len(idx), pageNo)
	by := map[string][]finding.Finding{}
	for _, f := range g.Findings {
		by[f.Subject] = append(by[f.Subject], f)
	}
	p.Flows = records.RecordListAt(records.FlowKind, ws, kit.CurrentOrg(r).Slug, asOf, by, idx[max(0, p.Pages.First-1):p.Pages.End])
	shown := g.Findings[:min(len(g.Findings), maxFindingsShown)]
	p.FindingsMore = len(g.Findings) - len(shown)
	for _, f := range shown {
		p.Findings = append(p.Findings, records.FindingView{Finding: f, Plain: todo.Explain(ws, asOf, kit.CurrentOrg(r).Slug, f)})
	}
	p.Views = flowsViews(g.AsOf.String(), p.PHIOnly, p.Collapse, p.Vendor)
	opt := phimap.SVGOptions{PHIOnly: p.PHIOnly, Collapse: p.Collapse, Vendor: p.Vendor}
	if p.Collapse {
		opt.MaxBoxes, opt.Expand = MaxBoxes, p.Expand
		opt.Href = func(box string) string {
			switch box {
			case phimap.Others:
				return "#open-box" // the form that opens any vendor's box
			case p.Expand:
				return records.QueryWith(q, "expand", "") // close it
			}
			return records.QueryWith(q, "expand", box)
		}
		p.Boxes, p.Keep = flowsBoxes(ws, q, p.Expand)
		groups := map[string]bool{}
		for _, s := range ws.Systems {
			groups[s.Vendor] = true
		}
		p.Merged = len(groups) > MaxBoxes
	}
	p.Diagram = template.HTML(inlineSVG(phimap.DataflowSVG(ws, graph, g.Findings, opt)))
	return p, true
}

// writeFlowsJSON answers the API: every flow that passes the filter, or
// one page of them when ?page= or ?per_page= is given.
func writeFlowsJSON(s *kit.Server, w http.ResponseWriter, r *http.Request, g phimap.Result, ws *workspace.Workspace, idx []int) {
	q := r.URL.Query()
	out := FlowsJSON{Result: g, Flows: []workspace.Flow{}, Total: len(idx)}
	if q.Has("page") || q.Has("per_page") {
		var err error
		if out.Page, err = records.PageParam(q, "page", 1); err == nil {
			out.PerPage, err = records.PageParam(q, "per_page", FlowsPerPage)
		}
		if err == nil && out.PerPage > maxFlowsPerPage {
			err = fmt.Errorf("per_page must be at most %d, not %d", maxFlowsPerPage, out.PerPage)
		}
		if err != nil {
			s.Fail(w, r, true, http.StatusBadRequest, err.Error())
			return
		}
		from := min(len(idx), (out.Page-1)*out.PerPage)
		idx = idx[from:min(len(idx), from+out.PerPage)]
	}
	for _, i := range idx {
		out.Flows = append(out.Flows, ws.Flows[i])
	}
	kit.WriteJSON(w, http.StatusOK, out)
}

// flowPages places the table at page (clamped to the last page) of total
// flows, and links the pages around it, keeping every other parameter.
func flowPages(q url.Values, total, page int) records.Pages {
	return records.ListPages(q, total, page, FlowsPerPage)
}

// flowsBoxes lists the boxes the form beside the collapsed diagram can
// open (in-house first, then each vendor with systems), and the query it
// keeps as hidden fields.
func flowsBoxes(ws *workspace.Workspace, q url.Values, expand string) ([]FlowsBox, []FlowsParam) {
	has := map[string]bool{}
	for _, s := range ws.Systems {
		has[s.Vendor] = true
	}
	var boxes []FlowsBox
	if has[""] {
		boxes = append(boxes, FlowsBox{ID: phimap.InHouse, Label: "In-house systems", Current: expand == phimap.InHouse})
	}
	for _, v := range ws.Vendors {
		if has[v.ID] {
			label := v.ID
			if v.Name != "" && v.Name != v.ID {
				label = v.Name + " (" + v.ID + ")"
			}
			boxes = append(boxes, FlowsBox{ID: v.ID, Label: label, Current: expand == v.ID})
		}
	}
	var keep []FlowsParam
	for _, k := range []string{"as_of", "phi", "collapse", "vendor", "system", "q"} {
		if v := q.Get(k); v != "" {
			keep = append(keep, FlowsParam{k, v})
		}
	}
	return boxes, keep
}

// AutoCollapse is the most systems the data-flow page draws one by one
// when it is opened without a choice: past it, boxes and arrows become
// too small to read, so it opens with one box per vendor.
const AutoCollapse = 60

// FlowsView is one link above the diagram that changes how it is drawn.
type FlowsView struct {
	Label string
	Href  string
}

// flowsViews links each toggle of the current view: PHI only or every
// system, one box per vendor or every system, and back to every vendor
// when the diagram is focused on one.
func flowsViews(asOf string, phiOnly, collapse bool, vendor string) []FlowsView {
	href := func(phi, col bool, v string) string {
		q := url.Values{}
		if phi {
			q.Set("phi", "1")
		}
		if col {
			q.Set("collapse", "1")
		} else {
			q.Set("collapse", "0") // explicit: a large inventory opens collapsed
		}
		if v != "" {
			q.Set("vendor", v)
		}
		q.Set("as_of", asOf)
		return "?" + q.Encode()
	}
	var views []FlowsView
	if phiOnly {
		views = append(views, FlowsView{"Show every system", href(false, collapse, vendor)})
	} else {
		views = append(views, FlowsView{"Show only PHI", href(true, collapse, vendor)})
	}
	if collapse {
		views = append(views, FlowsView{"Show each system", href(phiOnly, false, vendor)})
	} else {
		views = append(views, FlowsView{"One box per vendor", href(phiOnly, true, vendor)})
	}
	if vendor != "" {
		views = append(views, FlowsView{"Show every vendor", href(phiOnly, collapse, "")})
	}
	return views
}

var (
	svgProlog    = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*`)
	svgStyleElem = regexp.MustCompile(`(?s)<style>.*?</style>\s*`)
	svgFillStyle = regexp.MustCompile(`style="fill:\s*([#0-9a-zA-Z]+);?"`)
	svgAnyStyle  = regexp.MustCompile(`\sstyle="[^"]*"`)
)

// inlineSVG makes the data-flow SVG fit the site's CSP (style-src 'self'
// forbids <style> elements and style= attributes in the page): the
// <style> rules live in static/flows.css instead, and style="fill:X"
// becomes the presentation attribute fill="X", which the CSS there leaves
// alone.
func inlineSVG(b []byte) []byte {
	b = svgProlog.ReplaceAll(b, nil)
	b = svgStyleElem.ReplaceAll(b, nil)
	b = svgFillStyle.ReplaceAll(b, []byte(`fill="$1"`))
	return svgAnyStyle.ReplaceAll(b, nil)
}

func flowsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, ok := flowsGate(s, w, r, false)
	if !ok {
		return
	}
	s.Render(w, r, "flows.html", p)
}

func flowsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	flowsGate(s, w, r, true) // writes the answer
}
