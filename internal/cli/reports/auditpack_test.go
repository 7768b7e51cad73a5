package reports

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/report/auditpack"
	"ward/internal/workspace"
)

// unzipBundle extracts a bundle into dir and returns its files by name.
func unzipBundle(t *testing.T, zipPath, dir string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, b, 0o644)
	}
	return files
}

func TestExportEvidenceBundleVerifies(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	up := filepath.Join(dir, "q4 access review.pdf")
	os.WriteFile(up, []byte("%PDF-1.4 Q4 access review"), 0o644)
	mustWard(t, db, "evidence", "add", up, "--control", "access-review", "--collected", "2026-11-20")

	out := filepath.Join(dir, "bundle.zip")
	mustWard(t, db, "export", "evidence", "-o", out)
	ex := filepath.Join(dir, "x")
	files := unzipBundle(t, out, ex)

	// SHA256SUMS names every other file in the zip, and every hash matches.
	sums := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(files["SHA256SUMS"])))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not 'HASH  NAME'", sc.Text())
		}
		sums[name] = sum
	}
	for name, b := range files {
		if name == "SHA256SUMS" {
			continue
		}
		h := sha256.Sum256(b)
		if sums[name] != hex.EncodeToString(h[:]) {
			t.Errorf("%s: SHA256SUMS says %q, content is %x", name, sums[name], h)
		}
	}
	if len(sums) != len(files)-1 {
		t.Errorf("SHA256SUMS lists %d files, the zip holds %d besides it", len(sums), len(files)-1)
	}

	// The manifest lists every evidence item; each file's recorded hash is
	// the hash of the bytes in the zip.
	// The workforce-derived items (source derived) are listed too, without a file.
	var m struct {
		Evidence []struct {
			ID, File, SHA256, Source string
			Controls                 []string
			Requirements             map[string][]string
		}
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	listed := evidenceList(t, db)
	stored, derived := 0, 0
	for _, e := range m.Evidence {
		if e.Source == workspace.SourceDerived {
			derived++
			if e.File != "" || !strings.HasPrefix(e.ID, "derived:") {
				t.Errorf("derived item %s has file %q", e.ID, e.File)
			}
		} else {
			stored++
		}
	}
	if stored != len(listed) || derived == 0 {
		t.Fatalf("manifest has %d stored items (the organization %d) and %d derived", stored, len(listed), derived)
	}
	withFile := 0
	for _, e := range m.Evidence {
		if e.File == "" {
			continue
		}
		withFile++
		if sums[e.File] != e.SHA256 {
			t.Errorf("%s: manifest sha256 %s, file in zip %s", e.ID, e.SHA256, sums[e.File])
		}
		if len(e.Requirements["hipaa"])+len(e.Requirements["soc2"]) == 0 {
			t.Errorf("%s: no requirement ids", e.ID)
		}
	}
	if withFile < 4 {
		t.Errorf("only %d files in the bundle; the demo has several and one was uploaded", withFile)
	}
	csvHead := strings.SplitN(string(files["manifest.csv"]), "\n", 2)[0]
	if csvHead != "id,controls,requirements,collected,period_start,period_end,file,sha256,size,type,link,note,added_by,source,supersedes,superseded_by" {
		t.Errorf("manifest.csv header: %s", csvHead)
	}
	// The check an auditor runs, with the real tool when it is there.
	if tool, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(tool, "-c", "SHA256SUMS")
		cmd.Dir = ex
		if b, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(b), "FAILED") {
			t.Fatalf("sha256sum -c: %v\n%s", err, b)
		}
	}

	// A framework and period narrow it.
	out2 := filepath.Join(dir, "soc2-q4.zip")
	mustWard(t, db, "export", "evidence", "-o", out2, "--framework", "soc2", "--period-start", "2026-10-01", "--period-end", "2026-12-31")
	files = unzipBundle(t, out2, filepath.Join(dir, "y"))
	m.Evidence = nil // a fresh decode: Unmarshal merges into existing maps
	json.Unmarshal(files["manifest.json"], &m)
	if len(m.Evidence) == 0 || len(m.Evidence) >= stored+derived {
		t.Fatalf("soc2 Q4 bundle has %d of %d items", len(m.Evidence), stored+derived)
	}
	for _, e := range m.Evidence {
		if len(e.Requirements["soc2"]) == 0 || len(e.Requirements["hipaa"]) != 0 {
			t.Errorf("%s in a soc2 bundle with requirements %v", e.ID, e.Requirements)
		}
	}

	// A stored file that no longer matches its hash is refused: no bundle
	// that would not verify is written.
	var sha string
	for _, e := range evidenceList(t, db, "--control", "access-review") {
		if e.Source == "cli" {
			sha = e.SHA256
		}
	}
	blob := filepath.Join(db+".blobs", sha[:2], sha[2:])
	os.Chmod(blob, 0o644)
	if err := os.WriteFile(blob, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.zip")
	if code, _, errs := ward(t, db, "export", "evidence", "-o", bad); code == 0 || !strings.Contains(errs, "not the recorded "+sha) {
		t.Fatalf("export of a tampered blob: exit %d %s", code, errs)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Fatal("a bundle was written although a file did not match its hash")
	}
	for _, args := range [][]string{{"-o", "x.tar"}, {"-o", out, "--framework", "iso"}, {"-o", out, "--period-start", "2026-01-01"}} {
		if code, _, _ := ward(t, db, append([]string{"export", "evidence"}, args...)...); code != cli.ExitBadInput {
			t.Errorf("export evidence %v: exit %d, want 2", args, code)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff)\n--- got ---\n%s", p, got)
	}
}

