package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/report/oscal/oscaltest"
)

// `ward export oscal` writes each document from the applied demo; each
// validates against NIST's schema, the same data gives the same bytes, and
// every export is on the audit trail.
func TestExportOSCAL(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)

	for _, kind := range []string{"ssp", "assessment-results", "poam"} {
		t.Run(kind, func(t *testing.T) {
			a, b := filepath.Join(dir, kind+"-1.json"), filepath.Join(dir, kind+"-2.json")
			out := mustWard(t, db, "export", "oscal", kind, "-o", a, "--as-of", "2026-11-25")
			if !strings.Contains(out, "wrote OSCAL 1.0.4 "+kind+" as of 2026-11-25 to "+a) {
				t.Fatalf("output: %s", out)
			}
			mustWard(t, db, "export", "oscal", kind, "-o", b, "--as-of", "2026-11-25")
			ra, _ := os.ReadFile(a)
			rb, _ := os.ReadFile(b)
			if len(ra) == 0 || !bytes.Equal(ra, rb) {
				t.Fatalf("two exports of the same data differ (%d and %d bytes)", len(ra), len(rb))
			}
			if err := oscaltest.Validate(kind, ra); err != nil {
				t.Fatalf("%s does not validate against NIST's schema:\n%v", kind, err)
			}
			if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o644 {
				t.Errorf("file mode %v", fi.Mode().Perm())
			}

			var sum struct {
				Kind, File, SHA256 string
				Bytes              int
			}
			js := mustWard(t, db, "export", "oscal", kind, "-o", b, "--as-of", "2026-11-25", "--format", "json")
			if err := json.Unmarshal([]byte(js), &sum); err != nil || sum.Kind != kind || sum.Bytes != len(ra) || sum.SHA256 != fmt.Sprintf("%x", sha256.Sum256(ra)) {
				t.Fatalf("--format json: %v %s", err, js)
			}

			log := mustWard(t, db, "audit", "log", "--limit", "1", "--format", "json")
			var l struct {
				Entries []struct{ Action, Kind, Key, Actor string }
			}
			if err := json.Unmarshal([]byte(log), &l); err != nil || len(l.Entries) != 1 {
				t.Fatalf("audit log: %v %s", err, log)
			}
			if e := l.Entries[0]; e.Action != "export" || e.Kind != "oscal" || e.Key != kind || e.Actor != "test" {
				t.Fatalf("last audit entry: %+v", e)
			}
		})
	}
}

func TestExportOSCALBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	cases := [][]string{
		{"export", "oscal", "sar", "-o", filepath.Join(dir, "x.json")},
		{"export", "oscal", "ssp"},
		{"export", "oscal", "ssp", "-o", filepath.Join(dir, "x.json"), "--as-of", "2026-13-01"},
		{"export", "oscal", "ssp", "-o", filepath.Join(dir, "no-such-dir", "x.json")},
	}
	for _, args := range cases {
		code, out, errs := ward(t, db, args...)
		if code != ExitBadInput {
			t.Errorf("ward %v: exit %d, want 2\n%s%s", args, code, out, errs)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") || strings.Contains(e.Name(), "x.json") {
			t.Errorf("a failed export left %s", e.Name())
		}
	}
}
