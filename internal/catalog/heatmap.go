package catalog

import (
	"bytes"
	"fmt"
	"html"
	"strings"
)

// Heat map geometry, in SVG user units.
const (
	hmCell     = 11 // one requirement pair
	hmBand     = 18 // the group band left of the rows and above the columns
	hmCharW    = 5  // about one character of a requirement id
	hmLegend   = 40 // below the matrix
	hmMaxShade = 5  // cells sharing this many controls or more get the darkest class
)

// CrosswalkSVG draws a crosswalk as a heat map: one row per assessable
// requirement of cw.From in scope, one column per assessable requirement
// of cw.To, rows and columns grouped by section in regulation order, and
// a cell wherever the two share controls, shaded by how many (classes n1
// to n5). Every cell's <title> names the pair and the shared controls.
//
// The SVG carries classes only, no style: a page that embeds it styles it
// with a static stylesheet (a Content-Security-Policy with style-src
// 'self' forbids inline styles). Scope must be the one cw was made with.
func (c *Catalog) CrosswalkSVG(cw Crosswalk, scope Scope) ([]byte, error) {
	ff, err := c.framework(cw.From)
	if err != nil {
		return nil, err
	}
	tf, err := c.framework(cw.To)
	if err != nil {
		return nil, err
	}
	var rows, cols []*Requirement
	for _, r := range ff.assessable {
		if scope.includes(ff, r) {
			rows = append(rows, r)
		}
	}
	for _, r := range tf.assessable {
		if scope.includes(tf, r) {
			cols = append(cols, r)
		}
	}
	rowAt := map[string]int{}
	for i, r := range rows {
		rowAt[r.ID] = i
	}
	colAt := map[string]int{}
	for i, r := range cols {
		colAt[r.ID] = i
	}

	x0 := hmBand + idsWidth(rows)
	y0 := hmBand + idsWidth(cols)
	w := x0 + len(cols)*hmCell + 8
	h := y0 + len(rows)*hmCell + hmLegend
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	esc := html.EscapeString

	p(`<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="hm-title">`+"\n", w, h, w, h)
	p(`<title id="hm-title">Crosswalk %s to %s: %d pairs of requirements that share controls</title>`+"\n", esc(ff.Name), esc(tf.Name), len(cw.Pairs))
	p(`<rect class="plot" x="%d" y="%d" width="%d" height="%d"/>`+"\n", x0, y0, len(cols)*hmCell, len(rows)*hmCell)

	// Row groups: a band with the section's name, and a rule between
	// groups.
	p(`<g class="row-groups">` + "\n")
	for i, g := range groupsOf(rows) {
		y := y0 + g.start*hmCell
		hgt := g.n * hmCell
		p(`<g class="group"><title>%s</title><rect class="band band-%d" x="0" y="%d" width="%d" height="%d"/>`, esc(g.name), i%2, y, hmBand-2, hgt)
		if label := fitLabel(g.name, g.short, hgt); label != "" {
			cx, cy := hmBand/2+3, y+hgt/2
			p(`<text class="group-label" x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>`, cx, cy, cx, cy, esc(label))
		}
		p("</g>\n")
		if g.start > 0 {
			p(`<line class="sep" x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", hmBand, y, x0+len(cols)*hmCell, y)
		}
	}
	p("</g>\n")
	p(`<g class="col-groups">` + "\n")
	for i, g := range groupsOf(cols) {
		x := x0 + g.start*hmCell
		wid := g.n * hmCell
		p(`<g class="group"><title>%s</title><rect class="band band-%d" x="%d" y="0" width="%d" height="%d"/>`, esc(g.name), i%2, x, wid, hmBand-2)
		if label := fitLabel(g.name, g.short, wid); label != "" {
			p(`<text class="group-label" x="%d" y="%d" text-anchor="middle">%s</text>`, x+wid/2, hmBand-6, esc(label))
		}
		p("</g>\n")
		if g.start > 0 {
			p(`<line class="sep" x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", x, hmBand, x, y0+len(rows)*hmCell)
		}
	}
	p("</g>\n")

	// Requirement ids.
	p(`<g class="row-labels">` + "\n")
	for i, r := range rows {
		p(`<text class="rl" x="%d" y="%d" text-anchor="end"><title>%s %s</title>%s</text>`+"\n", x0-4, y0+i*hmCell+hmCell-2, esc(r.ID), esc(r.Title), esc(r.ID))
	}
	p("</g>\n")
	p(`<g class="col-labels">` + "\n")
	for i, r := range cols {
		x, y := x0+i*hmCell+hmCell-3, y0-4
		p(`<text class="cl" x="%d" y="%d" transform="rotate(-90 %d %d)"><title>%s %s</title>%s</text>`+"\n", x, y, x, y, esc(r.ID), esc(r.Title), esc(r.ID))
	}
	p("</g>\n")

	// The cells.
	p(`<g class="cells">` + "\n")
	for _, pr := range cw.Pairs {
		i, okr := rowAt[pr.From]
		j, okc := colAt[pr.To]
		if !okr || !okc {
			continue
		}
		shade := min(len(pr.Via), hmMaxShade)
		fr, tr := ff.index[pr.From], tf.index[pr.To]
		p(`<rect class="cell n%d" x="%d" y="%d" width="%d" height="%d" data-from="%s" data-to="%s"><title>%s %s × %s %s: %d shared control%s: %s</title></rect>`+"\n",
			shade, x0+j*hmCell, y0+i*hmCell, hmCell-1, hmCell-1, esc(pr.From), esc(pr.To),
			esc(fr.ID), esc(fr.Title), esc(tr.ID), esc(tr.Title), len(pr.Via), plural(len(pr.Via)), esc(strings.Join(pr.Via, ", ")))
	}
	p("</g>\n")

	// Legend.
	ly := y0 + len(rows)*hmCell + 16
	p(`<g class="legend"><text class="legend-label" x="%d" y="%d" text-anchor="end">shared controls</text>`, x0-4, ly+9)
	for k := 1; k <= hmMaxShade; k++ {
		lx := x0 + (k-1)*34
		label := fmt.Sprint(k)
		if k == hmMaxShade {
			label += "+"
		}
		p(`<rect class="cell n%d" x="%d" y="%d" width="%d" height="%d"/><text class="legend-label" x="%d" y="%d">%s</text>`, k, lx, ly, hmCell, hmCell, lx+hmCell+3, ly+9, label)
	}
	p(`<text class="legend-label" x="%d" y="%d">%d of %d %s requirements reached</text>`, x0+hmMaxShade*34+10, ly+9, cw.Coverage.ToCovered, cw.Coverage.ToTotal, esc(tf.Name))
	p("</g>\n</svg>\n")
	return b.Bytes(), nil
}

// idsWidth is the room the longest requirement id takes.
func idsWidth(reqs []*Requirement) int {
	n := 0
	for _, r := range reqs {
		n = max(n, len(r.ID))
	}
	return n*hmCharW + 10
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// hmGroup is a run of rows or columns in one section.
type hmGroup struct {
	name, short string
	start, n    int
}

// groupsOf splits requirements, in regulation order, into runs of the
// same section.
func groupsOf(reqs []*Requirement) []hmGroup {
	var gs []hmGroup
	for i, r := range reqs {
		if len(gs) > 0 && gs[len(gs)-1].name == r.Section {
			gs[len(gs)-1].n++
			continue
		}
		gs = append(gs, hmGroup{name: r.Section, short: shortSection(r), start: i, n: 1})
	}
	return gs
}

// shortSection is a section's label where space is scarce: the series id
// of a SOC 2 section ("CC6", or the letters "A", "C", "PI", "P" of the
// other categories), elsewhere the section's name cut to three letters
// ("Org.").
func shortSection(r *Requirement) string {
	if r.Category == "" {
		if len(r.Section) > 6 {
			return r.Section[:3] + "."
		}
		return r.Section
	}
	if id, _, ok := strings.Cut(r.Section, " "); ok && strings.HasPrefix(id, "CC") {
		return id
	}
	return strings.TrimRight(r.ID[:strings.IndexAny(r.ID+".", ".0123456789")], ".")
}

// fitLabel picks the name, or its short form, that fits length units at
// about 5.5 units a character, or "" when neither does.
func fitLabel(name, short string, length int) string {
	fits := func(s string) bool { return float64(len(s))*5.5+4 <= float64(length) }
	switch {
	case fits(name):
		return name
	case fits(short):
		return short
	}
	return ""
}
