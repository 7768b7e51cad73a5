package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Two-step login for local accounts (issue 15): after the password, a
// code from an authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds,
// SHA-1, which is what every app reads from a QR code) or one of ten
// single-use recovery codes. A person sets it up on /account/mfa; an
// organization whose workspace says security.require_mfa sends its
// people without one there right after their password, and lets them
// do nothing else until they have.

func init() {
	register(
		Route{Method: "GET", Pattern: "/login/mfa", Role: Public, Handler: (*Server).mfaLoginForm},
		Route{Method: "POST", Pattern: "/login/mfa", Role: Public, Handler: (*Server).mfaLogin},
	)
	for _, base := range []string{"/account/mfa", "/api/v1/account/mfa"} {
		register(
			Route{Method: "GET", Pattern: base, Role: AnyUser, Handler: (*Server).mfaPage},
			Route{Method: "POST", Pattern: base + "/totp/start", Role: AnyUser, Handler: (*Server).mfaStart},
			Route{Method: "POST", Pattern: base + "/totp/confirm", Role: AnyUser, Handler: (*Server).mfaConfirm},
			Route{Method: "POST", Pattern: base + "/totp/disable", Role: AnyUser, Handler: (*Server).mfaDisable},
			Route{Method: "POST", Pattern: base + "/recovery", Role: AnyUser, Handler: (*Server).mfaRenew},
		)
	}
}

const (
	// mfaCookie holds the half-finished login between the password and
	// the code; like the login form's cookie it is sent only to /login.
	mfaCookie = "ward_mfa"
	// mfaWindow is how long the second step may take.
	mfaWindow = 5 * time.Minute
	// mfaTries is how many wrong codes one password entry allows.
	mfaTries = 5
	// recoveryCount codes are made at a time.
	recoveryCount = 10
	totpIssuer    = "ward"
)

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// checkTOTP finds the time step, within one step of now either way (a
// phone's clock drifts), whose code is code; ok false when none is.
func checkTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((cur+d)*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return cur + d, true
		}
	}
	return 0, false
}

// totpURI is what the app reads from the QR code.
func totpURI(email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(totpIssuer+":"+email) + "?" + v.Encode()
}

// qrSVG draws text as a QR code, one square per dark module, with the
// four-module quiet zone scanners need; no script, no inline style.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	b := code.Bounds()
	n := b.Dx()
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="QR code for your authenticator app" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`,
		n+8, n+8, (n+8)*5, (n+8)*5, n+8, n+8)
	for y := 0; y < b.Dy(); y++ {
		dark := func(x int) bool {
			return color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y < 128
		}
		for x := 0; x < n; {
			if !dark(x) {
				x++
				continue
			}
			run := 1
			for x+run < n && dark(x+run) {
				run++
			}
			fmt.Fprintf(&sb, "M%d %dh%dv1h-%dz", x+4, y+4, run, run)
			x += run
		}
	}
	sb.WriteString(`"/></svg>`)
	return template.HTML(sb.String()), nil
}

var recoveryEnc = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// newRecoveryCodes makes recoveryCount codes of 80 random bits, written
// xxxx-xxxx-xxxx-xxxx (no 0/o or 1/l to confuse), and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range recoveryCount {
		raw := make([]byte, 10)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		c := recoveryEnc.EncodeToString(raw)
		codes = append(codes, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, recoveryHash(c))
	}
	return codes, hashes, nil
}

// recoveryHash normalizes what was typed (case, dashes, spaces) and
// hashes it.
func recoveryHash(typed string) string {
	c := strings.ToLower(typed)
	c = strings.NewReplacer("-", "", " ", "").Replace(c)
	return auth.TokenHash("ward-recovery:" + c)
}

// mfaRequiredBy names the organizations of userID that require a second
// step (workspace organization.security.require_mfa).
func (s *Server) mfaRequiredBy(r *http.Request, userID int64) ([]string, error) {
	ms, err := s.st.Memberships(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		var o workspace.Organization
		err := s.st.Org(m.Org).Get(r.Context(), store.KindOrganization, store.OrganizationKey, &o)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if o.Security.RequireMFA {
			out = append(out, m.Org.Name)
		}
	}
	return out, nil
}

// enrolOnly reports whether a route stays open to a session that must
// set up its second step first.
func enrolOnly(rt Route) bool {
	p := strings.TrimPrefix(rt.Pattern, "/api/v1")
	return p == "/account/mfa" || strings.HasPrefix(p, "/account/mfa/") || p == "/logout"
}

