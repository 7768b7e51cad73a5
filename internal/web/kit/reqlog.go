package kit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"ward/internal/store/stmtcount"
)

// Every request has an id: answered in the X-Request-Id header, and on
// every line the server logs while serving it (the one "request" line
// written when it ends, and whatever a handler logs on the way), so that a
// person quoting the header from a browser's error page leads an operator
// to the lines. Handlers log with the *Context methods and r.Context()
// (s.Log.ErrorContext(r.Context(), ...)): TestLogCallsCarryTheRequest
// holds the package to it.
//
// A reverse proxy that makes its own ids may send them in X-Request-Id;
// the id is kept only from a trusted proxy (Config.TrustedProxies), and
// only when it is short and plain, so that no client writes into the log.

// RequestIDHeader carries the id, both ways.
const RequestIDHeader = "X-Request-Id"

type reqIDKey struct{}

// requestID is the id of the request ctx belongs to ("" outside one).
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(reqIDKey{}).(string)
	return id
}

var plainRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// newRequestID is the proxy's id when a trusted proxy sent a plain one,
// else 16 random bytes in hex.
func (s *Server) newRequestID(r *http.Request) string {
	if id := r.Header.Get(RequestIDHeader); id != "" && plainRequestID.MatchString(id) && s.fromTrustedProxy(r) {
		return id
	}
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return err == nil && s.trusted(a)
}

// requestIDHandler adds request_id to every record logged with the
// context of a request.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := requestID(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer
// (flushing, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest writes the request's line: what was asked (the route, and
// the path unless the route carries a secret in it: a calendar feed's
// token), the answer, how long it took and how many statements it sent to
// the database (each a round trip on PostgreSQL). Never the query string, which
// may carry a setup token.
func (s *Server) logRequest(r *http.Request, w *statusWriter, start time.Time) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	path := r.URL.Path
	if strings.Contains(r.Pattern, "{token") {
		_, path, _ = strings.Cut(r.Pattern, " ")
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method),
		slog.String("route", r.Pattern),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("bytes", w.bytes),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int64("db_statements", stmtcount.From(r.Context()).Load()),
		slog.String("ip", s.ClientIP(r)),
	)
}
