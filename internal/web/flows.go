package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"

	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs/{org}/flows", Role: store.RoleViewer, Handler: (*Server).flowsPage},
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/flows", Role: store.RoleViewer, Handler: (*Server).flowsAPI},
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
	// An inventory of more than autoCollapse systems opens collapsed
	// (AutoCollapsed) unless ?collapse=0 asks for every system.
	Collapse      bool
	AutoCollapsed bool
	Vendor        string
	// Views are the links that switch between those views, keeping as_of.
	Views   []FlowsView
	Diagram template.HTML
	// Flows lists every flow, each linking to its page (record_pages.go).
	Flows RecordList
	// Findings are the gate's findings in plain words (issue 19 item 2).
	Findings []FindingView
}

// flowsJSON is GET /api/v1/orgs/{org}/flows: the gate's result and the
// flows as the workspace files have them.
type flowsJSON struct {
	phimap.Result
	Flows []workspace.Flow `json:"flows"`
}

func (s *Server) flowsGate(w http.ResponseWriter, r *http.Request, api bool) (FlowsPage, bool) {
	asOf, ok := s.planAsOf(w, r, api)
	if !ok {
		return FlowsPage{}, false
	}
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, api, err)
		return FlowsPage{}, false
	}
	g := phimap.Gate(ws, asOf)
	// Failing first: errors before warnings, whatever order the gate
	// found them in.
	finding.Sort(g.Findings)
	q := r.URL.Query()
	p := FlowsPage{Gate: g, PHIOnly: q.Get("phi") == "1", Collapse: q.Get("collapse") == "1", Vendor: q.Get("vendor")}
	if q.Get("collapse") == "" && p.Vendor == "" && len(ws.Systems) > autoCollapse {
		p.Collapse, p.AutoCollapsed = true, true
	}
	if !api && p.Vendor != "" && p.Vendor != phimap.InHouse && ws.Vendor(p.Vendor) == nil {
		s.fail(w, r, false, http.StatusNotFound, fmt.Sprintf("No vendor %s in this organization: the diagram can focus on a vendor id or %s.", p.Vendor, phimap.InHouse))
		return p, false
	}
	if api {
		flows := ws.Flows
		if flows == nil {
			flows = []workspace.Flow{}
		}
		writeJSON(w, http.StatusOK, flowsJSON{Result: g, Flows: flows})
		return p, false
	}
	by := map[string][]finding.Finding{}
	for _, f := range g.Findings {
		by[f.Subject] = append(by[f.Subject], f)
	}
	p.Flows = recordList(flowKind, ws, currentOrg(r).Slug, asOf, by)
	for _, f := range g.Findings {
		p.Findings = append(p.Findings, FindingView{Finding: f, Plain: todo.Explain(ws, asOf, currentOrg(r).Slug, f)})
	}
	p.Views = flowsViews(g.AsOf.String(), p.PHIOnly, p.Collapse, p.Vendor)
	p.Diagram = template.HTML(inlineSVG(phimap.DataflowSVG(ws, nil, g.Findings, phimap.SVGOptions{PHIOnly: p.PHIOnly, Collapse: p.Collapse, Vendor: p.Vendor})))
	return p, true
}

// autoCollapse is the most systems the data-flow page draws one by one
// when it is opened without a choice: past it, boxes and arrows become
// too small to read, so it opens with one box per vendor.
const autoCollapse = 60

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

func (s *Server) flowsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.flowsGate(w, r, false)
	if !ok {
		return
	}
	s.render(w, r, "flows.html", p)
}

func (s *Server) flowsAPI(w http.ResponseWriter, r *http.Request) {
	s.flowsGate(w, r, true) // writes the answer
}
