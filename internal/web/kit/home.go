package kit

import (
	"net/http"
	"time"

	"ward/internal/store"
)

// SessionStatus is what the idle script asks before sending the page to
// the login. Asking does not count as activity.
type SessionStatus struct {
	Active             bool        `json:"active"`
	User               *store.User `json:"user,omitempty"`
	IdleTimeoutSeconds int         `json:"idle_timeout_seconds,omitempty"`
	IdleSecondsLeft    int         `json:"idle_seconds_left,omitempty"`
	Expires            *time.Time  `json:"expires,omitempty"`
}

func (s *Server) SessionStatus(w http.ResponseWriter, r *http.Request) {
	st := SessionStatus{}
	if u := CurrentUser(r); u.ID != 0 {
		st.Active, st.User = true, &u
	}
	if sess := Info(r).Session; sess != nil {
		st.IdleTimeoutSeconds = int(s.Config.IdleTimeout / time.Second)
		left := s.Config.IdleTimeout - s.Now().Sub(sess.LastSeen)
		st.IdleSecondsLeft = max(1, int(left/time.Second))
		exp := sess.Created.Add(SessionLifetime).UTC()
		st.Expires = &exp
	}
	WriteJSON(w, http.StatusOK, st)
}
