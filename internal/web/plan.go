package web

import (
	"html/template"
	"net/http"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs/{org}/plan", Role: store.RoleViewer, Handler: cachedGET((*Server).planPage)},
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/plan", Role: store.RoleViewer, Handler: cachedGET((*Server).planAPI)},
	)
}

// PlanPage is the plan page's data: the plan as `ward plan` builds it and
// its two pictures. The SVGs carry no <style> and no style= attributes,
// so they are inlined under the page's CSP.
type PlanPage struct {
	Plan  plan.Plan
	Gantt template.HTML
	Tree  template.HTML
	// Welcome: the page is where the first-run onboarding ends.
	Welcome bool
}

// planAsOf is the date the rules run for: today by the server's clock, or
// ?as_of=YYYY-MM-DD. ok is false (and the answer written) on a bad date.
func (s *Server) planAsOf(w http.ResponseWriter, r *http.Request, api bool) (date.Date, bool) {
	d, err := s.requestAsOf(r)
	if err != nil {
		s.fail(w, r, api, http.StatusBadRequest, err.Error())
		return date.Date{}, false
	}
	return d, true
}

// planParts are the plan and its two drawings, derived once per audit
// head and date.
type planParts struct {
	plan        plan.Plan
	gantt, tree template.HTML
}

func (s *Server) buildPlan(w http.ResponseWriter, r *http.Request, api bool) (planParts, bool) {
	asOf, ok := s.planAsOf(w, r, api)
	if !ok {
		return planParts{}, false
	}
	parts, err := derive(s, r.Context(), currentOrg(r), "plan "+asOf.String(), func(ws *workspace.Workspace) (planParts, error) {
		p := plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Checked(check.Run(ws, asOf)))
		return planParts{plan: p, gantt: template.HTML(plan.GanttSVG(p, plan.GanttOptions{})), tree: template.HTML(plan.DecisionTreeSVG(ws, p))}, nil
	})
	if err != nil {
		s.serverError(w, r, api, err)
		return planParts{}, false
	}
	return parts, true
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	parts, ok := s.buildPlan(w, r, false)
	if !ok {
		return
	}
	s.render(w, r, "plan.html", PlanPage{
		Plan:    parts.plan,
		Gantt:   parts.gantt,
		Tree:    parts.tree,
		Welcome: r.URL.Query().Get("welcome") == "1",
	})
}

func (s *Server) planAPI(w http.ResponseWriter, r *http.Request) {
	parts, ok := s.buildPlan(w, r, true)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, parts.plan)
}
