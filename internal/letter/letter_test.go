package letter

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
)

const sample = `# Notice of a data breach

[[date of the letter]]

To: Clinic <admin@clinic.example>
From: Acme & Co

## What happened

A *laptop* was lost on [[date]]. <script>alert(1)</script>

- first item with [[a placeholder]]
- second item
`

func TestParse(t *testing.T) {
	l := Parse(sample)
	var kinds []string
	for _, b := range l.Blocks {
		kinds = append(kinds, b.Kind)
	}
	if got := strings.Join(kinds, ","); got != "title,para,para,heading,para,item,item" {
		t.Errorf("blocks %s", got)
	}
	if n := l.Placeholders(); n != 3 {
		t.Errorf("%d placeholders, want 3", n)
	}
	if lines := l.Blocks[2].Lines; len(lines) != 2 {
		t.Errorf("the address block keeps its 2 lines: %d", len(lines))
	}
}

// Typed values are text, never markup: HTML is escaped, Markdown
// emphasis is left as typed, and placeholders are marked.
func TestHTMLEscapesAndMarks(t *testing.T) {
	h := string(Parse(sample).HTML())
	for _, want := range []string{`<h4 class="letter-title">Notice of a data breach</h4>`, `&lt;script&gt;`, `Clinic &lt;admin@clinic.example&gt;<br>From: Acme &amp; Co`, `<mark class="placeholder" title="to fill in before sending">a placeholder</mark>`, `A *laptop* was lost`} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<script>") || strings.Contains(h, "[[") {
		t.Errorf("HTML:\n%s", h)
	}
}

func TestText(t *testing.T) {
	got := Parse(sample).Text()
	for _, want := range []string{"Notice of a data breach\n\n[date of the letter]\n", "• first item with [a placeholder]\n• second item\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

// The package's parts are there and the document is the same for the
// same letter (a fixed time in the zip). The full read-back with unzip
// and an XML parser is in internal/cli (TestCFR164_408_410_DraftsAsDocxAndPDF).
func TestDOCXParts(t *testing.T) {
	var a, b bytes.Buffer
	if err := Parse(sample).DOCX(&a); err != nil {
		t.Fatal(err)
	}
	Parse(sample).DOCX(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of one letter differ")
	}
	z, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range z.File {
		r, _ := f.Open()
		body, _ := io.ReadAll(r)
		names[f.Name] = string(body)
	}
	for _, p := range []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml", "word/document.xml"} {
		if names[p] == "" {
			t.Errorf("part %s missing", p)
		}
	}
	doc := names["word/document.xml"]
	if !strings.Contains(doc, `<w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">[a placeholder]</w:t>`) || !strings.Contains(doc, "&lt;script&gt;") || !strings.Contains(doc, "Acme &amp; Co") {
		t.Errorf("document.xml:\n%s", doc)
	}
}

func TestPDF(t *testing.T) {
	var b bytes.Buffer
	if err := Parse(sample).PDF(&b, "t"); err != nil || !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Errorf("pdf: %v %q", err, b.Bytes()[:min(8, b.Len())])
	}
}
