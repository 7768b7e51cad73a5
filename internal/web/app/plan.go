package app

import (
	"html/template"
	"net/http"

	"ward/internal/check"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/plan", Role: store.RoleViewer, Handler: kit.CachedGET(planPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/plan", Role: store.RoleViewer, Handler: kit.CachedGET(planAPI)},
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

// planParts are the plan and its two drawings, derived once per audit
// head and date.
type planParts struct {
	plan        plan.Plan
	gantt, tree template.HTML
}

func buildPlan(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (planParts, bool) {
	asOf, ok := s.PlanAsOf(w, r, api)
	if !ok {
		return planParts{}, false
	}
	parts, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "plan "+asOf.String(), func(ws *workspace.Workspace) (planParts, error) {
		p := plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Checked(check.Run(ws, asOf)))
		return planParts{plan: p, gantt: template.HTML(plan.GanttSVG(p, plan.GanttOptions{})), tree: template.HTML(plan.DecisionTreeSVG(ws, p))}, nil
	})
	if err != nil {
		s.ServerError(w, r, api, err)
		return planParts{}, false
	}
	return parts, true
}

func planPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	parts, ok := buildPlan(s, w, r, false)
	if !ok {
		return
	}
	s.Render(w, r, "plan.html", PlanPage{
		Plan:    parts.plan,
		Gantt:   parts.gantt,
		Tree:    parts.tree,
		Welcome: r.URL.Query().Get("welcome") == "1",
	})
}

func planAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	parts, ok := buildPlan(s, w, r, true)
	if !ok {
		return
	}
	kit.WriteJSON(w, http.StatusOK, parts.plan)
}
