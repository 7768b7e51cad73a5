package riskreport

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// Table cells wrap at spaces, and a word too long for its column breaks
// after a hyphen, dot or @ before it is cut between letters: ids and
// e-mail addresses stay readable in the register.
func TestWrapBreaksAtHyphens(t *testing.T) {
	if got := breakable("r-analytics-reidentification"); !slices.Equal(got, []string{"r-", "analytics-", "reidentification"}) {
		t.Errorf("breakable: %q", got)
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.SetFont("Helvetica", "", 8)
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	const width = 22.0
	cases := []struct {
		text string
		want []string
	}{
		{"r-analytics-reidentification", []string{"r-analytics-", "reidentification"}},
		{"loss or theft of a laptop holding PHI", nil},
		{"raj@acme-health.example", nil},
		{"supercalifragilisticexpialidocious-word", nil},
	}
	for _, c := range cases {
		lines := d.wrap(c.text, width)
		if c.want != nil && !slices.Equal(lines, c.want) {
			t.Errorf("wrap(%q) = %q, want %q", c.text, lines, c.want)
		}
		for _, l := range lines {
			if w := d.GetStringWidth(l); w > width-2*d.GetCellMargin()+0.01 {
				t.Errorf("wrap(%q): line %q is %.1f wide, more than the column", c.text, l, w)
			}
		}
		if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != strings.ReplaceAll(c.text, " ", "") {
			t.Errorf("wrap(%q) lost text: %q", c.text, lines)
		}
	}
}
