package kit

import (
	"net/http"
	"sync"
	"time"

	"ward/internal/store"
)

// A request refused for a missing or wrong CSRF token is a security event
// (another site tried to act through someone's browser, or a form went
// stale), so it goes on the accounts' trail. At most one entry per
// session per csrfEvery: a hostile page that posts in a loop must not
// fill the trail.
const csrfEvery = 10 * time.Minute

type csrfSeen struct {
	mu   sync.Mutex
	last map[string]time.Time // session token hash → last recorded
}

func (s *Server) recordCSRF(r *http.Request, u store.User, sess *store.Session, rt Route) {
	now := s.Now()
	s.csrf.mu.Lock()
	if s.csrf.last == nil {
		s.csrf.last = map[string]time.Time{}
	}
	if len(s.csrf.last) > 10_000 {
		for k, t := range s.csrf.last {
			if now.Sub(t) > csrfEvery {
				delete(s.csrf.last, k)
			}
		}
	}
	last, seen := s.csrf.last[sess.TokenHash]
	if seen && now.Sub(last) < csrfEvery {
		s.csrf.mu.Unlock()
		return
	}
	s.csrf.last[sess.TokenHash] = now
	s.csrf.mu.Unlock()
	err := s.Store.RecordAccount(r.Context(), u.Email, "csrf.refused", u.Email, map[string]string{
		"route": rt.Method + " " + rt.Pattern, "ip": s.ClientIP(r), "session": sess.ID(),
	})
	if err != nil && !IsCanceled(err) {
		s.Log.ErrorContext(r.Context(), "record refused CSRF", "err", err)
	}
}
