package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"ward/internal/browsertest"
)

// The roadmap report renders in headless Chromium, the Gantt chart shows
// one bar per milestone, the today line and the gate, the tree highlights
// one answer per question, and the page raises no script or load errors
// (it is standalone). WARD_SKIP_BROWSER=1 skips it.
func TestRoadmapHTMLInChromium(t *testing.T) {
	ws, p := goldenPlan()
	var b bytes.Buffer
	if err := WriteHTML(&b, ws, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "roadmap.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	br := browsertest.New(t)
	br.Navigate("file://" + path)
	br.WaitVisible("svg.ward-gantt")
	if n := br.Count("svg.ward-gantt rect.bar"); n != len(p.Milestones) {
		t.Errorf("Gantt shows %d bars, want %d", n, len(p.Milestones))
	}
	for _, m := range p.Milestones {
		if br.Count(`svg.ward-gantt rect.bar[data-id="`+m.ID+`"]`) != 1 {
			t.Errorf("no bar for %s", m.ID)
		}
	}
	if br.Count("svg.ward-gantt g.today") != 1 || br.Count("svg.ward-gantt polygon.diamond") != 1 {
		t.Errorf("today line or live-PHI diamond missing")
	}
	if br.Count("svg.ward-decision-tree g.chosen") != 5 {
		t.Errorf("decision tree highlights %d options, want one per question and the role", br.Count("svg.ward-decision-tree g.chosen"))
	}
	if probs := br.Problems(); len(probs) > 0 {
		t.Errorf("page problems: %v", probs)
	}
	t.Logf("screenshot: %s", br.Screenshot("plan-roadmap"))
}
