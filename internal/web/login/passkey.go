package login

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
)

// Passkeys (WebAuthn) as a second login step (issue 15), beside the
// authenticator app of mfa.go: a person registers one or more on
// /account/mfa, and after the password uses one instead of a code. A
// passkey counts as the second step an organization's require_mfa asks
// for.
//
// The ceremonies are JSON endpoints that static/passkey.js calls (the
// Content-Security-Policy allows no inline script): begin makes a
// challenge, kept in the database (so that another server on the same
// database can finish it) and named by a token the browser sends back;
// finish takes it, once, checks it is young and belongs to the same
// session or half-finished login, and has github.com/go-webauthn/webauthn
// verify the authenticator's answer. Registration endpoints are behind
// the session's CSRF token; the login's behind the login form's
// double-submit cookie, like the code form.
//
// The relying party is ward's host name: from --base-url, or, without
// it, the request's host when that is localhost (browsers allow WebAuthn
// on http://localhost only; an IP address cannot be a relying party).

func init() {
	kit.Register(
		kit.Route{Method: "POST", Pattern: "/login/mfa/passkey/begin", Role: kit.Public, Handler: passkeyLoginBegin},
		kit.Route{Method: "POST", Pattern: "/login/mfa/passkey/finish", Role: kit.Public, Handler: passkeyLoginFinish},
		kit.Route{Method: "POST", Pattern: "/api/v1/account/mfa/passkeys/begin", Role: kit.AnyUser, Handler: passkeyRegisterBegin},
		kit.Route{Method: "POST", Pattern: "/api/v1/account/mfa/passkeys/finish", Role: kit.AnyUser, Handler: passkeyRegisterFinish},
	)
	for _, base := range []string{"/account/mfa", "/api/v1/account/mfa"} {
		kit.Register(kit.Route{Method: "POST", Pattern: base + "/passkeys/{id}/retire", Role: kit.AnyUser, Handler: passkeyRetire})
	}
}

const (
	// PasskeyWindow is how long a ceremony's challenge lives: the
	// browser's own timeout (the library's default, 5 minutes) and a
	// little more.
	PasskeyWindow = 6 * time.Minute
	// passkeyNameMax bounds a passkey's name.
	passkeyNameMax = 64
	// passkeyBody bounds a ceremony's JSON (an attestation with its
	// certificates fits many times over).
	passkeyBody = 64 << 10
)

// errNoParty: ward cannot name its relying party for this request.
var ErrNoParty = errors.New("passkeys need ward's address: start ward serve with --base-url https://YOUR-HOST (or open ward at http://localhost:PORT)")

// PasskeyParty is the WebAuthn relying party for r.
func PasskeyParty(s *kit.Server, r *http.Request) (*webauthn.WebAuthn, error) {
	var rpID, origin string
	if s.Config.BaseURL != "" {
		u, err := url.Parse(s.Config.BaseURL)
		if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("--base-url %q is not an http(s) address: %w", s.Config.BaseURL, ErrNoParty)
		}
		rpID, origin = u.Hostname(), u.Scheme+"://"+u.Host
	} else {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host != "localhost" {
			return nil, ErrNoParty
		}
		scheme := "http"
		if r.TLS != nil || s.Config.Secure {
			scheme = "https"
		}
		rpID, origin = host, scheme+"://"+r.Host
	}
	return webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: "ward",
		RPOrigins:     []string{origin},
		// No attestation: ward trusts any authenticator the person
		// chooses, and asks nothing that identifies its make.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
	})
}

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct {
	u      store.User
	handle []byte
	keys   []store.Passkey
	creds  []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return p.handle }
func (p *passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return cmpOr(p.u.Name, p.u.Email) }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// passkeyCeremonyFor is what every ceremony's handler starts with: the
// relying party for this request's host, and u as the library's user with
// their passkeys for it. On false it has answered the request (409 when
// passkeys do not work at this address, 500 on a database error).
func passkeyCeremonyFor(s *kit.Server, w http.ResponseWriter, r *http.Request, u store.User) (*webauthn.WebAuthn, *passkeyUser, bool) {
	party, err := PasskeyParty(s, r)
	if err != nil {
		s.Fail(w, r, true, http.StatusConflict, err.Error())
		return nil, nil, false
	}
	pu, err := passkeyUserFor(s, r, u, party.Config.RPID)
	if err != nil {
		s.ServerError(w, r, true, err)
		return nil, nil, false
	}
	return party, pu, true
}

