package reports

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// docxText reads a .docx with tools that are not ward's writer: the
// unzip program tests the archive and extracts word/document.xml, and an
// XML decoder collects the text of its paragraphs (w:t, w:tab and w:br).
func docxText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("unzip"); err != nil {
		t.Skip("unzip not installed")
	}
	if b, err := exec.Command("unzip", "-tq", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t %s: %v\n%s", path, err, b)
	}
	for _, part := range []string{`\[Content_Types\].xml`, "_rels/.rels", "word/styles.xml"} {
		if b, err := exec.Command("unzip", "-p", path, part).Output(); err != nil || len(b) == 0 {
			t.Errorf("%s: part %s missing (%v)", path, part, err)
		}
	}
	raw, err := exec.Command("unzip", "-p", path, "word/document.xml").Output()
	if err != nil {
		t.Fatalf("unzip -p word/document.xml: %v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var text strings.Builder
	inT := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("word/document.xml is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "t":
				inT = true
			case "tab":
				text.WriteString("\t")
			case "br":
				text.WriteString("\n")
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inT = false
			case "p":
				text.WriteString("\n")
			}
		case xml.CharData:
			if inT {
				text.Write(e)
			}
		}
	}
	return text.String()
}

// The notice drafts download as letters (issue 19 item 6): the HHS
// summary of 45 CFR 164.408 and the business associate's notice of
// 164.410 written as .docx and PDF carry the incident's facts and none of
// the draft's Markdown, comments or drafting notes.
func TestCFR164_408_410_DraftsAsDocxAndPDF(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	hhs := filepath.Join(dir, "hhs.docx")
	mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "hhs", "-o", hhs)
	text := docxText(t, hhs)
	for _, want := range []string{
		"Breach report: inc-2026-001",
		"Approximate number of individuals affected: 812",
		"CA 640, NV 172",
		"Type of breach: loss",                     // "lost in transit"
		"Location of breached information: laptop", // the endpoint named laptops
		"Staff laptops (laptops, endpoint): not encrypted at rest",
		"[street, city, state, ZIP]", // a placeholder, still marked
	} {
		if !strings.Contains(text, want) {
			t.Errorf("hhs.docx lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"<!--", "-->", "[[", "]]", "**", "## ", "# ", "> ", "Drafting notes", "Determination:"} {
		if strings.Contains(text, bad) {
			t.Errorf("hhs.docx still holds %q:\n%s", bad, text)
		}
	}
	// Never contradicting the incident: the laptop was not encrypted, so
	// encryption at rest is not among the safeguards in place.
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "Controls recorded as implemented") && strings.Contains(line, "encryption-at-rest") {
			t.Errorf("the HHS summary lists encryption at rest as in place for an unencrypted laptop: %s", line)
		}
	}

	ce := filepath.Join(dir, "ce.docx")
	mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "covered-entity", "-o", ce)
	text = docxText(t, ce)
	for _, want := range []string{"Notice of a breach of unsecured protected health information", "Lakeside Cardiology", "Number of your individuals affected: 812", "What happened: Support laptop with downloaded chart exports lost in transit"} {
		if !strings.Contains(text, want) {
			t.Errorf("ce.docx lacks %q:\n%s", want, text)
		}
	}

	pdf := filepath.Join(dir, "letter.pdf")
	mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--draft", "individuals", "-o", pdf)
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		got := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"Notice of a data breach", "What happened", "Support laptop with downloaded chart exports lost in transit"} {
			if !strings.Contains(got, want) {
				t.Errorf("letter.pdf lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "[[") || strings.Contains(got, "##") {
			t.Errorf("letter.pdf holds Markdown:\n%s", got)
		}
	}

	// A wrong extension, or -o without --draft: exit 2, nothing written.
	for _, args := range [][]string{{"--draft", "hhs", "-o", filepath.Join(dir, "x.rtf")}, {"-o", filepath.Join(dir, "y.docx")}} {
		if code, _, _ := ward(t, db, append([]string{"breach", "deadlines", "inc-2026-001"}, args...)...); code != cli.ExitBadInput {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	for _, f := range []string{"x.rtf", "y.docx"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
}

// `ward breach sent` records a notice as given (164.410(b): the business
// associate's notice to the covered entity): its deadline clears in ward
// breach deadlines and ward check; a notice the incident does not call
// for, one recorded twice or a bad method exits 2 and writes nothing.
func TestCFR164_410_BreachSentClearsTheDeadline(t *testing.T) {
	t.Setenv("WARD_ACTOR", "dana@acme-health.example")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	if _, out, _ := ward(t, db, "check", "--as-of", "2026-11-23"); !strings.Contains(out, "breach.deadline") {
		t.Fatalf("the demo's overdue notice is not reported:\n%s", out)
	}
	for _, args := range [][]string{
		{"--to", "media", "--state", "TX", "--date", "2026-11-21"},
		{"--to", "covered-entity", "--date", "2026-11-21", "--method", "pigeon"},
		{"--to", "covered-entity", "--date", "someday"},
		{"--customer", "lakeside-cardiology"},
	} {
		if code, out, errs := ward(t, db, append([]string{"breach", "sent", "inc-2026-001"}, args...)...); code != cli.ExitBadInput || out != "" {
			t.Errorf("%v: exit %d %q %q, want 2", args, code, out, errs)
		}
	}
	out := mustWard(t, db, "breach", "sent", "inc-2026-001", "--to", "covered-entity", "--date", "2026-11-21", "--method", "email", "--recipient", "the clinic's privacy officer")
	if !strings.Contains(out, "recorded as sent on 2026-11-21") {
		t.Errorf("breach sent: %s", out)
	}
	if code, _, errs := ward(t, db, "breach", "sent", "inc-2026-001", "--to", "covered-entity", "--date", "2026-11-22"); code != cli.ExitBadInput || !strings.Contains(errs, "already recorded as sent on 2026-11-21") {
		t.Errorf("twice: exit %d %s", code, errs)
	}
	text := mustWard(t, db, "breach", "deadlines", "inc-2026-001", "--as-of", "2026-11-23")
	if !strings.Contains(text, "sent 2026-11-21 by email to the clinic's privacy officer") {
		t.Errorf("deadlines:\n%s", text)
	}
	if _, out, _ := ward(t, db, "check", "--as-of", "2026-11-23"); strings.Contains(out, "breach.deadline") {
		t.Errorf("ward check still reports the notice:\n%s", out)
	}
	// The record is in the workspace: an export carries it.
	exp := filepath.Join(t.TempDir(), "exp")
	mustWard(t, db, "export", "-o", exp)
	raw, err := os.ReadFile(filepath.Join(exp, "incidents.yaml"))
	if err != nil || !strings.Contains(string(raw), "notices_sent:") || !strings.Contains(string(raw), "by: dana@acme-health.example") {
		t.Errorf("export: %v\n%s", err, raw)
	}
}
