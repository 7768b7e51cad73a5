package kit

import (
	"strings"
)

// enrolOnly reports whether a route stays open to a session that must
// set up its second step first.
func enrolOnly(rt Route) bool {
	p := strings.TrimPrefix(rt.Pattern, "/api/v1")
	return p == "/account/mfa" || strings.HasPrefix(p, "/account/mfa/") || p == "/logout"
}