// The login's second step.

type mfaLoginPage struct {
	Next  string
	Token string
	Error string
	// TOTP and Passkeys: what the account has (passkey.go).
	TOTP     bool
	Passkeys bool
}

func (s *Server) mfaChallenge(r *http.Request) (string, store.MFAChallenge, error) {
	c, err := r.Cookie(mfaCookie)
	if err != nil || c.Value == "" {
		return "", store.MFAChallenge{}, store.ErrNotFound
	}
	hash := auth.TokenHash(c.Value)
	ch, err := s.st.MFAChallengeByHash(r.Context(), hash)
	if err != nil {
		return "", ch, err
	}
	if s.now().Sub(ch.Created) > mfaWindow || ch.Attempts >= mfaTries {
		_ = s.st.EndMFAChallenge(r.Context(), hash)
		return "", ch, store.ErrNotFound
	}
	return hash, ch, nil
}

func (s *Server) showMFALogin(w http.ResponseWriter, r *http.Request, status int, p mfaLoginPage) {
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
	if p.Next == "/" {
		p.Next = ""
	}
	if _, ch, err := s.mfaChallenge(r); err == nil {
		st, err := s.st.MFA(r.Context(), ch.UserID)
		if err != nil {
			s.serverError(w, r, false, err)
			return
		}
		p.TOTP, p.Passkeys = st.TOTP, st.Passkeys > 0
	}
	s.renderStatus(w, r, status, "login_mfa.html", p)
}

func (s *Server) mfaLoginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.mfaChallenge(r); err != nil {
		http.Redirect(w, r, "/login?reason=mfa", http.StatusFound)
		return
	}
	s.showMFALogin(w, r, http.StatusOK, mfaLoginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) clearMFACookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: mfaCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure})
}

func (s *Server) mfaLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.showMFALogin(w, r, http.StatusBadRequest, mfaLoginPage{Error: "The form could not be read. Please try again."})
		return
	}
	p := mfaLoginPage{Next: safeNext(r.PostForm.Get("next"))}
	hash, ch, err := s.mfaChallenge(r)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, false, err)
			return
		}
		s.clearMFACookie(w)
		http.Redirect(w, r, "/login?reason=mfa", http.StatusSeeOther)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) != 1 {
		p.Error = "The form expired. Please enter the code again."
		s.showMFALogin(w, r, http.StatusBadRequest, p)
		return
	}
	u, err := s.st.UserByID(r.Context(), ch.UserID)
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	ip, now := s.clientIP(r), s.now()
	if blocked, wait := s.limiter.blocked(now, emailKey(u.Email)); blocked {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		p.Error = "Too many failed logins. Try again in " + waitText(wait) + "."
		s.showMFALogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	how, ok := "", false
	if u.Disabled {
		code = ""
	}
	switch digits := strings.ReplaceAll(code, " ", ""); {
	case code == "" || len(code) > 64:
	case len(digits) == 6 && strings.Trim(digits, "0123456789") == "":
		secret, _, err := s.st.ActiveTOTP(r.Context(), u.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, false, err)
			return
		}
		if step, good := checkTOTP(secret, digits, now); err == nil && good {
			// A code already used (replayed, or typed twice) is refused.
			err := s.st.UseTOTPStep(r.Context(), u.ID, step)
			if err != nil && !errors.Is(err, store.ErrConflict) {
				s.serverError(w, r, false, err)
				return
			}
			how, ok = "authenticator app", err == nil
		}
	default:
		_, err := s.st.UseRecoveryCode(r.Context(), u.Email, u.ID, recoveryHash(code), ip)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, false, err)
			return
		}
		how, ok = "recovery code", err == nil
	}
	if !ok {
		s.limiter.fail(now, emailKey(u.Email))
		n, err := s.st.FailMFAChallenge(r.Context(), hash)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, false, err)
			return
		}
		if rerr := s.st.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, u.Email, map[string]string{"ip": ip, "reason": "wrong second-step code"}); rerr != nil && !isCanceled(rerr) {
			s.log.ErrorContext(r.Context(), "record failed login", "err", rerr)
		}
		s.log.WarnContext(r.Context(), "login second step failed", "ip", ip, "user_id", u.ID)
		if n >= mfaTries {
			_ = s.st.EndMFAChallenge(r.Context(), hash)
			s.clearMFACookie(w)
			http.Redirect(w, r, "/login?reason=mfa", http.StatusSeeOther)
			return
		}
		p.Error = "That code is not right (or was used already). Enter the 6-digit code your app shows now, or a recovery code."
		s.showMFALogin(w, r, http.StatusUnauthorized, p)
		return
	}
	if err := s.mfaLoggedIn(w, r, u, hash, map[string]string{"ip": ip, "second_step": how}); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// mfaLoggedIn ends the login's second step for u (challenge hash),
