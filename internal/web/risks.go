package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs/{org}/risks", Role: store.RoleViewer, Handler: (*Server).risksPage},
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/risks", Role: store.RoleViewer, Handler: (*Server).risksAPI},
	)
}

// RiskRow is one line of the register.
type RiskRow struct {
	ID            string    `json:"id"`
	Asset         string    `json:"asset"`
	Threat        string    `json:"threat"`
	Vulnerability string    `json:"vulnerability"`
	Inherent      string    `json:"inherent"`
	Residual      string    `json:"residual"`
	Likelihood    int       `json:"residual_likelihood"`
	Impact        int       `json:"residual_impact"`
	Treatment     string    `json:"treatment"`
	Owner         string    `json:"owner"`
	Due           date.Date `json:"due"`
	Overdue       bool      `json:"overdue"`
}

// RiskRegister is the risks page and GET /api/v1/orgs/{org}/risks: the
// latest risk analysis on or before AsOf, its risks by residual level,
// optionally filtered to one residual likelihood × impact cell.
type RiskRegister struct {
	AsOf     date.Date         `json:"as_of"`
	Analysis string            `json:"analysis"`
	Total    int               `json:"total"`
	Filter   *RiskCell         `json:"filter,omitempty"`
	Risks    []RiskRow         `json:"risks"`
	Findings []finding.Finding `json:"findings"`
	// Error says why there is no register (no analysis yet).
	Error   string        `json:"error,omitempty"`
	Heatmap template.HTML `json:"-"`
	// Added is how many risks the questionnaire just created (?added=N).
	Added int `json:"-"`
}

// RiskCell is a residual likelihood × impact filter.
type RiskCell struct {
	Likelihood int `json:"likelihood"`
	Impact     int `json:"impact"`
}

// cellFilter reads ?l=N&i=M (both 1..5), or nil.
func cellFilter(r *http.Request) *RiskCell {
	l, err1 := strconv.Atoi(r.URL.Query().Get("l"))
	i, err2 := strconv.Atoi(r.URL.Query().Get("i"))
	if err1 != nil || err2 != nil || l < 1 || l > 5 || i < 1 || i > 5 {
		return nil
	}
	return &RiskCell{Likelihood: l, Impact: i}
}

// riskRegister builds the register; asOfParam is the ?as_of= given, kept
// in the heat map's links.
func riskRegister(ws *workspace.Workspace, slug, asOfParam string, asOf date.Date, filter *RiskCell) RiskRegister {
	reg := RiskRegister{AsOf: asOf, Filter: filter, Risks: []RiskRow{}, Findings: []finding.Finding{}}
	a, err := risk.Analyze(ws, "", phimap.Build(ws).PHISystems(), asOf)
	if err != nil {
		reg.Error = err.Error()
		return reg
	}
	reg.Analysis = a.Record.ID
	reg.Total = len(a.Risks)
	if a.Findings != nil {
		reg.Findings = a.Findings
	}
	for _, sc := range a.Risks { // already by residual level
		if filter != nil && (sc.ResidualLikelihood != filter.Likelihood || sc.ResidualImpact != filter.Impact) {
			continue
		}
		reg.Risks = append(reg.Risks, RiskRow{
			ID: sc.Risk.ID, Asset: sc.Risk.Asset, Threat: sc.ThreatTitle, Vulnerability: sc.VulnerabilityTitle,
			Inherent: string(sc.Inherent), Residual: string(sc.Residual),
			Likelihood: sc.ResidualLikelihood, Impact: sc.ResidualImpact,
			Treatment: sc.Risk.Treatment, Owner: sc.Risk.Owner, Due: sc.Risk.Due,
			Overdue: risk.Overdue(sc.Risk, asOf),
		})
	}
	q := ""
	if asOfParam != "" {
		q = "&as_of=" + url.QueryEscape(asOfParam)
	}
	svg := risk.HeatmapSVG(a.Risks, a.Matrix, risk.Residual, risk.HeatmapOptions{
		Title: "Residual risk",
		CellHref: func(l, i int) string {
			return fmt.Sprintf("/orgs/%s/risks?l=%d&i=%d%s", slug, l, i, q)
		},
	})
	// HeatmapSVG escapes every text it draws and uses presentation
	// attributes only, so it can be inlined under the CSP.
	reg.Heatmap = template.HTML(svg)
	return reg
}

func (s *Server) riskData(w http.ResponseWriter, r *http.Request, api bool) (RiskRegister, bool) {
	asOf, err := s.requestAsOf(r)
	if err != nil {
		s.fail(w, r, api, http.StatusBadRequest, err.Error())
		return RiskRegister{}, false
	}
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, api, err)
		return RiskRegister{}, false
	}
	return riskRegister(ws, currentOrg(r).Slug, r.URL.Query().Get("as_of"), asOf, cellFilter(r)), true
}

func (s *Server) risksPage(w http.ResponseWriter, r *http.Request) {
	if reg, ok := s.riskData(w, r, false); ok {
		reg.Added, _ = strconv.Atoi(r.URL.Query().Get("added"))
		s.render(w, r, "risks.html", reg)
	}
}

func (s *Server) risksAPI(w http.ResponseWriter, r *http.Request) {
	if reg, ok := s.riskData(w, r, true); ok {
		writeJSON(w, http.StatusOK, reg)
	}
}
