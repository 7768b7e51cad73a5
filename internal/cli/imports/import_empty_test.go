package imports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
)

// A scanner file with no findings (an empty OCSF array, a CSV with only
// its header) is refused: exit 2, nothing written. Stored, it would be a
// scan dated year 1 that touches no control.
func TestImportWithoutFindingsExitsTwoAndWritesNothing(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	prowlerCSV, err := os.ReadFile("../../importer/prowler/testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	results, err := os.ReadFile(csvData + "results.csv")
	if err != nil {
		t.Fatal(err)
	}
	header := func(b []byte) []byte { return b[:strings.IndexByte(string(b), '\n')+1] }
	for _, c := range []struct {
		name, file string
		data       []byte
		args       []string
		want       string
	}{
		{"empty OCSF array", "empty.json", []byte("[\n]\n"), nil, "empty.json: the file holds no findings: nothing to import; nothing was written"},
		{"empty JSON lines", "empty.jsonl", []byte("\n\n"), nil, "empty.jsonl: byte 2: the file is empty: no findings; nothing was written"},
		{"Prowler CSV header only", "header.csv", header(prowlerCSV), nil, "header.csv: the file holds no findings: nothing to import; nothing was written"},
		{"CSV import header only", "results.csv", header(results), []string{"csv"}, "results.csv: the file holds no rows after its header: nothing to import; nothing was written"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, blobsBefore := fileHash(t, db), blobFiles(db)
			p := filepath.Join(dir, c.file)
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"import", "prowler", p}
			if len(c.args) > 0 {
				args = []string{"import", "csv", p, "--map", csvData + "mapping.yaml"}
			}
			code, out, errs := ward(t, db, args...)
			if code != cli.ExitBadInput || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q\n%s", code, errs, c.want, out)
			}
			if fileHash(t, db) != before {
				t.Error("the database changed")
			}
			if after := blobFiles(db); !slices.Equal(after, blobsBefore) {
				t.Errorf("an evidence file was kept: %v", after)
			}
		})
	}
	if n := countRows(t, db, "scans"); n != 0 {
		t.Errorf("%d scans stored, want none", n)
	}
}
