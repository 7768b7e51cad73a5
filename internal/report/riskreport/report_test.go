package riskreport

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"ward/internal/browsertest"

	"github.com/xuri/excelize/v2"

	"ward/internal/date"
	"ward/internal/workspace"
)

var keep = flag.String("keep", "", "write the demo report in every format to this directory, to look at")

func demo() *workspace.Workspace {
	d := date.MustParse
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme Health, Inc."},
		People: []workspace.Person{
			{Email: "dana@acme.test", Name: "Dana Pérez", Role: "Security Officer"},
			{Email: "sam@acme.test", Name: "Sam Okafor", Role: "CEO"},
		},
		Vendors: []workspace.Vendor{{ID: "aws", Name: "Amazon Web Services"}, {ID: "google", Name: "Google Workspace"}},
		Systems: []workspace.System{
			{ID: "api", Name: "Patient API", Kind: "service", Vendor: "aws", PHI: true},
			{ID: "ehr-db", Name: "Clinical database", Kind: "datastore", Vendor: "aws", PHI: true, EncryptedAtRest: true},
			{ID: "email", Name: "Email", Kind: "saas", Vendor: "google", PHI: true, EncryptedAtRest: true},
			{ID: "laptops", Name: "Staff laptops", Kind: "endpoint", PHI: true},
		},
		Controls: []workspace.Control{{ID: "backup", Status: "implemented"}, {ID: "mfa", Status: "in-progress"}, {ID: "encryption-at-rest", Status: "implemented"}},
		RiskAnalyses: []workspace.RiskAnalysis{
			{ID: "ra-2025", Performed: d("2025-11-10"), PerformedBy: "dana@acme.test", ApprovedBy: "sam@acme.test"},
			{ID: "ra-2026", Performed: d("2026-11-12"), PerformedBy: "dana@acme.test", ApprovedBy: "sam@acme.test", Previous: "ra-2025", Methodology: "nist-800-30",
				Scope: "All systems that hold or carry ePHI for the Acme patient platform, including staff endpoints and SaaS."},
		},
		Risks: []workspace.Risk{
			{ID: "ra-2025-1", Analysis: "ra-2025", Asset: "ehr-db", Threat: "ransomware", Vulnerability: "backups-not-isolated", Likelihood: 4, Impact: 5, Treatment: "mitigate"},
			{ID: "ra-2025-2", Analysis: "ra-2025", Asset: "email", Threat: "credential-phishing", Vulnerability: "no-mfa-remote", Likelihood: 4, Impact: 4, Treatment: "mitigate"},
			{ID: "ra-2026-1", Analysis: "ra-2026", Asset: "ehr-db", Threat: "ransomware", Vulnerability: "backups-not-isolated", Likelihood: 4, Impact: 5, ResidualLikelihood: 2, ResidualImpact: 4,
				Controls: []string{"backup", "encryption-at-rest"}, Treatment: "mitigate", Owner: "dana@acme.test", Due: d("2026-12-15"), Notes: "Move backups to a separate account with object lock; quarterly restore test."},
			{ID: "ra-2026-2", Analysis: "ra-2026", Asset: "email", Threat: "credential-phishing", Vulnerability: "no-mfa-remote", Likelihood: 4, Impact: 4,
				Controls: []string{"mfa"}, Treatment: "mitigate", Owner: "dana@acme.test", Due: d("2026-10-01")},
			{ID: "ra-2026-3", Analysis: "ra-2026", Asset: "laptops", Threat: "lost-stolen-device", Vulnerability: "unencrypted-device", Likelihood: 3, Impact: 4, ResidualLikelihood: 1,
				Controls: []string{"encryption-at-rest", "mdm"}, Treatment: "mitigate", Owner: "it@acme.test", Due: d("2026-08-01"), Completed: d("2026-07-20")},
			{ID: "ra-2026-4", Analysis: "ra-2026", Asset: "api", Threat: "Scraping of the public API by a former partner", Vulnerability: "No per-client rate limits", Likelihood: 2, Impact: 2,
				Treatment: "accept", AcceptedBy: "sam@acme.test", AcceptedOn: d("2026-11-12"), AcceptanceReason: "Only de-identified directory data is exposed; cost of rate limiting exceeds the harm."},
		},
	}
}

