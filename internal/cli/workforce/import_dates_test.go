package workforce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// TestImportRefusesAFutureDateOnARowAlreadyRecorded: docs/cli.md says
// every row is checked ("no date after today") and any problem exits 2
// naming the file, the line and the column, nothing written. A row whose
// person, policy and version are on record already is still a row of the
// file: a date after --as-of is bad input there too (an e-signature export
// with a mis-keyed year), not "recorded already" with exit 0.
func TestImportRefusesAFutureDateOnARowAlreadyRecorded(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	csv := filepath.Join(dir, "esign.csv")
	// Dana acknowledged sanctions v2 in the demo; line 3 is that row again,
	// dated a year ahead.
	os.WriteFile(csv, []byte("email,document,revision,signed\n"+
		"lena@acme-health.example,Sanctions policy,2,2026-11-20\n"+
		"dana@acme-health.example,Sanctions policy,2,2027-11-20\n"), 0o644)
	before := mustWard(t, db, "audit", "verify")
	code, out, errs := ward(t, db, "import", "acknowledgements", csv, "--map", "testdata/workforce/esign-map.yaml", "--as-of", "2026-12-05")
	if code != cli.ExitBadInput || !strings.Contains(errs, `esign.csv:3: column "signed": 2027-11-20 is in the future (today is 2026-12-05)`) || !strings.Contains(errs, "nothing was written") {
		t.Errorf("future date on a recorded row: exit %d\n%s%s", code, out, errs)
	}
	if after := mustWard(t, db, "audit", "verify"); after != before {
		t.Errorf("something was written:\n%s\n%s", before, after)
	}
	// Training completions likewise.
	lms := filepath.Join(dir, "lms.csv")
	os.WriteFile(lms, []byte("Learner Email,Course,Status,Completed On\n"+
		"dana@acme-health.example,HIPAA Privacy and Security 2026,Completed,06/18/2027\n"), 0o644)
	code, out, errs = ward(t, db, "import", "trainings", lms, "--map", "testdata/workforce/lms-map.yaml", "--as-of", "2026-12-05")
	if code != cli.ExitBadInput || !strings.Contains(errs, "lms.csv:2: column") || !strings.Contains(errs, "2027-06-18 is in the future") {
		t.Errorf("future completion on a recorded row: exit %d\n%s%s", code, out, errs)
	}
}
