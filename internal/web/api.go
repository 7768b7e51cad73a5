package web

import (
	"net/http"

	"ward/internal/store"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/api/v1/orgs", Role: AnyUser, Handler: (*Server).orgsAPI},
		// The whole workspace at once is an export, on the audit trail:
		// POST (exports.go); a GET says so.
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/workspace", Role: store.RoleViewer, Handler: func(s *Server, w http.ResponseWriter, r *http.Request) {
			s.downloadByGET(w, r, download{what: "the whole workspace"})
		}},
		Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/workspace", Role: store.RoleViewer, Handler: (*Server).workspaceAPI, Export: true},
	)
}

// OrgMembership is one organization the caller belongs to, in
// GET /api/v1/orgs.
type OrgMembership struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func (s *Server) orgsAPI(w http.ResponseWriter, r *http.Request) {
	ms, err := s.st.Memberships(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	out := make([]OrgMembership, len(ms))
	for i, m := range ms {
		out[i] = OrgMembership{Slug: m.Org.Slug, Name: m.Org.Name, Role: m.Role}
	}
	writeJSON(w, http.StatusOK, map[string]any{"orgs": out})
}

func (s *Server) workspaceAPI(w http.ResponseWriter, r *http.Request) {
	o := s.org(r)
	ws, err := s.workspace(r)
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	n, err := o.Counts(r.Context())
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	total := 0
	for _, c := range n {
		total += c
	}
	if err := o.Record(r.Context(), currentUser(r).Email, "export", "workspace", "api", map[string]int{"records": total}); err != nil {
		s.serverError(w, r, true, err)
		return
	}
	writeJSON(w, http.StatusOK, ws)
}