func build(t *testing.T) Report {
	t.Helper()
	rep, err := BuildReport(demo(), "", []string{"api", "ehr-db", "email", "laptops", "fax-gateway"}, func(id string) string {
		return map[string]string{"backup": "Backups", "mfa": "Multi-factor authentication"}[id]
	}, date.MustParse("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func render(t *testing.T, rep Report, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteReport(&b, format, rep); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	if *keep != "" {
		os.WriteFile(filepath.Join(*keep, "risk-analysis."+format), b.Bytes(), 0o644)
	}
	return b.Bytes()
}

var riskIDs = []string{"ra-2026-1", "ra-2026-2", "ra-2026-3", "ra-2026-4"}

// inOrder checks that each string occurs in text after the previous one.
func inOrder(t *testing.T, format, text string, want []string) {
	t.Helper()
	at := 0
	for _, w := range want {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Errorf("%s: %q missing or out of order", format, w)
			continue
		}
		at += i + len(w)
	}
}

func structure(rep Report) []string {
	want := []string{"HIPAA Security Rule Risk Analysis", "Acme Health, Inc.", "ra-2026", "Dana Pérez"}
	for i, s := range Sections {
		want = append(want, strings.TrimSpace(string(rune('1'+i))+". "+s))
	}
	return want
}

