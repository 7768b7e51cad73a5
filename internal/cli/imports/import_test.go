package imports

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
)

const prowlerSample = "../../importer/prowler/testdata/sample.ocsf.json"

type importJSON struct {
	Org   string
	Files []struct {
		File, Format, SHA256   string
		ScanID                 int64 `json:"scan_id"`
		AlreadyImported        bool  `json:"already_imported"`
		Findings, New, Already int
		Duplicates             int
		ByStatus               map[string]int      `json:"by_status"`
		BySeverity             map[string]int      `json:"by_severity"`
		Requirements           map[string][]string `json:"requirements"`
		Unmapped               []struct{ Framework, ID string }
		Controls               []string
		EvidenceID             string `json:"evidence_id"`
		Superseded, Outdated   int
	}
}

func importProwlerJSON(t *testing.T, db string, files ...string) importJSON {
	t.Helper()
	out := mustWard(t, db, append([]string{"import", "prowler", "--format", "json"}, files...)...)
	var r importJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

func blobFiles(db string) []string {
	var out []string
	filepath.WalkDir(db+".blobs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func countRows(t *testing.T, db, table string) int {
	t.Helper()
	c, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func openOn(t *testing.T, db, framework, control string) int {
	t.Helper()
	out := mustWard(t, db, "posture", "--framework", framework, "--format", "json")
	var p struct {
		OpenFindings []struct {
			Control string
			Failing int
		} `json:"open_findings"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	for _, o := range p.OpenFindings {
		if o.Control == control {
			return o.Failing
		}
	}
	return 0
}

func TestImportProwlerTwiceAddsNothing(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	if n := openOn(t, db, "soc2", "mfa"); n != 0 {
		t.Fatalf("open findings before any import: %d", n)
	}

	r := importProwlerJSON(t, db, prowlerSample)
	f := r.Files[0]
	if f.AlreadyImported || f.Findings != 6 || f.New != 6 || f.Format != "ocsf" || len(f.SHA256) != 64 {
		t.Fatalf("first import: %+v", f)
	}
	if f.ByStatus["FAIL"] != 3 || f.ByStatus["PASS"] != 2 || f.ByStatus["MANUAL"] != 1 || f.BySeverity["critical"] != 1 {
		t.Errorf("counts: %v %v", f.ByStatus, f.BySeverity)
	}
	if !slices.Contains(f.Requirements["hipaa"], "164.312(d)") || !slices.Contains(f.Requirements["soc2"], "CC6.1") || !slices.Contains(f.Requirements["soc2"], "A1.2") {
		t.Errorf("requirements touched: %v", f.Requirements)
	}
	if len(f.Unmapped) != 0 {
		t.Errorf("unmapped in the sample: %v", f.Unmapped)
	}
	// The file is evidence on the controls its findings touch, and the
	// failing root-MFA finding is an open item on mfa in both frameworks.
	if f.EvidenceID == "" || !slices.Contains(f.Controls, "mfa") || !slices.Contains(f.Controls, "encryption-at-rest") {
		t.Errorf("evidence %q on %v", f.EvidenceID, f.Controls)
	}
	if n := openOn(t, db, "soc2", "mfa"); n != 1 {
		t.Errorf("open on mfa (soc2): %d, want 1", n)
	}
	if n := openOn(t, db, "hipaa", "mfa"); n != 1 {
		t.Errorf("open on mfa (hipaa): %d, want 1", n)
	}
	if out := mustWard(t, db, "posture", "--framework", "hipaa"); !regexp.MustCompile(`Open failing findings from imported scans:\n(.*\n)*  mfa +1\n`).MatchString(out) {
		t.Errorf("posture text has no open findings section:\n%s", out)
	}
	// The scan's evidence lands only on adopted controls, so an export
	// applies back without a change.
	exp := filepath.Join(t.TempDir(), "exp")
	mustWard(t, db, "export", "-o", exp)
	if out := mustWard(t, db, "apply", "-f", exp); !strings.Contains(out, "no changes") {
		t.Errorf("apply of the export after an import:\n%s", out)
	}

	before := fileHash(t, db)
	again := importProwlerJSON(t, db, prowlerSample).Files[0]
	if !again.AlreadyImported || again.New != 0 || again.Already != 6 || again.ScanID != f.ScanID {
		t.Fatalf("second import: %+v", again)
	}
	if fileHash(t, db) != before {
		t.Error("the second import changed the database")
	}
	if n := countRows(t, db, "scan_findings"); n != 6 {
		t.Errorf("%d findings stored, want 6", n)
	}
	out := mustWard(t, db, "import", "prowler", prowlerSample)
	if !strings.Contains(out, "already imported") || !strings.Contains(out, "nothing new") {
		t.Errorf("text of a re-import: %s", out)
	}
	mustWard(t, db, "audit", "verify")
}

func TestImportProwlerBadFileExitsTwoAndWritesNothing(t *testing.T) {
	sample, err := os.ReadFile(prowlerSample)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want *regexp.Regexp
	}{
		{"truncated", sample[:len(sample)*2/3], regexp.MustCompile(`cut\.json: byte \d+, finding \d+: .*truncated \(the finding starts at byte \d+\); nothing was written`)},
		{"not JSON", []byte("[{\"class_uid\": 2004 \"x\"}]"), regexp.MustCompile(`cut\.json: byte 2\d, finding 1: not JSON`)},
		{"not OCSF", bytes.Replace(sample, []byte(`"event_code": "iam_root_mfa_enabled"`), []byte(`"code": "iam_root_mfa_enabled"`), 1),
			regexp.MustCompile(`cut\.json: byte \d+, finding 3, metadata.event_code: missing`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ward.db")
			mustWard(t, db, "apply", "-f", demoDir)
			before, blobsBefore := fileHash(t, db), blobFiles(db)
			bad := filepath.Join(dir, "cut.json")
			os.WriteFile(bad, c.data, 0o644)
			code, out, errs := ward(t, db, "import", "prowler", bad)
			if code != cli.ExitBadInput {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errs)
			}
			if !c.want.MatchString(errs) {
				t.Fatalf("stderr does not match %v:\n%s", c.want, errs)
			}
			if fileHash(t, db) != before {
				t.Fatal("the database changed")
			}
			// No evidence file was kept either.
			if after := blobFiles(db); !slices.Equal(after, blobsBefore) {
				t.Errorf("blobs before %v, after %v", blobsBefore, after)
			}
		})
	}
}

// A newer scan of the same account and check supersedes the older one:
// the fixed finding is no longer open, the older scan is kept.
func TestImportProwlerNewerScanSupersedes(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	sample, _ := os.ReadFile(prowlerSample)
	importProwlerJSON(t, db, prowlerSample)
	if n := openOn(t, db, "soc2", "mfa"); n != 1 {
		t.Fatalf("open on mfa: %d", n)
	}
	// A week later: root MFA is on.
	later := bytes.ReplaceAll(sample, []byte("1795608000"), []byte("1796212800"))
	later = bytes.ReplaceAll(later, []byte("2026-11-25T12:00:00"), []byte("2026-12-02T12:00:00"))
	later = bytes.Replace(later, []byte(`"status_code": "FAIL",
    "status_detail": "MFA is not enabled for root account."`), []byte(`"status_code": "PASS",
    "status_detail": "MFA is enabled for root account."`), 1)
	p := filepath.Join(dir, "later.json")
	os.WriteFile(p, later, 0o644)
	f := importProwlerJSON(t, db, p).Files[0]
	if f.New != 6 || f.Superseded != 5 || f.ByStatus["FAIL"] != 2 {
		t.Fatalf("newer scan: %+v", f)
	}
	if n := openOn(t, db, "soc2", "mfa"); n != 0 {
		t.Errorf("open on mfa after the fix: %d, want 0", n)
	}
	if n := openOn(t, db, "soc2", "encryption-at-rest"); n != 1 {
		t.Errorf("open on encryption-at-rest: %d, want 1 (still failing, counted once)", n)
	}
	if n := countRows(t, db, "scan_findings"); n != 12 {
		t.Errorf("history: %d findings stored, want both scans' 12", n)
	}
}

func TestImportProwlerReportsUnmappedIDs(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	sample, _ := os.ReadFile(prowlerSample)
	odd := bytes.Replace(sample, []byte(`"164_312_d"`), []byte(`"164_312_d", "164_312_z_9"`), 1)
	odd = bytes.Replace(odd, []byte(`"cc_6_2"`), []byte(`"cc_6_2", "cc_10_1"`), 1)
	p := filepath.Join(dir, "odd.json")
	os.WriteFile(p, odd, 0o644)
	code, out, errs := ward(t, db, "import", "prowler", p)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{"unmapped:     2 id(s)", "HIPAA 164_312_z_9 (1 finding(s))", "SOC2 cc_10_1 (1 finding(s))"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "read "+p+": 6 findings") {
		t.Errorf("no final line on a non-terminal: %q", errs)
	}
}

// The JSON lines and CSV forms import the same way.
func TestImportProwlerOtherFormats(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	r := importProwlerJSON(t, db, "../../importer/prowler/testdata/sample.ocsf.jsonl", "../../importer/prowler/testdata/sample.csv")
	if len(r.Files) != 2 || r.Files[0].Format != "jsonl" || r.Files[1].Format != "csv" || r.Files[0].New != 6 || r.Files[1].New != 6 {
		t.Fatalf("%+v", r.Files)
	}
	// The same run in two formats: the CSV, imported second, takes the
	// JSON-lines file's place for each account and check (5 pairs), so
	// the failing root-MFA check is one open item, not two.
	if r.Files[1].Superseded != 5 || r.Files[1].Outdated != 0 {
		t.Errorf("the second format of the same scan: superseded %d, outdated %d; want 5, 0", r.Files[1].Superseded, r.Files[1].Outdated)
	}
	if n := openOn(t, db, "soc2", "mfa"); n != 1 {
		t.Errorf("open on mfa: %d, want 1 (the same scan in two formats counts once)", n)
	}
	if n := countRows(t, db, "scan_findings"); n != 12 {
		t.Errorf("history: %d findings stored, want both files' 12", n)
	}
}

const csvData = "../../importer/csvimport/testdata/"

func TestImportCSVIdempotentAndBadRowsWriteNothing(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	mapping := csvData + "mapping.yaml"

	out := mustWard(t, db, "import", "csv", csvData+"results.csv", "--map", mapping, "--format", "json")
	var r struct {
		Files []struct {
			Rows, New, Already int
			AlreadyImported    bool           `json:"already_imported"`
			ByStatus           map[string]int `json:"by_status"`
			Controls           []string
			EvidenceID         string `json:"evidence_id"`
			PeriodStart        string `json:"period_start"`
			PeriodEnd          string `json:"period_end"`
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err, out)
	}
	f := r.Files[0]
	if f.Rows != 5 || f.New != 5 || f.ByStatus["FAIL"] != 2 || f.EvidenceID == "" || f.PeriodStart != "2026-11-19" || f.PeriodEnd != "2026-11-21" ||
		!slices.Equal(f.Controls, []string{"endpoint-encryption", "patch-management", "vulnerability-scanning"}) {
		t.Fatalf("csv import: %+v", f)
	}
	if n := openOn(t, db, "soc2", "endpoint-encryption"); n != 1 {
		t.Errorf("open on endpoint-encryption: %d", n)
	}
	before := fileHash(t, db)
	if out := mustWard(t, db, "import", "csv", csvData+"results.csv", "--map", mapping); !strings.Contains(out, "already imported") {
		t.Errorf("re-import: %s", out)
	}
	if fileHash(t, db) != before {
		t.Error("a re-import changed the database")
	}

	raw, _ := os.ReadFile(csvData + "results.csv")
	for _, c := range []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"unknown control", bytes.Replace(raw, []byte("patch-management,"), []byte("patch-mgmt,"), 1), nil,
			`bad\.csv: line 4, column "Control": "patch-mgmt" is not a control .*; nothing was written`},
		{"bad date", bytes.Replace(raw, []byte("2026-11-21"), []byte("next week"), 1), nil,
			`bad\.csv: line 4, column "Tested": "next week" is not a date`},
		{"no mapping", raw, []string{"--map", ""}, `--map MAPPING.yaml is required`},
		{"bad mapping", raw, []string{"--map", "bad.yaml"}, `bad\.yaml:\d+: columns.status: missing`},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, c.data, 0o644)
			os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("columns:\n  control: Control\n  date: Tested\n"), 0o644)
			args := append([]string{"import", "csv", bad, "--map", mapping}, c.args...)
			for i, a := range args {
				if a == "bad.yaml" {
					args[i] = filepath.Join(dir, a)
				}
			}
			code, out, errs := ward(t, db, args...)
			if code != cli.ExitBadInput || !regexp.MustCompile(c.want).MatchString(errs) {
				t.Fatalf("exit %d, stderr %q, want 2 and %s\n%s", code, errs, c.want, out)
			}
			if fileHash(t, db) != before {
				t.Error("the database changed")
			}
		})
	}
}

// The import is evidence and a test result at once: the file's evidence
// brings controls current, and a control whose checks fail in the scan is
// not operating, so it and the requirements it is in scope for fall to
// partly met in both frameworks until a newer scan passes (issue 9: the
// import updates the demo's SOC 2 and HIPAA posture).
func TestImportProwlerUpdatesPosture(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	type state struct {
		ID, State, Reason string
		Failing           int
	}
	type posture struct {
		Score struct {
			Met, Partial int
			Percent      float64
		}
		Requirements []struct {
			ID, Status string
			InScope    []string `json:"in_scope"`
			Missing    []string
		}
		Controls []state
	}
	read := func(fw string) (posture, map[string]state) {
		t.Helper()
		var p posture
		if err := json.Unmarshal([]byte(mustWard(t, db, "posture", "--framework", fw, "--as-of", "2026-11-23", "--format", "json")), &p); err != nil {
			t.Fatal(err)
		}
		m := map[string]state{}
		for _, c := range p.Controls {
			m[c.ID] = c
		}
		return p, m
	}
	before := map[string]posture{}
	for _, fw := range []string{"soc2", "hipaa"} {
		p, cs := read(fw)
		before[fw] = p
		if c := cs["mfa"]; c.State != "met" || c.Failing != 0 {
			t.Fatalf("%s: mfa before the import: %+v", fw, c)
		}
	}
	mustWard(t, db, "import", "prowler", prowlerSample)
	for fw, req := range map[string]string{"soc2": "CC6.1", "hipaa": "164.312(d)"} {
		p, cs := read(fw)
		// The sample's failing root-MFA check (iam_root_mfa_enabled) lands
		// on mfa; its passing CloudTrail check leaves audit-logging met.
		c := cs["mfa"]
		if c.State != "partial" || c.Failing != 1 || !strings.Contains(c.Reason, "1 failing finding from imported scans is open") {
			t.Errorf("%s: mfa after the import: %+v", fw, c)
		}
		if c := cs["audit-logging"]; c.State != "met" || c.Failing != 0 {
			t.Errorf("%s: audit-logging after the import: %+v", fw, c)
		}
		if p.Score.Percent >= before[fw].Score.Percent || p.Score.Partial <= before[fw].Score.Partial {
			t.Errorf("%s: score %+v after the import, %+v before: failing findings must lower it", fw, p.Score, before[fw].Score)
		}
		found := false
		for _, r := range p.Requirements {
			if r.ID != req {
				continue
			}
			found = true
			if r.Status != "partial" || !slices.ContainsFunc(r.Missing, func(m string) bool { return strings.HasPrefix(m, "mfa: ") && strings.Contains(m, "failing finding") }) {
				t.Errorf("%s %s after the import: %+v", fw, r.ID, r)
			}
		}
		if !found {
			t.Errorf("%s: no requirement %s", fw, req)
		}
	}
}

// A scan dated in the future (a wrong clock, an edited file) is imported
// with a note: its date decides which scan is current.
func TestImportProwlerNotesAFutureScan(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	sample, _ := os.ReadFile(prowlerSample)
	future := bytes.ReplaceAll(sample, []byte("1795608000"), []byte("4102444800")) // 2100-01-01
	future = bytes.ReplaceAll(future, []byte("2026-11-25T12:00:00"), []byte("2100-01-01T00:00:00"))
	p := filepath.Join(dir, "future.json")
	os.WriteFile(p, future, 0o644)
	code, _, errs := ward(t, db, "import", "prowler", p)
	if code != 0 || !strings.Contains(errs, "after today") || !strings.Contains(errs, "2100-01-01") {
		t.Errorf("exit %d, stderr %q: want a note on the future date", code, errs)
	}
}
