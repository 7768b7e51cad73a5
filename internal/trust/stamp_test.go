package trust

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"ward/internal/browsertest"
)

// report makes a three-page PDF with the project's PDF writer (a classic
// cross-reference table, compressed page contents).
func report(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "pt", "Letter", "")
	p.SetFont("Helvetica", "", 12)
	for i := 1; i <= 3; i++ {
		p.AddPage()
		p.Cell(200, 20, fmt.Sprintf("Independent service auditor's report, page %d", i))
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pageText(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	os.WriteFile(in, pdf, 0o600)
	out, err := exec.Command(browsertest.Poppler(t, "pdftotext"), "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

func TestStampEveryPage(t *testing.T) {
	orig := report(t)
	// The same document as a cross-reference stream with object streams
	// (testdata/README.md), the layout of most reports an auditor sends.
	xstream, err := os.ReadFile("testdata/report-xref-stream.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(xstream, []byte("/XRef")) || !bytes.Contains(xstream, []byte("/ObjStm")) {
		t.Fatal("the fixture has no cross-reference stream or object stream: this case would test nothing new")
	}
	r := Request{ID: "tr-0123456789abcdef", Name: "Jordan Reyes", Company: "Mercy Regional Health", Email: "jreyes@mercy.example"}
	text := StampText(r, "Acme Health", mustTime("2026-12-04T10:00:00Z"))
	for name, pdf := range map[string][]byte{"xref table": orig, "xref stream": xstream} {
		t.Run(name, func(t *testing.T) {
			got, err := Stamp(pdf, text)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, pdf) {
				t.Fatal("the update must keep the original bytes in front")
			}
			for page := 1; page <= 3; page++ {
				txt := strings.Join(strings.Fields(pageText(t, got, page)), " ")
				for _, want := range []string{fmt.Sprintf("page %d", page), "Jordan Reyes", "Mercy Regional Health", "jreyes@mercy.example", "tr-0123456789abcdef"} {
					if !strings.Contains(txt, want) {
						t.Errorf("page %d: %q not in the text: %s", page, want, txt)
					}
				}
			}
			// Stamped twice (a second download of an updated file) still reads.
			again, err := Stamp(got, "second stamp")
			if err != nil {
				t.Fatal(err)
			}
			if txt := pageText(t, again, 2); !strings.Contains(txt, "second") || !strings.Contains(txt, "Jordan Reyes") {
				t.Errorf("restamped page 2: %s", txt)
			}
		})
	}
}

func TestStampRefusesWhatItCannotStamp(t *testing.T) {
	for name, b := range map[string][]byte{
		"not a pdf": []byte("hello"),
		"truncated": report(t)[:400],
		"encrypted": []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \ntrailer<</Size 3/Root 1 0 R/Encrypt<</Filter/Standard>>>>\nstartxref\n98\n%%EOF\n"),
	} {
		if _, err := Stamp(b, "x"); err == nil {
			t.Errorf("%s: stamped without error", name)
		}
	}
}

func mustTime(s string) (t time.Time) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
