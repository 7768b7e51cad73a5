package login

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/login/sso", Role: kit.Public, Handler: ssoStart},
		kit.Route{Method: "GET", Pattern: "/login/sso/callback", Role: kit.Public, Handler: ssoCallback},
	)
}

// SSOCookie binds a login under way to the browser that began it: it
// holds the state, which the provider's reply must carry back.
const SSOCookie = "ward_sso"

// ssoOutCookie remembers, for the logged-out page, which single sign-on
// session just ended (its token's hash), so that the page can offer the
// provider's log out.
const ssoOutCookie = "ward_sso_out"

// MaxSSOStartsPerIP is how many single sign-on logins one client address
// may begin in the login window (15 minutes): higher than the failed
// password limit, since every start counts, and an office behind one
// address starts its day together.
const MaxSSOStartsPerIP = 60

func ssoStartKey(ip string) kit.LimitKey {
	return kit.LimitKey{Key: "sso-start:ip:" + ip, Max: MaxSSOStartsPerIP}
}

func ssoStart(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p := s.Config.SSO
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	// Each start keeps a login under way in the database: starts are
	// counted per client address with the login form's limiter (in the
	// database, so every server counts the same), and past the limit the
	// login page answers 429 until the oldest start ages out.
	now, key := s.Now(), ssoStartKey(s.ClientIP(r))
	if blocked, wait := s.Limiter.Blocked(r.Context(), now, key); blocked {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.Log.WarnContext(r.Context(), "single sign-on throttled", "ip", s.ClientIP(r), "retry_after_s", secs)
		showLogin(s, w, r, http.StatusTooManyRequests, loginPage{Error: "Too many single sign-on attempts from your address. Try again in " + waitText(wait) + "."})
		return
	}
	s.Limiter.Fail(r.Context(), now, key)
	next := kit.SafeNext(r.URL.Query().Get("next"))
	state, err := auth.NewToken()
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	nonce, err := auth.NewToken()
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	if err := s.Store.BeginSSOLogin(r.Context(), store.SSOLogin{StateHash: auth.TokenHash(state), Nonce: nonce, Verifier: verifier, Next: next, Created: s.Now()}); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	// Lax, not Strict: the provider's redirect back is a top-level
	// navigation from another site, which must carry the cookie.
	http.SetCookie(w, &http.Cookie{
		Name: SSOCookie, Value: state, Path: "/login/sso", HttpOnly: true,
		Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(store.SSOLoginTTL / time.Second),
	})
	http.Redirect(w, r, p.OAuth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// ssoFail shows the login page with why single sign-on did not log the
// person in, and records it (no account named: the reply is not trusted).
func ssoFail(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, why, msg string) {
	ip := s.ClientIP(r)
	if err := s.Store.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, "", map[string]string{"ip": ip, "reason": "single sign-on: " + why}); err != nil && !kit.IsCanceled(err) {
		s.Log.ErrorContext(r.Context(), "record failed single sign-on", "err", err)
	}
	s.Log.WarnContext(r.Context(), "single sign-on refused", "ip", ip, "reason", why)
	showLogin(s, w, r, status, loginPage{Error: msg})
}

// SSOClaims are the ID token's claims ward reads; the groups are read
// apart (ClaimGroups), from the claim --oidc-groups-claim names.
type SSOClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

// Verified reads email_verified: true, or the string "true" that some
// providers send.
func (c SSOClaims) Verified() bool {
	var b bool
	if json.Unmarshal(c.EmailVerified, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(c.EmailVerified, &s) == nil && strings.EqualFold(s, "true")
}

// ClaimGroups reads the groups from the claim named name among the ID
// token's claims: a list of names (entries that are not text are
// skipped), or one name as text (Okta can send a single group so). A
// name with dots that no claim has exactly is a path into nested
// objects: realm_access.roles is Keycloak's realm roles.
func ClaimGroups(claims map[string]json.RawMessage, name string) []string {
	raw, ok := claims[name]
	if !ok && strings.Contains(name, ".") {
		parts := strings.Split(name, ".")
		cur := claims
		for i, part := range parts {
			v, found := cur[part]
			if !found {
				return nil
			}
			if i == len(parts)-1 {
				raw, ok = v, true
				break
			}
			cur = nil
			if json.Unmarshal(v, &cur) != nil || cur == nil {
				return nil
			}
		}
	}
	if !ok {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one = strings.TrimSpace(one); one != "" {
			return []string{one}
		}
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		if json.Unmarshal(item, &one) == nil && strings.TrimSpace(one) != "" {
			out = append(out, strings.TrimSpace(one))
		}
	}
	return out
}

// ssoRefusedPage is the 403 for a verified person whom no organization
// maps to a role.
type ssoRefusedPage struct {
	Provider string
	Email    string
	Groups   []string
	Reason   string
	// MFA: refused for want of a second factor (organization.sso.
	// require_mfa); AMR is what the ID token's amr claim reported.
	MFA bool
	AMR []string
}

func ssoCallback(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p := s.Config.SSO
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(SSOCookie)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		// A reply for a login this browser did not begin (login CSRF), or
		// a cookie gone with the browser's restart.
		ssoFail(s, w, r, http.StatusBadRequest, "state mismatch", "The reply from "+p.ProviderName+" does not belong to a sign-in begun in this browser. Start again with the button below.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SSOCookie, Value: "", Path: "/login/sso", MaxAge: -1, HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode})
	l, err := s.Store.TakeSSOLogin(ctx, auth.TokenHash(state))
	if errors.Is(err, store.ErrNotFound) {
		ssoFail(s, w, r, http.StatusBadRequest, "state unknown, used or expired", "That sign-in was already used or took longer than "+kit.HumanDuration(store.SSOLoginTTL)+". Start again with the button below.")
		return
	}
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if e := q.Get("error"); e != "" {
		msg := p.ProviderName + " did not sign you in (" + clipText(e, 80)
		if d := q.Get("error_description"); d != "" {
			msg += ": " + clipText(d, 200)
		}
		ssoFail(s, w, r, http.StatusUnauthorized, "provider error "+clipText(e, 80), msg+").")
		return
	}
	pctx := oidc.ClientContext(ctx, p.Client)
	tok, err := p.OAuth.Exchange(pctx, q.Get("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		s.Log.WarnContext(ctx, "single sign-on code exchange", "err", err)
		ssoFail(s, w, r, http.StatusUnauthorized, "code exchange refused", p.ProviderName+" refused to complete the sign-in (the code was refused or already used). Start again with the button below.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		ssoFail(s, w, r, http.StatusUnauthorized, "no ID token", p.ProviderName+" sent no ID token. Start again, or ask your administrator to check the provider's settings.")
		return
	}
	idt, err := p.Verifier.Verify(pctx, raw)
	if err != nil {
		s.Log.WarnContext(ctx, "single sign-on ID token", "err", err)
		ssoFail(s, w, r, http.StatusUnauthorized, "ID token not valid", "The ID token from "+p.ProviderName+" is not valid (signature, issuer, audience or expiry). Start again with the button below.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		ssoFail(s, w, r, http.StatusUnauthorized, "nonce mismatch", "The ID token from "+p.ProviderName+" was not issued for this sign-in (nonce mismatch). Start again with the button below.")
		return
	}
	var cl SSOClaims
	var all map[string]json.RawMessage
	if err := idt.Claims(&cl); err != nil || idt.Claims(&all) != nil {
		ssoFail(s, w, r, http.StatusUnauthorized, "claims unreadable", "The ID token's claims could not be read.")
		return
	}
	groups := ClaimGroups(all, p.Groups)
	sort.Strings(groups)
	refuse := func(reason string) {
		s.RenderStatus(w, r, http.StatusForbidden, "sso_refused.html", ssoRefusedPage{Provider: p.ProviderName, Email: cl.Email, Groups: groups, Reason: reason})
	}
	if cl.Email == "" || !cl.Verified() {
		ssoFail(s, w, r, http.StatusForbidden, "e-mail missing or not verified", p.ProviderName+" did not send a verified e-mail address (email_verified must be true), which ward matches accounts by. Ask your administrator.")
		return
	}
	amr := ClaimGroups(all, "amr") // a list of method names, as groups are
	res, err := s.Store.SignInSSO(ctx, store.SSOIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, Name: cl.Name, Groups: groups, AMR: amr})
	var ref *store.SSORefusal
	var mfaRef *store.SSOMFARefusal
	switch {
	case errors.As(err, &mfaRef):
		var names []string
		for _, o := range mfaRef.Orgs {
			names = append(names, o.Name)
		}
		s.Log.WarnContext(ctx, "single sign-on: no second factor", "ip", s.ClientIP(r), "amr", strings.Join(amr, ","))
		s.RenderStatus(w, r, http.StatusForbidden, "sso_refused.html", ssoRefusedPage{Provider: p.ProviderName, Email: cl.Email, Groups: groups,
			Reason: strings.Join(names, ", ") + " requires a second factor at sign-in, and " + p.ProviderName + " did not report one", MFA: true, AMR: amr})
		return
	case errors.As(err, &ref):
		s.Log.WarnContext(ctx, "single sign-on: no role mapped", "ip", s.ClientIP(r))
		refuse("none of them is mapped to a role in any organization on this ward")
		return
	case errors.Is(err, store.ErrSSODisabled):
		refuse("the ward account with this e-mail address is disabled")
		return
	case err != nil:
		s.ServerError(w, r, false, err)
		return
	}
	u := res.User
	if err := s.Store.RecordAccount(ctx, u.Email, store.EventLogin, u.Email, map[string]string{"ip": s.ClientIP(r), "via": "single sign-on", "issuer": idt.Issuer}); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if err := s.StartSession(w, r, u, false); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	if hash := sessionSet(s, w); hash != "" {
		if err := s.Store.SetSSOSession(ctx, hash, raw); err != nil {
			s.Log.ErrorContext(ctx, "keep the single sign-on session's ID token", "err", err)
		}
	}
	s.Log.InfoContext(ctx, "login", "user_id", u.ID, "ip", s.ClientIP(r), "via", "sso", "created", res.Created, "linked", res.Linked)
	http.Redirect(w, r, kit.SafeNext(l.Next), http.StatusSeeOther)
}

// sessionSet is the hash of the session token StartSession has just set
// on w ("" if none): read back from the Set-Cookie header, so that the
// session code need not change for single sign-on.
func sessionSet(s *kit.Server, w http.ResponseWriter) string {
	for _, c := range (&http.Response{Header: w.Header()}).Cookies() {
		if c.Name == s.CookieName() && c.Value != "" {
			return auth.TokenHash(c.Value)
		}
	}
	return ""
}

// ssoLoggingOut is called by the log out before the session ends: for a
// single sign-on session, it leaves a cookie by which the logged-out page
// offers the provider's log out.
func ssoLoggingOut(s *kit.Server, w http.ResponseWriter, r *http.Request, sess *store.Session) {
	if s.Config.SSO == nil || sess == nil || s.Config.SSO.EndSession == "" {
		return
	}
	if _, err := s.Store.SSOSession(r.Context(), sess.TokenHash); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: ssoOutCookie, Value: sess.TokenHash, Path: "/login", HttpOnly: true,
		Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600,
	})
}

// ssoLogoutURL is the provider's end-session URL for the single sign-on
// session that the browser just logged out of ("" when none).
func ssoLogoutURL(s *kit.Server, r *http.Request) string {
	p := s.Config.SSO
	if p == nil || p.EndSession == "" {
		return ""
	}
	c, err := r.Cookie(ssoOutCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	if _, err := s.Store.SessionByHash(r.Context(), c.Value); !errors.Is(err, store.ErrNotFound) {
		return "" // only for a session that has ended
	}
	idToken, err := s.Store.SSOSession(r.Context(), c.Value)
	if err != nil {
		return ""
	}
	u, err := url.Parse(p.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", p.PostLogoutURL())
	q.Set("client_id", p.OAuth.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// serveSsoLogin fills the login page's single sign-on parts. The provider's
// log out is offered once: coming back from it, the page does not offer
// it again.
func serveSsoLogin(s *kit.Server, w http.ResponseWriter, r *http.Request, p *loginPage) {
	if s.Config.SSO == nil {
		return
	}
	p.SSOName = s.Config.SSO.ProviderName
	if r.URL.Query().Get("reason") == "loggedout" {
		if p.SSOLogout = ssoLogoutURL(s, r); p.SSOLogout != "" {
			http.SetCookie(w, &http.Cookie{Name: ssoOutCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteLaxMode})
		}
	}
}

// localPasswordRefused enforces organization.sso.local_passwords on a
// password login whose password was right: a member of an organization
// that turned local passwords off is refused (and the refusal recorded)
// unless the account is on that organization's break-glass list, whose
// login is recorded as login.break_glass on the accounts' trail and on
// each such organization's. It reports whether it answered.
func localPasswordRefused(s *kit.Server, w http.ResponseWriter, r *http.Request, u store.User, p loginPage) bool {
	ctx := r.Context()
	refused, glass, err := s.Store.LocalPasswordCheck(ctx, u.ID, u.Email)
	if err != nil {
		s.ServerError(w, r, false, err)
		return true
	}
	ip := s.ClientIP(r)
	if len(refused) > 0 {
		var names []string
		for _, o := range refused {
			names = append(names, o.Name)
		}
		if err := s.Store.RecordAccount(ctx, u.Email, store.EventLoginFailed, u.Email, map[string]string{"ip": ip, "reason": "local passwords are off in " + strings.Join(names, ", ")}); err != nil && !kit.IsCanceled(err) {
			s.Log.ErrorContext(ctx, "record refused password login", "err", err)
		}
		s.Log.WarnContext(ctx, "password login refused: local passwords off", "user_id", u.ID, "ip", ip)
		p.Error = strings.Join(names, ", ") + " turned local passwords off: use single sign-on."
		if s.Config.SSO != nil {
			p.Error = strings.Join(names, ", ") + " turned local passwords off: use single sign-on (Sign in with " + s.Config.SSO.ProviderName + ")."
		}
		showLogin(s, w, r, http.StatusForbidden, p)
		return true
	}
	for _, o := range glass {
		data := map[string]string{"ip": ip, "org": o.Slug}
		if err := s.Store.RecordAccount(ctx, u.Email, store.EventBreakGlass, u.Email, data); err != nil {
			s.ServerError(w, r, false, err)
			return true
		}
		if err := s.Store.Org(o).Record(ctx, u.Email, store.EventBreakGlass, "membership", u.Email, map[string]string{"ip": ip}); err != nil {
			s.ServerError(w, r, false, err)
			return true
		}
		s.Log.WarnContext(ctx, "break-glass password login", "user_id", u.ID, "org", o.Slug, "ip", ip)
	}
	return false
}

// clipText keeps the first n bytes of what a provider sent (whole runes).
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
