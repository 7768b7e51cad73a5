package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/netip"
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
	// SSOName names the single sign-on provider ("" when none);
	// SSOLogout is its log-out address after a single sign-on session
	// ended (sso.go).
	SSOName, SSOLogout string
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
	case "mfa":
		p.Notice = "The second step timed out or had too many wrong codes. Please log in again."
	}
	if open, err := s.setupOpen(r); err == nil && open {
		p.Notice = "This ward has no account yet. Open the setup link that ward serve printed on its terminal when it started: it creates the first administrator."
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
	s.ssoLogin(w, r, &p)
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

	ip := s.clientIP(r)
	now := s.now()
	device := s.deviceFor(r, email, now)
	keys := []limitKey{emailKey(email)}
	if device == "" {
		// A browser that logged in to this account before carries a device
		// cookie, and is counted on its own: a failing neighbour behind
		// the same address (one NAT, one proxy) does not lock it out.
		keys = append(keys, ipKey(ip))
	} else {
		keys = []limitKey{deviceKey(device)}
	}
	if blocked, wait := s.limiter.blocked(now, keys...); blocked {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		// What was typed as the e-mail is not logged: it is sometimes a
		// password typed in the wrong field.
		s.log.WarnContext(r.Context(), "login throttled", "ip", ip, "retry_after_s", secs)
		p.Error = "Too many failed logins. Try again in " + waitText(wait) + "."
		s.showLogin(w, r, http.StatusTooManyRequests, p)
		return
	}

	u, err := s.st.UserByEmail(r.Context(), email)
	ok, reason := false, ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Spend the same time as a real check, so response times do not
		// tell which addresses have accounts.
		auth.CheckDummy(password)
		reason = "no such account"
	case err != nil:
		s.serverError(w, r, false, err)
		return
	default:
		var cerr error
		if u.PasswordHash == "" {
			// No local password (an account made by single sign-on):
			// never a match, in the time of a real check.
			auth.CheckDummy(password)
		} else {
			ok, cerr = auth.CheckPassword(password, u.PasswordHash)
		}
		if cerr != nil {
			s.log.ErrorContext(r.Context(), "stored password hash unreadable", "user_id", u.ID, "err", cerr)
		}
		reason = "wrong password"
		if ok && u.Disabled {
			ok, reason = false, "account disabled"
		}
	}
	if !ok {
		s.limiter.fail(now, keys...)
		// The accounts' trail names the account only when there is one:
		// text that matches no account is never kept.
		key := ""
		if err == nil {
			key = u.Email
		}
		if rerr := s.st.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, key, map[string]string{"ip": ip, "reason": reason}); rerr != nil && !isCanceled(rerr) {
			s.log.ErrorContext(r.Context(), "record failed login", "err", rerr)
		}
		s.log.WarnContext(r.Context(), "login failed", "ip", ip, "known_account", err == nil, "user_id", u.ID)
		p.Error = "That e-mail address and password do not match an account."
		s.showLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	if device != "" {
		s.limiter.succeed(deviceKey(device))
	}
	if s.localPasswordRefused(w, r, u, p) {
		return
	}
	if auth.NeedsRehash(u.PasswordHash) {
		// The password is at hand only now: store it with today's
		// parameters. A failure here must not block the login.
		if h, err := auth.HashPassword(password); err == nil {
			if err := s.st.SetPassword(r.Context(), u.ID, h); err != nil {
				s.log.ErrorContext(r.Context(), "upgrade password hash", "user_id", u.ID, "err", err)
			}
		}
	}
	// The second step: an account with an authenticator app or a
	// passkey gives its code or uses its passkey next; one without, in an organization that requires one, is
	// logged in only to set it up.
	mfa, err := s.st.MFA(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	if mfa.On() {
		if err := s.startMFAChallenge(w, r, u, p.Next); err != nil {
			s.serverError(w, r, false, err)
		}
		return
	}
	required, err := s.mfaRequiredBy(r, u.ID)
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	s.limiter.succeed(emailKey(email))
	data := map[string]string{"ip": ip}
	if len(required) > 0 {
		data["second_step"] = "none yet: sent to set it up (required by " + strings.Join(required, ", ") + ")"
	}
	if err := s.st.RecordAccount(r.Context(), u.Email, store.EventLogin, u.Email, data); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	if err := s.startSession(w, r, u, len(required) > 0); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	s.setDeviceCookie(w, u.Email, now)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure})
	s.log.InfoContext(r.Context(), "login", "user_id", u.ID, "ip", ip)
	if len(required) > 0 {
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
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
		s.ssoLoggingOut(w, r, sess)
		if err := s.st.EndSession(r.Context(), sess.TokenHash, s.now(), store.EndLogout); err != nil {
			s.serverError(w, r, false, err)
			return
		}
		u := currentUser(r)
		if err := s.st.RecordAccount(r.Context(), u.Email, store.EventLogout, u.Email, map[string]string{"ip": s.clientIP(r)}); err != nil && !isCanceled(err) {
			s.log.ErrorContext(r.Context(), "record logout", "err", err)
		}
		s.log.InfoContext(r.Context(), "logout", "user_id", u.ID)
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?reason=loggedout", http.StatusSeeOther)
}

// clientIP is the address of the person's browser: the connection's
// address, unless that is one of the trusted proxies (--trusted-proxy),
// in which case X-Forwarded-For is read from the right, past every
// trusted proxy, to the first address none of them is. A header from an
// untrusted connection is ignored: anyone can write one.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: the last trusted hop is as far as we know
		}
		addr = a.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}
