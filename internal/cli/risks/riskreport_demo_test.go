package risks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ward/internal/browsertest"

	"github.com/xuri/excelize/v2"

	"ward/internal/report/riskreport"
)

// TestDemoRiskAnalysisReport is issue 6's "the demo's risk analysis report
// as PDF and HTML, checked by a golden test on its structure (sections
// present, every risk listed), not on bytes": it runs `ward report
// risk-analysis` on examples/acme-health in every format and checks the
// document a compliance officer would send to OCR (45 CFR
// 164.308(a)(1)(ii)(A) and 164.316(b)(1): the analysis must be documented)
// has every section in order and lists every risk of the analysis.
func TestDemoRiskAnalysisReport(t *testing.T) {
	db := demoDB(t)
	const asOf = "2026-11-23"
	var reg struct {
		Analysis struct{ ID string }
		Risks    []struct{ Risk struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(mustWard(t, db, "risk", "list", "--format", "json", "--as-of", asOf)), &reg); err != nil {
		t.Fatal(err)
	}
	if len(reg.Risks) < 10 {
		t.Fatalf("the demo has %d risks; expected its full register", len(reg.Risks))
	}
	var ids []string
	for _, r := range reg.Risks {
		ids = append(ids, r.Risk.ID)
	}
	dir := t.TempDir()
	out := map[string]string{}
	for _, ext := range []string{"html", "md", "pdf", "xlsx"} {
		p := filepath.Join(dir, "risk-analysis."+ext)
		mustWard(t, db, "report", "risk-analysis", "-o", p, "--as-of", asOf)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[ext] = string(b)
	}

	// The outline: title, organization, analysis id, then the numbered
	// sections in order; then every risk in the register.
	want := []string{"HIPAA Security Rule Risk Analysis", "Acme Health", reg.Analysis.ID}
	for i, s := range riskreport.Sections {
		want = append(want, strconv.Itoa(i+1)+". "+s)
	}
	for _, ext := range []string{"html", "md"} {
		text := out[ext]
		at := 0
		for _, w := range want {
			i := strings.Index(text[at:], w)
			if i < 0 {
				t.Errorf("%s: %q missing or out of order", ext, w)
				continue
			}
			at += i + len(w)
		}
		for _, id := range ids {
			if !strings.Contains(text, id) {
				t.Errorf("%s: risk %s not listed", ext, id)
			}
		}
	}
	// The heat map before and after treatment is a real chart (two SVGs),
	// and the HTML runs under a strict CSP (no script).
	if n := strings.Count(out["html"], "<svg"); n != 2 {
		t.Errorf("html has %d heat maps, want 2 (before and after treatment)", n)
	}
	if strings.Contains(out["html"], "<script") {
		t.Error("html carries a script")
	}

	// The PDF is a PDF of several pages; with poppler installed its text
	// reads in section order with every risk, and every page renders.
	pdf := out["pdf"]
	if !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(pdf, "%%EOF") {
		t.Fatal("risk-analysis.pdf is not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAllString(pdf, -1))
	if pages < 4 {
		t.Errorf("the PDF has %d pages, want at least 4 (cover, scope, register, plan, sign-off)", pages)
	}
	pdfPath := filepath.Join(dir, "risk-analysis.pdf")
	b, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	for _, s := range riskreport.Sections {
		if !strings.Contains(text, s) {
			t.Errorf("pdf: section %q missing", s)
		}
	}
	for _, id := range ids {
		if !strings.Contains(text, id) {
			t.Errorf("pdf: risk %s not listed", id)
		}
	}
	// Every page renders to an image.
	if b, err := exec.Command(browsertest.Poppler(t, "pdftoppm"), "-png", "-r", "30", pdfPath, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	if pngs, _ := filepath.Glob(filepath.Join(dir, "p-*.png")); len(pngs) != pages {
		t.Errorf("%d page images for %d pages", len(pngs), pages)
	}

	// The xlsx register: a header and one row per risk, every id present.
	f, err := excelize.OpenFile(filepath.Join(dir, "risk-analysis.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Register")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(ids)+1 {
		t.Errorf("xlsx register has %d rows, want %d risks + header", len(rows), len(ids))
	}
	got := map[string]bool{}
	for _, r := range rows[1:] {
		if len(r) > 0 {
			got[r[0]] = true
		}
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("xlsx: risk %s not in the register", id)
		}
	}
}

// TestRiskAnalysisReportBadInputExitsTwoWritesNothing: an unknown format
// or analysis is a usage error (exit 2) and leaves no file behind.
func TestRiskAnalysisReportBadInputExitsTwoWritesNothing(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", filepath.Join(dir, "r.docx")}, ".docx"},
		{[]string{"--analysis", "ra-1999", "-o", filepath.Join(dir, "r.html")}, "ra-1999"},
	} {
		code, _, errs := ward(t, db, append([]string{"report", "risk-analysis"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming %q", tc.args, code, errs, tc.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a failed report left %d files behind", len(left))
	}
}
