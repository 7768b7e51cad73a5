package workspace

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SSO is how single sign-on (ward serve --oidc-issuer) gives the
// organization's people their role, and whether they may still log in
// with a local password:
//
//	sso:
//	  groups: {ward-admins: admin, eng: editor}
//	  domains: {harbor.example: viewer}
//	  local_passwords: false
//	  break_glass: [ops@harbor.example]
//	  require_mfa: true
//
// At each single sign-on login the person's role here is the highest
// that any of their groups (the provider's groups claim) or their
// verified e-mail's domain maps to; none removes the role.
type SSO struct {
	// Groups maps a group the provider names in its groups claim to a
	// role.
	Groups map[string]string `yaml:"groups,omitempty" json:"groups,omitempty"`
	// Domains maps the domain of a verified e-mail address to a role.
	Domains map[string]string `yaml:"domains,omitempty" json:"domains,omitempty"`
	// LocalPasswords false turns password logins off for the
	// organization's members (nil or true: they stay on).
	LocalPasswords *bool `yaml:"local_passwords,omitempty" json:"local_passwords,omitempty"`
	// BreakGlass are the e-mail addresses of local accounts that may
	// still log in with their password when local passwords are off; each
	// such login is audited as login.break_glass. Single sign-on leaves
	// their role alone.
	BreakGlass []string `yaml:"break_glass,omitempty" json:"break_glass,omitempty"`
	// RequireMFA true: a single sign-on login that would give (or keep)
	// a role here is refused unless the provider reports a second factor
	// in the ID token's amr claim (store.SecondFactor).
	RequireMFA bool `yaml:"require_mfa,omitempty" json:"require_mfa,omitempty"`
}

// SSORoles are the roles an SSO mapping may grant, weakest first (the
// organization roles of the web app).
var SSORoles = []string{"member", "viewer", "auditor", "editor", "admin"}

// LocalPasswordsOff reports whether password logins are off for the
// organization's members.
func (s *SSO) LocalPasswordsOff() bool {
	return s != nil && s.LocalPasswords != nil && !*s.LocalPasswords
}

// IsBreakGlass reports whether email is on the break-glass list.
func (s *SSO) IsBreakGlass(email string) bool {
	if s == nil {
		return false
	}
	email = strings.ToLower(strings.TrimSpace(email))
	return slices.ContainsFunc(s.BreakGlass, func(b string) bool { return strings.EqualFold(strings.TrimSpace(b), email) })
}

// SSOMatch is why a mapping granted a role: a group or a domain.
type SSOMatch struct {
	Group  string `json:"group,omitempty"`
	Domain string `json:"domain,omitempty"`
	Role   string `json:"role"`
}

// RoleFor is the role a person with these groups and this (verified)
// e-mail gets: the highest any of them maps to, and every match; "" when
// none maps. Groups compare exactly (providers' group names are case-
// sensitive); domains without case.
func (s *SSO) RoleFor(groups []string, email string) (string, []SSOMatch) {
	if s == nil {
		return "", nil
	}
	var matches []SSOMatch
	best := ""
	rank := func(r string) int { return slices.Index(SSORoles, r) }
	consider := func(m SSOMatch) {
		matches = append(matches, m)
		if rank(m.Role) > rank(best) {
			best = m.Role
		}
	}
	gs := slices.Clone(groups)
	sort.Strings(gs)
	for _, g := range slices.Compact(gs) {
		if r, ok := s.Groups[g]; ok {
			consider(SSOMatch{Group: g, Role: r})
		}
	}
	if _, dom, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@"); ok {
		for d, r := range s.Domains {
			if strings.EqualFold(d, dom) {
				consider(SSOMatch{Domain: d, Role: r})
			}
		}
	}
	return best, matches
}

// checkSSO holds organization.sso to known roles, well-formed domains
// and addresses, and a break-glass account when local passwords are off.
func (c *checker) checkSSO() {
	o := c.ws.Organization.SSO
	if o == nil {
		return
	}
	const s = "organization"
	for _, g := range sortedKeys(o.Groups) {
		f := "sso.groups." + g
		if strings.TrimSpace(g) == "" {
			c.errf(s, 0, "sso.groups", "a group name is empty")
			continue
		}
		c.oneOf(s, 0, f, o.Groups[g], SSORoles, true)
	}
	for _, d := range sortedKeys(o.Domains) {
		f := "sso.domains." + d
		if !validDomain(d) {
			c.errf(s, 0, f, "%q is not an e-mail domain: give the part after the @, such as harbor.example", d)
			continue
		}
		c.oneOf(s, 0, f, o.Domains[d], SSORoles, true)
	}
	seen := map[string]int{}
	for j, e := range o.BreakGlass {
		f := fmt.Sprintf("sso.break_glass[%d]", j)
		n := strings.ToLower(strings.TrimSpace(e))
		if _, dom, ok := strings.Cut(n, "@"); !ok || !validDomain(dom) || strings.HasPrefix(n, "@") {
			c.errf(s, 0, f, "%q is not an e-mail address", e)
			continue
		}
		if first, dup := seen[n]; dup {
			c.errf(s, 0, f, "%q is already sso.break_glass[%d]", e, first)
		}
		seen[n] = j
	}
	if len(o.Groups) == 0 && len(o.Domains) == 0 && o.LocalPasswordsOff() {
		c.errf(s, 0, "sso.local_passwords", "is false, but sso maps no group and no domain to a role: no one could log in. Map groups or domains first")
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validDomain accepts a DNS name of at least two labels: letters, digits
// and inner hyphens.
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
