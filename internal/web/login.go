package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/login", Role: Public, Handler: (*Server).loginForm},
		Route{Method: "POST", Pattern: "/login", Role: Public, Handler: (*Server).login},
		Route{Method: "POST", Pattern: "/logout", Role: AnyUser, Handler: (*Server).logout},
	)
}

// The login form has no session to bind a CSRF token to, so it uses a
// double-submit cookie: a random value in a cookie and in the form, which
// a cross-site page can neither read nor set. It stops login CSRF (being
// logged in to an attacker's account).
const loginCookie = "ward_login"

type loginPage struct {
	Email   string
	Next    string
	Token   string
	Notice  string // why the person is here (logged off, logged out)
	Error   string
	Retry   string // when rate-limited: how long to wait
	Timeout string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r).ID != 0 {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusFound)
		return
	}
	p := loginPage{Next: safeNext(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("reason") {
	case reasonIdle:
		p.Notice = "You were logged off after " + humanDuration(s.cfg.IdleTimeout) + " of inactivity."
	case reasonExpired:
		p.Notice = "Your session reached its " + humanDuration(SessionLifetime) + " limit. Please log in again."
	case "loggedout":
		p.Notice = "You have logged out."
	}
	s.showLogin(w, r, http.StatusOK, p)
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	tok, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600,
	})
	p.Token = tok
	p.Timeout = humanDuration(s.cfg.IdleTimeout)
	if p.Next == "/" {
		p.Next = ""
	}
	s.renderStatus(w, r, status, "login.html", p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.showLogin(w, r, http.StatusBadRequest, loginPage{Error: "The form could not be read. Please try again."})
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	p := loginPage{Email: email, Next: safeNext(r.PostForm.Get("next"))}

	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) != 1 {
		p.Error = "The login form expired. Please enter your password again."
		s.showLogin(w, r, http.StatusBadRequest, p)
		return
	}
	if email == "" || password == "" {
		p.Error = "Enter your e-mail address and password."
		s.showLogin(w, r, http.StatusBadRequest, p)
		return
	}
	if len(email) > 254 || len(password) > 1024 {
		p.Error = "E-mail address or password is too long."
		s.showLogin(w, r, http.StatusBadRequest, p)
		return
	}

	ip := clientIP(r)
	now := s.now()
	if blocked, wait := s.limiter.blocked(now, emailKey(email), ipKey(ip)); blocked {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.Warn("login throttled", "email", email, "ip", ip, "retry_after_s", secs)
		p.Error = "Too many failed logins. Try again in " + waitText(wait) + "."
		s.showLogin(w, r, http.StatusTooManyRequests, p)
		return
	}

	u, err := s.st.UserByEmail(r.Context(), email)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Spend the same time as a real check, so response times do not
		// tell which addresses have accounts.
		auth.CheckDummy(password)
	case err != nil:
		s.serverError(w, r, false, err)
		return
	default:
		var cerr error
		ok, cerr = auth.CheckPassword(password, u.PasswordHash)
		if cerr != nil {
			s.log.Error("stored password hash unreadable", "user_id", u.ID, "err", cerr)
		}
		ok = ok && !u.Disabled
	}
	if !ok {
		s.limiter.fail(now, emailKey(email), ipKey(ip))
		s.log.Warn("login failed", "email", email, "ip", ip, "known_account", err == nil)
		p.Error = "That e-mail address and password do not match an account."
		s.showLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	s.limiter.succeed(emailKey(email))
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure})
	if auth.NeedsRehash(u.PasswordHash) {
		// The password is at hand only now: store it with today's
		// parameters. A failure here must not block the login.
		if h, err := auth.HashPassword(password); err == nil {
			if err := s.st.SetPassword(r.Context(), u.ID, h); err != nil {
				s.log.Error("upgrade password hash", "user_id", u.ID, "err", err)
			}
		}
	}
	s.log.Info("login", "user_id", u.ID, "email", u.Email, "ip", ip)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// waitText rounds a wait up, to minutes past the first one.
func waitText(d time.Duration) string {
	unit := time.Second
	if d > time.Minute {
		unit = time.Minute
	}
	return humanDuration((d + unit - 1) / unit * unit)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess := info(r).session; sess != nil {
		if err := s.st.EndSession(r.Context(), sess.TokenHash, s.now()); err != nil {
			s.serverError(w, r, false, err)
			return
		}
		s.log.Info("logout", "user_id", currentUser(r).ID)
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?reason=loggedout", http.StatusSeeOther)
}

// clientIP is the connection's address. ward does not trust
// X-Forwarded-For: behind a proxy every login shares the proxy's address
// and only the per-account limit distinguishes people.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
