package imports

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const prowlerExamples = "../../importer/prowler/testdata/prowler-5.40/"

// exampleOCSF writes Prowler's example OCSF output for a provider, each
// finding changed by edit.
func exampleOCSF(t *testing.T, dir, provider, name string, edit func(f map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(prowlerExamples + "example_output_" + provider + ".ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		// Ids Prowler writes for these checks in hipaa_aws.json, so the
		// findings land on controls.
		f["unmapped"].(map[string]any)["compliance"].(map[string]any)["HIPAA"] = []string{"164_308_a_1_ii_d", "164_312_b"}
		edit(f)
	}
	out, _ := json.Marshal(fs)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// exampleCSV writes Prowler's example CSV with the same HIPAA ids.
func exampleCSV(t *testing.T, dir, provider, name string) string {
	t.Helper()
	b, err := os.ReadFile(prowlerExamples + "example_output_" + provider + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	head := strings.Split(lines[0], ";")
	col := -1
	for i, h := range head {
		if h == "COMPLIANCE" {
			col = i
		}
	}
	for i := 1; i < len(lines); i++ {
		cells := strings.Split(lines[i], ";")
		cells[col] = "HIPAA: 164_308_a_1_ii_d, 164_312_b | " + cells[col]
		lines[i] = strings.Join(cells, ";")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openTotal counts the open failing findings: those of the current
// (not superseded) scans, each once.
func openTotal(t *testing.T, db string) int {
	t.Helper()
	c, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow("SELECT COALESCE(SUM(failing), 0) FROM scan_checks WHERE superseded_by IS NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The CSV TIMESTAMP is the scanning machine's local time. Prowler's
// example ran at UTC+1: its CSV says 14:27:03 for the run the OCSF dates
// 13:27:03 UTC. A later all-passing OCSF run at 13:50 UTC must supersede
// the failing CSV run; read as UTC, the CSV would be judged newer and its
// failures would stay open.
func TestImportProwlerCSVTimesInTheScannersZone(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	csv := exampleCSV(t, dir, "aws", "run1.csv")
	fixed := exampleOCSF(t, dir, "aws", "run2.ocsf.json", func(f map[string]any) {
		f["status_code"] = "PASS"
		f["time"] = 1739541000 // 13:50 UTC
	})
	for _, c := range []struct {
		zone string
		open bool
	}{{"UTC", true}, {"Europe/Berlin", false}} {
		db := filepath.Join(dir, c.zone[:3]+".db")
		mustWard(t, db, "apply", "-f", demoDir)
		out := mustWard(t, db, "import", "prowler", "--csv-tz", c.zone, csv)
		if !strings.Contains(out, "read as local time in "+c.zone+" (--csv-tz)") {
			t.Errorf("%s: the import does not say how it read the times:\n%s", c.zone, out)
		}
		if openTotal(t, db) == 0 {
			t.Fatalf("%s: the failing CSV run left nothing open", c.zone)
		}
		mustWard(t, db, "import", "prowler", fixed)
		if got := openTotal(t, db) > 0; got != c.open {
			t.Errorf("CSV read in %s: findings open after the later passing run: %v, want %v", c.zone, got, c.open)
		}
	}
	if _, _, stderr := ward(t, filepath.Join(dir, "x.db"), "import", "prowler", "--csv-tz", "Mars/Olympus", csv); !strings.Contains(stderr, "not a time zone") {
		t.Errorf("a bad zone: %s", stderr)
	}
}

// The CSV and the OCSF of one run (Prowler writes both) pair up to the
// second: importing both counts each failing check once.
func TestImportProwlerCSVAndOCSFOfOneRunPair(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	for _, provider := range []string{"aws", "kubernetes"} {
		db := filepath.Join(dir, provider+".db")
		mustWard(t, db, "apply", "-f", demoDir)
		ocsf := exampleOCSF(t, dir, provider, provider+".ocsf.json", func(f map[string]any) {
			if provider == "kubernetes" {
				f["unmapped"].(map[string]any)["provider_uid"] = "<account_uid>" // as Prowler 5 names the cluster
			}
		})
		mustWard(t, db, "import", "prowler", ocsf)
		one := openTotal(t, db)
		out := mustWard(t, db, "import", "prowler", "--format", "json", "--csv-tz", "Europe/Berlin", exampleCSV(t, dir, provider, provider+".csv"))
		var r importJSON
		json.Unmarshal([]byte(out), &r)
		if one == 0 || openTotal(t, db) != one || r.Files[0].Superseded == 0 {
			t.Errorf("%s: %d open after the OCSF, %d after its CSV twin (superseded %d): counted twice", provider, one, openTotal(t, db), r.Files[0].Superseded)
		}
	}
}

// A muted finding is kept and shown as muted, never an open failure.
func TestImportProwlerMuted(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	muted := exampleOCSF(t, dir, "aws", "muted.ocsf.json", func(f map[string]any) {
		if f["status_code"] == "FAIL" {
			f["status"], f["status_id"] = "Suppressed", 3
		}
	})
	out := mustWard(t, db, "import", "prowler", muted)
	if !strings.Contains(out, "MUTED") || !strings.Contains(out, "muted in Prowler's mutelist") {
		t.Errorf("the import does not show the muted findings:\n%s", out)
	}
	if n := openTotal(t, db); n != 0 {
		t.Errorf("%d open failures from muted findings", n)
	}
}

// ASFF is named, with how to get OCSF instead; nothing is written.
func TestImportProwlerASFF(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "prowler-output.asff.json")
	os.WriteFile(p, []byte(`[{"SchemaVersion": "2018-10-08", "Id": "x", "ProductArn": "arn:aws:securityhub:us-east-1::product/prowler/prowler", "AwsAccountId": "123456789012", "Severity": {"Label": "LOW"}}]`), 0o644)
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	code, _, stderr := ward(t, db, "import", "prowler", p)
	if code != 2 || !strings.Contains(stderr, "AWS Security Finding Format (ASFF)") || !strings.Contains(stderr, "json-ocsf") || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
