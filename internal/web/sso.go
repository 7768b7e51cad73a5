package web

// Single sign-on with OpenID Connect: ward is the relying party of the
// authorization-code flow with PKCE (S256), state and nonce.
//
// The relying party is github.com/coreos/go-oidc/v3 with
// golang.org/x/oauth2. go-oidc does discovery and ID token verification
// (the signature against the provider's JWKS, fetched and refreshed on
// key rotation; issuer; audience; expiry) and nothing else; oauth2 does
// the code exchange and PKCE. Both are small, widely deployed and
// maintained, and leave the session, the cookies and the pages to ward.
// zitadel/oidc's rp package would do the same but brings its own cookie
// and session handling and many more dependencies; its op package is used
// only by the tests, as the provider (internal/oidctest).

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
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
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/login/sso", Role: Public, Handler: (*Server).ssoStart},
		Route{Method: "GET", Pattern: "/login/sso/callback", Role: Public, Handler: (*Server).ssoCallback},
	)
}

// SSOCallbackPath is the redirect URI ward expects the provider to send
// the browser back to, under ward's address.
const SSOCallbackPath = "/login/sso/callback"

// SSOLogoutPath is where the provider sends the browser after its own log
// out (the post_logout_redirect_uri), under ward's address.
const SSOLogoutPath = "/login?reason=loggedout"

// SSOSettings configure single sign-on (ward serve --oidc-*).
type SSOSettings struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// BaseURL is ward's address as the browser reaches it: the redirect
	// URI is BaseURL + SSOCallbackPath.
	BaseURL string
	// Name is what the login page calls the provider ("Sign in with
	// Name"); default the issuer's host.
	Name string
	// Scopes asked for besides openid; default email and profile.
	Scopes []string
	// GroupsClaim is the ID token claim that names the person's groups
	// (default "groups"): a list of names or one name; a dotted name
	// (realm_access.roles) reaches into nested objects when no claim has
	// that exact name.
	GroupsClaim string
	// HTTPClient talks to the provider; default one with a 15-second
	// timeout.
	HTTPClient *http.Client
}

// SSO is a configured OpenID provider.
type SSO struct {
	name       string
	base       string
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
	client     *http.Client
	groups     string
}

