package app

import (
	"net/http"
	"path"

	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/{$}", Role: kit.AnyUser, Handler: home},
		kit.Route{Method: "GET", Pattern: "/static/{file}", Role: kit.Public, Anonymous: true, Handler: static},
		// Public so that an ended session is an answer, not a 401 the
		// browser reports as an error.
		kit.Route{Method: "GET", Pattern: "/api/v1/session", Role: kit.Public, Handler: (*kit.Server).SessionStatus},
	)
}

// home lets a person choose an organization, or goes straight to the only
// one.
func home(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ms, ok := kit.CallerMemberships(r)
	if !ok {
		var err error
		if ms, err = s.Store.Memberships(r.Context(), kit.CurrentUser(r).ID); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	switch len(ms) {
	case 0:
		s.Render(w, r, "home.html", ms)
	case 1:
		http.Redirect(w, r, orgHome(ms[0]), http.StatusFound)
	default:
		// Several organizations (an MSP): the overview of all of them.
		orgsPage(s, w, r)
	}
}

// orgHome is where a membership's link goes: the organization's
// overview, or for a workforce member its own tasks (the only pages it
// may open).
func orgHome(m store.Membership) string {
	if m.Role == store.RoleMember {
		return "/orgs/" + m.Org.Slug + "/my"
	}
	return "/orgs/" + m.Org.Slug
}

func static(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name != path.Base(name) || name == "." {
		http.NotFound(w, r)
		return
	}
	// Assets change only with the binary; a short cache keeps upgrades
	// visible without a version in every URL.
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(w, r, kit.StaticFS, name)
}