// records the login with data, and starts the session.
func (s *Server) mfaLoggedIn(w http.ResponseWriter, r *http.Request, u store.User, hash string, data map[string]string) error {
	if err := s.st.EndMFAChallenge(r.Context(), hash); err != nil {
		return err
	}
	s.limiter.succeed(emailKey(u.Email))
	if err := s.st.RecordAccount(r.Context(), u.Email, store.EventLogin, u.Email, data); err != nil {
		return err
	}
	if err := s.startSession(w, r, u, false); err != nil {
		return err
	}
	s.setDeviceCookie(w, u.Email, s.now())
	s.clearMFACookie(w)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure})
	s.log.InfoContext(r.Context(), "login", "user_id", u.ID, "ip", data["ip"], "second_step", data["second_step"])
	return nil
}

// startMFAChallenge is the login after a right password, for an account
// with an authenticator app: the code is asked next.
func (s *Server) startMFAChallenge(w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.st.CreateMFAChallenge(r.Context(), auth.TokenHash(tok), u.ID, s.now()); err != nil {
		return err
	}
	if err := s.st.RecordAccount(r.Context(), u.Email, store.EventMFAChallenge, u.Email, map[string]string{"ip": s.clientIP(r)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: mfaCookie, Value: tok, Path: "/login", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode, MaxAge: int(mfaWindow.Seconds()),
	})
	http.Redirect(w, r, "/login/mfa?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
	return nil
}

// The account's page for its second step, and its JSON twin.

// MFAView is /account/mfa.
type MFAView struct {
	store.MFAState
	// RequiredBy names the organizations that require a second step.
	RequiredBy []string `json:"required_by"`
	// Secret and URI: the app being set up (pending only).
	Secret string        `json:"secret,omitempty"`
	URI    template.URL  `json:"otpauth_uri,omitempty"`
	QR     template.HTML `json:"-"`
	// Codes: the recovery codes, shown once, when just made.
	Codes []string `json:"recovery_codes,omitempty"`
	// PasskeyList: the passkeys registered (passkey.go).
	PasskeyList []store.Passkey `json:"passkey_list"`
	// PasskeyHost is the relying party new passkeys are made for, or
	// PasskeyOff why none can be (passkey.go).
	PasskeyHost string `json:"passkey_host,omitempty"`
	PasskeyOff  string `json:"passkey_unavailable,omitempty"`
	Enrolling   bool   `json:"-"`
	Done        string `json:"-"`
	Error       string `json:"-"`
}

func (s *Server) mfaView(r *http.Request) (MFAView, error) {
	u := currentUser(r)
	v := MFAView{Done: r.URL.Query().Get("done"), Enrolling: info(r).session != nil && info(r).session.MFAEnrol}
	var err error
	if v.MFAState, err = s.st.MFA(r.Context(), u.ID); err != nil {
		return v, err
	}
	if v.RequiredBy, err = s.mfaRequiredBy(r, u.ID); err != nil {
		return v, err
	}
	if v.RequiredBy == nil {
		v.RequiredBy = []string{}
	}
	if v.PasskeyList, err = s.st.Passkeys(r.Context(), u.ID); err != nil {
		return v, err
	}
	if party, err := s.passkeyParty(r); err != nil {
		v.PasskeyOff = err.Error()
	} else {
		v.PasskeyHost = party.Config.RPID
	}
	if v.Pending {
		if v.Secret, err = s.st.PendingTOTP(r.Context(), u.ID); err != nil {
			return v, err
		}
		uri := totpURI(u.Email, v.Secret)
		// The otpauth: scheme is not one html/template trusts; this URI
		// is ward's own making.
		v.URI = template.URL(uri)
		if v.QR, err = qrSVG(uri); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) showMFA(w http.ResponseWriter, r *http.Request, status int, edit func(*MFAView)) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	v, err := s.mfaView(r)
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	if edit != nil {
		edit(&v)
	}
	if api {
		if v.Error != "" {
			writeJSON(w, status, errorBody{v.Error})
			return
		}
		writeJSON(w, status, v)
		return
	}
	if v.Codes != nil {
		// The codes are on this page only: not kept by the browser.
		w.Header().Set("Cache-Control", "no-store")
	}
	s.renderStatus(w, r, status, "account_mfa.html", v)
}

func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request) {
	s.showMFA(w, r, http.StatusOK, nil)
}

