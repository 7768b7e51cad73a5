package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web"
)

type serveFlags struct {
	addr     string
	idle     time.Duration
	secure   bool
	insecure bool
	proxies  string
	// logFormat is text (slog's key=value lines) or json (one object a
	// line, for a log collector).
	logFormat string
	// config is --config FILE (serve only): settings the command line
	// and the environment leave unsaid (config.go).
	config string
	// metricsTokenFile holds the bearer token that opens /metrics.
	metricsTokenFile string
	notify           serveNotifyFlags
	sso              ssoFlags // serve only (serve_sso.go)
}

func (f *serveFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.BoolVar(&f.secure, "secure", false, "ward is reached over HTTPS (behind a TLS proxy): Secure cookies and HSTS (the default on any address but loopback)")
	fs.StringVar(&f.proxies, "trusted-proxies", "", "addresses or CIDR ranges of the reverse proxies in front of ward, comma-separated: from them X-Forwarded-For names the client (login limits, the trails)")
	fs.BoolVar(&f.insecure, "insecure-cookies", false, "cookies without Secure on an address other than loopback (plain HTTP on a trusted network; not recommended)")
	fs.StringVar(&f.logFormat, "log-format", "text", "the server log on stderr: text (key=value lines) or json (one JSON object a line); every request's lines carry its request_id")
	fs.DurationVar(&f.idle, "idle-timeout", 15*time.Minute, "log a browser session off after this long without activity (HIPAA automatic logoff, 164.312(a)(2)(iii))")
	fs.StringVar(&f.metricsTokenFile, "metrics-token-file", "", "a file holding the bearer token (at least 16 characters) that opens /metrics (Prometheus text format); without it /metrics does not exist")
}

func init() {
	var f serveFlags
	// flags is the command's flag set, for the settings the command line
	// leaves to the environment and the config file.
	var flags *flag.FlagSet
	Register(&Command{
		Name:    "serve",
		Creates: true,
		Args:    "[--config FILE] [--addr HOST:PORT] [--idle-timeout 15m] [--secure | --insecure-cookies] [--log-format text|json] [--metrics-token-file F]",
		Summary: "serve the web app and the JSON API",
		Flags: func(fs *flag.FlagSet) {
			f.bind(fs)
			f.notify.bind(fs) // not ward demo's: the demo sends nothing
			f.sso.bind(fs)
			fs.StringVar(&f.config, "config", os.Getenv("WARD_CONFIG"), "a file of settings, one 'name = value' a line (the flags' names); a flag given, then $WARD_NAME, win over it ($WARD_CONFIG)")
			flags = fs
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if err := applySettings(flags, env.given, f.config); err != nil {
				return err
			}
			if err := checkIdle(f.idle); err != nil {
				return err
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			return serve(ctx, env, s, f, nil)
		},
	})
}

// checkIdle refuses an --idle-timeout of 0 or less: the automatic logoff
// (164.312(a)(2)(iii)) is never off, and 0 was taken as 15 minutes
// without a word.
func checkIdle(d time.Duration) error {
	if d <= 0 {
		return BadInput("--idle-timeout %s: give how long a browser session may sit idle before it is logged off, more than 0 (such as 15m or 1h; HIPAA's automatic logoff, 164.312(a)(2)(iii))", d)
	}
	return nil
}

// serve listens and serves until ctx ends; ready, when set, is called with
// the URL once the listener is open.
func serve(ctx context.Context, env *Env, s *store.Store, f serveFlags, ready func(url string)) error {
	logger, err := newLogger(env.Stderr, f.logFormat)
	if err != nil {
		return err
	}
	// A database without any account opens on the first-run page, which
	// only the holder of this one-time token, printed here and never
	// logged, may use: whoever reaches a fresh server first must not own it.
	users, err := s.Users(ctx)
	if err != nil {
		return err
	}
	var setupToken string
	if len(users) == 0 {
		if setupToken, err = auth.NewToken(); err != nil {
			return err
		}
	}
	secure, warning, err := cookieMode(f)
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintln(env.Stderr, "ward: "+warning)
	}
	proxies, err := parseProxies(f.proxies)
	if err != nil {
		return err
	}
	if b := f.notify.baseURL; b != "" {
		// Passkeys are bound to its host name: a wrong one is refused now,
		// not at someone's first passkey.
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return BadInput("--base-url %q: want the address people open ward at, like https://ward.example.com (http or https, and a host)", b)
		}
	}
	base := f.notify.baseURL
	if base == "" {
		base = "http://" + f.addr
	}
	sso, err := f.sso.open(ctx, base)
	if err != nil {
		return err
	}
	metricsToken, err := readMetricsToken(f.metricsTokenFile)
	if err != nil {
		return err
	}
	if s.EngineName() == "postgres" {
		// Half the pool's bound, opened now rather than by the first
		// burst of requests, each of which would otherwise wait for a
		// connection handshake and a new PostgreSQL server process.
		n, err := s.WarmConnections(ctx, 10)
		if err != nil {
			return err
		}
		logger.Info("database connections opened", "engine", s.EngineName(), "connections", n)
	}
	h := web.New(s, web.Config{IdleTimeout: f.idle, Secure: secure, Logger: logger, SetupToken: setupToken, TrustedProxies: proxies,
		Mail: f.notify.url != "", BaseURL: f.notify.baseURL, SSO: sso, MetricsToken: metricsToken})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return BadInput("cannot listen on %s: %v", f.addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	if ready != nil {
		ready(url)
	} else {
		fmt.Fprintf(env.Stdout, "ward serving %s on %s\n", s.EngineName(), url)
	}
	if sso != nil {
		fmt.Fprint(env.Stdout, ssoBanner(sso, f.sso.issuer))
	}
	if setupToken != "" {
		what := "the first administrator"
		if noOrgs(ctx, s) {
			what += " and set up your organization"
		}
		fmt.Fprintf(env.Stdout, "\nThis database has no account yet. To create %s, open\n\n    %s/setup?token=%s\n\nThe link works until the first account exists; restarting ward serve makes a new one.\n", what, url, setupToken)
	}
	if err := f.notify.start(ctx, env, s); err != nil {
		return err
	}
	// The overview's summaries missing after an upgrade (or a ward apply
	// while no server ran) are made in the background, not by the first
	// person to open /orgs.
	go func() {
		if _, err := web.PrepareOverview(h, ctx); err != nil && ctx.Err() == nil {
			logger.Warn("summarise organizations for the overview", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shut)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		fmt.Fprintln(env.Stderr, "ward: stopped")
		return err
	}
}

// newLogger is the server's log on w in the --log-format asked for.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, BadInput("serve --log-format: %q is neither text nor json", format)
}

