package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/browsertest"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestBrowserFlows: the demo sends PHI to vendors without a BAA (45 CFR
// 164.502(e), 164.308(b)); the diagram draws them red, the gate's
// findings are listed beside it errors first, and the page causes no CSP
// violation although the diagram's SVG comes with its own styles.
func TestBrowserFlows(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/api/v1/orgs/alpha/flows?as_of=2026-11-23")
	if res.StatusCode != 200 {
		t.Fatalf("flows API: %d %s", res.StatusCode, res.Body)
	}
	var g phimap.Result
	if err := json.Unmarshal([]byte(res.Body), &g); err != nil {
		t.Fatal(err)
	}
	if g.OK() {
		t.Fatal("the demo's gate passes; want it blocked by vendors without a BAA")
	}
	errs := 0
	for i, f := range g.Findings {
		if f.Severity == "error" {
			if i != errs {
				t.Errorf("finding %d is an error after a warning", i)
			}
			errs++
		}
	}

	b := browsertest.New(t)
	u := e.Users[store.RoleViewer]
	e.BrowserLogin(b, u)
	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows?as_of=2026-11-23")
	b.WaitVisible(".dataflow svg")
	red := 0
	for _, v := range []string{"openai", "snowflake"} {
		red += b.Count(`.dataflow svg #vendor-` + v + `.fail > rect[fill="` + phimap.FailFill + `"]`)
	}
	if red == 0 {
		t.Error("neither openai nor snowflake (no BAA) is drawn red")
	}
	if n := b.Count(".gate-findings li"); n != len(g.Findings) {
		t.Errorf("%d findings listed, the gate has %d", n, len(g.Findings))
	}
	if n := b.Count(".gate-findings li.error"); n != errs {
		t.Errorf("%d findings listed as errors, the gate has %d", n, errs)
	}
	if errs > 0 && b.Count(".gate-findings li:first-child.error") != 1 {
		t.Errorf("first listed finding %q is not an error", b.Text(".gate-findings li:first-child"))
	}
	if !strings.Contains(b.Text(".gate-findings"), "openai") {
		t.Error("the findings do not name openai")
	}
	b.Screenshot("flows")
	if pr := b.Problems(); len(pr) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", pr)
	}
}
