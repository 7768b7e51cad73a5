// Package oidctest runs a real OpenID Connect provider on loopback for
// ward's single sign-on tests: the provider side is the `op` package of
// github.com/zitadel/oidc/v3 (discovery, JWKS, the authorization, token
// and end-session endpoints, PKCE, ID token signing), over a small
// in-memory storage written here, with a login page and a consent page.
// Its users carry a groups claim.
//
// Only tests import it; it must not be imported by the ward binary.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is someone who can sign in at the provider.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Password      string
	Groups        []string
}

// Provider is a running OpenID provider.
type Provider struct {
	// Issuer is the provider's URL (http://127.0.0.1:PORT).
	Issuer       string
	ClientID     string
	ClientSecret string

	st  *storage
	srv *http.Server
}

// Start runs a provider on loopback until the test ends, with one
// confidential client (web application, client_secret_basic) whose
// redirect and post-logout URIs are set with AllowRedirect and
// AllowPostLogout.
func Start(t testing.TB, users ...User) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), ClientID: "ward-test", ClientSecret: "s3cret-" + rand.Text()}
	p.st = &storage{
		key:      key,
		users:    map[string]User{},
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]token{},
		client:   &client{id: p.ClientID, secret: p.ClientSecret},
	}
	for _, u := range users {
		p.st.users[u.Subject] = u
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		DefaultLogoutRedirectURI: "/logged-out",
	}, p.st, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	callback := op.AuthCallbackURL(provider)
	login := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.HandleFunc("GET /ui/login", p.loginPage)
	mux.Handle("POST /ui/login", login.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.login(w, r, callback) }))
	mux.Handle("POST /ui/consent", login.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.consent(w, r, callback) }))
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "signed out of the provider") })
	mux.Handle("/", provider)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go p.srv.Serve(ln)
	t.Cleanup(func() { p.srv.Close() })
	return p
}

// AllowRedirect registers a redirect URI of the client (ward's callback).
func (p *Provider) AllowRedirect(uri string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.client.redirects = append(p.st.client.redirects, uri)
}

// AllowPostLogout registers a post-logout redirect URI of the client.
func (p *Provider) AllowPostLogout(uri string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.client.postLogout = append(p.st.client.postLogout, uri)
}

// SetGroups changes a user's groups, as an administrator of the provider
// would.
func (p *Provider) SetGroups(subject string, groups ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	u := p.st.users[subject]
	u.Groups = groups
	p.st.users[subject] = u
}

// GroupsClaim makes the next ID tokens carry the users' groups in the
// claim name instead of groups, always (as Azure sends roles): a dotted
// name nests one level (realm_access.roles: {"realm_access": {"roles":
// [...]}}, as Keycloak does); asText sends the first group as one text
// value rather than a list. "" goes back to the groups claim, sent for
// the groups scope.
func (p *Provider) GroupsClaim(name string, asText bool) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.groupsClaim, p.st.groupsText = name, asText
}

// SetAMR sets the authentication methods (RFC 8176) the next ID tokens
// report in their amr claim, as a provider does after its own login:
// nil goes back to ["pwd"]; an empty list sends no amr claim.
func (p *Provider) SetAMR(methods []string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.amr = slices.Clone(methods)
	if methods != nil && p.st.amr == nil {
		p.st.amr = []string{}
	}
}

// ForgeNonce makes the next ID tokens carry this nonce instead of the one
// the client asked for ("" goes back to the client's): the reply of
// another login, replayed.
func (p *Provider) ForgeNonce(n string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.forgedNonce = n
}

// Requests are the authorization requests the provider received, in
// order: what the client asked for (PKCE method, nonce, scopes).
func (p *Provider) Requests() []oidc.AuthRequest {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return slices.Clone(p.st.log)
}

// Authorize signs subject in for the authorization request id without a
// browser, as the login and consent pages do; CallbackURL is then where
// the provider sends the browser on.
func (p *Provider) Authorize(ctx context.Context, id, subject string) error {
	return p.st.finish(id, subject)
}

var page = template.Must(template.New("").Parse(`<!doctype html><title>Test provider</title>
{{if .Consent}}<h1>Allow ward?</h1><p>ward will see your e-mail address and groups.</p>
<form method="post" action="/ui/consent"><input type="hidden" name="id" value="{{.ID}}"><button id="allow" type="submit">Allow</button></form>
{{else}}<h1>Sign in to the test provider</h1>{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/ui/login"><input type="hidden" name="id" value="{{.ID}}">
<label>E-mail <input id="username" name="username"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="signin" type="submit">Sign in</button></form>{{end}}`))

type pageData struct {
	ID, Error string
	Consent   bool
}

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	page.Execute(w, pageData{ID: r.URL.Query().Get("id")})
}

// login checks the e-mail and password, then asks for consent.
func (p *Provider) login(w http.ResponseWriter, r *http.Request, _ func(context.Context, string) string) {
	id := r.PostFormValue("id")
	sub := p.st.check(r.PostFormValue("username"), r.PostFormValue("password"))
	if sub == "" {
		w.WriteHeader(http.StatusUnauthorized)
		page.Execute(w, pageData{ID: id, Error: "wrong e-mail or password"})
		return
	}
	p.st.mu.Lock()
	if ar, ok := p.st.requests[id]; ok {
		ar.pendingSubject = sub
	}
	p.st.mu.Unlock()
	page.Execute(w, pageData{ID: id, Consent: true})
}