// passkeyUserFor loads u's passkeys made for rpID, leaving out those
// flagged as possibly cloned.
func passkeyUserFor(s *kit.Server, r *http.Request, u store.User, rpID string) (*passkeyUser, error) {
	h, err := s.Store.PasskeyHandle(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	keys, err := s.Store.Passkeys(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	pu := &passkeyUser{u: u, handle: h}
	for _, k := range keys {
		if k.RPID != rpID || !k.CloneWarning.IsZero() {
			continue
		}
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return nil, fmt.Errorf("passkey %d: stored record unreadable: %w", k.ID, err)
		}
		pu.keys = append(pu.keys, k)
		pu.creds = append(pu.creds, c)
	}
	return pu, nil
}

// ceremonyStart is what begin answers: the token naming the challenge,
// and the options for navigator.credentials.create or get.
type ceremonyStart struct {
	Ceremony  string `json:"ceremony"`
	PublicKey any    `json:"publicKey"`
}

// ceremonyEnd is what the browser sends to finish.
type ceremonyEnd struct {
	Ceremony   string          `json:"ceremony"`
	Name       string          `json:"name,omitempty"`
	Credential json.RawMessage `json:"credential"`
}

func keepCeremony(s *kit.Server, r *http.Request, c store.PasskeyCeremony, sd *webauthn.SessionData) (string, error) {
	raw, err := json.Marshal(sd)
	if err != nil {
		return "", err
	}
	tok, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	c.Session = raw
	return tok, s.Store.CreatePasskeyCeremony(r.Context(), auth.TokenHash(tok), c, s.Now())
}

// takeCeremony reads the finish's body and takes its ceremony, which
// must be of kind, for userID, bound to boundTo and young. The message
// says what went wrong in words for the person.
func takeCeremony(s *kit.Server, r *http.Request, kind string, userID int64, boundTo string) (ceremonyEnd, webauthn.SessionData, string, error) {
	var end ceremonyEnd
	var sd webauthn.SessionData
	if err := strictjson.Decode(r.Body, passkeyBody, &end); err != nil || end.Ceremony == "" || len(end.Credential) == 0 {
		return end, sd, "The request could not be read: reload the page and try again.", errors.New("bad body")
	}
	c, err := s.Store.TakePasskeyCeremony(r.Context(), auth.TokenHash(end.Ceremony))
	if errors.Is(err, store.ErrNotFound) {
		return end, sd, "This passkey request was used already or is unknown: try again.", err
	}
	if err != nil {
		return end, sd, "", err
	}
	if c.Kind != kind || c.UserID != userID || c.BoundTo != boundTo || s.Now().Sub(c.Created) > PasskeyWindow {
		return end, sd, "This passkey request expired or belongs to another login: try again.", store.ErrNotFound
	}
	if err := json.Unmarshal(c.Session, &sd); err != nil {
		return end, sd, "", err
	}
	return end, sd, "", nil
}

// protocolDetail is what the library says is wrong with a passkey's
// answer, for the trail.
func protocolDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.Details != "" {
			return pe.Details
		}
		return pe.Type
	}
	return err.Error()
}

// Registration, on /account/mfa.

func passkeyRegisterBegin(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	u, sess := kit.CurrentUser(r), kit.Info(r).Session
	if sess == nil {
		s.Fail(w, r, true, http.StatusBadRequest, "a passkey is registered from a browser logged in to ward, not with an API token")
		return
	}
	party, pu, ok := passkeyCeremonyFor(s, w, r, u)
	if !ok {
		return
	}
	creation, sd, err := party.BeginRegistration(pu, webauthn.WithExclusions(webauthn.Credentials(pu.creds).CredentialDescriptors()))
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	tok, err := keepCeremony(s, r, store.PasskeyCeremony{Kind: "register", UserID: u.ID, BoundTo: sess.TokenHash}, sd)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.WriteJSON(w, http.StatusOK, ceremonyStart{Ceremony: tok, PublicKey: creation.Response})
}

