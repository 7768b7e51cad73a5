package letter

import (
	"io"

	"github.com/go-pdf/fpdf"
)

// PDF writes the letter on US Letter pages with the core Helvetica font
// (text outside Windows-1252 cannot be drawn by it and is replaced).
// Placeholders are set in bold and coloured, in [square brackets].
// title goes in the document's properties.
func (l Letter) PDF(w io.Writer, title string) error {
	f := fpdf.New("P", "mm", "Letter", "")
	tr := f.UnicodeTranslatorFromDescriptor("")
	f.SetTitle(title, true)
	f.SetCreator("ward", true)
	f.SetMargins(25, 22, 25)
	f.SetAutoPageBreak(true, 20)
	f.AddPage()
	const left = 25.0
	for _, bl := range l.Blocks {
		size, style, lh := 10.5, "", 5.2
		switch bl.Kind {
		case Title:
			size, style, lh = 15, "B", 7
		case Heading:
			size, style, lh = 11.5, "B", 6
			f.Ln(2)
		}
		f.SetLeftMargin(left)
		f.SetX(left)
		if bl.Kind == Item {
			f.SetFont("Helvetica", "", size)
			f.Write(lh, tr("•"))
			f.SetLeftMargin(left + 5)
			f.SetX(left + 5)
		}
		for i, line := range bl.Lines {
			if i > 0 {
				f.Ln(lh)
			}
			for _, sp := range line {
				if sp.Placeholder {
					f.SetFont("Helvetica", "B", size)
					f.SetFillColor(255, 235, 120)
					f.SetTextColor(120, 60, 0)
					f.Write(lh, tr("["+sp.Text+"]"))
					f.SetTextColor(0, 0, 0)
					continue
				}
				f.SetFont("Helvetica", style, size)
				f.Write(lh, tr(sp.Text))
			}
		}
		f.Ln(lh)
		if bl.Kind != Item {
			f.Ln(2.5)
		}
	}
	f.SetLeftMargin(left)
	return f.Output(w)
}
