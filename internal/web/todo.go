package web

import (
	"net/http"

	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/todo", Role: store.RoleViewer, Handler: (*Server).todoAPI},
	)
}

// todoList is what needs attention in the current organization on the
// request's date (?as_of=, default today): the same list as `ward todo`,
// and the organization's home page.
func (s *Server) todoList(w http.ResponseWriter, r *http.Request, api bool) (todo.List, bool) {
	asOf, ok := s.planAsOf(w, r, api)
	if !ok {
		return todo.List{}, false
	}
	org := currentOrg(r)
	l, err := derive(s, r.Context(), org, "todo "+asOf.String(), func(ws *workspace.Workspace) (todo.List, error) {
		return todo.Build(ws, asOf, org.Slug), nil
	})
	if err != nil {
		s.serverError(w, r, api, err)
		return todo.List{}, false
	}
	return l, true
}

// todoAPI is GET /api/v1/orgs/{org}/todo: `ward todo --format json`.
func (s *Server) todoAPI(w http.ResponseWriter, r *http.Request) {
	l, ok := s.todoList(w, r, true)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, l)
}
