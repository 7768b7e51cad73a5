package risk

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"
	"text/tabwriter"
)

// Which selects the inherent or residual view of a heat map.
const (
	Inherent = "inherent"
	Residual = "residual"
)

// Counts is how many risks fall in each likelihood × impact cell.
func Counts(risks []Scored, which string) [5][5]int {
	var c [5][5]int
	for _, s := range risks {
		l, i := s.Risk.Likelihood, s.Risk.Impact
		if which == Residual {
			l, i = s.ResidualLikelihood, s.ResidualImpact
		}
		if l >= 1 && l <= 5 && i >= 1 && i <= 5 {
			c[l-1][i-1]++
		}
	}
	return c
}

// LevelColor is the fill of a level on heat maps (print-safe, distinct in
// greyscale by lightness).
func LevelColor(l Level) string {
	switch l {
	case Critical:
		return "#b3261e"
	case High:
		return "#e8710a"
	case Medium:
		return "#f6c343"
	case Low:
		return "#7cb518"
	}
	return "#dddddd"
}

// HeatmapOptions tune HeatmapSVG.
type HeatmapOptions struct {
	// CellHref, when set, makes each cell a link (the register filtered
	// to that likelihood and impact). Return "" for no link.
	CellHref func(likelihood, impact int) string
	// Title is drawn above the grid; empty for none.
	Title string
	// Cell is the side of a cell in pixels; 0 means 56.
	Cell int
}

// HeatmapSVG draws the 5×5 grid: likelihood up the side (5 at the top),
// impact along the bottom, each cell coloured by its level in m and
// showing how many risks fall there in the chosen view.
func HeatmapSVG(risks []Scored, m Matrix, which string, opt HeatmapOptions) []byte {
	cell := opt.Cell
	if cell == 0 {
		cell = 56
	}
	counts := Counts(risks, which)
	left, top := 70, 20
	if opt.Title != "" {
		top = 44
	}
	w, h := left+5*cell+20, top+5*cell+60
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s risk heat map" font-family="Helvetica, Arial, sans-serif">`+"\n", w, h, w, h, which)
	if opt.Title != "" {
		fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(opt.Title))
	}
	for l := 5; l >= 1; l-- {
		y := top + (5-l)*cell
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%d</text>`+"\n", left-8, y+cell/2+4, l)
		for i := 1; i <= 5; i++ {
			x := left + (i-1)*cell
			lv := m.Level(l, i)
			n := counts[l-1][i-1]
			href := ""
			if opt.CellHref != nil {
				href = opt.CellHref(l, i)
			}
			if href != "" {
				fmt.Fprintf(&b, `<a href="%s">`, html.EscapeString(href))
			}
			fmt.Fprintf(&b, `<g class="cell" data-likelihood="%d" data-impact="%d" data-level="%s" data-count="%d"><title>Likelihood %d × impact %d: %s, %d risk(s)</title>`, l, i, lv, n, l, i, lv, n)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff" stroke-width="2"/>`, x, y, cell, cell, LevelColor(lv))
			if n > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="18" font-weight="bold" text-anchor="middle" fill="%s">%d</text>`, x+cell/2, y+cell/2+6, textColor(lv), n)
			}
			b.WriteString(`</g>`)
			if href != "" {
				b.WriteString(`</a>`)
			}
			b.WriteString("\n")
		}
	}
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">%d</text>`+"\n", left+(i-1)*cell+cell/2, top+5*cell+16, i)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">Impact</text>`+"\n", left+5*cell/2, top+5*cell+34)
	fmt.Fprintf(&b, `<text x="16" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 16 %d)">Likelihood</text>`+"\n", top+5*cell/2, top+5*cell/2)
	// Legend.
	lx := left
	for _, lv := range Levels {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="11">%s</text>`+"\n", lx, top+5*cell+44, LevelColor(lv), lx+14, top+5*cell+53, lv)
		lx += 70
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func textColor(l Level) string {
	if l == Critical {
		return "#ffffff"
	}
	return "#111111"
}

// MatrixText writes the text heat map of `ward risk matrix`: counts per
// cell, the level's initial beside each (L/M/H/C), likelihood 5 on top.
func MatrixText(w io.Writer, risks []Scored, m Matrix, which string) error {
	counts := Counts(risks, which)
	var b strings.Builder
	fmt.Fprintf(&b, "%s risk (likelihood × impact; count and level: L low, M medium, H high, C critical)\n\n", strings.ToUpper(which[:1])+which[1:])
	b.WriteString("            impact →\n")
	b.WriteString("likelihood    1     2     3     4     5\n")
	for l := 5; l >= 1; l-- {
		fmt.Fprintf(&b, "    %d     ", l)
		for i := 1; i <= 5; i++ {
			n := counts[l-1][i-1]
			c := strings.ToUpper(string(m.Level(l, i))[:1])
			if n == 0 {
				fmt.Fprintf(&b, "   .%s", c)
			} else {
				fmt.Fprintf(&b, "%4d%s", n, c)
			}
			b.WriteString(" ")
		}
		b.WriteString("\n")
	}
	tot := map[Level]int{}
	for _, s := range risks {
		if which == Residual {
			tot[s.Residual]++
		} else {
			tot[s.Inherent]++
		}
	}
	fmt.Fprintf(&b, "\n%d risks: %d critical, %d high, %d medium, %d low\n", len(risks), tot[Critical], tot[High], tot[Medium], tot[Low])
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the register as a table, in the given order.
func WriteText(w io.Writer, risks []Scored) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tASSET\tTHREAT\tL×I\tINHERENT\tRESIDUAL\tTREATMENT\tOWNER\tDUE")
	for _, s := range risks {
		r := s.Risk
		res := string(s.Residual)
		if s.ResidualAssumed {
			res += "*"
		}
		due := "-"
		if !r.Due.IsZero() {
			due = r.Due.String()
		}
		if !r.Completed.IsZero() {
			due += " (done " + r.Completed.String() + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d×%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Asset, trunc(s.ThreatTitle, 40), r.Likelihood, r.Impact, s.Inherent, res, dash(r.Treatment), dash(r.Owner), due)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range risks {
		if s.ResidualAssumed {
			_, err := fmt.Fprintln(w, "\n* no residual recorded: residual equals inherent until the treatment is shown to work")
			return err
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func trunc(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
