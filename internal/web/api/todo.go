package api

import (
	"net/http"

	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/todo", Role: store.RoleViewer, Handler: todoAPI},
	)
}

// todoList is what needs attention in the current organization on the
// request's date (?as_of=, default today): the same list as `ward todo`,
// and the organization's home page.
func todoList(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (todo.List, bool) {
	asOf, ok := s.PlanAsOf(w, r, api)
	if !ok {
		return todo.List{}, false
	}
	org := kit.CurrentOrg(r)
	l, err := kit.Derive(s, r.Context(), org, "todo "+asOf.String(), func(ws *workspace.Workspace) (todo.List, error) {
		return todo.Build(ws, asOf, org.Slug), nil
	})
	if err != nil {
		s.ServerError(w, r, api, err)
		return todo.List{}, false
	}
	return l, true
}

// todoAPI is GET /api/v1/orgs/{org}/todo: `ward todo --format json`.
func todoAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	l, ok := todoList(s, w, r, true)
	if !ok {
		return
	}
	kit.WriteJSON(w, http.StatusOK, l)
}
