package workforce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// The documents from the database: the policy set reads each version's
// text from the blob store; a wrong file type exits 2 and writes nothing.
func TestReportPoliciesAndWorkforce(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)

	pdf := filepath.Join(dir, "policies.pdf")
	out := mustWard(t, db, "report", "policies", "-o", pdf, "--as-of", "2026-11-23")
	if !strings.Contains(out, "16 policies in force on 2026-11-23") {
		t.Errorf("report policies: %s", out)
	}
	if raw, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("%s: %v", pdf, err)
	}
	var set struct {
		InForce []struct {
			Policy, SHA256 string
			Version        int
		} `json:"in_force"`
		Kept []struct{ Policy string } `json:"kept"`
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "report", "policies", "--format", "json", "--as-of", "2026-11-23")), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.InForce) != 16 || set.InForce[0].SHA256 == "" || len(set.Kept) != 1 {
		t.Errorf("json: %+v", set)
	}

	xlsx := filepath.Join(dir, "workforce.xlsx")
	if out := mustWard(t, db, "report", "workforce", "-o", xlsx, "--as-of", "2026-11-23"); !strings.Contains(out, "9 people") {
		t.Errorf("report workforce: %s", out)
	}
	var wf struct {
		People []struct {
			Email      string
			AccessOpen []string `json:"access_open"`
		}
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "report", "workforce", "--format", "json", "--as-of", "2026-11-23")), &wf); err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, p := range wf.People {
		open += len(p.AccessOpen)
	}
	if open == 0 {
		t.Errorf("no leaver's access in %+v", wf.People)
	}

	for _, args := range [][]string{
		{"report", "policies", "-o", filepath.Join(dir, "p.html")},
		{"report", "policies"},
		{"report", "workforce", "-o", filepath.Join(dir, "w.csv")},
		{"report", "workforce", "extra"},
	} {
		if code, _, errs := ward(t, db, args...); code != cli.ExitBadInput || errs == "" {
			t.Errorf("ward %v: exit %d, want 2 and a sentence", args, code)
		}
	}
	for _, f := range []string{"p.html", "w.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
}
