package web

import (
	"net/http"
	"path"
	"time"

	"ward/internal/store"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/{$}", Role: AnyUser, Handler: (*Server).home},
		Route{Method: "GET", Pattern: "/static/{file}", Role: Public, Anonymous: true, Handler: (*Server).static},
		// Public so that an ended session is an answer, not a 401 the
		// browser reports as an error.
		Route{Method: "GET", Pattern: "/api/v1/session", Role: Public, Handler: (*Server).sessionStatus},
	)
}

// home lets a person choose an organization, or goes straight to the only
// one.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ms, err := s.st.Memberships(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	switch len(ms) {
	case 0:
		s.render(w, r, "home.html", ms)
	case 1:
		http.Redirect(w, r, orgHome(ms[0]), http.StatusFound)
	default:
		// Several organizations (an MSP): the overview of all of them.
		s.orgsPage(w, r)
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

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name != path.Base(name) || name == "." {
		http.NotFound(w, r)
		return
	}
	// Assets change only with the binary; a short cache keeps upgrades
	// visible without a version in every URL.
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(w, r, staticFS, name)
}

// SessionStatus is what the idle script asks before sending the page to
// the login. Asking does not count as activity.
type SessionStatus struct {
	Active             bool        `json:"active"`
	User               *store.User `json:"user,omitempty"`
	IdleTimeoutSeconds int         `json:"idle_timeout_seconds,omitempty"`
	IdleSecondsLeft    int         `json:"idle_seconds_left,omitempty"`
	Expires            *time.Time  `json:"expires,omitempty"`
}

func (s *Server) sessionStatus(w http.ResponseWriter, r *http.Request) {
	st := SessionStatus{}
	if u := currentUser(r); u.ID != 0 {
		st.Active, st.User = true, &u
	}
	if sess := info(r).session; sess != nil {
		st.IdleTimeoutSeconds = int(s.cfg.IdleTimeout / time.Second)
		left := s.cfg.IdleTimeout - s.now().Sub(sess.LastSeen)
		st.IdleSecondsLeft = max(1, int(left/time.Second))
		exp := sess.Created.Add(SessionLifetime).UTC()
		st.Expires = &exp
	}
	writeJSON(w, http.StatusOK, st)
}
