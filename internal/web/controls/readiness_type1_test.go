package controls_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// Issue 7 item 6: the readiness dashboard lists the gaps first, before the
// charts. Item 3: for an organization going for a SOC 2 Type I report the
// page and the posture API show the point-in-time verdict (every in-scope
// control implemented, with evidence) instead of a Type II window.
func TestReadinessGapsFirstAndTypeI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	viewer, _ := e.Login(e.Users[store.RoleViewer])

	e.SeedDemo()
	page := e.Get(viewer, "/orgs/alpha/controls?framework=soc2&as_of=2026-11-23")
	gaps, charts := strings.Index(page.Body, `class="gaps-head"`), strings.Index(page.Body, "Score per framework")
	if page.StatusCode != 200 || gaps < 0 || charts < 0 || gaps > charts {
		t.Fatalf("status %d; the gaps list (at %d) must come before the charts (at %d)", page.StatusCode, gaps, charts)
	}
	if !strings.Contains(page.Body, "<h2>SOC 2 Type II</h2>") || strings.Contains(page.Body, "SOC 2 Type I<") {
		t.Error("the demo (Type II) shows its window, not a Type I verdict")
	}

	l, err := workspace.Load("../../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Workspace.Organization.SOC2.Type = "type1"
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	page = e.Get(viewer, "/orgs/alpha/controls?framework=soc2&as_of=2026-11-23")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "<h2>SOC 2 Type I</h2>") || strings.Contains(page.Body, "<h2>SOC 2 Type II</h2>") {
		t.Fatalf("Type I page: status %d, %.400s", page.StatusCode, page.Body)
	}
	// The demo's in-progress mdm and planned penetration-test are not ready.
	for _, c := range []string{"mdm", "penetration-test"} {
		if !strings.Contains(page.Body, `<tr class="gap"><td><a href="/orgs/alpha/controls/`+c+`?as_of=2026-11-23"><code>`+c+`</code>`) {
			t.Errorf("Type I gaps do not list %s", c)
		}
	}
	api := e.Get(viewer, "/api/v1/orgs/alpha/posture?framework=soc2&as_of=2026-11-23")
	var p struct {
		TypeI *struct {
			Ready    bool
			Controls int
			Gaps     []struct{ Control, Status, Reason string }
		} `json:"type1"`
		Exceptions []any `json:"exceptions"`
	}
	if err := json.Unmarshal([]byte(api.Body), &p); err != nil || p.TypeI == nil || p.TypeI.Ready || len(p.TypeI.Gaps) < 2 || len(p.Exceptions) != 0 {
		t.Fatalf("posture API: %v %+v: %.300s", err, p, api.Body)
	}
}
