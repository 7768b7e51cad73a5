package workforce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkforceReportCountsInWords: a new program has one person and
// nothing on record yet; the summary line reads as English.
func TestWorkforceReportCountsInWords(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, "organization.yaml"), []byte(`organization:
  slug: cedar-health
  name: Cedar Health
  roles: [covered-entity]
  program_start: 2026-01-01
  officers:
    privacy: pat@cedar.example
    security: pat@cedar.example
`), 0o644)
	os.WriteFile(filepath.Join(ws, "people.yaml"), []byte(`people:
  - email: pat@cedar.example
    name: Pat Lee
    role: Privacy and Security Officer
`), 0o644)
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", ws)
	out := mustWard(t, db, "report", "workforce", "-o", filepath.Join(dir, "wf.xlsx"), "--as-of", "2026-12-05")
	if !strings.Contains(out, ": 1 person, 0 tasks (0 overdue), 0 acknowledgements and 0 completions on record, as of 2026-12-05") {
		t.Errorf("report workforce: %s", out)
	}
}
