package controls

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/evidence", Role: store.RoleViewer, Handler: kit.CachedGET(evidencePage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/evidence", Role: store.RoleViewer, Handler: kit.CachedGET(evidenceAPI)},
		// The readiness page's coverage chart as numbers.
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/evidence/coverage", Role: store.RoleViewer, Handler: coverageAPI},
	)
}

// CoverageMonthJSON is one month of GET /api/v1/orgs/{org}/evidence/coverage.
type CoverageMonthJSON struct {
	Month   string `json:"month"`
	Covered int    `json:"covered"`
	Total   int    `json:"total"`
	Percent *int   `json:"percent"` // null when nothing was due that month
}

func coverageAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	out := []CoverageMonthJSON{}
	for _, m := range EvidenceCoverage(ws, asOf).Months {
		row := CoverageMonthJSON{Month: m.Label, Covered: m.Covered, Total: m.Total}
		if !m.Empty {
			row.Percent = &m.Percent
		}
		out = append(out, row)
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"as_of": asOf, "months": out})
}

// EvidenceList is every piece of evidence of an organization, newest
// first, superseded items included and marked, optionally filtered by
// ?control= and ?source=.
type EvidenceList struct {
	Control  string            `json:"control,omitempty"`
	Source   string            `json:"source,omitempty"`
	Total    int               `json:"total"` // before filtering
	Evidence []kit.EvidenceRow `json:"evidence"`
	// For the filter form.
	Controls []string `json:"-"`
	Sources  []string `json:"-"`
	// The page lists EvidencePerPage items at a time (issue 21: 2,640
	// rows is not a page a person reads): Matching and Current count the
	// items that pass the filter and those of them not superseded, Pages
	// is where Evidence is among them. The API lists every item.
	Matching int           `json:"-"`
	Current  int           `json:"-"`
	Pages    records.Pages `json:"-"`
}

// EvidencePerPage is how many items the evidence page lists at once.
const EvidencePerPage = 100

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

func evidenceData(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (EvidenceList, bool) {
	q := r.URL.Query()
	control, source := strings.TrimSpace(q.Get("control")), strings.TrimSpace(q.Get("source"))
	// Derived once per audit head and filter, and shared.
	l, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "evidence list "+strconv.Quote(control)+" "+strconv.Quote(source), func(ws *workspace.Workspace) (EvidenceList, error) {
		return evidenceList(ws, control, source), nil
	})
	if err != nil {
		s.ServerError(w, r, api, err)
		return EvidenceList{}, false
	}
	return l, true
}

func evidencePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	page, err := records.PageParam(r.URL.Query(), "page", 1)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	l, ok := evidenceData(s, w, r, false)
	if !ok {
		return
	}
	// l is shared: only its own top-level fields change here.
	l.Matching, l.Current = len(l.Evidence), l.Live()
	l.Pages = records.ListPages(r.URL.Query(), len(l.Evidence), page, EvidencePerPage)
	from, to := l.Pages.Rows(len(l.Evidence))
	l.Evidence = l.Evidence[from:to]
	s.Render(w, r, "evidence.html", l)
}

func evidenceAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if l, ok := evidenceData(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, l)
	}
}
