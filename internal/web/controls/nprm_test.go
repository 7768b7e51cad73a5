package controls_test

import (
	"encoding/json"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// The readiness page shows the demo's readiness against the proposed
// Security Rule apart from the frameworks in force, labelled proposed with
// the date ward last checked; its JSON twin carries the status; the MSP
// overview never includes it.
func TestReadinessShowsTheProposedOverlayApart(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	const asOf = "2026-11-25"
	want, err := posture.Evaluate(ws, catalog.Default(), catalog.HIPAANPRM, date.MustParse(asOf))
	if err != nil {
		t.Fatal(err)
	}

	page := e.Get(c, "/orgs/alpha/controls?as_of="+asOf)
	if page.StatusCode != 200 {
		t.Fatalf("readiness page: %d", page.StatusCode)
	}
	i := strings.Index(page.Body, "Proposed rules (not law)")
	if i < 0 {
		t.Fatal("the readiness page has no proposed-rules block")
	}
	overlay := page.Body[i:]
	if !strings.Contains(overlay, `data-framework="hipaa-nprm"`) || !strings.Contains(overlay, "proposed, checked 2026-06-30") ||
		!strings.Contains(overlay, formatPct(want.Score.Percent)+"%") {
		t.Errorf("the proposed block lacks the overlay, its status or its score %.1f%%:\n%s", want.Score.Percent, overlay)
	}
	if strings.Contains(page.Body[:i], `data-framework="hipaa-nprm"`) {
		t.Error("the overlay is listed among the frameworks in force")
	}

	gaps := e.Get(c, "/orgs/alpha/controls?framework=hipaa-nprm&as_of="+asOf)
	if !strings.Contains(gaps.Body, "Proposed, not law.") || !strings.Contains(gaps.Body, "compliance-audit") {
		t.Errorf("the overlay's gaps page is not labelled or lacks the compliance audit:\n%s", gaps.Body)
	}

	var p posture.Posture
	r := e.Get(c, "/api/v1/orgs/alpha/posture?framework=hipaa-nprm&as_of="+asOf)
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil || r.StatusCode != 200 {
		t.Fatalf("posture API: %d %v", r.StatusCode, err)
	}
	if p.Status != "proposed" || p.Score != want.Score {
		t.Errorf("API: status %q score %+v, want proposed %+v", p.Status, p.Score, want.Score)
	}

	var ov app.OrgsOverview
	r = e.Get(c, "/api/v1/overview?as_of="+asOf)
	if err := json.Unmarshal([]byte(r.Body), &ov); err != nil {
		t.Fatal(err)
	}
	for _, row := range ov.Orgs {
		if _, ok := row.Readiness[catalog.HIPAANPRM]; ok {
			t.Errorf("the overview mixes the proposed rule into %s's readiness", row.Slug)
		}
	}
}

// formatPct writes a percentage as the template does (76.9, 80).
func formatPct(p float64) string {
	b, _ := json.Marshal(p)
	return string(b)
}
