package login

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
	"ward/internal/web/kit"
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
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/login/mfa", Role: kit.Public, Handler: mfaLoginForm},
		kit.Route{Method: "POST", Pattern: "/login/mfa", Role: kit.Public, Handler: mfaLogin},
	)
	for _, base := range []string{"/account/mfa", "/api/v1/account/mfa"} {
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: kit.AnyUser, Handler: mfaPage},
			kit.Route{Method: "POST", Pattern: base + "/totp/start", Role: kit.AnyUser, Handler: mfaStart},
			kit.Route{Method: "POST", Pattern: base + "/totp/confirm", Role: kit.AnyUser, Handler: mfaConfirm},
			kit.Route{Method: "POST", Pattern: base + "/totp/disable", Role: kit.AnyUser, Handler: mfaDisable},
			kit.Route{Method: "POST", Pattern: base + "/recovery", Role: kit.AnyUser, Handler: mfaRenew},
		)
	}
}

const (
	// mfaCookie holds the half-finished login between the password and
	// the code; like the login form's cookie it is sent only to /login.
	mfaCookie = "ward_mfa"
	// mfaWindow is how long the second step may take.
	mfaWindow = 5 * time.Minute
	// MFATries is how many wrong codes one password entry allows.
	MFATries = 5
	// RecoveryCount codes are made at a time.
	RecoveryCount = 10
	totpIssuer    = "ward"
)

var TOTPOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// CheckTOTP finds the time step, within one step of now either way (a
// phone's clock drifts), whose code is code; ok false when none is.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((cur+d)*30, 0), TOTPOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return cur + d, true
		}
	}
	return 0, false
}

// TOTPURI is what the app reads from the QR code.
func TOTPURI(email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(totpIssuer+":"+email) + "?" + v.Encode()
}

// QRSVG draws text as a QR code, one square per dark module, with the
// four-module quiet zone scanners need; no script, no inline style.
func QRSVG(text string) (template.HTML, error) {
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

// newRecoveryCodes makes RecoveryCount codes of 80 random bits, written
// xxxx-xxxx-xxxx-xxxx (no 0/o or 1/l to confuse), and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCount {
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
func mfaRequiredBy(s *kit.Server, r *http.Request, userID int64) ([]string, error) {
	ms, err := s.Store.Memberships(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		var o workspace.Organization
		err := s.Store.Org(m.Org).Get(r.Context(), store.KindOrganization, store.OrganizationKey, &o)
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

// The login's second step.

type mfaLoginPage struct {
	Next  string
	Token string
	Error string
	// TOTP and Passkeys: what the account has (passkey.go).
	TOTP     bool
	Passkeys bool
}

func mfaChallenge(s *kit.Server, r *http.Request) (string, store.MFAChallenge, error) {
	c, err := r.Cookie(mfaCookie)
	if err != nil || c.Value == "" {
		return "", store.MFAChallenge{}, store.ErrNotFound
	}
	hash := auth.TokenHash(c.Value)
	ch, err := s.Store.MFAChallengeByHash(r.Context(), hash)
	if err != nil {
		return "", ch, err
	}
	if s.Now().Sub(ch.Created) > mfaWindow || ch.Attempts >= MFATries {
		_ = s.Store.EndMFAChallenge(r.Context(), hash)
		return "", ch, store.ErrNotFound
	}
	return hash, ch, nil
}

func showMFALogin(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, p mfaLoginPage) {
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
	if p.Next == "/" {
		p.Next = ""
	}
	if _, ch, err := mfaChallenge(s, r); err == nil {
		st, err := s.Store.MFA(r.Context(), ch.UserID)
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		p.TOTP, p.Passkeys = st.TOTP, st.Passkeys > 0
	}
	s.RenderStatus(w, r, status, "login_mfa.html", p)
}

func mfaLoginForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if _, _, err := mfaChallenge(s, r); err != nil {
		http.Redirect(w, r, "/login?reason=mfa", http.StatusFound)
		return
	}
	showMFALogin(s, w, r, http.StatusOK, mfaLoginPage{Next: kit.SafeNext(r.URL.Query().Get("next"))})
}

func clearMFACookie(s *kit.Server, w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: mfaCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.Config.Secure})
}

