package controls

import (
	"net/http"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/controls", Role: store.RoleViewer, Handler: kit.CachedGET(controlsPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/posture", Role: store.RoleViewer, Handler: kit.CachedGET(postureAPI)},
	)
}

// ReadinessFrameworks are the frameworks the readiness page scores, in
// the order shown.
var ReadinessFrameworks = []string{"hipaa", "soc2", "csf"}

// overlayFrameworks are scored apart, below the others, labelled proposed:
// rules that are not law yet. They are never among ReadinessFrameworks,
// so nothing sums or compares them with the scores in force (the MSP
// overview shows ReadinessFrameworks only).
var overlayFrameworks = []string{catalog.HIPAANPRM}

const barWidth = 400

// Readiness is the controls page: a score bar per framework, the gaps of
// the chosen framework, and the SOC 2 Type II exceptions and upcoming
// occurrences.
type Readiness struct {
	AsOf      date.Date      `json:"as_of"`
	Framework string         `json:"framework"`
	Bars      []ReadinessBar `json:"bars"`
	// Proposed are the overlays of proposed rules, apart from Bars.
	Proposed   []ProposedBar         `json:"proposed"`
	Gaps       []posture.Requirement `json:"gaps"`
	Window     *posture.Window       `json:"window,omitempty"`
	Exceptions []posture.Exception   `json:"exceptions"`
	Upcoming   []posture.Upcoming    `json:"upcoming"`
	TypeI      *posture.TypeI        `json:"type1,omitempty"` // SOC 2 Type I: the point-in-time test
	// Charts (charts.go): the chosen framework's sections, the controls'
	// implementation statuses, evidence coverage month by month.
	Sections SectionChart `json:"-"`
	Donut    Donut        `json:"-"`
	Coverage Coverage     `json:"-"`
	// List is every control the organization runs, and the catalog's
	// others (control_list.go).
	List ControlList `json:"-"`
}

// ReadinessBar is one framework's score and the segments of its bar
// (met, partial, not met, widths in proportion to the counts).
type ReadinessBar struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Score    posture.Score `json:"score"`
	Segments []BarSegment  `json:"-"`
	Width    int           `json:"-"`
}

// ProposedBar is an overlay's score with its status: proposed, when ward
// last checked, and what is ward's assumption since.
type ProposedBar struct {
	ReadinessBar
	Status        string `json:"status"`
	StatusChecked string `json:"status_checked"`
	StatusNote    string `json:"status_note"`
}

type BarSegment struct {
	X, Width int
	Fill     string
	Label    string
}

func readinessBar(p *posture.Posture) ReadinessBar {
	b := ReadinessBar{ID: p.Framework, Name: p.Name, Score: p.Score, Width: barWidth}
	n := p.Score.Met + p.Score.Partial + p.Score.NotMet
	if n == 0 {
		return b
	}
	x := 0
	for _, part := range []struct {
		count       int
		fill, label string
	}{
		{p.Score.Met, "#2e7d32", "met"},
		{p.Score.Partial, "#f6c343", "partial"},
		{p.Score.NotMet, "#c62828", "not met"},
	} {
		if part.count == 0 {
			continue
		}
		w := part.count * barWidth / n
		b.Segments = append(b.Segments, BarSegment{X: x, Width: w, Fill: part.fill, Label: part.label})
		x += w
	}
	// Rounding leaves a few pixels: give them to the last segment.
	if len(b.Segments) > 0 {
		b.Segments[len(b.Segments)-1].Width += barWidth - x
	}
	return b
}

// postureFramework is ?framework=, soc2 by default; ok is false for a
// framework the page does not score.
func postureFramework(r *http.Request) (string, bool) {
	fw := r.URL.Query().Get("framework")
	if fw == "" {
		return "soc2", true
	}
	for _, f := range append(ReadinessFrameworks, overlayFrameworks...) {
		if f == fw {
			return fw, true
		}
	}
	return fw, false
}

const msgFramework = "framework must be hipaa, soc2, csf or hipaa-nprm (the proposed Security Rule)"

func controlsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	chosen, ok := postureFramework(r)
	if !ok {
		s.Fail(w, r, false, http.StatusBadRequest, msgFramework)
		return
	}
	rd, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "readiness "+chosen+" "+asOf.String(), func(ws *workspace.Workspace) (Readiness, error) {
		return readinessPage(ws, chosen, asOf)
	})
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.Render(w, r, "controls.html", rd)
}

// readinessPage is the controls page's content: every framework's bar, the
// chosen one's gaps and sections, the control list.
func readinessPage(ws *workspace.Workspace, chosen string, asOf date.Date) (Readiness, error) {
	cat := catalog.Default()
	rd := Readiness{AsOf: asOf, Framework: chosen, Gaps: []posture.Requirement{}, Exceptions: []posture.Exception{}, Upcoming: []posture.Upcoming{}, Proposed: []ProposedBar{}}
	for _, fw := range overlayFrameworks {
		p, err := posture.Evaluate(ws, cat, fw, asOf)
		if err != nil {
			return Readiness{}, err
		}
		rd.Proposed = append(rd.Proposed, ProposedBar{ReadinessBar: readinessBar(p), Status: p.Status, StatusChecked: p.StatusChecked, StatusNote: p.StatusNote})
		if fw == chosen {
			rd.Sections = sectionChart(p)
			for _, req := range p.Requirements {
				if req.Status == posture.Partial || req.Status == posture.NotMet {
					rd.Gaps = append(rd.Gaps, req)
				}
			}
		}
	}
	for _, fw := range ReadinessFrameworks {
		p, err := posture.Evaluate(ws, cat, fw, asOf)
		if err != nil {
			return Readiness{}, err
		}
		rd.Bars = append(rd.Bars, readinessBar(p))
		if fw == chosen {
			rd.Sections = sectionChart(p)
			for _, req := range p.Requirements {
				if req.Status == posture.Partial || req.Status == posture.NotMet {
					rd.Gaps = append(rd.Gaps, req)
				}
			}
		}
		if fw == "soc2" {
			rd.Window = p.Window
			rd.TypeI = p.TypeI
			rd.Exceptions = append(rd.Exceptions, p.Exceptions...)
			rd.Upcoming = append(rd.Upcoming, p.Upcoming...)
		}
	}
	rd.List = BuildControlList(ws, cat, asOf)
	rd.Donut = StatusDonut(ws)
	rd.Coverage = EvidenceCoverage(ws, asOf)
	return rd, nil
}

// postureAPI is GET /api/v1/orgs/{org}/posture?framework=soc2: the
// posture.Posture as computed.
func postureAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	fw, ok := postureFramework(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, msgFramework)
		return
	}
	p, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "posture "+fw+" "+asOf.String(), func(ws *workspace.Workspace) (*posture.Posture, error) {
		return posture.Evaluate(ws, catalog.Default(), fw, asOf)
	})
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, p)
}
