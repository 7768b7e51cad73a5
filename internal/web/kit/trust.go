package kit

import (
	"net/http"
)

// BaseURL is the address the request came to, for the feed's absolute
// links: https when ward is served over TLS (Config.Secure).
func (s *Server) BaseURL(r *http.Request) string {
	scheme := "http"
	if s.Config.Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
