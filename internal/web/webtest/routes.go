package webtest

import (
	"regexp"
	"strings"
)

var Wildcard = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// IsTrustPath: the public trust center, the same for whoever asks.
func IsTrustPath(p string) bool {
	return strings.HasPrefix(p, "/trust/") || strings.HasPrefix(p, "/api/v1/trust/")
}
