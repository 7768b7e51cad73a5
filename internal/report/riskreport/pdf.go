package riskreport

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"ward/internal/risk"
)

// pdfDoc wraps fpdf with the few layout helpers the report needs: headings,
// paragraphs, and tables whose rows grow to fit wrapped text and repeat the
// header after a page break.
type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

const (
	pageW, margin = 210.0, 16.0
	bodyW         = pageW - 2*margin
)

func (d *pdfDoc) t(s string) string {
	// Core fonts are cp1252: map the few characters outside it.
	s = strings.NewReplacer("→", "->", "≥", ">=", "≤", "<=", "\u202f", " ").Replace(s)
	return d.tr(s)
}

func rgb(hex string) (int, int, int) {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

func (d *pdfDoc) heading(n int) {
	if d.GetY() > 250 {
		d.AddPage()
	}
	d.Ln(4)
	d.SetFont("Helvetica", "B", 14)
	d.SetTextColor(31, 58, 95)
	d.CellFormat(bodyW, 8, d.t(fmt.Sprintf("%d. %s", n+1, Sections[n])), "B", 1, "L", false, 0, "")
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

// table draws rows; fill(r, c) may return a hex colour for a cell.
func (d *pdfDoc) table(widths []float64, header []string, rows [][]string, fill func(r, c int) string) {
	const lh, pad = 4.0, 1.2
	scale := bodyW / sum(widths)
	w := make([]float64, len(widths))
	for i := range widths {
		w[i] = widths[i] * scale
	}
	drawRow := func(cells []string, bold bool, colour func(c int) string) {
		style := ""
		if bold {
			style = "B"
		}
		d.SetFont("Helvetica", style, 8)
		lines := 1
		wrapped := make([]string, len(cells))
		for i, c := range cells {
			ls := d.wrap(d.t(c), w[i]-2*pad)
			wrapped[i] = strings.Join(ls, "\n")
			lines = max(lines, len(ls))
		}
		h := float64(lines)*lh + 2*pad
		if d.GetY()+h > 297-18 {
			d.AddPage()
			if !bold {
				drawHeader(d, w, header)
				d.SetFont("Helvetica", "", 8)
			}
		}
		x, y := margin, d.GetY()
		for i := range cells {
			col := colour(i)
			if col != "" {
				d.SetFillColor(rgb(col))
				d.Rect(x, y, w[i], h, "FD")
			} else {
				d.Rect(x, y, w[i], h, "D")
			}
			d.SetXY(x+pad, y+pad)
			d.MultiCell(w[i]-2*pad, lh, wrapped[i], "", "L", false)
			x += w[i]
		}
		d.SetXY(margin, y+h)
	}
	d.SetDrawColor(201, 206, 214)
	drawHeader(d, w, header)
	for r, row := range rows {
		drawRow(row, false, func(c int) string {
			if fill == nil {
				return ""
			}
			return fill(r, c)
		})
	}
	d.Ln(3)
}

// wrap breaks s into lines no wider than width: at spaces, and inside a
// word too long for the column after a hyphen, dot or @ (an id such as
// r-analytics-reidentification, an address), cutting letters only when a
// piece has no such place.
func (d *pdfDoc) wrap(s string, width float64) []string {
	width -= 2 * d.GetCellMargin() // what MultiCell leaves for text
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		put := func(piece string) {
			switch {
			case line == "":
				line = piece
			case d.GetStringWidth(line+piece) <= width:
				line += piece
			default:
				out = append(out, strings.TrimRight(line, " "))
				line = strings.TrimLeft(piece, " ")
			}
		}
		for i, word := range strings.Split(para, " ") {
			if i > 0 {
				word = " " + word
			}
			for _, piece := range breakable(word) {
				for d.GetStringWidth(strings.TrimLeft(piece, " ")) > width && len(piece) > 1 {
					// No place to break: cut where the column ends.
					n := len(piece) - 1
					for n > 1 && d.GetStringWidth(piece[:n]) > width {
						n--
					}
					put(piece[:n])
					piece = piece[n:]
				}
				put(piece)
			}
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// breakable splits a word after each hyphen, dot and @, the places a long
// identifier or address can break.
func breakable(word string) []string {
	var out []string
	start := 0
	for i := 0; i < len(word); i++ {
		if c := word[i]; (c == '-' || c == '.' || c == '@') && i > start && i < len(word)-1 {
			out = append(out, word[start:i+1])
			start = i + 1
		}
	}
	return append(out, word[start:])
}

func drawHeader(d *pdfDoc, w []float64, header []string) {
	d.SetFont("Helvetica", "B", 8)
	d.SetFillColor(238, 241, 245)
	for i, h := range header {
		d.CellFormat(w[i], 6, d.t(h), "1", 0, "L", true, 0, "")
	}
	d.Ln(-1)
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// heatmap draws a 5×5 grid at (x, y) with cells of side c.
func (d *pdfDoc) heatmap(x, y, c float64, title string, rep Report, which string) {
	counts := risk.Counts(rep.Register, which)
	d.SetFont("Helvetica", "B", 10)
	d.SetXY(x, y)
	d.CellFormat(5*c+10, 6, d.t(title), "", 0, "L", false, 0, "")
	y += 8
	d.SetDrawColor(255, 255, 255)
	d.SetLineWidth(0.6)
	for l := 5; l >= 1; l-- {
		cy := y + float64(5-l)*c
		d.SetFont("Helvetica", "", 8)
		d.SetTextColor(27, 27, 27)
		d.SetXY(x, cy)
		d.CellFormat(8, c, strconv.Itoa(l), "", 0, "R", false, 0, "")
		for i := 1; i <= 5; i++ {
			cx := x + 10 + float64(i-1)*c
			lv := rep.Matrix.Level(l, i)
			d.SetFillColor(rgb(risk.LevelColor(lv)))
			d.Rect(cx, cy, c, c, "FD")
			if n := counts[l-1][i-1]; n > 0 {
				if lv == risk.Critical {
					d.SetTextColor(255, 255, 255)
				} else {
					d.SetTextColor(17, 17, 17)
				}
				d.SetFont("Helvetica", "B", 12)
				d.SetXY(cx, cy)
				d.CellFormat(c, c, strconv.Itoa(n), "", 0, "C", false, 0, "")
			}
		}
	}
	d.SetTextColor(27, 27, 27)
	d.SetFont("Helvetica", "", 8)
	for i := 1; i <= 5; i++ {
		d.SetXY(x+10+float64(i-1)*c, y+5*c+1)
		d.CellFormat(c, 4, strconv.Itoa(i), "", 0, "C", false, 0, "")
	}
	d.SetXY(x+10, y+5*c+5)
	d.CellFormat(5*c, 4, "Impact", "", 0, "C", false, 0, "")
	d.TransformBegin()
	d.TransformRotate(90, x-1, y+2.5*c+6)
	d.Text(x-1, y+2.5*c+6, "Likelihood")
	d.TransformEnd()
	d.SetDrawColor(201, 206, 214)
	d.SetLineWidth(0.2)
}

func writePDF(w io.Writer, rep Report) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	a := rep.Analysis
	f.SetMargins(margin, 16, margin)
	f.SetAutoPageBreak(true, 18)
	f.SetTitle("HIPAA Security Rule Risk Analysis — "+rep.Organization, true)
	f.SetAuthor(rep.PerformedBy, true)
	f.SetCreator("ward", false)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		f.SetY(-12)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(bodyW/2, 5, d.t(rep.Organization+" — risk analysis "+a.ID+" — confidential"), "", 0, "L", false, 0, "")
		f.CellFormat(bodyW/2, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(27, 27, 27)
	})

	// Cover.
	f.AddPage()
	f.SetFillColor(31, 58, 95)
	f.Rect(0, 0, pageW, 70, "F")
	f.SetTextColor(255, 255, 255)
	f.SetXY(margin, 28)
	f.SetFont("Helvetica", "", 11)
	f.CellFormat(bodyW, 6, "45 CFR 164.308(a)(1)(ii)(A) and (B)", "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "B", 24)
	f.CellFormat(bodyW, 12, "HIPAA Security Rule Risk Analysis", "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 15)
	f.CellFormat(bodyW, 9, d.t(rep.Organization), "", 1, "L", false, 0, "")
	f.SetTextColor(27, 27, 27)
	f.SetY(90)
	lc, rc := levelCounts(rep.Register, false), levelCounts(rep.Register, true)
	rows := [][2]string{
		{"Analysis", a.ID}, {"Performed", a.Performed.String()}, {"Performed by", orDash(rep.PerformedBy)},
		{"Approved by", orDash(rep.ApprovedBy)}, {"Report date", rep.AsOf.String()}, {"Previous analysis", orDash(rep.Previous)},
		{"Systems in scope", strconv.Itoa(len(rep.Scope))},
		{"Risks", fmt.Sprintf("%d (inherent: %d critical, %d high, %d medium, %d low)", len(rep.Register), lc[risk.Critical], lc[risk.High], lc[risk.Medium], lc[risk.Low])},
		{"Residual", fmt.Sprintf("%d critical, %d high, %d medium, %d low", rc[risk.Critical], rc[risk.High], rc[risk.Medium], rc[risk.Low])},
	}
	for _, r := range rows {
		f.SetFont("Helvetica", "B", 11)
		f.CellFormat(45, 8, r[0], "B", 0, "L", false, 0, "")
		f.SetFont("Helvetica", "", 11)
		f.CellFormat(bodyW-45, 8, d.t(r[1]), "B", 1, "L", false, 0, "")
	}
	f.SetY(250)
	f.SetFont("Helvetica", "I", 9)
	f.SetTextColor(90, 90, 90)
	f.MultiCell(bodyW, 4.5, d.t("Confidential. This document records the organization's accurate and thorough assessment of the potential risks and vulnerabilities to the confidentiality, integrity and availability of electronic protected health information, and the security measures chosen to reduce them to a reasonable and appropriate level."), "", "L", false)
	f.SetTextColor(27, 27, 27)

	// 1. Scope.
	f.AddPage()
	d.heading(0)
	if a.Scope != "" {
		d.para(a.Scope)
	}
	d.para("Systems that create, receive, maintain or transmit ePHI, from the organization's inventory and data-flow map.")
	var tr [][]string
	for _, s := range rep.Scope {
		tr = append(tr, []string{s.ID, orDash(s.Name), orDash(s.Kind), orDash(s.Vendor), yesNo(s.EncryptedAtRest), strconv.Itoa(s.Risks)})
	}
	d.table([]float64{28, 40, 20, 32, 22, 12}, []string{"System", "Name", "Kind", "Vendor", "Encrypted at rest", "Risks"}, tr, nil)
	for _, fd := range rep.Findings {
		f.SetFillColor(255, 244, 229)
		f.SetFont("Helvetica", "", 9)
		f.MultiCell(bodyW, 4.8, d.t("Coverage gap: "+fd.Message), "L", "L", true)
		f.Ln(1)
	}

	// 2. Methodology.
	d.heading(1)
	d.para(rep.Methodology)
	for _, sc := range []struct {
		name string
		s    []risk.ScaleLevel
	}{{"Likelihood scale", risk.LikelihoodScale}, {"Impact scale", risk.ImpactScale}} {
		d.sub(sc.name)
		tr = nil
		for _, l := range sc.s {
			tr = append(tr, []string{strconv.Itoa(l.Value), l.Word, l.Definition})
		}
		d.table([]float64{12, 22, 146}, []string{"Value", "Rating", "Definition"}, tr, nil)
	}
	d.sub("Risk matrix (likelihood × impact)")
	tr = nil
	for l := 5; l >= 1; l-- {
		row := []string{"Likelihood " + strconv.Itoa(l)}
		for i := 1; i <= 5; i++ {
			row = append(row, string(rep.Matrix.Level(l, i)))
		}
		tr = append(tr, row)
	}
	d.table([]float64{30, 20, 20, 20, 20, 20}, []string{"", "Impact 1", "Impact 2", "Impact 3", "Impact 4", "Impact 5"}, tr, func(r, c int) string {
		if c == 0 {
			return ""
		}
		return risk.LevelColor(rep.Matrix.Level(5-r, c))
	})

	// 3. Threats and vulnerabilities.
	d.heading(2)
	d.sub("Threats")
	tr = nil
	for _, t := range rep.Threats {
		tr = append(tr, []string{t.Title, t.Category, t.Sources, strconv.Itoa(t.Risks)})
	}
	d.table([]float64{80, 28, 55, 14}, []string{"Threat", "Category", "Sources", "Risks"}, tr, nil)
	d.sub("Vulnerabilities")
	tr = nil
	for _, v := range rep.Vulns {
		tr = append(tr, []string{v.Title, v.Sources, strconv.Itoa(v.Risks)})
	}
	d.table([]float64{110, 55, 14}, []string{"Vulnerability", "Sources", "Risks"}, tr, nil)
	var src []string
	for _, k := range sortedKeys(risk.Sources) {
		src = append(src, k+": "+risk.Sources[k])
	}
	f.SetFont("Helvetica", "", 8)
	f.MultiCell(bodyW, 4, d.t("Sources. "+strings.Join(src, ". ")+"."), "", "L", false)

	// 4. Controls.
	d.heading(3)
	tr = nil
	for _, c := range rep.Controls {
		tr = append(tr, []string{c.ID, c.Title, c.Status, strings.Join(c.Risks, ", ")})
	}
	d.table([]float64{40, 60, 25, 55}, []string{"Control", "Title", "Status", "Reduces"}, tr, nil)

	// 5. Register.
	d.heading(4)
	d.para("Sorted by residual level, then score. * No residual rating recorded: the residual equals the inherent risk until the treatment is shown to work.")
	tr = nil
	for _, s := range rep.Register {
		r := s.Risk
		res := fmt.Sprintf("%s %d×%d", s.Residual, s.ResidualLikelihood, s.ResidualImpact)
		if s.ResidualAssumed {
			res += "*"
		}
		tr = append(tr, []string{r.ID, r.Asset, s.ThreatTitle, s.VulnerabilityTitle, fmt.Sprintf("%s %d×%d", s.Inherent, r.Likelihood, r.Impact), res, r.Treatment, orDash(rep.Name(r.Owner))})
	}
	d.table([]float64{26, 22, 31, 34, 18, 18, 16, 21}, []string{"ID", "Asset", "Threat", "Vulnerability", "Inherent", "Residual", "Treatment", "Owner"}, tr, func(r, c int) string {
		switch c {
		case 4:
			return risk.LevelColor(rep.Register[r].Inherent)
		case 5:
			return risk.LevelColor(rep.Register[r].Residual)
		}
		return ""
	})

	// 6. Heat maps.
	if f.GetY() > 190 {
		f.AddPage()
	}
	d.heading(5)
	y := f.GetY()
	d.heatmap(margin+6, y, 14, "Before treatment (inherent)", rep, risk.Inherent)
	d.heatmap(margin+6+95, y, 14, "After treatment (residual)", rep, risk.Residual)
	f.SetY(y + 8 + 5*14 + 12)
	lx, ly := margin+16, f.GetY()
	for _, lv := range risk.Levels {
		f.SetFillColor(rgb(risk.LevelColor(lv)))
		f.Rect(lx, ly, 4, 4, "F")
		f.SetXY(lx+5, ly-0.5)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(25, 5, string(lv), "", 0, "L", false, 0, "")
		lx += 30
	}
	f.Ln(8)

	// 7. Treatment plan.
	d.heading(6)
	tr = nil
	for _, p := range rep.Plan {
		tr = append(tr, []string{p.RiskID, p.Level, p.Treatment, orDash(p.Measure), orDash(rep.Name(p.Owner)), orDash(p.Due), p.Status})
	}
	d.table([]float64{27, 16, 17, 52, 22, 20, 26}, []string{"Risk", "Residual", "Treatment", "Measure", "Owner", "Due", "Status"}, tr, nil)

	// 8. Changes.
	d.heading(7)
	if rep.Changes == nil {
		d.para("This is the first documented analysis; there is no previous analysis to compare.")
	} else {
		c := rep.Changes
		d.para(fmt.Sprintf("Compared with %s: %d added, %d removed, %d changed level, %d unchanged.", rep.Previous, len(c.Added), len(c.Removed), len(c.Changed), c.Unchanged))
		tr = nil
		for _, s := range c.Added {
			tr = append(tr, []string{"Added", s.Risk.ID, s.ThreatTitle + " on " + s.Risk.Asset, "residual " + string(s.Residual)})
		}
		for _, s := range c.Removed {
			tr = append(tr, []string{"Removed", s.Risk.ID, s.ThreatTitle + " on " + s.Risk.Asset, ""})
		}
		for _, ch := range c.Changed {
			tr = append(tr, []string{"Changed", ch.CurrentID + " (was " + ch.PreviousID + ")", ch.Key, fmt.Sprintf("inherent %s → %s; residual %s → %s", ch.FromInherent, ch.ToInherent, ch.FromResidual, ch.ToResidual)})
		}
		if len(tr) > 0 {
			d.table([]float64{18, 38, 70, 54}, []string{"Change", "Risk id", "Asset, threat, vulnerability", "Level"}, tr, nil)
		}
	}

	// 9. Sign-off.
	if f.GetY() > 220 {
		f.AddPage()
	}
	d.heading(8)
	d.para("The undersigned confirm that this risk analysis was performed as described and that the treatment plan is approved.")
	for _, r := range [][2]string{{"Performed by", rep.PerformedBy}, {"Approved by", rep.ApprovedBy}} {
		f.Ln(4)
		f.SetFont("Helvetica", "B", 10)
		f.CellFormat(35, 6, r[0], "", 0, "L", false, 0, "")
		f.SetFont("Helvetica", "", 10)
		f.CellFormat(bodyW-35, 6, d.t(orDash(r[1])), "", 1, "L", false, 0, "")
		f.Ln(8)
		f.CellFormat(100, 6, "Signature", "T", 0, "L", false, 0, "")
		f.CellFormat(10, 6, "", "", 0, "L", false, 0, "")
		f.CellFormat(bodyW-110, 6, "Date", "T", 1, "L", false, 0, "")
	}
	return f.Output(w)
}
