package kit_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestMetrics: /metrics does not exist without a token configured; with
// one it answers only the bearer of that token (not a logged-in admin's
// session); what it answers parses with Prometheus's own text parser and
// counts the requests by route pattern and status, with a latency
// histogram, and the outbox's queue depth, retries and failed deliveries.
func TestMetrics(t *testing.T) {
	t.Parallel()
	off := webtest.NewEnv(t, kit.Config{})
	if r := off.Get(off.Client(), "/metrics"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without a token configured: %d, want 404", r.StatusCode)
	}

	const token = "0123456789abcdef-metrics"
	e := webtest.NewEnv(t, kit.Config{MetricsToken: token})
	ctx := context.Background()
	scrape := func(c *http.Client, tok string) webtest.Response {
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/metrics", nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		return e.Send(c, req)
	}
	admin, _ := e.Login(e.Users[store.RoleAdmin])
	for name, r := range map[string]webtest.Response{
		"no token":         scrape(e.Client(), ""),
		"a wrong token":    scrape(e.Client(), token+"x"),
		"an admin session": scrape(admin, ""),
	} {
		if r.StatusCode != http.StatusUnauthorized || strings.Contains(r.Body, "ward_http") {
			t.Errorf("/metrics with %s: %d, want 401 and no numbers", name, r.StatusCode)
		}
	}

	// Some traffic: pages, a page of an organization the caller is not
	// in (404), a path no route matches.
	for range 3 {
		e.Get(admin, "/orgs/alpha")
	}
	e.Get(admin, "/orgs/bravo")
	e.Get(admin, "/no/such/page")
	// The outbox: three messages; one failed once and waits for a retry,
	// one failed for good.
	for _, k := range []string{"a", "b", "c"} {
		if _, err := e.Store.Enqueue(ctx, store.Outbound{OrgID: e.OrgA.ID, Channel: "email", Key: k, Recipient: k + "@alpha.example", Kind: "digest", Subject: k, Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, giveUp := range []bool{false, true} {
		m, err := e.Store.Claim(ctx, "test", time.Minute)
		if err != nil || m == nil {
			t.Fatalf("claim: %v %v", m, err)
		}
		if err := e.Store.MarkRetry(ctx, m.ID, "test", "connection refused", time.Now().Add(time.Hour), giveUp); err != nil {
			t.Fatal(err)
		}
	}

	r := scrape(e.Client(), token)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics with the token: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("Prometheus's parser refuses /metrics: %v\n%s", err, r.Body)
	}
	label := func(m *dto.Metric, name string) string {
		for _, l := range m.GetLabel() {
			if l.GetName() == name {
				return l.GetValue()
			}
		}
		return ""
	}
	reqs := fams["ward_http_requests_total"]
	if reqs.GetType() != dto.MetricType_COUNTER {
		t.Fatalf("ward_http_requests_total: %v", reqs)
	}
	count := map[string]float64{}
	for _, m := range reqs.GetMetric() {
		count[label(m, "route")+" "+label(m, "status")] = m.GetCounter().GetValue()
	}
	for k, want := range map[string]float64{
		"GET /orgs/{org} 200": 4, // the login's landing page, then three
		"GET /orgs/{org} 404": 1,
		"unmatched 404":       1,
		"POST /login 303":     1,
	} {
		if count[k] != want {
			t.Errorf("requests %q = %v, want %v (all: %v)", k, count[k], want, count)
		}
	}
	if count["GET /metrics 401"] != 0 {
		t.Error("/metrics counts its own refusals as routes")
	}
	hist := fams["ward_http_request_duration_seconds"]
	if hist.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("ward_http_request_duration_seconds: %v", hist)
	}
	found := false
	for _, m := range hist.GetMetric() {
		if label(m, "route") != "GET /orgs/{org}" {
			continue
		}
		found = true
		h := m.GetHistogram()
		if h.GetSampleCount() != 5 || h.GetSampleSum() <= 0 {
			t.Errorf("the page's histogram: %d samples, sum %v; want 5 and some time", h.GetSampleCount(), h.GetSampleSum())
		}
		b := h.GetBucket()
		for i := 1; i < len(b); i++ {
			if b[i].GetCumulativeCount() < b[i-1].GetCumulativeCount() {
				t.Errorf("buckets not cumulative: %v", b)
			}
		}
	}
	if !found {
		t.Error("no latency histogram for GET /orgs/{org}")
	}
	for name, want := range map[string]float64{
		"ward_notify_queue_depth":       2,
		"ward_notify_retrying":          1,
		"ward_notify_failed_deliveries": 1,
		"ward_notify_sent":              0,
	} {
		f := fams[name]
		if f.GetType() != dto.MetricType_GAUGE || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetGauge().GetValue() != want {
			t.Errorf("%s = %v, want gauge %v", name, f, want)
		}
	}
}
