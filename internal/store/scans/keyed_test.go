package scans_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"ward/internal/store"
	"ward/internal/store/scans"
	"ward/internal/workspace"
)

// TestStagedFindingsKeyLikeDirectOnes: the same findings, with keys
// repeated near and far apart in every order of statuses, imported once
// in one transaction (a small import: every row into scan_findings with
// the ON CONFLICT rule) and again sorted in many small runs spilled to a
// temporary file and merged (with every run merged at once, and in
// groups of four first), leave the same rows, the same counts and the
// same open items.
func TestStagedFindingsKeyLikeDirectOnes(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2027, 5, 2, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(21, 4))
	statuses := []string{store.FindingPass, store.FindingFail, store.FindingManual, store.FindingMuted}
	var findings []store.ScanFinding
	for i := range 3000 {
		k := rng.IntN(900) // about a third of the keys repeat, some many times
		f := store.ScanFinding{UID: fmt.Sprintf("prowler-aws-c%d-111-us-east-1-r%d", k%7, k), Check: fmt.Sprintf("c%d", k%7),
			Status: statuses[rng.IntN(len(statuses))], Severity: fmt.Sprintf("sev-%d", i), ResourceUID: fmt.Sprintf("arn:r%d", k%450),
			ResourceType: "AwsS3Bucket", Region: "us-east-1", Account: "111", Time: at, Note: fmt.Sprintf("row %d", i)}
		findings = append(findings, f)
	}
	feed := func(sw *store.ScanWriter) (store.ScanInput, error) {
		for _, f := range findings {
			if err := sw.Add(f); err != nil {
				return store.ScanInput{}, err
			}
		}
		return store.ScanInput{Source: "prowler", Format: "ocsf", FileName: "scan.json", SHA256: fmt.Sprintf("%064x", 7), Size: 1,
			ScannedAt: at, Controls: map[string][]string{"c1": {"mfa"}},
			Evidence: workspace.Evidence{Collected: workspace.Evidence{}.Collected, File: "scan.json"}}, nil
	}
	type result struct {
		New, Duplicates int
		Rows            []store.ScanFinding
		Open            map[string]int
		Failing         map[string]int // scan_checks: account/check -> failing
	}
	run := func(opt store.Options, moveRows int64, ways int) result {
		file := filepath.Join(t.TempDir(), "w.db")
		s, err := store.Open(ctx, "sqlite:"+file, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		scans.SmallRuns(t, moveRows, ways)
		org, err := s.CreateOrg(ctx, "test", "acme", "Acme")
		if err != nil {
			t.Fatal(err)
		}
		o := s.Org(org)
		res, err := o.ImportScan(ctx, "raj", feed)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := o.ScanFindings(ctx, res.Scan.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		open, err := o.OpenFindingCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, fs, err := o.StagedImports(ctx); err != nil || n != 0 || fs != 0 {
			t.Fatalf("staging left behind: %d scans, %d findings, %v", n, fs, err)
		}
		// The failing counts kept per account and check, read on a
		// connection of the test's own.
		db, err := sql.Open("sqlite", file)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		failing := map[string]int{}
		rs, err := db.QueryContext(ctx, "SELECT account, check_id, failing FROM scan_checks WHERE scan_id = ?", res.Scan.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var account, check string
			var n int
			if err := rs.Scan(&account, &check, &n); err != nil {
				t.Fatal(err)
			}
			failing[account+"/"+check] = n
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return result{res.New, res.Duplicates, rows, open, failing}
	}
	direct := run(store.Options{}, 0, 0)
	if len(direct.Failing) != 7 {
		t.Fatalf("direct: failing counts of %d checks, want 7: %v", len(direct.Failing), direct.Failing)
	}
	if direct.New+direct.Duplicates != len(findings) || direct.Duplicates < 1000 {
		t.Fatalf("direct: %d new, %d duplicates of %d: the test does not repeat keys as it means to", direct.New, direct.Duplicates, len(findings))
	}
	for _, ways := range []int{0, 4} {
		keyed := run(store.Options{ImportSlice: 64}, 97, ways)
		if !reflect.DeepEqual(direct, keyed) {
			t.Errorf("merged %d ways at most: %d new, %d duplicates, %d rows; direct: %d, %d, %d", ways, keyed.New, keyed.Duplicates, len(keyed.Rows), direct.New, direct.Duplicates, len(direct.Rows))
			for i := range min(len(direct.Rows), len(keyed.Rows)) {
				if direct.Rows[i] != keyed.Rows[i] {
					t.Errorf("first difference at row %d: direct %+v, keyed %+v", i, direct.Rows[i], keyed.Rows[i])
					break
				}
			}
		}
	}
}
