package readiness

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"ward/internal/posture"
)

const (
	pageW, margin = 210.0, 16.0
	bodyW         = pageW - 2*margin
)

var segmentColor = map[string]string{
	posture.Met: "#2e7d32", posture.Partial: "#f6c343", posture.NotMet: "#c62828", posture.NotApplicable: "#b0b7c3",
}

type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

// t maps text to the core fonts' cp1252, replacing the few characters
// outside it.
func (d *pdfDoc) t(s string) string {
	return d.tr(strings.NewReplacer("→", "->", "≥", ">=", "≤", "<=", "×", "x", "\u202f", " ").Replace(s))
}

func (d *pdfDoc) fill(hex string) {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	d.SetFillColor(int(v>>16&0xff), int(v>>8&0xff), int(v&0xff))
}

func (d *pdfDoc) heading(s string) {
	if d.GetY() > 250 {
		d.AddPage()
	}
	d.Ln(4)
	d.SetFont("Helvetica", "B", 14)
	d.SetTextColor(31, 58, 95)
	d.CellFormat(bodyW, 8, d.t(s), "B", 1, "L", false, 0, "")
	d.SetTextColor(27, 27, 27)
	d.Ln(2)
}

func (d *pdfDoc) sub(s string) {
	if d.GetY() > 260 {
		d.AddPage()
	}
	d.Ln(1)
	d.SetFont("Helvetica", "B", 11)
	d.CellFormat(bodyW, 6, d.t(s), "", 1, "L", false, 0, "")
}

func (d *pdfDoc) para(s string) {
	d.SetFont("Helvetica", "", 9.5)
	d.MultiCell(bodyW, 4.8, d.t(s), "", "L", false)
	d.Ln(1.5)
}

// table draws rows whose height grows to fit wrapped text, repeating the
// header after a page break; colour(r, c) may give a cell a fill.
func (d *pdfDoc) table(widths []float64, header []string, rows [][]string, colour func(r, c int) string) {
	const lh, pad = 4.0, 1.2
	total := 0.0
	for _, w := range widths {
		total += w
	}
	w := make([]float64, len(widths))
	for i := range widths {
		w[i] = widths[i] * bodyW / total
	}
	drawHeader := func() {
		d.SetFont("Helvetica", "B", 8)
		d.SetFillColor(238, 241, 245)
		for i, h := range header {
			d.CellFormat(w[i], 6, d.t(h), "1", 0, "L", true, 0, "")
		}
		d.Ln(-1)
	}
	d.SetDrawColor(201, 206, 214)
	drawHeader()
	for r, cells := range rows {
		d.SetFont("Helvetica", "", 8)
		lines := 1
		for i, c := range cells {
			if n := len(d.SplitLines([]byte(d.t(c)), w[i]-2*pad)); n > lines {
				lines = n
			}
		}
		h := float64(lines)*lh + 2*pad
		if d.GetY()+h > 297-18 {
			d.AddPage()
			drawHeader()
			d.SetFont("Helvetica", "", 8)
		}
		x, y := margin, d.GetY()
		for i, c := range cells {
			style := "D"
			if colour != nil {
				if col := colour(r, i); col != "" {
					d.fill(col)
					style = "FD"
				}
			}
			d.Rect(x, y, w[i], h, style)
			d.SetXY(x+pad, y+pad)
			d.MultiCell(w[i]-2*pad, lh, d.t(c), "", "L", false)
			x += w[i]
		}
		d.SetXY(margin, y+h)
	}
	d.Ln(3)
}

// bars draws the readiness bars, as BarsSVG does.
func (d *pdfDoc) bars(ps []*posture.Posture) {
	const labelW, barW, h, gap = 62.0, 92.0, 6.0, 3.0
	for _, p := range ps {
		y := d.GetY()
		d.SetFont("Helvetica", "", 9.5)
		d.SetXY(margin, y)
		d.CellFormat(labelW, h, d.t(p.Name), "", 0, "L", false, 0, "")
		x := margin + labelW
		for _, seg := range []struct {
			st string
			n  int
		}{{posture.Met, p.Score.Met}, {posture.Partial, p.Score.Partial}, {posture.NotMet, p.Score.NotMet}, {posture.NotApplicable, p.Score.NotApplicable}} {
			if seg.n == 0 || p.Score.Total == 0 {
				continue
			}
			sw := barW * float64(seg.n) / float64(p.Score.Total)
			d.fill(segmentColor[seg.st])
			d.Rect(x, y, sw, h, "F")
			x += sw
		}
		d.SetXY(margin+labelW+barW+3, y)
		d.SetFont("Helvetica", "B", 9.5)
		d.CellFormat(20, h, fmtPct(p.Score.Percent)+"%", "", 0, "L", false, 0, "")
		d.SetXY(margin, y+h+gap)
	}
	x, y := margin+labelW, d.GetY()
	d.SetFont("Helvetica", "", 8)
	for _, st := range []string{posture.Met, posture.Partial, posture.NotMet, posture.NotApplicable} {
		d.fill(segmentColor[st])
		d.Rect(x, y+0.8, 3, 3, "F")
		d.SetXY(x+4, y)
		l := StatusLabel(st)
		d.CellFormat(d.GetStringWidth(l)+2, 4.6, l, "", 0, "L", false, 0, "")
		x += d.GetStringWidth(l) + 10
	}
	d.SetXY(margin, y+8)
}