// noOrgs reports whether the database holds no organization yet.
func noOrgs(ctx context.Context, s *store.Store) bool {
	orgs, err := s.Orgs(ctx)
	return err == nil && len(orgs) == 0
}

// cookieMode decides whether cookies are Secure (and HSTS sent): always
// with --secure; by default on any address but loopback, where a cookie
// sent over plain HTTP could be read on the network; never with
// --insecure-cookies, which warns when the address is not loopback. The
// warning is "" when there is nothing to say.
func cookieMode(f serveFlags) (secure bool, warning string, err error) {
	if f.secure && f.insecure {
		return false, "", BadInput("serve: --secure and --insecure-cookies contradict each other")
	}
	loop := isLoopback(f.addr)
	switch {
	case f.secure:
		return true, "", nil
	case f.insecure && !loop:
		return false, fmt.Sprintf("warning: cookies are not Secure (--insecure-cookies) while serving on %s, which is not loopback: anyone on the network path can read a session cookie sent over plain HTTP. Serve ward over HTTPS (a TLS proxy) without --insecure-cookies.", f.addr), nil
	case f.insecure, loop:
		return false, "", nil
	default:
		return true, fmt.Sprintf("cookies are Secure because %s is not loopback: reach ward over HTTPS (a TLS proxy in front of it); over plain HTTP browsers will not keep the login (--insecure-cookies allows it, not recommended).", f.addr), nil
	}
}

// isLoopback reports whether addr (HOST:PORT) listens on loopback only:
// 127.0.0.0/8, ::1 or localhost. An empty host listens everywhere.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// parseProxies reads --trusted-proxies: addresses (a /32 or /128) or CIDR
// ranges, comma-separated.
func parseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if pre, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, BadInput("serve --trusted-proxies: %q is neither an address nor a CIDR range", p)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// readMetricsToken reads --metrics-token-file: one token, surrounding
// white space ignored, at least 16 characters. No file: no /metrics.
func readMetricsToken(file string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", BadInput("serve --metrics-token-file: %v", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 || strings.ContainsAny(tok, " \t\r\n") {
		return "", BadInput("serve --metrics-token-file %s: the token must be one word of at least 16 characters (e.g. openssl rand -hex 32)", file)
	}
	return tok, nil
}
