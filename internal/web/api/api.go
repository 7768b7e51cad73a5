package api

import (
	"net/http"

	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs", Role: kit.AnyUser, Handler: orgsAPI},
		// The whole workspace at once is an export, on the audit trail:
		// POST (downloads.go); a GET says so.
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/workspace", Role: store.RoleViewer, Handler: func(s *kit.Server, w http.ResponseWriter, r *http.Request) {
			s.DownloadByGET(w, r, kit.Download{What: "the whole workspace"})
		}},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/workspace", Role: store.RoleViewer, Handler: workspaceAPI, Export: true},
	)
}

func orgsAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ms, err := s.Store.Memberships(r.Context(), kit.CurrentUser(r).ID)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	out := make([]kit.OrgMembership, len(ms))
	for i, m := range ms {
		out[i] = kit.OrgMembership{Slug: m.Org.Slug, Name: m.Org.Name, Role: m.Role}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"orgs": out})
}

func workspaceAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o := s.Org(r)
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	n, err := o.Counts(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	total := 0
	for _, c := range n {
		total += c
	}
	if err := o.Record(r.Context(), kit.CurrentUser(r).Email, "export", "workspace", "api", map[string]int{"records": total}); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, ws)
}