func passkeyRegisterFinish(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	u, sess := kit.CurrentUser(r), kit.Info(r).Session
	if sess == nil {
		s.Fail(w, r, true, http.StatusBadRequest, "a passkey is registered from a browser logged in to ward, not with an API token")
		return
	}
	end, sd, msg, err := takeCeremony(s, r, "register", u.ID, sess.TokenHash)
	if err != nil {
		if msg == "" {
			s.ServerError(w, r, true, err)
			return
		}
		s.Fail(w, r, true, http.StatusBadRequest, msg)
		return
	}
	name := strings.Join(strings.Fields(end.Name), " ")
	if name == "" || utf8.RuneCountInString(name) > passkeyNameMax {
		s.Fail(w, r, true, http.StatusBadRequest, fmt.Sprintf("Name the passkey (up to %d characters), for example “work laptop”, so you can tell it apart later.", passkeyNameMax))
		return
	}
	party, pu, ok := passkeyCeremonyFor(s, w, r, u)
	if !ok {
		return
	}
	refuse := func(why error) {
		if err := s.Store.RecordAccount(r.Context(), u.Email, store.EventPasskeyRefused, u.Email, map[string]string{"ip": s.ClientIP(r), "name": name, "reason": protocolDetail(why)}); err != nil {
			s.ServerError(w, r, true, err)
			return
		}
		s.Fail(w, r, true, http.StatusBadRequest, "The passkey could not be verified, so it was not added: "+protocolDetail(why))
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(end.Credential)
	if err != nil {
		refuse(err)
		return
	}
	cred, err := party.CreateCredential(pu, sd, parsed)
	if err != nil {
		refuse(err)
		return
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	p, err := s.Store.AddPasskey(r.Context(), u.Email, u.ID, store.Passkey{
		Name: name, RPID: party.Config.RPID, CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID),
		Credential: raw, SignCount: cred.Authenticator.SignCount,
	})
	if errors.Is(err, store.ErrConflict) {
		s.Fail(w, r, true, http.StatusConflict, "This passkey is registered already.")
		return
	}
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, passkeyAdded{
		Done:    "Passkey “" + p.Name + "” added: after your password, ward offers it in place of a code.",
		Passkey: p,
	})
}

// passkeyAdded answers a registration.
type passkeyAdded struct {
	Done    string        `json:"done"`
	Passkey store.Passkey `json:"passkey"`
}

func passkeyRetire(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := kit.IsAPIPath(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		mfaRefuse(s, w, r, http.StatusNotFound, "No such passkey.")
		return
	}
	if ok, err := passwordAgain(s, r); err != nil || !ok {
		mfaRefuse(s, w, r, http.StatusBadRequest, "The password is not right.")
		return
	}
	u := kit.CurrentUser(r)
	st, err := s.Store.MFA(r.Context(), u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	req, err := mfaRequiredBy(s, r, u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if len(req) > 0 && !st.TOTP && st.Passkeys <= 1 {
		mfaRefuse(s, w, r, http.StatusConflict, strings.Join(req, ", ")+" requires a second step, and this is your last: add another passkey or an authenticator app first.")
		return
	}
	err = s.Store.RetirePasskey(r.Context(), u.Email, u.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		mfaRefuse(s, w, r, http.StatusNotFound, "No such passkey (or it was removed already).")
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	mfaBack(s, w, r, "The passkey is removed: it no longer logs in to ward. (Your device still lists it; you may delete it there.)")
}

// The login's second step with a passkey.

// passkeyLoginCheck is the half-finished login of r and its account, or
// the status and message to answer. The login form's double-submit
// token comes in the X-CSRF-Token header.
func passkeyLoginCheck(s *kit.Server, w http.ResponseWriter, r *http.Request) (string, store.User, bool) {
	hash, ch, err := mfaChallenge(s, r)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, true, err)
			return "", store.User{}, false
		}
		clearMFACookie(s, w)
		// 400, not 401: this is not a refused credential but a login
		// that is not (or no longer) under way.
		s.Fail(w, r, true, http.StatusBadRequest, "No login is under way (it timed out, or had too many wrong tries): log in again.")
		return "", store.User{}, false
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.Header.Get(kit.CSRFHeader))) != 1 {
		s.Fail(w, r, true, http.StatusBadRequest, "The page expired: reload it and try again.")
		return "", store.User{}, false
	}
	u, err := s.Store.UserByID(r.Context(), ch.UserID)
	if err != nil {
		s.ServerError(w, r, true, err)
		return "", store.User{}, false
	}
	return hash, u, true
}

