package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"ward/internal/web"
)

// ssoFlags are `ward serve`'s single sign-on settings (OpenID Connect).
// Like every serve setting they also come from $WARD_OIDC_ISSUER, ... and
// the config file (config.go); the client secret is read from a file,
// never given on the command line.
type ssoFlags struct {
	issuer, clientID, secretFile, name, scopes, groupsClaim string
}

func (f *ssoFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.issuer, "oidc-issuer", "", "single sign-on: the OpenID provider's issuer URL (its /.well-known/openid-configuration is read at start) ($WARD_OIDC_ISSUER)")
	fs.StringVar(&f.clientID, "oidc-client-id", "", "single sign-on: ward's client id at the provider ($WARD_OIDC_CLIENT_ID)")
	fs.StringVar(&f.secretFile, "oidc-client-secret-file", "", "single sign-on: a file holding ward's client secret ($WARD_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&f.name, "oidc-name", "", "single sign-on: the provider's name on the login page, \"Sign in with NAME\" (default the issuer's host) ($WARD_OIDC_NAME)")
	fs.StringVar(&f.scopes, "oidc-scopes", "email,profile", "single sign-on: scopes asked for besides openid, comma-separated; add groups when the provider sends the groups claim only for that scope ($WARD_OIDC_SCOPES)")
	fs.StringVar(&f.groupsClaim, "oidc-groups-claim", "groups", "single sign-on: the ID token claim holding the person's groups, a list or one name (roles for Azure app roles; a dotted name such as realm_access.roles reaches into nested objects) ($WARD_OIDC_GROUPS_CLAIM)")
}

// open reads the provider's discovery document; nil without
// --oidc-issuer. base is ward's address as browsers reach it (--base-url,
// else the listening address).
func (f *ssoFlags) open(ctx context.Context, base string) (*web.SSO, error) {
	if f.issuer == "" {
		if f.clientID != "" || f.secretFile != "" {
			return nil, BadInput("serve: --oidc-client-id and --oidc-client-secret-file need --oidc-issuer")
		}
		return nil, nil
	}
	if f.clientID == "" {
		return nil, BadInput("serve --oidc-issuer needs --oidc-client-id (ward's client id at the provider)")
	}
	if f.secretFile == "" {
		return nil, BadInput("serve --oidc-issuer needs --oidc-client-secret-file (a file holding ward's client secret)")
	}
	b, err := os.ReadFile(f.secretFile)
	if err != nil {
		return nil, BadInput("serve --oidc-client-secret-file: %v", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return nil, BadInput("serve --oidc-client-secret-file: %s is empty", f.secretFile)
	}
	var scopes []string
	for _, s := range strings.Split(f.scopes, ",") {
		if s = strings.TrimSpace(s); s != "" && s != "openid" {
			scopes = append(scopes, s)
		}
	}
	p, err := web.NewSSO(ctx, web.SSOSettings{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: secret, BaseURL: base, Name: f.name, Scopes: scopes, GroupsClaim: f.groupsClaim})
	if err != nil {
		return nil, BadInput("serve --oidc-issuer: %v", err)
	}
	return p, nil
}

// ssoBanner is what `ward serve` prints at start when single sign-on is
// on: what to register at the provider.
func ssoBanner(p *web.SSO, issuer string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nSingle sign-on with %s (%s) is on; groups are read from the ID token's %q claim. Register at the provider:\n\n    redirect URI:              %s\n", p.Name(), issuer, p.GroupsClaim(), p.RedirectURL())
	if p.EndSessionEndpoint() != "" {
		fmt.Fprintf(&b, "    post-logout redirect URI:  %s\n", p.PostLogoutURL())
	} else {
		b.WriteString("\nThe provider publishes no end_session_endpoint: logging out ends the ward session only.\n")
	}
	return b.String()
}