func mfaLogin(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		showMFALogin(s, w, r, http.StatusBadRequest, mfaLoginPage{Error: "The form could not be read. Please try again."})
		return
	}
	p := mfaLoginPage{Next: kit.SafeNext(r.PostForm.Get("next"))}
	hash, ch, err := mfaChallenge(s, r)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, false, err)
			return
		}
		clearMFACookie(s, w)
		http.Redirect(w, r, "/login?reason=mfa", http.StatusSeeOther)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(kit.CSRFField))) != 1 {
		p.Error = "The form expired. Please enter the code again."
		showMFALogin(s, w, r, http.StatusBadRequest, p)
		return
	}
	u, err := s.Store.UserByID(r.Context(), ch.UserID)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	ip, now := s.ClientIP(r), s.Now()
	if blocked, wait := s.Limiter.Blocked(r.Context(), now, kit.EmailKey(u.Email)); blocked {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		p.Error = "Too many failed logins. Try again in " + waitText(wait) + "."
		showMFALogin(s, w, r, http.StatusTooManyRequests, p)
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
		secret, _, err := s.Store.ActiveTOTP(r.Context(), u.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, false, err)
			return
		}
		if step, good := CheckTOTP(secret, digits, now); err == nil && good {
			// A code already used (replayed, or typed twice) is refused.
			err := s.Store.UseTOTPStep(r.Context(), u.ID, step)
			if err != nil && !errors.Is(err, store.ErrConflict) {
				s.ServerError(w, r, false, err)
				return
			}
			how, ok = "authenticator app", err == nil
		}
	default:
		_, err := s.Store.UseRecoveryCode(r.Context(), u.Email, u.ID, recoveryHash(code), ip)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, false, err)
			return
		}
		how, ok = "recovery code", err == nil
	}
	if !ok {
		s.Limiter.Fail(r.Context(), now, kit.EmailKey(u.Email))
		n, err := s.Store.FailMFAChallenge(r.Context(), hash)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, false, err)
			return
		}
		if rerr := s.Store.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, u.Email, map[string]string{"ip": ip, "reason": "wrong second-step code"}); rerr != nil && !kit.IsCanceled(rerr) {
			s.Log.ErrorContext(r.Context(), "record failed login", "err", rerr)
		}
		s.Log.WarnContext(r.Context(), "login second step failed", "ip", ip, "user_id", u.ID)
		if n >= MFATries {
			_ = s.Store.EndMFAChallenge(r.Context(), hash)
			clearMFACookie(s, w)
			http.Redirect(w, r, "/login?reason=mfa", http.StatusSeeOther)
			return
		}
		p.Error = "That code is not right (or was used already). Enter the 6-digit code your app shows now, or a recovery code."
		showMFALogin(s, w, r, http.StatusUnauthorized, p)
		return
	}
	if err := mfaLoggedIn(s, w, r, u, hash, map[string]string{"ip": ip, "second_step": how}); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// mfaLoggedIn ends the login's second step for u (challenge hash),
// records the login with data, and starts the session.
func mfaLoggedIn(s *kit.Server, w http.ResponseWriter, r *http.Request, u store.User, hash string, data map[string]string) error {
	if err := s.Store.EndMFAChallenge(r.Context(), hash); err != nil {
		return err
	}
	s.Limiter.Succeed(r.Context(), kit.EmailKey(u.Email))
	if err := s.Store.RecordAccount(r.Context(), u.Email, store.EventLogin, u.Email, data); err != nil {
		return err
	}
	if err := s.StartSession(w, r, u, false); err != nil {
		return err
	}
	s.SetDeviceCookie(w, u.Email, s.Now())
	clearMFACookie(s, w)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.Config.Secure})
	s.Log.InfoContext(r.Context(), "login", "user_id", u.ID, "ip", data["ip"], "second_step", data["second_step"])
	return nil
}

