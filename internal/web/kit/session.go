package kit

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
)

// Why a request is not logged in; the login page explains the first two.
const (
	ReasonIdle     = "idle"
	ReasonExpired  = "expired"
	reasonNone     = "none"
	reasonBadToken = "token"
	// reasonUnavailable: the database did not answer the lookup, so who
	// is asking is unknown. The answer is 503 and the cookie is kept: a
	// moment's outage must not log everyone out.
	reasonUnavailable = "unavailable"
)

func (s *Server) CookieName() string {
	// __Host- binds the cookie to this exact origin over TLS; browsers
	// refuse the prefix without Secure, so plain-HTTP use keeps the name.
	if s.Config.Secure {
		return "__Host-ward_session"
	}
	return "ward_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.CookieName(),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.Config.Secure,
		SameSite: http.SameSiteLaxMode,
		// No Expires: a session cookie, gone when the browser closes.
	})
}

func (s *Server) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.CookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// authenticate finds the account behind a request: a bearer token, or a
// session cookie that is neither ended, idle nor too old. An idle or old
// session is ended on the spot (server-side automatic logoff). touch
// records the request as activity. On failure why says which of the
// reason* constants applies.
//
// One statement reads it all (store.Caller): the session or token, the
// account, and for slug (an organization's address, or "") the role
// there and the organization's audit head; with memberships, every
// organization of the account (a page's switcher).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, touch bool, slug string, memberships bool) (store.Caller, string) {
	ctx := r.Context()
	if tok, ok := bearer(r); ok {
		c, err := s.Store.CallerByToken(ctx, auth.TokenHash(tok), slug, memberships)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				if !IsCanceled(err) {
					s.Log.ErrorContext(r.Context(), "look up API token", "err", err)
				}
				return store.Caller{}, reasonUnavailable
			}
			return store.Caller{}, reasonBadToken
		}
		return c, ""
	}
	ck, err := r.Cookie(s.CookieName())
	if err != nil || ck.Value == "" {
		return store.Caller{}, reasonNone
	}
	hash := auth.TokenHash(ck.Value)
	c, err := s.Store.CallerBySession(ctx, hash, slug, memberships)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			if !IsCanceled(err) {
				s.Log.ErrorContext(r.Context(), "look up session", "err", err)
			}
			return store.Caller{}, reasonUnavailable
		}
		s.ClearSessionCookie(w)
		return store.Caller{}, reasonNone
	}
	sess := c.Session
	now := s.Now()
	why := ""
	switch {
	case now.Sub(sess.LastSeen) > s.Config.IdleTimeout:
		why = ReasonIdle
	case now.Sub(sess.Created) > SessionLifetime:
		why = ReasonExpired
	case c.User.Disabled:
		why = reasonNone
	}
	if why != "" {
		end := map[string]string{ReasonIdle: store.EndIdle, ReasonExpired: store.EndExpired, reasonNone: store.EndDisabled}[why]
		if err := s.Store.EndSession(ctx, hash, now, end); err != nil && !IsCanceled(err) {
			s.Log.ErrorContext(r.Context(), "end session", "err", err)
		}
		s.ClearSessionCookie(w)
		s.Log.InfoContext(r.Context(), "session ended", "user_id", sess.UserID, "reason", why)
		return store.Caller{}, why
	}
	if touch && now.Sub(sess.LastSeen) >= s.touchEvery() {
		if err := s.Store.TouchSession(ctx, hash, now); err != nil && !IsCanceled(err) {
			s.Log.ErrorContext(r.Context(), "touch session", "err", err)
		}
		c.Session.LastSeen = now
	}
	return c, ""
}

// touchEvery is how stale a session's recorded activity may get before a
// request writes it again: a minute, or a sixteenth of the idle timeout
// when that is shorter. Most requests then write nothing (on PostgreSQL a
// write is a round trip and a WAL flush; on SQLite the file's one write
// lock). The idle log-off reads the recorded time, so it comes at most
// that much early, never late: between 14 and 15 minutes after the last
// request with the default timeout. Every server on the database reads
// and writes the same row, so the log-off is the same on all of them.
func (s *Server) touchEvery() time.Duration {
	return min(time.Minute, s.Config.IdleTimeout/16)
}

// StartSession logs u in: a fresh random cookie (never one the browser
// brought, against session fixation), stored only as its hash, with its
// own CSRF token.
// enrol marks a session that may only set up a second step.
func (s *Server) StartSession(w http.ResponseWriter, r *http.Request, u store.User, enrol bool) error {
	if c, err := r.Cookie(s.CookieName()); err == nil && c.Value != "" {
		_ = s.Store.EndSession(r.Context(), auth.TokenHash(c.Value), s.Now(), store.EndReplaced)
	}
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.Now()
	if err := s.Store.CreateSession(r.Context(), store.Session{
		TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, Created: now, LastSeen: now,
		IP: s.ClientIP(r), Agent: r.UserAgent(), MFAEnrol: enrol,
	}); err != nil {
		return err
	}
	s.setSessionCookie(w, tok)
	return nil
}

// SafeNext keeps a post-login redirect on this site. The value is parsed
// with url.Parse and kept only when it is a path on this host: no scheme,
// no host, no user, not "//host" or "/\host" (which browsers read as
// another origin), no control character anywhere (browsers strip TAB, CR
// and LF, so "/\t/evil.example" would become "//evil.example"), no
// backslash, neither as typed nor once decoded. Anything else is "/".
func SafeNext(next string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	for _, s := range []string{next, u.Path} {
		if strings.HasPrefix(s, "//") || strings.ContainsFunc(s, func(c rune) bool {
			return c < 0x20 || c == 0x7f || c == '\\' || c == 0x85 || c == 0x2028 || c == 0x2029
		}) {
			return "/"
		}
	}
	if strings.HasPrefix(u.Path, "/login") {
		return "/"
	}
	return next
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

// SetupOpen reports whether the first run may happen: no account exists.
func (s *Server) SetupOpen(r *http.Request) (bool, error) {
	users, err := s.Store.Users(r.Context())
	return len(users) == 0, err
}
