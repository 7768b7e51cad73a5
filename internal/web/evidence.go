package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs/{org}/evidence", Role: store.RoleViewer, Handler: cachedGET((*Server).evidencePage)},
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/evidence", Role: store.RoleViewer, Handler: cachedGET((*Server).evidenceAPI)},
		// The readiness page's coverage chart as numbers.
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/evidence/coverage", Role: store.RoleViewer, Handler: (*Server).coverageAPI},
	)
}

// CoverageMonthJSON is one month of GET /api/v1/orgs/{org}/evidence/coverage.
type CoverageMonthJSON struct {
	Month   string `json:"month"`
	Covered int    `json:"covered"`
	Total   int    `json:"total"`
	Percent *int   `json:"percent"` // null when nothing was due that month
}

func (s *Server) coverageAPI(w http.ResponseWriter, r *http.Request) {
	asOf, err := s.requestAsOf(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	ws, err := s.workspace(r)
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	out := []CoverageMonthJSON{}
	for _, m := range evidenceCoverage(ws, asOf).Months {
		row := CoverageMonthJSON{Month: m.Label, Covered: m.Covered, Total: m.Total}
		if !m.Empty {
			row.Percent = &m.Percent
		}
		out = append(out, row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"as_of": asOf, "months": out})
}

// EvidenceList is every piece of evidence of an organization, newest
// first, superseded items included and marked, optionally filtered by
// ?control= and ?source=.
type EvidenceList struct {
	Control  string        `json:"control,omitempty"`
	Source   string        `json:"source,omitempty"`
	Total    int           `json:"total"` // before filtering
	Evidence []EvidenceRow `json:"evidence"`
	// For the filter form.
	Controls []string `json:"-"`
	Sources  []string `json:"-"`
	// The page lists evidencePerPage items at a time (issue 21: 2,640
	// rows is not a page a person reads): Matching and Current count the
	// items that pass the filter and those of them not superseded, Pages
	// is where Evidence is among them. The API lists every item.
	Matching int       `json:"-"`
	Current  int       `json:"-"`
	Pages    FlowPages `json:"-"`
}

// evidencePerPage is how many items the evidence page lists at once.
const evidencePerPage = 100

func evidenceList(ws *workspace.Workspace, control, source string) EvidenceList {
	l := EvidenceList{Control: control, Source: source, Total: len(ws.Evidence)}
	var items []workspace.Evidence
	for _, e := range ws.Evidence {
		ids := e.ControlIDs()
		for _, c := range ids {
			if !slices.Contains(l.Controls, c) {
				l.Controls = append(l.Controls, c)
			}
		}
		if e.Source != "" && !slices.Contains(l.Sources, e.Source) {
			l.Sources = append(l.Sources, e.Source)
		}
		if control != "" && !slices.Contains(ids, control) {
			continue
		}
		if source != "" && e.Source != source {
			continue
		}
		items = append(items, e)
	}
	slices.Sort(l.Controls)
	slices.Sort(l.Sources)
	l.Evidence = evidenceRows(ws.Evidence, items)
	return l
}

// Live counts the rows no other item supersedes.
func (l EvidenceList) Live() int {
	n := 0
	for _, r := range l.Evidence {
		if r.SupersededBy == "" {
			n++
		}
	}
	return n
}

// Query is the filter as a query string, for links that keep it.
func (l EvidenceList) Query() string {
	q := url.Values{}
	if l.Control != "" {
		q.Set("control", l.Control)
	}
	if l.Source != "" {
		q.Set("source", l.Source)
	}
	return q.Encode()
}

func (s *Server) evidenceData(w http.ResponseWriter, r *http.Request, api bool) (EvidenceList, bool) {
	q := r.URL.Query()
	control, source := strings.TrimSpace(q.Get("control")), strings.TrimSpace(q.Get("source"))
	// Derived once per audit head and filter, and shared.
	l, err := derive(s, r.Context(), currentOrg(r), "evidence list "+strconv.Quote(control)+" "+strconv.Quote(source), func(ws *workspace.Workspace) (EvidenceList, error) {
		return evidenceList(ws, control, source), nil
	})
	if err != nil {
		s.serverError(w, r, api, err)
		return EvidenceList{}, false
	}
	return l, true
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) {
	page, err := pageParam(r.URL.Query(), "page", 1)
	if err != nil {
		s.fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	l, ok := s.evidenceData(w, r, false)
	if !ok {
		return
	}
	// l is shared: only its own top-level fields change here.
	l.Matching, l.Current = len(l.Evidence), l.Live()
	l.Pages = listPages(r.URL.Query(), len(l.Evidence), page, evidencePerPage)
	from, to := l.Pages.rows(len(l.Evidence))
	l.Evidence = l.Evidence[from:to]
	s.render(w, r, "evidence.html", l)
}

func (s *Server) evidenceAPI(w http.ResponseWriter, r *http.Request) {
	if l, ok := s.evidenceData(w, r, true); ok {
		writeJSON(w, http.StatusOK, l)
	}
}
