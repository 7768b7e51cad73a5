package kit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

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
	ProviderName string
	base         string
	OAuth        oauth2.Config
	Verifier     *oidc.IDTokenVerifier
	EndSession   string
	Client       *http.Client
	Groups       string
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
		ProviderName: name,
		base:         base,
		OAuth: oauth2.Config{
			ClientID:     set.ClientID,
			ClientSecret: set.ClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  base + SSOCallbackPath,
			Scopes:       append([]string{oidc.ScopeOpenID}, scopes...),
		},
		Verifier:   p.Verifier(&oidc.Config{ClientID: set.ClientID}),
		EndSession: meta.EndSession,
		Client:     client,
		Groups:     groups,
	}, nil
}

// Name is what the login page calls the provider.
func (p *SSO) Name() string { return p.ProviderName }

// GroupsClaim is the ID token claim the groups are read from.
func (p *SSO) GroupsClaim() string { return p.Groups }

// RedirectURL is the redirect URI to register at the provider.
func (p *SSO) RedirectURL() string { return p.OAuth.RedirectURL }

// PostLogoutURL is the post-logout redirect URI to register.
func (p *SSO) PostLogoutURL() string { return p.base + SSOLogoutPath }

// EndSessionEndpoint is the provider's log-out address ("" when it
// publishes none).
func (p *SSO) EndSessionEndpoint() string { return p.EndSession }