// frozenDemo is a copy of the demo workspace kept for golden files, so
// that an edit of examples/acme-health does not turn them red.
const frozenDemo = "testdata/acme-health"

// demoWithUpload is a demo workspace with the missed October scan supplied
// by `ward evidence add`, so the lists show a file added from the CLI.
func demoWithUpload(t *testing.T, workspaceDir string) (db, dir string) {
	t.Helper()
	t.Setenv("WARD_ACTOR", "dana@acme-health.example")
	dir = t.TempDir()
	db = filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", workspaceDir)
	scan := filepath.Join(dir, "october-scan.txt")
	os.WriteFile(scan, []byte("AWS Inspector, 2026-10-20: 0 critical, 2 high (patched 2026-10-22).\n"), 0o644)
	mustWard(t, db, "evidence", "add", scan, "--control", "vulnerability-scanning", "--collected", "2026-10-20")
	return db, dir
}

func TestRequestListGolden(t *testing.T) {
	db, dir := demoWithUpload(t, frozenDemo)
	for _, fw := range []string{"soc2", "hipaa"} {
		out := filepath.Join(dir, fw+".csv")
		mustWard(t, db, "report", "request-list", "--framework", fw, "--as-of", "2026-11-23", "-o", out)
		got, _ := os.ReadFile(out)
		golden(t, "request-list-"+fw+".csv", got)
	}
}

func TestRequestListXLSXListsEveryEvidenceHash(t *testing.T) {
	db, dir := demoWithUpload(t, demoDir)
	out := filepath.Join(dir, "pbc.xlsx")
	mustWard(t, db, "report", "request-list", "--as-of", "2026-11-23", "-o", out)
	js := mustWard(t, db, "report", "request-list", "--as-of", "2026-11-23", "--format", "json")
	var rl struct {
		Rows []struct {
			Requirement, Control, SHA256 string
			EvidenceID                   string `json:"evidence_id"`
		}
	}
	if err := json.Unmarshal([]byte(js), &rl); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(auditpack.RequestSheet)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(auditpack.RequestColumns, ",") || len(rows)-1 != len(rl.Rows) {
		t.Fatalf("sheet: header %v, %d rows; the list has %d", rows[0], len(rows)-1, len(rl.Rows))
	}
	inSheet := map[string]bool{}
	for _, r := range rows[1:] {
		for _, c := range r {
			inSheet[c] = true
		}
	}
	// Every hashed evidence item of a SOC 2 control in scope is listed
	// with its hash, the uploaded one included.
	hashes := 0
	for _, r := range rl.Rows {
		if r.SHA256 != "" {
			hashes++
			if !inSheet[r.SHA256] || !inSheet[r.EvidenceID] {
				t.Errorf("%s / %s: evidence %s (%s) is not in the workbook", r.Requirement, r.Control, r.EvidenceID, r.SHA256)
			}
		}
	}
	for _, e := range evidenceList(t, db) {
		if e.SHA256 != "" && e.SupersededBy == "" && !inSheet[e.SHA256] && touchesSOC2(e) {
			t.Errorf("evidence %s (%s) is missing from the request list", e.ID, e.SHA256)
		}
	}
	if hashes < 3 {
		t.Errorf("only %d rows with a hash", hashes)
	}
}

// touchesSOC2 is true for evidence of a control that maps to a SOC 2
// criterion in the demo's scope (security, availability, confidentiality).
func touchesSOC2(e listedEvidence) bool {
	reqs := auditpack.Requirements(&workspace.Workspace{Organization: workspace.Organization{SOC2: workspace.SOC2{Categories: []string{"availability", "confidentiality"}}}}, catalog.Default())
	ids := e.Controls
	if e.Control != "" {
		ids = append(ids, e.Control)
	}
	for _, c := range ids {
		if len(reqs[c]["soc2"]) > 0 {
			return true
		}
	}
	return false
}

func TestReportReadiness(t *testing.T) {
	db, dir := demoWithUpload(t, demoDir)
	for _, ext := range []string{"html", "md", "pdf", "xlsx"} {
		out := filepath.Join(dir, "readiness."+ext)
		mustWard(t, db, "report", "readiness", "--as-of", "2026-11-23", "-o", out)
		if fi, err := os.Stat(out); err != nil || fi.Size() < 1000 {
			t.Errorf("%s: %v", ext, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "readiness.html"))
	if !strings.Contains(string(html), `class="readiness-bars"`) || strings.Count(string(html), "<h2") < 4 {
		t.Error("the HTML report should show the bars and a section per framework")
	}
	js := mustWard(t, db, "report", "readiness", "--as-of", "2026-11-23", "--framework", "soc2", "--format", "json")
	var rep struct {
		Frameworks []struct {
			Framework  string
			Exceptions []struct{ Control, Period string }
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil || len(rep.Frameworks) != 1 || rep.Frameworks[0].Framework != "soc2" {
		t.Fatalf("json: %v %s", err, js[:min(len(js), 300)])
	}
	for _, args := range [][]string{{"-o", filepath.Join(dir, "r.docx")}, {}, {"-o", filepath.Join(dir, "r.md"), "--framework", "iso27001"}} {
		if code, _, _ := ward(t, db, append([]string{"report", "readiness"}, args...)...); code != cli.ExitBadInput {
			t.Errorf("report readiness %v: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r.docx")); err == nil {
		t.Error("a refused report was written")
	}
}
