package kit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP is the address of the person's browser: the connection's
// address, unless that is one of the trusted proxies (--trusted-proxy),
// in which case X-Forwarded-For is read from the right, past every
// trusted proxy, to the first address none of them is. A header from an
// untrusted connection is ignored: anyone can write one.
func (s *Server) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: the last trusted hop is as far as we know
		}
		addr = a.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.Config.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// BaseURL is the address the request came to, for the feed's absolute
// links: https when ward is served over TLS (Config.Secure).
func (s *Server) BaseURL(r *http.Request) string {
	scheme := "http"
	if s.Config.Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// LinkBase is where links sent elsewhere begin: --base-url, else the
// address the request came to.
func (s *Server) LinkBase(r *http.Request) string {
	if s.Config.BaseURL != "" {
		return strings.TrimRight(s.Config.BaseURL, "/")
	}
	return s.BaseURL(r)
}
