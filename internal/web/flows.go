package web

import (
	"html/template"
	"net/http"
	"regexp"

	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
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
	Diagram template.HTML
	// Flows lists every flow, each linking to its page (record_pages.go).
	Flows RecordList
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
	p := FlowsPage{Gate: g, PHIOnly: r.URL.Query().Get("phi") == "1"}
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
	p.Diagram = template.HTML(inlineSVG(phimap.DataflowSVG(ws, nil, g.Findings, phimap.SVGOptions{PHIOnly: p.PHIOnly})))
	return p, true
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
