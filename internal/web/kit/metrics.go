package kit

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// /metrics is the server's numbers in Prometheus's text format, for a
// scraper that holds the token of --metrics-token-file (Config.
// MetricsToken) as a bearer token. Without a token configured it does not
// exist (404); without the token, or with a session cookie, it answers
// 401. It is not in the route table: no role of any organization opens
// it, only the token, so the role walk does not apply to it.
//
// It reports this process's requests (by route pattern and status, and a
// latency histogram by route) and the database's notification outbox
// (shared by every server: the queue's depth, deliveries being retried,
// those that failed for good).
const metricsPath = "/metrics"

// latencyBuckets are the histogram's upper bounds, in seconds.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type routeStatus struct {
	route  string
	status int
}

type latency struct {
	buckets []uint64 // per latencyBuckets, not cumulative
	sum     float64
	count   uint64
}

// metrics counts requests; safe for concurrent use.
type metrics struct {
	mu       sync.Mutex
	requests map[routeStatus]uint64
	latency  map[string]*latency
}

func newMetrics() *metrics {
	return &metrics{requests: map[routeStatus]uint64{}, latency: map[string]*latency{}}
}

// observe counts one request. route is the mux's pattern ("" when none
// matched, counted as "unmatched", so that random paths cannot grow the
// label set).
func (m *metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeStatus{route, status}]++
	l := m.latency[route]
	if l == nil {
		l = &latency{buckets: make([]uint64, len(latencyBuckets))}
		m.latency[route] = l
	}
	sec := d.Seconds()
	for i, b := range latencyBuckets {
		if sec <= b {
			l.buckets[i]++
			break
		}
	}
	l.sum += sec
	l.count++
}

// metricsAuthorized reports whether r carries the configured token.
func (s *Server) metricsAuthorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.Config.MetricsToken)) == 1
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.Config.MetricsToken == "" {
		http.NotFound(w, r)
		return
	}
	if !s.metricsAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ward metrics"`)
		http.Error(w, "401 unauthorized: /metrics needs the token of --metrics-token-file as a bearer token", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var b strings.Builder
	s.metrics.write(&b)
	q, err := s.Store.OutboxCounts(r.Context())
	if err != nil {
		s.Log.ErrorContext(r.Context(), "metrics: the notification outbox", "err", err)
	} else {
		gauge := func(name, help string, v int64) {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
		}
		gauge("ward_notify_queue_depth", "Notifications waiting in the outbox to be delivered (every server on the database).", q.Pending)
		gauge("ward_notify_retrying", "Notifications in the queue whose delivery failed at least once and will be tried again.", q.Retrying)
		gauge("ward_notify_failed_deliveries", "Notifications whose delivery failed for good after the last retry.", q.Failed)
		gauge("ward_notify_sent", "Notifications delivered.", q.Sent)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}

// write prints the request counters and histograms, sorted.
func (m *metrics) write(b *strings.Builder) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]routeStatus, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b routeStatus) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		return a.status - b.status
	})
	b.WriteString("# HELP ward_http_requests_total Requests answered, by route pattern and status.\n# TYPE ward_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(b, "ward_http_requests_total{route=%s,status=\"%d\"} %d\n", labelValue(k.route), k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	b.WriteString("# HELP ward_http_request_duration_seconds Time to answer a request, by route pattern.\n# TYPE ward_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		l := m.latency[r]
		lv := labelValue(r)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += l.buckets[i]
			fmt.Fprintf(b, "ward_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", lv, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(b, "ward_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", lv, l.count)
		fmt.Fprintf(b, "ward_http_request_duration_seconds_sum{route=%s} %s\n", lv, strconv.FormatFloat(l.sum, 'g', -1, 64))
		fmt.Fprintf(b, "ward_http_request_duration_seconds_count{route=%s} %d\n", lv, l.count)
	}
}

// labelValue quotes a label value as the text format wants: backslash,
// double quote and newline escaped.
func labelValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}
