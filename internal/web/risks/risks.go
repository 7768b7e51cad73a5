package risks

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks", Role: store.RoleViewer, Handler: kit.CachedGET(risksPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/risks", Role: store.RoleViewer, Handler: kit.CachedGET(risksAPI)},
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
	// Plain are the findings in plain words, for the page: FindingsPerPage
	// of them at a time (?page=), CoveragePages says which.
	Plain         []records.FindingView `json:"-"`
	CoveragePages records.Pages         `json:"-"`
	// Error says why there is no register (no analysis yet).
	Error string `json:"error,omitempty"`
	// NoAnalysis: the organization has no risk analysis at all; the page
	// says how to start one.
	NoAnalysis bool          `json:"-"`
	Heatmap    template.HTML `json:"-"`
	// Added is how many risks the questionnaire just created (?added=N).
	Added int `json:"-"`
	// Query is the filters and sort order applied (?level= ?treatment=
	// ?asset= ?owner= ?overdue=1 ?sort=).
	Query RegisterQuery `json:"query"`
	// Assets and Owners are the values the filter form offers: those of
	// the analysis's risks.
	Assets []string `json:"-"`
	Owners []string `json:"-"`
}

// RegisterQuery is the register's filters (each empty for all) and sort.
type RegisterQuery struct {
	Level     string `json:"level,omitempty"`
	Treatment string `json:"treatment,omitempty"`
	Asset     string `json:"asset,omitempty"`
	Owner     string `json:"owner,omitempty"`
	Overdue   bool   `json:"overdue,omitempty"`
	Sort      string `json:"sort"`
}

// RegisterSorts are the register's orders: residual level first (the
// default), inherent level first, earliest due first, or by asset, owner
// or id.
var RegisterSorts = []string{"residual", "inherent", "due", "asset", "owner", "id"}

// Levels, Treatments and Sorts are the filter form's choices.
func (RegisterQuery) Levels() []string     { return []string{"critical", "high", "medium", "low"} }
func (RegisterQuery) Treatments() []string { return workspace.RiskTreatments }
func (RegisterQuery) Sorts() []string      { return RegisterSorts }

// Active says whether any filter other than the heat map cell is set.
func (q RegisterQuery) Active() bool {
	return q.Level != "" || q.Treatment != "" || q.Asset != "" || q.Owner != "" || q.Overdue
}

// registerQuery reads the filters; a value outside its list is an error
// naming the parameter.
func registerQuery(r *http.Request) (RegisterQuery, error) {
	v := r.URL.Query()
	q := RegisterQuery{Level: v.Get("level"), Treatment: v.Get("treatment"), Asset: v.Get("asset"), Owner: v.Get("owner"), Sort: v.Get("sort")}
	if q.Level != "" && risk.Level(q.Level).Rank() < 1 {
		return q, fmt.Errorf("level: %q is not one of low, medium, high, critical", q.Level)
	}
	if q.Treatment != "" && !slices.Contains(workspace.RiskTreatments, q.Treatment) {
		return q, fmt.Errorf("treatment: %q is not one of %s", q.Treatment, strings.Join(workspace.RiskTreatments, ", "))
	}
	if q.Sort == "" {
		q.Sort = "residual"
	} else if !slices.Contains(RegisterSorts, q.Sort) {
		return q, fmt.Errorf("sort: %q is not one of %s", q.Sort, strings.Join(RegisterSorts, ", "))
	}
	switch o := v.Get("overdue"); o {
	case "", "0", "false":
	case "1", "true", "on":
		q.Overdue = true
	default:
		return q, fmt.Errorf("overdue: %q is not 1 or 0", o)
	}
	return q, nil
}

// keep says whether a row passes the query's filters.
func (q RegisterQuery) keep(row RiskRow) bool {
	return (q.Level == "" || row.Residual == q.Level) &&
		(q.Treatment == "" || row.Treatment == q.Treatment) &&
		(q.Asset == "" || row.Asset == q.Asset) &&
		(q.Owner == "" || row.Owner == q.Owner) &&
		(!q.Overdue || row.Overdue)
}