func (p *Provider) consent(w http.ResponseWriter, r *http.Request, callback func(context.Context, string) string) {
	id := r.PostFormValue("id")
	p.st.mu.Lock()
	ar, ok := p.st.requests[id]
	sub := ""
	if ok {
		sub = ar.pendingSubject
	}
	p.st.mu.Unlock()
	if sub == "" {
		http.Error(w, "no login in progress", http.StatusBadRequest)
		return
	}
	if err := p.st.finish(id, sub); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
}

// CallbackURL is where the provider sends a browser once request id is
// authorized (for tests without a browser).
func (p *Provider) CallbackURL(id string) string {
	return p.Issuer + "/authorize/callback?id=" + id
}

// The storage.

type storage struct {
	mu          sync.Mutex
	key         *rsa.PrivateKey
	users       map[string]User
	requests    map[string]*authRequest
	codes       map[string]string // code → request id
	tokens      map[string]token
	client      *client
	forgedNonce string
	log         []oidc.AuthRequest
	// groupsClaim, when set, is where the groups go instead of the
	// groups claim (see GroupsClaim); groupsText sends the first group as
	// text instead of a list.
	groupsClaim string
	groupsText  bool
	// amr is what the next ID tokens report in amr (SetAMR).
	amr []string
}

type token struct {
	subject string
	scopes  []string
	expires time.Time
}

func (s *storage) check(email, password string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Email == email && u.Password == password {
			return u.Subject
		}
	}
	return ""
}

func (s *storage) finish(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, ok := s.requests[id]
	if !ok {
		return errors.New("no such authorization request")
	}
	if _, ok := s.users[subject]; !ok {
		return errors.New("no such user")
	}
	ar.subject, ar.done, ar.authTime = subject, true, time.Now()
	ar.amr = []string{"pwd"}
	if s.amr != nil {
		ar.amr = slices.Clone(s.amr)
	}
	return nil
}

type notFound struct{ what string }

func (e notFound) Error() string { return e.what + " not found" }
func (notFound) IsNotFound()     {}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, *req)
	ar := &authRequest{id: newID(), req: *req, created: time.Now()}
	if s.forgedNonce != "" {
		ar.req.Nonce = s.forgedNonce
	}
	s.requests[ar.id] = ar
	return ar, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ar, ok := s.requests[id]; ok {
		return ar, nil
	}
	return nil, notFound{"auth request"}
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, notFound{"code"}
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once a code is exchanged: the code cannot
// be used again.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, exp := newID(), time.Now().Add(5*time.Minute)
	s.tokens[id] = token{subject: req.GetSubject(), scopes: req.GetScopes(), expires: exp}
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("refresh tokens are not offered")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tok, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tok)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct{ k *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.k }
func (k signingKey) ID() string                                  { return keyID(&k.k.PublicKey) }

type publicKey struct{ k *rsa.PublicKey }

func (k publicKey) ID() string                         { return keyID(k.k) }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.k }

func keyID(k *rsa.PublicKey) string {
	sum := sha256.Sum256(k.N.Bytes())
	return hex.EncodeToString(sum[:8])
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return signingKey{s.key}, nil }
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{&s.key.PublicKey}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.client.id {
		return nil, notFound{"client"}
	}
	c := *s.client
	return &c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return errors.New("wrong client id or secret")
	}
	return nil
}

func (s *storage) userinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[subject]
	if !ok {
		return notFound{"user"}
	}
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeOpenID:
			info.Subject = u.Subject
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = u.Name
		case "groups":
			if s.groupsClaim == "" {
				info.AppendClaims("groups", slices.Clone(u.Groups))
			}
		}
	}
	if s.groupsClaim != "" {
		var v any = slices.Clone(u.Groups)
		if s.groupsText && len(u.Groups) > 0 {
			v = u.Groups[0]
		}
		if outer, inner, nested := strings.Cut(s.groupsClaim, "."); nested {
			info.AppendClaims(outer, map[string]any{inner: v})
		} else {
			info.AppendClaims(s.groupsClaim, v)
		}
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(info, req.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return errors.New("token is invalid or has expired")
	}
	return s.userinfo(info, t.subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok {
		return errors.New("token is invalid")
	}
	resp.Active, resp.Subject = true, t.subject
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("no JWT profile keys")
}

func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *storage) Health(context.Context) error { return nil }

// authRequest is one authorization request.
type authRequest struct {
	id             string
	req            oidc.AuthRequest
	created        time.Time
	pendingSubject string // signed in, consent not yet given
	subject        string
	done           bool
	authTime       time.Time
	amr            []string
}

func (a *authRequest) GetID() string         { return a.id }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return a.amr }
func (a *authRequest) GetAudience() []string { return []string{a.req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.authTime
}
func (a *authRequest) GetClientID() string { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }

// client is ward, a confidential web application.
type client struct {
	id, secret            string
	redirects, postLogout []string
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string    { return c.postLogout }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return "/ui/login?id=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return 5 * time.Minute }
func (c *client) DevMode() bool                       { return false }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(scope string) bool     { return scope == "groups" }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
