package kit

import (
	"net/http"
	"strings"
)

// LinkBase is where links sent elsewhere begin: --base-url, else the
// address the request came to.
func (s *Server) LinkBase(r *http.Request) string {
	if s.Config.BaseURL != "" {
		return strings.TrimRight(s.Config.BaseURL, "/")
	}
	return s.BaseURL(r)
}