func TestBuildReport(t *testing.T) {
	rep := build(t)
	var order []string
	for _, s := range rep.Register {
		order = append(order, s.Risk.ID)
	}
	// Sorted by residual level, then score, then id: ra-2026-2 4×4 high
	// (no residual recorded), ra-2026-1 2×4 medium, ra-2026-3 1×4 low and
	// ra-2026-4 2×2 low (equal residual scores; ra-2026-3's inherent 12 is higher).
	if strings.Join(order, " ") != "ra-2026-2 ra-2026-1 ra-2026-3 ra-2026-4" {
		t.Errorf("register order %v", order)
	}
	// fax-gateway is in scope with no risk: the coverage gap is reported.
	if len(rep.Findings) != 1 || rep.Findings[0].Subject != "fax-gateway" {
		t.Errorf("findings %+v", rep.Findings)
	}
	if rep.Changes == nil || len(rep.Changes.Changed) != 1 || len(rep.Changes.Added) != 2 || rep.Changes.Unchanged != 1 {
		t.Errorf("changes %+v", rep.Changes)
	}
	status := map[string]string{}
	for _, p := range rep.Plan {
		status[p.RiskID] = p.Status
	}
	if status["ra-2026-2"] != "OVERDUE" || status["ra-2026-1"] != "open" || status["ra-2026-3"] != "completed 2026-07-20" || !strings.HasPrefix(status["ra-2026-4"], "accepted by Sam Okafor") {
		t.Errorf("plan status %v", status)
	}
	if rep.Methodology != DefaultMethodology {
		t.Error("nist-800-30 should expand to the written methodology")
	}
	ws := demo()
	ws.RiskAnalyses[1].Methodology = "NIST SP 800-30 Rev. 1"
	if r, _ := BuildReport(ws, "", nil, nil, date.MustParse("2026-11-20")); r.Methodology != DefaultMethodology {
		t.Error("the DESIGN.md spelling should expand too")
	}
	ws.RiskAnalyses[1].Methodology = "ISO 27005 with our own scales"
	if r, _ := BuildReport(ws, "", nil, nil, date.MustParse("2026-11-20")); r.Methodology != "ISO 27005 with our own scales" {
		t.Error("an organization's own methodology text must be kept")
	}
	if _, err := BuildReport(demo(), "ra-1990", nil, nil, date.MustParse("2026-11-20")); err == nil {
		t.Error("unknown analysis accepted")
	}
	if err := WriteReport(&bytes.Buffer{}, "docx", rep); err == nil || !strings.Contains(err.Error(), ".pdf") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestMarkdownAndHTMLStructure(t *testing.T) {
	rep := build(t)
	md := string(render(t, rep, "md"))
	inOrder(t, "md", md, structure(rep))
	html := string(render(t, rep, "html"))
	inOrder(t, "html", html, structure(rep))
	for _, id := range riskIDs {
		for format, text := range map[string]string{"md": md, "html": html} {
			if !strings.Contains(text, id) {
				t.Errorf("%s: risk %s not listed", format, id)
			}
		}
	}
	// Before and after heat maps, as drawings, in the HTML.
	if n := strings.Count(html, "<svg"); n != 2 {
		t.Errorf("html has %d heat maps, want 2", n)
	}
	if !strings.Contains(html, "Scraping of the public API") || strings.Contains(html, "<script") {
		t.Error("html: organization's own threat missing, or script present")
	}
}

func TestPDF(t *testing.T) {
	rep := build(t)
	pdf := render(t, rep, "pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatal("not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1))
	if pages < 4 || pages > 20 {
		t.Errorf("%d pages", pages)
	}
	// The text reads in section order.
	bin := browsertest.Poppler(t, "pdftotext")
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	os.WriteFile(in, pdf, 0o644)
	out, err := exec.Command(bin, "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	inOrder(t, "pdf", text, structure(rep))
	for _, id := range riskIDs {
		if !strings.Contains(text, id) {
			t.Errorf("pdf: risk %s not listed", id)
		}
	}
	// Every page renders to an image (what a reviewer looks at).
	// The document's title (what a viewer's title bar and a search index
	// show) is the same UTF-8 text as the cover, not cp1252 bytes.
	info, err := exec.Command(browsertest.Poppler(t, "pdfinfo"), in).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	if !strings.Contains(string(info), "HIPAA Security Rule Risk Analysis — "+rep.Organization) {
		t.Errorf("pdfinfo title:\n%s", info)
	}
	ppm := browsertest.Poppler(t, "pdftoppm")
	if out, err := exec.Command(ppm, "-png", "-r", "30", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if len(pngs) != pages {
		t.Errorf("%d page images for %d pages", len(pngs), pages)
	}
}

func TestXLSXRegister(t *testing.T) {
	rep := build(t)
	f, err := excelize.OpenReader(bytes.NewReader(render(t, rep, "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Register")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != strings.Join(RegisterHeader, "|") {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != len(rep.Register)+1 {
		t.Fatalf("%d rows, want %d risks + header", len(rows), len(rep.Register))
	}
	for i, s := range rep.Register {
		r := rows[i+1]
		if r[0] != s.Risk.ID || r[1] != s.Risk.Asset || r[7] != string(s.Inherent) || r[12] != string(s.Residual) {
			t.Errorf("row %d = %v, want %s", i+1, r[:13], s.Risk.ID)
		}
	}
	if plan, _ := f.GetRows("Treatment plan"); len(plan) != len(rep.Plan)+1 {
		t.Errorf("treatment plan has %d rows", len(plan))
	}
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestOutlineGolden pins the document's outline (headings and the first
// cell of every register row, in order) rather than its bytes, so wording
// inside a section can change without churn while a lost, reordered or
// renamed section, or a missing risk, fails.
func TestOutlineGolden(t *testing.T) {
	md := string(render(t, build(t), "md"))
	var outline []string
	inRegister := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			outline = append(outline, line)
			inRegister = strings.HasPrefix(line, "## 5.")
			continue
		}
		if inRegister && strings.HasPrefix(line, "| ra-") {
			outline = append(outline, "  "+strings.TrimSpace(strings.Split(line, "|")[1]))
		}
	}
	got := strings.Join(outline, "\n") + "\n"
	path := filepath.Join("testdata", "outline.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("outline changed; if intended, run go test -update\ngot:\n%s\nwant:\n%s", got, want)
	}
}