// NewSSO reads the provider's discovery document and keys. It fails when
// the provider cannot be reached or its document is not for issuer.
func NewSSO(ctx context.Context, set SSOSettings) (*SSO, error) {
	if set.Issuer == "" || set.ClientID == "" {
		return nil, errors.New("single sign-on needs the issuer URL and the client id")
	}
	base := strings.TrimRight(set.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ward's address %q is not an http(s) URL: the provider redirects the browser back to it", set.BaseURL)
	}
	client := set.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	ctx = oidc.ClientContext(ctx, client)
	p, err := oidc.NewProvider(ctx, set.Issuer)
	if err != nil {
		return nil, fmt.Errorf("reading the provider's discovery document (%s/.well-known/openid-configuration): %w", strings.TrimRight(set.Issuer, "/"), err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, err
	}
	name := set.Name
	if name == "" {
		if u, err := url.Parse(set.Issuer); err == nil {
			name = u.Hostname()
		}
	}
	groups := strings.TrimSpace(set.GroupsClaim)
	if groups == "" {
		groups = "groups"
	}
	scopes := set.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	return &SSO{
		name: name,
		base: base,
		oauth: oauth2.Config{
			ClientID:     set.ClientID,
			ClientSecret: set.ClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  base + SSOCallbackPath,
			Scopes:       append([]string{oidc.ScopeOpenID}, scopes...),
		},
		verifier:   p.Verifier(&oidc.Config{ClientID: set.ClientID}),
		endSession: meta.EndSession,
		client:     client,
		groups:     groups,
	}, nil
}

// Name is what the login page calls the provider.
func (p *SSO) Name() string { return p.name }

// GroupsClaim is the ID token claim the groups are read from.
func (p *SSO) GroupsClaim() string { return p.groups }

// RedirectURL is the redirect URI to register at the provider.
func (p *SSO) RedirectURL() string { return p.oauth.RedirectURL }

// PostLogoutURL is the post-logout redirect URI to register.
func (p *SSO) PostLogoutURL() string { return p.base + SSOLogoutPath }

// EndSessionEndpoint is the provider's log-out address ("" when it
// publishes none).
func (p *SSO) EndSessionEndpoint() string { return p.endSession }

// ssoCookie binds a login under way to the browser that began it: it
// holds the state, which the provider's reply must carry back.
const ssoCookie = "ward_sso"

// ssoOutCookie remembers, for the logged-out page, which single sign-on
// session just ended (its token's hash), so that the page can offer the
// provider's log out.
const ssoOutCookie = "ward_sso_out"

// maxSSOStartsPerIP is how many single sign-on logins one client address
// may begin in the login window (15 minutes): higher than the failed
// password limit, since every start counts, and an office behind one
// address starts its day together.
const maxSSOStartsPerIP = 60

func ssoStartKey(ip string) limitKey { return limitKey{"sso-start:ip:" + ip, maxSSOStartsPerIP} }

func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.SSO
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	// Each start keeps a login under way in the database: starts are
	// counted per client address with the login form's limiter (in the
	// database, so every server counts the same), and past the limit the
	// login page answers 429 until the oldest start ages out.
	now, key := s.now(), ssoStartKey(s.clientIP(r))
	if blocked, wait := s.limiter.blocked(now, key); blocked {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.WarnContext(r.Context(), "single sign-on throttled", "ip", s.clientIP(r), "retry_after_s", secs)
		s.showLogin(w, r, http.StatusTooManyRequests, loginPage{Error: "Too many single sign-on attempts from your address. Try again in " + waitText(wait) + "."})
		return
	}
	s.limiter.fail(now, key)
	next := safeNext(r.URL.Query().Get("next"))
	state, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	nonce, err := auth.NewToken()
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	if err := s.st.BeginSSOLogin(r.Context(), store.SSOLogin{StateHash: auth.TokenHash(state), Nonce: nonce, Verifier: verifier, Next: next, Created: s.now()}); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	// Lax, not Strict: the provider's redirect back is a top-level
	// navigation from another site, which must carry the cookie.
	http.SetCookie(w, &http.Cookie{
		Name: ssoCookie, Value: state, Path: "/login/sso", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(store.SSOLoginTTL / time.Second),
	})
	http.Redirect(w, r, p.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// ssoFail shows the login page with why single sign-on did not log the
// person in, and records it (no account named: the reply is not trusted).
func (s *Server) ssoFail(w http.ResponseWriter, r *http.Request, status int, why, msg string) {
	ip := s.clientIP(r)
	if err := s.st.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, "", map[string]string{"ip": ip, "reason": "single sign-on: " + why}); err != nil && !isCanceled(err) {
		s.log.ErrorContext(r.Context(), "record failed single sign-on", "err", err)
	}
	s.log.WarnContext(r.Context(), "single sign-on refused", "ip", ip, "reason", why)
	s.showLogin(w, r, status, loginPage{Error: msg})
}

// ssoClaims are the ID token's claims ward reads; the groups are read
// apart (claimGroups), from the claim --oidc-groups-claim names.
type ssoClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

// verified reads email_verified: true, or the string "true" that some
// providers send.
func (c ssoClaims) verified() bool {
	var b bool
	if json.Unmarshal(c.EmailVerified, &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(c.EmailVerified, &s) == nil && strings.EqualFold(s, "true")
}

// claimGroups reads the groups from the claim named name among the ID
// token's claims: a list of names (entries that are not text are
// skipped), or one name as text (Okta can send a single group so). A
// name with dots that no claim has exactly is a path into nested
// objects: realm_access.roles is Keycloak's realm roles.
func claimGroups(claims map[string]json.RawMessage, name string) []string {
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

func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.SSO
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(ssoCookie)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		// A reply for a login this browser did not begin (login CSRF), or
		// a cookie gone with the browser's restart.
		s.ssoFail(w, r, http.StatusBadRequest, "state mismatch", "The reply from "+p.name+" does not belong to a sign-in begun in this browser. Start again with the button below.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/login/sso", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	l, err := s.st.TakeSSOLogin(ctx, auth.TokenHash(state))
	if errors.Is(err, store.ErrNotFound) {
		s.ssoFail(w, r, http.StatusBadRequest, "state unknown, used or expired", "That sign-in was already used or took longer than "+humanDuration(store.SSOLoginTTL)+". Start again with the button below.")
		return
	}
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	if e := q.Get("error"); e != "" {
		msg := p.name + " did not sign you in (" + clipText(e, 80)
		if d := q.Get("error_description"); d != "" {
			msg += ": " + clipText(d, 200)
		}
		s.ssoFail(w, r, http.StatusUnauthorized, "provider error "+clipText(e, 80), msg+").")
		return
	}
	pctx := oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth.Exchange(pctx, q.Get("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		s.log.WarnContext(ctx, "single sign-on code exchange", "err", err)
		s.ssoFail(w, r, http.StatusUnauthorized, "code exchange refused", p.name+" refused to complete the sign-in (the code was refused or already used). Start again with the button below.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.ssoFail(w, r, http.StatusUnauthorized, "no ID token", p.name+" sent no ID token. Start again, or ask your administrator to check the provider's settings.")
		return
	}
	idt, err := p.verifier.Verify(pctx, raw)
	if err != nil {
		s.log.WarnContext(ctx, "single sign-on ID token", "err", err)
		s.ssoFail(w, r, http.StatusUnauthorized, "ID token not valid", "The ID token from "+p.name+" is not valid (signature, issuer, audience or expiry). Start again with the button below.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		s.ssoFail(w, r, http.StatusUnauthorized, "nonce mismatch", "The ID token from "+p.name+" was not issued for this sign-in (nonce mismatch). Start again with the button below.")
		return
	}
	var cl ssoClaims
	var all map[string]json.RawMessage
	if err := idt.Claims(&cl); err != nil || idt.Claims(&all) != nil {
		s.ssoFail(w, r, http.StatusUnauthorized, "claims unreadable", "The ID token's claims could not be read.")
		return
	}
	groups := claimGroups(all, p.groups)
	sort.Strings(groups)
	refuse := func(reason string) {
		s.renderStatus(w, r, http.StatusForbidden, "sso_refused.html", ssoRefusedPage{Provider: p.name, Email: cl.Email, Groups: groups, Reason: reason})
	}
	if cl.Email == "" || !cl.verified() {
		s.ssoFail(w, r, http.StatusForbidden, "e-mail missing or not verified", p.name+" did not send a verified e-mail address (email_verified must be true), which ward matches accounts by. Ask your administrator.")
		return
	}
	amr := claimGroups(all, "amr") // a list of method names, as groups are
	res, err := s.st.SignInSSO(ctx, store.SSOIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, Name: cl.Name, Groups: groups, AMR: amr})
	var ref *store.SSORefusal
	var mfaRef *store.SSOMFARefusal
	switch {
	case errors.As(err, &mfaRef):
		var names []string
		for _, o := range mfaRef.Orgs {
			names = append(names, o.Name)
		}
		s.log.WarnContext(ctx, "single sign-on: no second factor", "ip", s.clientIP(r), "amr", strings.Join(amr, ","))
		s.renderStatus(w, r, http.StatusForbidden, "sso_refused.html", ssoRefusedPage{Provider: p.name, Email: cl.Email, Groups: groups,
			Reason: strings.Join(names, ", ") + " requires a second factor at sign-in, and " + p.name + " did not report one", MFA: true, AMR: amr})
		return
	case errors.As(err, &ref):
		s.log.WarnContext(ctx, "single sign-on: no role mapped", "ip", s.clientIP(r))
		refuse("none of them is mapped to a role in any organization on this ward")
		return
	case errors.Is(err, store.ErrSSODisabled):
		refuse("the ward account with this e-mail address is disabled")
		return
	case err != nil:
		s.serverError(w, r, false, err)
		return
	}
	u := res.User
	if err := s.st.RecordAccount(ctx, u.Email, store.EventLogin, u.Email, map[string]string{"ip": s.clientIP(r), "via": "single sign-on", "issuer": idt.Issuer}); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	if err := s.startSession(w, r, u, false); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	if hash := s.sessionSet(w); hash != "" {
		if err := s.st.SetSSOSession(ctx, hash, raw); err != nil {
			s.log.ErrorContext(ctx, "keep the single sign-on session's ID token", "err", err)
		}
	}
	s.log.InfoContext(ctx, "login", "user_id", u.ID, "ip", s.clientIP(r), "via", "sso", "created", res.Created, "linked", res.Linked)
	http.Redirect(w, r, safeNext(l.Next), http.StatusSeeOther)
}

// sessionSet is the hash of the session token startSession has just set
// on w ("" if none): read back from the Set-Cookie header, so that the
// session code need not change for single sign-on.
func (s *Server) sessionSet(w http.ResponseWriter) string {
	for _, c := range (&http.Response{Header: w.Header()}).Cookies() {
		if c.Name == s.cookieName() && c.Value != "" {
			return auth.TokenHash(c.Value)
		}
	}
	return ""
}

// ssoLoggingOut is called by the log out before the session ends: for a
// single sign-on session, it leaves a cookie by which the logged-out page
// offers the provider's log out.
func (s *Server) ssoLoggingOut(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	if s.cfg.SSO == nil || sess == nil || s.cfg.SSO.endSession == "" {
		return
	}
	if _, err := s.st.SSOSession(r.Context(), sess.TokenHash); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: ssoOutCookie, Value: sess.TokenHash, Path: "/login", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600,
	})
}

// ssoLogoutURL is the provider's end-session URL for the single sign-on
// session that the browser just logged out of ("" when none).
func (s *Server) ssoLogoutURL(r *http.Request) string {
	p := s.cfg.SSO
	if p == nil || p.endSession == "" {
		return ""
	}
	c, err := r.Cookie(ssoOutCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	if _, err := s.st.SessionByHash(r.Context(), c.Value); !errors.Is(err, store.ErrNotFound) {
		return "" // only for a session that has ended
	}
	idToken, err := s.st.SSOSession(r.Context(), c.Value)
	if err != nil {
		return ""
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", p.PostLogoutURL())
	q.Set("client_id", p.oauth.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// ssoLogin fills the login page's single sign-on parts. The provider's
// log out is offered once: coming back from it, the page does not offer
// it again.
func (s *Server) ssoLogin(w http.ResponseWriter, r *http.Request, p *loginPage) {
	if s.cfg.SSO == nil {
		return
	}
	p.SSOName = s.cfg.SSO.name
	if r.URL.Query().Get("reason") == "loggedout" {
		if p.SSOLogout = s.ssoLogoutURL(r); p.SSOLogout != "" {
			http.SetCookie(w, &http.Cookie{Name: ssoOutCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
		}
	}
}

// localPasswordRefused enforces organization.sso.local_passwords on a
// password login whose password was right: a member of an organization
// that turned local passwords off is refused (and the refusal recorded)
// unless the account is on that organization's break-glass list, whose
// login is recorded as login.break_glass on the accounts' trail and on
// each such organization's. It reports whether it answered.
func (s *Server) localPasswordRefused(w http.ResponseWriter, r *http.Request, u store.User, p loginPage) bool {
	ctx := r.Context()
	refused, glass, err := s.st.LocalPasswordCheck(ctx, u.ID, u.Email)
	if err != nil {
		s.serverError(w, r, false, err)
		return true
	}
	ip := s.clientIP(r)
	if len(refused) > 0 {
		var names []string
		for _, o := range refused {
			names = append(names, o.Name)
		}
		if err := s.st.RecordAccount(ctx, u.Email, store.EventLoginFailed, u.Email, map[string]string{"ip": ip, "reason": "local passwords are off in " + strings.Join(names, ", ")}); err != nil && !isCanceled(err) {
			s.log.ErrorContext(ctx, "record refused password login", "err", err)
		}
		s.log.WarnContext(ctx, "password login refused: local passwords off", "user_id", u.ID, "ip", ip)
		p.Error = strings.Join(names, ", ") + " turned local passwords off: use single sign-on."
		if s.cfg.SSO != nil {
			p.Error = strings.Join(names, ", ") + " turned local passwords off: use single sign-on (Sign in with " + s.cfg.SSO.name + ")."
		}
		s.showLogin(w, r, http.StatusForbidden, p)
		return true
	}
	for _, o := range glass {
		data := map[string]string{"ip": ip, "org": o.Slug}
		if err := s.st.RecordAccount(ctx, u.Email, store.EventBreakGlass, u.Email, data); err != nil {
			s.serverError(w, r, false, err)
			return true
		}
		if err := s.st.Org(o).Record(ctx, u.Email, store.EventBreakGlass, "membership", u.Email, map[string]string{"ip": ip}); err != nil {
			s.serverError(w, r, false, err)
			return true
		}
		s.log.WarnContext(ctx, "break-glass password login", "user_id", u.ID, "org", o.Slug, "ip", ip)
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
