package controls_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"ward/internal/browsertest"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The demo misses its October 2026 vulnerability scan: on 2026-11-23 the
// SOC 2 Type II window shows it as an exception.
func TestBrowserReadiness(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf, _ := date.Parse(webtest.DemoAsOf)
	soc2, err := posture.Evaluate(ws, catalog.Default(), "soc2", asOf)
	if err != nil {
		t.Fatal(err)
	}
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)

	b.Navigate(e.HTTP.URL + "/orgs/alpha/controls?as_of=" + webtest.DemoAsOf)
	b.WaitText("main h1", "Controls", 5*time.Second)
	b.WaitVisible("ul.readiness svg.bar")
	if n := b.Count("ul.readiness svg.bar"); n != 3 {
		t.Errorf("%d framework bars, want 3 (hipaa, soc2, csf)", n)
	}
	exc := b.Text("table.exceptions")
	if !strings.Contains(exc, "vulnerability-scanning") || !strings.Contains(exc, "2026-10") {
		t.Errorf("exceptions read %q, want vulnerability-scanning 2026-10", exc)
	}
	if n := b.Count("table.exceptions tbody tr"); n != len(soc2.Exceptions) {
		t.Errorf("%d exceptions shown, posture has %d", n, len(soc2.Exceptions))
	}
	gaps := 0
	for _, r := range soc2.Requirements {
		if r.Status == posture.Partial || r.Status == posture.NotMet {
			gaps++
		}
	}
	if n := b.Count("table.gaps tbody tr"); n != gaps {
		t.Errorf("%d soc2 gaps shown, posture has %d", n, gaps)
	}
	b.Screenshot("controls")
	b.Click(`ul.readiness li[data-framework="hipaa"] a`)
	b.WaitText("h2.gaps-head", "hipaa", 5*time.Second)
	if !strings.Contains(b.URL(), "framework=hipaa") {
		t.Errorf("after choosing HIPAA the page is %s", b.URL())
	}
	b.Screenshot("controls-hipaa")
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", p)
	}
}

func TestPostureAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	asOf, _ := date.Parse(webtest.DemoAsOf)
	c, _ := e.Login(e.Users[store.RoleViewer])
	for _, fw := range []string{"", "soc2", "hipaa", "csf"} {
		want := fw
		if want == "" {
			want = "soc2" // the default
		}
		exp, err := posture.Evaluate(ws, catalog.Default(), want, asOf)
		if err != nil {
			t.Fatal(err)
		}
		resp := e.Get(c, "/api/v1/orgs/alpha/posture?as_of="+webtest.DemoAsOf+"&framework="+fw)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("framework %q: status %d: %s", fw, resp.StatusCode, resp.Body)
		}
		var p posture.Posture
		if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
			t.Fatal(err)
		}
		if p.Framework != want || p.Score != exp.Score || len(p.Requirements) != len(exp.Requirements) || len(p.Exceptions) != len(exp.Exceptions) {
			t.Errorf("framework %q: got %s %+v, want %s %+v", fw, p.Framework, p.Score, want, exp.Score)
		}
	}
	if resp := e.Get(c, "/api/v1/orgs/alpha/posture?framework=iso27001"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown framework: status %d, want 400", resp.StatusCode)
	}
}