func passkeyLoginBegin(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	hash, u, ok := passkeyLoginCheck(s, w, r)
	if !ok {
		return
	}
	party, pu, ok := passkeyCeremonyFor(s, w, r, u)
	if !ok {
		return
	}
	if len(pu.creds) == 0 || u.Disabled {
		s.Fail(w, r, true, http.StatusConflict, "You have no passkey for this address: use your authenticator app or a recovery code.")
		return
	}
	assertion, sd, err := party.BeginLogin(pu)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	tok, err := keepCeremony(s, r, store.PasskeyCeremony{Kind: "login", UserID: u.ID, BoundTo: hash}, sd)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.WriteJSON(w, http.StatusOK, ceremonyStart{Ceremony: tok, PublicKey: assertion.Response})
}

func passkeyLoginFinish(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	hash, u, ok := passkeyLoginCheck(s, w, r)
	if !ok {
		return
	}
	ip, now := s.ClientIP(r), s.Now()
	if blocked, wait := s.Limiter.Blocked(r.Context(), now, kit.EmailKey(u.Email)); blocked {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		s.Fail(w, r, true, http.StatusTooManyRequests, "Too many failed logins. Try again in "+waitText(wait)+".")
		return
	}
	end, sd, msg, err := takeCeremony(s, r, "login", u.ID, hash)
	if err != nil {
		if msg == "" {
			s.ServerError(w, r, true, err)
			return
		}
		s.Fail(w, r, true, http.StatusBadRequest, msg)
		return
	}
	// refuse counts a refused passkey like a wrong code: against the
	// account's limit and the login's tries, on the trail.
	refuse := func(reason, msg string) {
		s.Limiter.Fail(r.Context(), now, kit.EmailKey(u.Email))
		n, err := s.Store.FailMFAChallenge(r.Context(), hash)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.ServerError(w, r, true, err)
			return
		}
		if rerr := s.Store.RecordAccount(r.Context(), "anonymous", store.EventLoginFailed, u.Email, map[string]string{"ip": ip, "reason": "passkey refused: " + reason}); rerr != nil && !kit.IsCanceled(rerr) {
			s.Log.ErrorContext(r.Context(), "record failed login", "err", rerr)
		}
		s.Log.WarnContext(r.Context(), "login second step failed", "ip", ip, "user_id", u.ID, "how", "passkey")
		if n >= MFATries {
			_ = s.Store.EndMFAChallenge(r.Context(), hash)
			clearMFACookie(s, w)
		}
		s.Fail(w, r, true, http.StatusUnauthorized, msg)
	}
	if u.Disabled {
		refuse("account disabled", "That passkey does not log in to this account.")
		return
	}
	party, pu, ok := passkeyCeremonyFor(s, w, r, u)
	if !ok {
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(end.Credential)
	if err != nil {
		refuse(protocolDetail(err), "That passkey's answer could not be read.")
		return
	}
	cred, err := party.ValidateLogin(pu, sd, parsed)
	if err != nil {
		refuse(protocolDetail(err), "That passkey does not log in to this account (it is unknown, removed, or its answer is wrong).")
		return
	}
	var key store.Passkey
	var old webauthn.Credential
	for i, k := range pu.keys {
		if string(pu.creds[i].ID) == string(cred.ID) {
			key, old = k, pu.creds[i]
		}
	}
	if key.ID == 0 {
		refuse("credential not found", "That passkey does not log in to this account.")
		return
	}
	if cred.Authenticator.CloneWarning {
		// The library's advice: the counter did not go up, so two copies
		// of the key may exist; what to do is ours. ward refuses the
		// passkey from now on and says so on the trail.
		if err := s.Store.FlagPasskeyClone(r.Context(), "anonymous", u.ID, key.ID, map[string]any{
			"ip": ip, "name": key.Name, "stored_count": old.Authenticator.SignCount, "presented_count": parsed.Response.AuthenticatorData.Counter,
		}); err != nil {
			s.ServerError(w, r, true, err)
			return
		}
		refuse("signature counter went backwards (possible clone)", "That passkey's counter went backwards, a sign it may have been copied: ward no longer accepts it. Use your authenticator app or a recovery code, then remove it and register a new one.")
		return
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	err = s.Store.UsePasskey(r.Context(), u.ID, key.ID, old.Authenticator.SignCount, cred.Authenticator.SignCount, raw)
	if errors.Is(err, store.ErrConflict) {
		refuse("removed or used meanwhile", "That passkey was removed or used at the same moment elsewhere: try again.")
		return
	}
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	if err := mfaLoggedIn(s, w, r, u, hash, map[string]string{"ip": ip, "second_step": "passkey", "passkey": key.Name}); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, map[string]string{"next": kit.SafeNext(r.URL.Query().Get("next"))})
}
