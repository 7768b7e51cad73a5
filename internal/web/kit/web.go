package kit

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"ward/internal/store"
	"ward/internal/store/stmtcount"
)

// Config tunes a Server. The zero value is usable.
type Config struct {
	// IdleTimeout logs a browser session off after this long without a
	// request: HIPAA's automatic logoff, 45 CFR 164.312(a)(2)(iii).
	// Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Secure marks cookies Secure (with the __Host- prefix) and sends
	// HSTS: set it when ward is served over TLS.
	Secure bool
	Logger *slog.Logger
	// Now is the clock for sessions and login rate limits; tests move it.
	Now func() time.Time
	// TrustedProxies are the addresses of reverse proxies in front of
	// ward: from them, and only from them, X-Forwarded-For names the
	// client (for login rate limits and the audit trail).
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, opens /metrics to a bearer of it
	// (metrics.go); unset, /metrics does not exist.
	MetricsToken string
	// SetupToken opens the first-run page (/setup) while the database
	// holds no account: `ward serve` makes one at random and prints the
	// link on its terminal. Empty: no first run over the web.
	SetupToken string
	// MaxUpload caps the body of one request that changes something (an
	// evidence upload with all its files). Zero means DefaultMaxUpload.
	MaxUpload int64
	// Mail says ward sends e-mail (ward serve --smtp-url): an invitation
	// is then queued in the notifier's outbox as well as shown.
	Mail bool
	// BaseURL is the web app's address (ward serve --base-url,
	// https://ward.example.com) for links sent elsewhere (an invitation);
	// empty, the address a request came to. Passkeys are bound to its
	// host name (the WebAuthn relying party) and origin; empty, they work
	// only when ward is opened as http://localhost:PORT (passkey.go).
	BaseURL string
	// SSO is the OpenID provider of single sign-on (NewSSO); nil: none.
	SSO *SSO
}

const (
	// DefaultIdleTimeout is a common reading of "a predetermined time of
	// inactivity" for workstations that show PHI.
	DefaultIdleTimeout = 15 * time.Minute
	// SessionLifetime ends a session however active it is, so that a
	// stolen cookie is not good forever.
	SessionLifetime = 12 * time.Hour
	// DefaultMaxUpload fits a SOC 2 report or a scanner export with room
	// to spare, and keeps one request from filling the disk.
	DefaultMaxUpload = 100 << 20
)

// Server is the web app. It implements http.Handler.
type Server struct {
	Store   *store.Store
	Config  Config
	Log     *slog.Logger
	Now     func() time.Time
	mux     *http.ServeMux
	routes  []Route
	pages   map[string]*pageTemplate
	Limiter *loginLimiter
	// TrustLimit counts the trust center's public form posts (public/trust.go).
	TrustLimit *loginLimiter
	// deviceKey signs device cookies (device.go); made at start.
	deviceKey []byte
	// csrf throttles the record of refused CSRF tokens (csrf_events.go).
	csrf csrfSeen
	// nav is the organization's left-hand menu; an entry is a link only
	// when its page is registered.
	nav []navItem
	// Msp caches the organizations overview's summaries and rows (app/orgs.go).
	Msp mspCache
	// WSCache caches each organization's workspace under its audit head
	// (wscache.go).
	WSCache wsCache
	// Pc keeps the heavy routes' rendered answers (pagecache.go).
	Pc pageCache
	// metrics counts requests for /metrics (metrics.go).
	metrics *metrics
}

//go:embed templates/*.html
var TemplateFS embed.FS

//go:embed static
var staticRoot embed.FS

var StaticFS, _ = fs.Sub(staticRoot, "static")

// New builds the server from every registered route.
func New(st *store.Store, cfg Config) *Server {
	return NewServer(st, cfg, Routes())
}

// NewServer builds a server from the given routes; tests add broken ones.
func NewServer(st *store.Store, cfg Config, routes []Route) *Server {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	s := &Server{
		Store:  st,
		Config: cfg,
		Log:    slog.New(requestIDHandler{cfg.Logger.Handler()}),
		Now:    cfg.Now,
		mux:    http.NewServeMux(),
	}
	s.metrics = newMetrics()
	s.Limiter = newLoginLimiter(st, s.Log, "login:")
	s.TrustLimit = newLoginLimiter(st, s.Log, "trust:")
	// Every server on the database signs device cookies with one key, so
	// a browser known to one is known to all.
	key, err := st.ServerSecret(context.Background(), "device-cookie")
	if err != nil {
		// The database is not answering: a key of this process's own
		// still works here, and /readyz says what is wrong.
		s.Log.ErrorContext(context.Background(), "the shared device-cookie key", "err", err)
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic(err)
		}
	}
	s.deviceKey = key
	s.routes = routes
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.nav = buildNav(s.routes)
	s.pages = mustParseTemplates()
	return s
}

// ServeHTTP sets the security headers every response carries, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.Config.Secure {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	// Pages show PHI: no browser or proxy may keep a copy. Static assets
	// override this in their handler.
	h.Set("Cache-Control", "no-store")
	id := s.newRequestID(r)
	h.Set(RequestIDHeader, id)
	// Every statement the request sends to the database is counted: its
	// log line says how many (stmtcount).
	ctx, _ := stmtcount.With(context.WithValue(r.Context(), reqIDKey{}, id))
	r = r.WithContext(ctx)
	sw := &statusWriter{ResponseWriter: w}
	start := time.Now()
	if r.URL.Path == metricsPath {
		// Outside the route table: only the token opens it.
		s.serveMetrics(sw, r)
		r.Pattern = "GET " + metricsPath
		s.logRequest(r, sw, start)
		return
	}
	// The mux sets r.Pattern on r itself: the request line names the
	// route.
	s.mux.ServeHTTP(sw, r)
	s.logRequest(r, sw, start)
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	s.metrics.observe(r.Pattern, status, time.Since(start))
}

// IsCanceled reports a request the client gave up on, which is not worth
// an error in the log.
func IsCanceled(err error) bool {
	return errors.Is(err, context.Canceled)
}