// startMFAChallenge is the login after a right password, for an account
// with an authenticator app: the code is asked next.
func startMFAChallenge(s *kit.Server, w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.Store.CreateMFAChallenge(r.Context(), auth.TokenHash(tok), u.ID, s.Now()); err != nil {
		return err
	}
	if err := s.Store.RecordAccount(r.Context(), u.Email, store.EventMFAChallenge, u.Email, map[string]string{"ip": s.ClientIP(r)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: mfaCookie, Value: tok, Path: "/login", HttpOnly: true,
		Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: int(mfaWindow.Seconds()),
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

func mfaView(s *kit.Server, r *http.Request) (MFAView, error) {
	u := kit.CurrentUser(r)
	v := MFAView{Done: r.URL.Query().Get("done"), Enrolling: kit.Info(r).Session != nil && kit.Info(r).Session.MFAEnrol}
	var err error
	if v.MFAState, err = s.Store.MFA(r.Context(), u.ID); err != nil {
		return v, err
	}
	if v.RequiredBy, err = mfaRequiredBy(s, r, u.ID); err != nil {
		return v, err
	}
	if v.RequiredBy == nil {
		v.RequiredBy = []string{}
	}
	if v.PasskeyList, err = s.Store.Passkeys(r.Context(), u.ID); err != nil {
		return v, err
	}
	if party, err := PasskeyParty(s, r); err != nil {
		v.PasskeyOff = err.Error()
	} else {
		v.PasskeyHost = party.Config.RPID
	}
	if v.Pending {
		if v.Secret, err = s.Store.PendingTOTP(r.Context(), u.ID); err != nil {
			return v, err
		}
		uri := TOTPURI(u.Email, v.Secret)
		// The otpauth: scheme is not one html/template trusts; this URI
		// is ward's own making.
		v.URI = template.URL(uri)
		if v.QR, err = QRSVG(uri); err != nil {
			return v, err
		}
	}
	return v, nil
}

func showMFA(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, edit func(*MFAView)) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	v, err := mfaView(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if edit != nil {
		edit(&v)
	}
	if api {
		if v.Error != "" {
			kit.WriteJSON(w, status, kit.ErrorBody{Error: v.Error})
			return
		}
		kit.WriteJSON(w, status, v)
		return
	}
	if v.Codes != nil {
		// The codes are on this page only: not kept by the browser.
		w.Header().Set("Cache-Control", "no-store")
	}
	s.RenderStatus(w, r, status, "account_mfa.html", v)
}

func mfaPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	showMFA(s, w, r, http.StatusOK, nil)
}

func mfaBack(s *kit.Server, w http.ResponseWriter, r *http.Request, done string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		showMFA(s, w, r, http.StatusOK, nil)
		return
	}
	http.Redirect(w, r, "/account/mfa?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}

func mfaRefuse(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, msg string) {
	showMFA(s, w, r, status, func(v *MFAView) { v.Error = msg })
}

func mfaStart(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	u := kit.CurrentUser(r)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, SecretSize: 20})
	if err != nil {
		s.ServerError(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
		return
	}
	err = s.Store.StartTOTP(r.Context(), u.Email, u.ID, key.Secret())
	if errors.Is(err, store.ErrConflict) {
		mfaRefuse(s, w, r, http.StatusConflict, "You have an authenticator app already. To move to another, turn this one off first.")
		return
	}
	if err != nil {
		s.ServerError(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
		return
	}
	mfaBack(s, w, r, "Scan the code with your authenticator app, then enter the code it shows.")
}

func mfaConfirm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	p, err := actionParams(r, api)
	if err != nil {
		mfaRefuse(s, w, r, http.StatusBadRequest, err.Error())
		return
	}
	u := kit.CurrentUser(r)
	secret, err := s.Store.PendingTOTP(r.Context(), u.ID)
	if errors.Is(err, store.ErrNotFound) {
		mfaRefuse(s, w, r, http.StatusConflict, "No authenticator app is being set up: start again.")
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	step, ok := CheckTOTP(secret, p["code"], s.Now())
	if !ok {
		if err := s.Store.RecordAccount(r.Context(), u.Email, "mfa.totp.wrong-code", u.Email, map[string]string{"ip": s.ClientIP(r)}); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		mfaRefuse(s, w, r, http.StatusBadRequest, "That code is not right. Check that your phone's clock is set automatically, and enter the code the app shows now.")
		return
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if err := s.Store.ConfirmTOTP(r.Context(), u.Email, u.ID, step, hashes); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	showMFA(s, w, r, http.StatusOK, func(v *MFAView) {
		v.Codes, v.Enrolling = codes, false
		v.Done = "Your authenticator app is on: ward asks for its code after your password."
	})
}

// passwordAgain checks the password before a change to the second step.
func passwordAgain(s *kit.Server, r *http.Request) (bool, error) {
	p, err := actionParams(r, strings.HasPrefix(r.URL.Path, "/api/"))
	if err != nil {
		return false, err
	}
	ok, err := auth.CheckPassword(p["password"], kit.CurrentUser(r).PasswordHash)
	return ok && err == nil, nil
}

func mfaRenew(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	if ok, err := passwordAgain(s, r); err != nil || !ok {
		mfaRefuse(s, w, r, http.StatusBadRequest, "The password is not right.")
		return
	}
	u := kit.CurrentUser(r)
	if st, err := s.Store.MFA(r.Context(), u.ID); err != nil || !st.On() {
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		mfaRefuse(s, w, r, http.StatusConflict, "Recovery codes come with an authenticator app or a passkey: set one up first.")
		return
	}
	codes, hashes, err := newRecoveryCodes()
	if err == nil {
		err = s.Store.RenewRecovery(r.Context(), u.Email, u.ID, hashes)
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	showMFA(s, w, r, http.StatusOK, func(v *MFAView) {
		v.Codes = codes
		v.Done = "New recovery codes: the old ones no longer work."
	})
}

func mfaDisable(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	if ok, err := passwordAgain(s, r); err != nil || !ok {
		mfaRefuse(s, w, r, http.StatusBadRequest, "The password is not right.")
		return
	}
	u := kit.CurrentUser(r)
	req, err := mfaRequiredBy(s, r, u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	st, err := s.Store.MFA(r.Context(), u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if len(req) > 0 && st.Passkeys == 0 {
		mfaRefuse(s, w, r, http.StatusConflict, strings.Join(req, ", ")+" requires a second step: you can set up a new app, but not turn it off.")
		return
	}
	err = s.Store.DisableTOTP(r.Context(), u.Email, u.ID, false)
	if errors.Is(err, store.ErrNoChange) {
		mfaBack(s, w, r, "You had no authenticator app.")
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	mfaBack(s, w, r, "Your authenticator app is off; your recovery codes no longer work.")
}