func writePDF(w io.Writer, rep Report) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(margin, 16, margin)
	f.SetAutoPageBreak(true, 18)
	f.SetTitle("Compliance readiness — "+rep.Organization, true)
	f.SetCreator("ward", false)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(bodyW/2, 5, d.t(rep.Organization+" — readiness as of "+rep.AsOf.String()), "", 0, "L", false, 0, "")
		f.CellFormat(bodyW/2, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(27, 27, 27)
	})
	f.AddPage()
	f.SetFont("Helvetica", "B", 22)
	f.CellFormat(bodyW, 11, "Compliance readiness", "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 12)
	f.CellFormat(bodyW, 7, d.t(rep.Organization+" — as of "+rep.AsOf.String()), "", 1, "L", false, 0, "")
	d.heading("Summary")
	d.bars(rep.Frameworks)
	var rows [][]string
	for _, p := range rep.Frameworks {
		rows = append(rows, []string{p.Name, strconv.Itoa(p.Score.Met), strconv.Itoa(p.Score.Partial), strconv.Itoa(p.Score.NotMet),
			strconv.Itoa(p.Score.NotApplicable), strconv.Itoa(p.Score.Total), fmtPct(p.Score.Percent) + "%"})
	}
	d.table([]float64{40, 10, 12, 10, 14, 16, 10}, []string{"Framework", "Met", "Partly met", "Not met", "Not applicable", "Requirements", "Ready"}, rows, nil)
	d.para(Rule)
	for _, p := range rep.Frameworks {
		d.heading(p.Name)
		intro := fmt.Sprintf("%s%% ready: %d met, %d partly met, %d not met, %d not applicable of %d requirements.",
			fmtPct(p.Score.Percent), p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total)
		if len(p.Scope) > 0 {
			intro += " Categories in scope: " + strings.Join(p.Scope, ", ") + "."
		}
		if p.Window != nil && p.Window.Type == "type2" {
			intro += fmt.Sprintf(" SOC 2 Type II observation window: %s to %s.", p.Window.Start, p.Window.End)
		}
		d.para(intro)
		rows = nil
		for _, s := range p.Sections {
			rows = append(rows, []string{s.Name, strconv.Itoa(s.Score.Met), strconv.Itoa(s.Score.Partial), strconv.Itoa(s.Score.NotMet), strconv.Itoa(s.Score.NotApplicable), fmtPct(s.Score.Percent) + "%"})
		}
		d.sub("By section")
		d.table([]float64{50, 10, 12, 10, 8, 10}, []string{"Section", "Met", "Partly met", "Not met", "N/A", "Ready"}, rows, nil)
		gaps := Gaps(p)
		d.sub(fmt.Sprintf("Gaps (%d)", len(gaps)))
		rows = nil
		for _, r := range gaps {
			why := r.Reason
			if len(r.Missing) > 0 {
				why += ":\n- " + strings.Join(r.Missing, "\n- ")
			}
			rows = append(rows, []string{r.ID + "\n" + r.Title, StatusLabel(r.Status), why})
		}
		if len(rows) > 0 {
			d.table([]float64{30, 12, 58}, []string{"Requirement", "Status", "Why, and what is missing"}, rows, func(r, c int) string {
				if c != 1 {
					return ""
				}
				if gaps[r].Status == posture.NotMet {
					return "#fdecea"
				}
				return "#fff2cc"
			})
		} else {
			d.para("No gaps.")
		}
		if p.Window != nil && p.Window.Type == "type2" {
			d.sub(fmt.Sprintf("Type II exceptions (%d)", len(p.Exceptions)))
			rows = nil
			for _, e := range p.Exceptions {
				rows = append(rows, []string{e.Control, e.Period, e.Start.String(), e.End.String()})
			}
			if len(rows) > 0 {
				d.table([]float64{40, 20, 20, 20}, []string{"Control", "Period", "From", "To"}, rows, nil)
			} else {
				d.para("No exception so far: every past occurrence in the window has evidence.")
			}
		}
	}
	return f.Output(w)
}
