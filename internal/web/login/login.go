package login

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/login", Role: kit.Public, Handler: loginForm},
		kit.Route{Method: "POST", Pattern: "/login", Role: kit.Public, Handler: login},
		kit.Route{Method: "POST", Pattern: "/logout", Role: kit.AnyUser, Handler: logout},
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

func loginForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if kit.CurrentUser(r).ID != 0 {
		http.Redirect(w, r, kit.SafeNext(r.URL.Query().Get("next")), http.StatusFound)
		return
	}
	p := loginPage{Next: kit.SafeNext(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("reason") {
	case kit.ReasonIdle:
		p.Notice = "You were logged off after " + kit.HumanDuration(s.Config.IdleTimeout) + " of inactivity."
	case kit.ReasonExpired:
		p.Notice = "Your session reached its " + kit.HumanDuration(kit.SessionLifetime) + " limit. Please log in again."
	case "loggedout":
		p.Notice = "You have logged out."
	case "mfa":
		p.Notice = "The second step timed out or had too many wrong codes. Please log in again."
	}
	if open, err := s.SetupOpen(r); err == nil && open {
		p.Notice = "This ward has no account yet. Open the setup link that ward serve printed on its terminal when it started: it creates the first administrator."
	}
	showLogin(s, w, r, http.StatusOK, p)
}

func showLogin(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	tok, err := auth.NewToken()
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600,
	})
	p.Token = tok
	p.Timeout = kit.HumanDuration(s.Config.IdleTimeout)
	serveSsoLogin(s, w, r, &p)
	if p.Next == "/" {
		p.Next = ""
	}
	s.RenderStatus(w, r, status, "login.html", p)
}

func login(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		showLogin(s, w, r, http.StatusBadRequest, loginPage{Error: "The form could not be read. Please try again."})
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	p := loginPage{Email: email, Next: kit.SafeNext(r.PostForm.Get("next"))}

	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(kit.CSRFField))) != 1 {
		p.Error = "The login form expired. Please enter your password again."
		showLogin(s, w, r, http.StatusBadRequest, p)
		return
	}
	if email == "" || password == "" {
		p.Error = "Enter your e-mail address and password."
		showLogin(s, w, r, http.StatusBadRequest, p)
		return
	}
	if len(email) > 254 || len(password) > 1024 {
		p.Error = "E-mail address or password is too long."
		showLogin(s, w, r, http.StatusBadRequest, p)
		return
	}

	ip := s.ClientIP(r)
	now := s.Now()
	device := s.DeviceFor(r, email, now)
	keys := []kit.LimitKey{kit.EmailKey(email)}
	if device == "" {
		// A browser that logged in to this account before carries a device
		// cookie, and is counted on its own: a failing neighbour behind
		// the same address (one NAT, one proxy) does not lock it out.
		keys = append(keys, kit.IPKey(ip))
	} else {
		keys = []kit.LimitKey{kit.DeviceKey(device)}
	}
	if blocked, wait := s.Limiter.Blocked(r.Context(), now, keys...); blocked {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		// What was typed as the e-mail is not logged: it is sometimes a
		// password typed in the wrong field.
		s.Log.WarnContext(r.Context(), "login throttled", "ip", ip, "retry_after_s", secs)
		p.Error = "Too many failed logins. Try again in " + waitText(wait) + "."
		showLogin(s, w, r, http.StatusTooManyRequests, p)
		return
	}

	u, err := s.Store.UserByEmail(r.Context(), email)
	ok, reason := false, ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Spend the same time as a real check, so response times do not
		// tell which addresses have accounts.
		auth.CheckDummy(password)
		reason = "no such account"
	case err != nil:
		s.ServerError(w, r, false, err)
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
			s.Log.ErrorContext(r.Context(), "stored password hash unreadable", "user_id", u.ID, "err", cerr)
		}
		reason = "wrong password"
		if ok && u.Disabled {
			ok, reason = false, "account disabled"
		}
	}
	if !ok {
		s.Limiter.Fail(r.Context(), now, keys...)
		// The accounts' trail names the account only when there is one:
		// text that matches no account is never kept.
		key := ""
		if err == nil {
			key = u.Email
		}
		if rerr := s.Store.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, key, map[string]string{"ip": ip, "reason": reason}); rerr != nil && !kit.IsCanceled(rerr) {
			s.Log.ErrorContext(r.Context(), "record failed login", "err", rerr)
		}
		s.Log.WarnContext(r.Context(), "login failed", "ip", ip, "known_account", err == nil, "user_id", u.ID)
		p.Error = "That e-mail address and password do not match an account."
		showLogin(s, w, r, http.StatusUnauthorized, p)
		return
	}
	if device != "" {
		s.Limiter.Succeed(r.Context(), kit.DeviceKey(device))
	}
	if localPasswordRefused(s, w, r, u, p) {
		return
	}
	if auth.NeedsRehash(u.PasswordHash) {
		// The password is at hand only now: store it with today's
		// parameters. A failure here must not block the login.
		if h, err := auth.HashPassword(password); err == nil {
			if err := s.Store.SetPassword(r.Context(), u.ID, h); err != nil {
				s.Log.ErrorContext(r.Context(), "upgrade password hash", "user_id", u.ID, "err", err)
			}
		}
	}
	// The second step: an account with an authenticator app or a
	// passkey gives its code or uses its passkey next; one without, in an organization that requires one, is
	// logged in only to set it up.
	mfa, err := s.Store.MFA(r.Context(), u.ID)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if mfa.On() {
		if err := startMFAChallenge(s, w, r, u, p.Next); err != nil {
			s.ServerError(w, r, false, err)
		}
		return
	}
	required, err := mfaRequiredBy(s, r, u.ID)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.Limiter.Succeed(r.Context(), kit.EmailKey(email))
	data := map[string]string{"ip": ip}
	if len(required) > 0 {
		data["second_step"] = "none yet: sent to set it up (required by " + strings.Join(required, ", ") + ")"
	}
	if err := s.Store.RecordAccount(r.Context(), u.Email, store.EventLogin, u.Email, data); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if err := s.StartSession(w, r, u, len(required) > 0); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.SetDeviceCookie(w, u.Email, now)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.Config.Secure})
	s.Log.InfoContext(r.Context(), "login", "user_id", u.ID, "ip", ip)
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
	return kit.HumanDuration((d + unit - 1) / unit * unit)
}

func logout(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if sess := kit.Info(r).Session; sess != nil {
		ssoLoggingOut(s, w, r, sess)
		if err := s.Store.EndSession(r.Context(), sess.TokenHash, s.Now(), store.EndLogout); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		u := kit.CurrentUser(r)
		if err := s.Store.RecordAccount(r.Context(), u.Email, store.EventLogout, u.Email, map[string]string{"ip": s.ClientIP(r)}); err != nil && !kit.IsCanceled(err) {
			s.Log.ErrorContext(r.Context(), "record logout", "err", err)
		}
		s.Log.InfoContext(r.Context(), "logout", "user_id", u.ID)
	}
	s.ClearSessionCookie(w)
	http.Redirect(w, r, "/login?reason=loggedout", http.StatusSeeOther)
}
