package reports

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// ward frameworks lists the proposed Security Rule with its status, and
// ward posture shows the demo's readiness against it, labelled proposed.
func TestPostureAgainstTheProposedSecurityRule(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	var fws struct {
		Frameworks []struct {
			ID, Status, Source string
			StatusChecked      string `json:"status_checked"`
		}
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "frameworks", "--format", "json")), &fws); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fws.Frameworks {
		switch {
		case f.ID == "hipaa-nprm":
			found = true
			if f.Status != "proposed" || f.StatusChecked == "" || !strings.Contains(f.Source, "90 FR 898") {
				t.Errorf("hipaa-nprm listed as %+v", f)
			}
		case f.Status != "current":
			t.Errorf("%s has status %q", f.ID, f.Status)
		}
	}
	if !found {
		t.Fatal("ward frameworks does not list hipaa-nprm")
	}
	if out := mustWard(t, db, "frameworks"); !strings.Contains(out, "proposed (checked ") {
		t.Errorf("the text list does not say proposed:\n%s", out)
	}

	mustWard(t, db, "apply", "-f", demoDir)
	var p struct {
		Framework, Status string
		Score             struct{ Total, Met int }
		Requirements      []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "posture", "--framework", "hipaa-nprm", "--as-of", "2026-11-25", "--format", "json")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Framework != "hipaa-nprm" || p.Status != "proposed" || p.Score.Total != 13 || p.Score.Met == 0 {
		t.Errorf("demo posture against the proposal: %+v", p)
	}
	text := mustWard(t, db, "posture", "--framework", "hipaa-nprm", "--as-of", "2026-11-25")
	if !strings.HasPrefix(text, "PROPOSED, NOT LAW") || !strings.Contains(text, "compliance-audit") {
		t.Errorf("text posture:\n%s", text)
	}
	if out := mustWard(t, db, "posture", "--framework", "hipaa", "--as-of", "2026-11-25"); strings.Contains(out, "PROPOSED") {
		t.Errorf("the HIPAA posture is labelled proposed:\n%s", out)
	}
}