// sortRows orders rows (already by residual level) by the query's sort;
// stable, so ties keep the residual order.
func (q RegisterQuery) sortRows(rows []RiskRow) {
	rank := func(l string) int { return risk.Level(l).Rank() }
	switch q.Sort {
	case "inherent":
		slices.SortStableFunc(rows, func(a, b RiskRow) int { return rank(b.Inherent) - rank(a.Inherent) })
	case "due": // earliest first; no due date last
		slices.SortStableFunc(rows, func(a, b RiskRow) int {
			switch {
			case a.Due.IsZero() || b.Due.IsZero():
				return boolInt(a.Due.IsZero()) - boolInt(b.Due.IsZero())
			case a.Due.Before(b.Due):
				return -1
			case b.Due.Before(a.Due):
				return 1
			}
			return 0
		})
	case "asset":
		slices.SortStableFunc(rows, func(a, b RiskRow) int { return strings.Compare(a.Asset, b.Asset) })
	case "owner":
		slices.SortStableFunc(rows, func(a, b RiskRow) int { return strings.Compare(a.Owner, b.Owner) })
	case "id":
		slices.SortStableFunc(rows, func(a, b RiskRow) int { return strings.Compare(a.ID, b.ID) })
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
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
func riskRegister(ws *workspace.Workspace, slug, asOfParam string, asOf date.Date, filter *RiskCell, query RegisterQuery) RiskRegister {
	if query.Sort == "" {
		query.Sort = "residual"
	}
	reg := RiskRegister{AsOf: asOf, Filter: filter, Query: query, Risks: []RiskRow{}, Findings: []finding.Finding{}}
	a, err := risk.Analyze(ws, "", phimap.Build(ws).PHISystems(), asOf)
	if err != nil {
		reg.Error, reg.NoAnalysis = err.Error(), len(ws.RiskAnalyses) == 0
		return reg
	}
	reg.Analysis = a.Record.ID
	reg.Total = len(a.Risks)
	if a.Findings != nil {
		reg.Findings = a.Findings
	}
	for _, f := range reg.Findings {
		reg.Plain = append(reg.Plain, records.FindingView{Finding: f, Plain: todo.Explain(ws, asOf, slug, f)})
	}
	for _, sc := range a.Risks { // already by residual level
		if !slices.Contains(reg.Assets, sc.Risk.Asset) {
			reg.Assets = append(reg.Assets, sc.Risk.Asset)
		}
		if sc.Risk.Owner != "" && !slices.Contains(reg.Owners, sc.Risk.Owner) {
			reg.Owners = append(reg.Owners, sc.Risk.Owner)
		}
		if filter != nil && (sc.ResidualLikelihood != filter.Likelihood || sc.ResidualImpact != filter.Impact) {
			continue
		}
		row := RiskRow{
			ID: sc.Risk.ID, Asset: sc.Risk.Asset, Threat: sc.ThreatTitle, Vulnerability: sc.VulnerabilityTitle,
			Inherent: string(sc.Inherent), Residual: string(sc.Residual),
			Likelihood: sc.ResidualLikelihood, Impact: sc.ResidualImpact,
			Treatment: sc.Risk.Treatment, Owner: sc.Risk.Owner, Due: sc.Risk.Due,
			Overdue: risk.Overdue(sc.Risk, asOf),
		}
		if query.keep(row) {
			reg.Risks = append(reg.Risks, row)
		}
	}
	query.sortRows(reg.Risks)
	slices.Sort(reg.Assets)
	slices.Sort(reg.Owners)
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

func riskData(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (RiskRegister, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return RiskRegister{}, false
	}
	query, err := registerQuery(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return RiskRegister{}, false
	}
	// The register for this query and date, derived once per audit head
	// and shared (the caller sets only its own copy's top-level fields).
	org := kit.CurrentOrg(r)
	reg, err := kit.Derive(s, r.Context(), org, "risk register "+asOf.String()+" "+r.URL.RawQuery, func(ws *workspace.Workspace) (RiskRegister, error) {
		return riskRegister(ws, org.Slug, r.URL.Query().Get("as_of"), asOf, cellFilter(r), query), nil
	})
	if err != nil {
		s.ServerError(w, r, api, err)
		return RiskRegister{}, false
	}
	return reg, true
}

// FindingsPerPage is how many coverage findings the register's page
// lists at once: issue 21's organization has one for each of 1,800 PHI
// systems without a risk.
const FindingsPerPage = 50

func risksPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	page, err := records.PageParam(r.URL.Query(), "page", 1)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	if reg, ok := riskData(s, w, r, false); ok {
		// reg is shared: only its own top-level fields change here.
		reg.Added, _ = strconv.Atoi(r.URL.Query().Get("added"))
		reg.CoveragePages = records.ListPages(r.URL.Query(), len(reg.Plain), page, FindingsPerPage)
		from, to := reg.CoveragePages.Rows(len(reg.Plain))
		reg.Plain = reg.Plain[from:to]
		s.Render(w, r, "risks.html", reg)
	}
}

func risksAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if reg, ok := riskData(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, reg)
	}
}