func (s *Server) mfaBack(w http.ResponseWriter, r *http.Request, done string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.showMFA(w, r, http.StatusOK, nil)
		return
	}
	http.Redirect(w, r, "/account/mfa?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}

func (s *Server) mfaRefuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.showMFA(w, r, status, func(v *MFAView) { v.Error = msg })
}

func (s *Server) mfaStart(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, SecretSize: 20})
	if err != nil {
		s.serverError(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
		return
	}
	err = s.st.StartTOTP(r.Context(), u.Email, u.ID, key.Secret())
	if errors.Is(err, store.ErrConflict) {
		s.mfaRefuse(w, r, http.StatusConflict, "You have an authenticator app already. To move to another, turn this one off first.")
		return
	}
	if err != nil {
		s.serverError(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
		return
	}
	s.mfaBack(w, r, "Scan the code with your authenticator app, then enter the code it shows.")
}

func (s *Server) mfaConfirm(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	p, err := actionParams(r, api)
	if err != nil {
		s.mfaRefuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	u := currentUser(r)
	secret, err := s.st.PendingTOTP(r.Context(), u.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.mfaRefuse(w, r, http.StatusConflict, "No authenticator app is being set up: start again.")
		return
	}
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	step, ok := checkTOTP(secret, p["code"], s.now())
	if !ok {
		if err := s.st.RecordAccount(r.Context(), u.Email, "mfa.totp.wrong-code", u.Email, map[string]string{"ip": s.clientIP(r)}); err != nil {
			s.serverError(w, r, api, err)
			return
		}
		s.mfaRefuse(w, r, http.StatusBadRequest, "That code is not right. Check that your phone's clock is set automatically, and enter the code the app shows now.")
		return
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	if err := s.st.ConfirmTOTP(r.Context(), u.Email, u.ID, step, hashes); err != nil {
		s.serverError(w, r, api, err)
		return
	}
	s.showMFA(w, r, http.StatusOK, func(v *MFAView) {
		v.Codes, v.Enrolling = codes, false
		v.Done = "Your authenticator app is on: ward asks for its code after your password."
	})
}

// passwordAgain checks the password before a change to the second step.
func (s *Server) passwordAgain(r *http.Request) (bool, error) {
	p, err := actionParams(r, strings.HasPrefix(r.URL.Path, "/api/"))
	if err != nil {
		return false, err
	}
	ok, err := auth.CheckPassword(p["password"], currentUser(r).PasswordHash)
	return ok && err == nil, nil
}

func (s *Server) mfaRenew(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	if ok, err := s.passwordAgain(r); err != nil || !ok {
		s.mfaRefuse(w, r, http.StatusBadRequest, "The password is not right.")
		return
	}
	u := currentUser(r)
	if st, err := s.st.MFA(r.Context(), u.ID); err != nil || !st.On() {
		if err != nil {
			s.serverError(w, r, api, err)
			return
		}
		s.mfaRefuse(w, r, http.StatusConflict, "Recovery codes come with an authenticator app or a passkey: set one up first.")
		return
	}
	codes, hashes, err := newRecoveryCodes()
	if err == nil {
		err = s.st.RenewRecovery(r.Context(), u.Email, u.ID, hashes)
	}
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	s.showMFA(w, r, http.StatusOK, func(v *MFAView) {
		v.Codes = codes
		v.Done = "New recovery codes: the old ones no longer work."
	})
}

func (s *Server) mfaDisable(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	if ok, err := s.passwordAgain(r); err != nil || !ok {
		s.mfaRefuse(w, r, http.StatusBadRequest, "The password is not right.")
		return
	}
	u := currentUser(r)
	req, err := s.mfaRequiredBy(r, u.ID)
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	st, err := s.st.MFA(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	if len(req) > 0 && st.Passkeys == 0 {
		s.mfaRefuse(w, r, http.StatusConflict, strings.Join(req, ", ")+" requires a second step: you can set up a new app, but not turn it off.")
		return
	}
	err = s.st.DisableTOTP(r.Context(), u.Email, u.ID, false)
	if errors.Is(err, store.ErrNoChange) {
		s.mfaBack(w, r, "You had no authenticator app.")
		return
	}
	if err != nil {
		s.serverError(w, r, api, err)
		return
	}
	s.mfaBack(w, r, "Your authenticator app is off; your recovery codes no longer work.")
}
