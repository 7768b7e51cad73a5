package policyset

import (
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// The page, in millimetres. The document places every line itself (no
// automatic page breaks), so that it knows where each one is: a line
// never starts below the bottom margin, and nothing is drawn outside the
// text column.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 18.0
	top, bottom  = 18.0, 20.0 // bottom: the footer sits inside it
	bodyW        = pageW - 2*margin
)

// doc is an fpdf document with the few layout tools the set needs.
type doc struct {
	*fpdf.Fpdf
	// onNewPage runs after a page break the layout makes (a table's
	// header again).
	onNewPage func()
}

// cp1252 turns text into the single-byte encoding of the PDF core fonts:
// a few symbols become their ASCII spelling, accented letters outside
// the code page lose the accent, and anything else becomes '?', so no
// character is dropped silently.
func cp1252(s string) string {
	s = strings.NewReplacer("ł", "l", "Ł", "L", "đ", "d", "Đ", "D", "ı", "i", "→", "->", "←", "<-", "≥", ">=", "≤", "<=", "≠", "!=", "✓", "v", "✔", "v", "✗", "x",
		"\u00a0", " ", "\u202f", " ", "\u2009", " ", "\u2011", "-", "\u2010", "-", "\t", "    ").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteByte(c)
			continue
		}
		base := '?'
		for _, d := range norm.NFKD.String(string(r)) {
			if d < 0x80 && !unicode.Is(unicode.Mn, d) {
				base = d
				break
			}
			if c, ok := charmap.Windows1252.EncodeRune(d); ok && !unicode.Is(unicode.Mn, d) {
				base = rune(c)
				break
			}
		}
		if base < 0x80 {
			b.WriteRune(base)
		} else {
			b.WriteByte(byte(base))
		}
	}
	return b.String()
}

// style is how a run of text is set.
type style struct {
	bold, italic, mono bool
	link               string
}

func (st style) family() (string, string) {
	s := ""
	if st.bold {
		s += "B"
	}
	if st.italic {
		s += "I"
	}
	if st.mono {
		return "Courier", s
	}
	return "Helvetica", s
}

// run is text in one style; "\n" in text is a hard line break. Text is
// already in cp1252.
type run struct {
	text string
	st   style
}

// piece is a word (or part of one) placed on a line.
type piece struct {
	text  string
	st    style
	space bool // a space before it, unless it starts the line
	w     float64
}

func (d *doc) setFont(st style, size float64) {
	fam, s := st.family()
	d.SetFont(fam, s, size)
}

func (d *doc) width(s string, st style, size float64) float64 {
	d.setFont(st, size)
	return d.GetStringWidth(s)
}

// layout breaks runs into lines no wider than width: at spaces; a word
// too long for the line breaks after a hyphen, dot, slash or @ (an id,
// an address, a URL), and between letters only where it has no such
// place. No character is lost: joining the lines' pieces gives the text
// back, less the spaces at the breaks.
func (d *doc) layout(runs []run, width, size float64) [][]piece {
	var lines [][]piece
	var line []piece
	lineW := 0.0
	flush := func() {
		lines = append(lines, line)
		line, lineW = nil, 0
	}
	var place func(p piece)
	place = func(p piece) {
		p.w = d.width(p.text, p.st, size)
		sp := 0.0
		if p.space && len(line) > 0 {
			sp = d.width(" ", p.st, size)
		}
		switch {
		case lineW+sp+p.w <= width:
			line = append(line, p)
			lineW += sp + p.w
		case len(line) > 0 && p.w <= width:
			flush()
			p.space = false
			line, lineW = append(line, p), p.w
		default:
			parts := breakable(p.text)
			if len(parts) > 1 {
				for i, t := range parts {
					q := piece{text: t, st: p.st, space: p.space && i == 0}
					place(q)
				}
				return
			}
			// No place to break: fill what is left of the line (or a
			// whole line), then go on with the rest.
			room := width - lineW - sp
			if room < width/4 && len(line) > 0 {
				flush()
				p.space, sp, room = false, 0, width
			}
			n := len(p.text) - 1
			for n > 1 && d.width(p.text[:n], p.st, size) > room {
				n--
			}
			n = max(n, 1) // at least one letter a line: always progress
			head := piece{text: p.text[:n], st: p.st, space: p.space}
			head.w = d.width(head.text, head.st, size)
			if len(line) == 0 {
				head.space = false
				sp = 0
			}
			line = append(line, head)
			lineW += sp + head.w
			flush()
			if rest := p.text[n:]; rest != "" {
				place(piece{text: rest, st: p.st})
			}
		}
	}
	space := false
	for _, r := range runs {
		parts := strings.Split(r.text, "\n")
		for i, part := range parts {
			if i > 0 {
				flush()
				space = false
			}
			for j, w := range strings.Split(part, " ") {
				if j > 0 {
					space = true
				}
				if w == "" {
					continue
				}
				place(piece{text: w, st: r.st, space: space})
				space = false
			}
		}
	}
	if len(line) > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// breakable splits a word after each hyphen, dot, slash and @, the
// places a long identifier, address or URL can break.
func breakable(word string) []string {
	var out []string
	start := 0
	for i := 0; i < len(word); i++ {
		if c := word[i]; (c == '-' || c == '.' || c == '@' || c == '/') && i > start && i < len(word)-1 {
			out = append(out, word[start:i+1])
			start = i + 1
		}
	}
	return append(out, word[start:])
}

// need makes sure h millimetres fit above the bottom margin, starting a
// new page when they do not.
func (d *doc) need(h float64) {
	if d.GetY()+h > pageH-bottom {
		d.newPage()
	}
}

// newPage starts a page and runs onNewPage (a table's header again).
func (d *doc) newPage() {
	d.AddPage()
	d.SetY(top)
	if f := d.onNewPage; f != nil {
		d.onNewPage = nil // a header drawn on a new page starts no other
		f()
		d.onNewPage = f
	}
}

// drawLine sets one laid-out line at (x, y).
func (d *doc) drawLine(line []piece, x, y, lh, size float64) {
	for i, p := range line {
		if p.space && i > 0 {
			x += d.width(" ", p.st, size)
		}
		d.setFont(p.st, size)
		if p.st.link != "" {
			d.SetTextColor(20, 80, 160)
		}
		d.SetXY(x, y)
		d.CellFormat(p.w, lh, p.text, "", 0, "L", false, 0, "")
		if p.st.link != "" {
			d.LinkString(x, y, p.w, lh, p.st.link)
			d.SetTextColor(27, 27, 27)
		}
		x += p.w
	}
}

// text sets runs as a paragraph at x, width w, breaking pages between
// lines; first, when set, draws something (a list marker) beside the
// first line.
func (d *doc) text(runs []run, x, w, size, lh float64, first func(y float64)) {
	for i, line := range d.layout(runs, w, size) {
		d.need(lh)
		y := d.GetY()
		if i == 0 && first != nil {
			first(y)
		}
		d.drawLine(line, x, y, lh, size)
		d.SetY(y + lh)
	}
}

// cell is one table cell's runs.
type cell []run

// plain is a cell of plain text.
func plain(s string) cell { return cell{{text: cp1252(s)}} }

// table draws rows under a header (nil for none) in columns of the given
// relative widths (nil: sized to their content), at size; rows grow to
// fit wrapped text and the header repeats after a page break. shade, when
// set, gives a row's fill colour.
func (d *doc) table(header []cell, rows [][]cell, widths []float64, size float64, shade func(r int) []int) {
	const pad = 1.3
	lh := size * 0.46
	n := len(header)
	if n == 0 && len(rows) > 0 {
		n = len(rows[0])
	}
	if n == 0 {
		return
	}
	w := widths
	if w == nil {
		w = d.columns(header, rows, size, pad)
	}
	scale := bodyW / sum(w)
	cw := make([]float64, n)
	for i := range cw {
		cw[i] = w[i] * scale
	}
	d.SetDrawColor(201, 206, 214)
	d.SetLineWidth(0.2)
	drawRow := func(cells []cell, head bool, fill []int) {
		laid := make([][][]piece, n)
		lines := 1
		for i := 0; i < n; i++ {
			var c cell
			if i < len(cells) {
				c = cells[i]
			}
			if head {
				c = bolden(c)
			}
			laid[i] = d.layout(c, cw[i]-2*pad, size)
			lines = max(lines, len(laid[i]))
		}
		// A row goes whole to the next page when it does not fit on
		// this one; a row taller than a page is split between lines.
		moved := false
		for from := 0; from < lines; {
			avail := int((pageH - bottom - d.GetY() - 2*pad) / lh)
			take := lines - from
			if take > avail {
				if !moved && (avail < 3 || float64(lines)*lh+2*pad < (pageH-top-bottom)*0.8) {
					moved = true
					d.newPage()
					continue
				}
				take = max(avail, 1)
			}
			h := float64(take)*lh + 2*pad
			x, y := margin, d.GetY()
			for i := 0; i < n; i++ {
				switch {
				case head:
					d.SetFillColor(238, 241, 245)
					d.Rect(x, y, cw[i], h, "FD")
				case fill != nil:
					d.SetFillColor(fill[0], fill[1], fill[2])
					d.Rect(x, y, cw[i], h, "FD")
				default:
					d.Rect(x, y, cw[i], h, "D")
				}
				for j := from; j < from+take && j < len(laid[i]); j++ {
					d.drawLine(laid[i][j], x+pad, y+pad+float64(j-from)*lh, lh, size)
				}
				x += cw[i]
			}
			d.SetY(y + h)
			if from += take; from < lines {
				d.newPage()
			}
		}
	}
	prev := d.onNewPage
	if header != nil {
		// Keep the header with the first rows, and repeat it on every
		// page the table continues on.
		d.need(3 * (lh + 2*pad))
		drawRow(header, true, nil)
		d.onNewPage = func() { drawRow(header, true, nil) }
	}
	for r, row := range rows {
		var fill []int
		if shade != nil {
			fill = shade(r)
		}
		drawRow(row, false, fill)
	}
	d.onNewPage = prev
	d.SetY(d.GetY() + 3)
}

func bolden(c cell) cell {
	out := make(cell, len(c))
	for i, r := range c {
		r.st.bold = true
		out[i] = r
	}
	return out
}

// columns sizes a table's columns to their content: each gets at least
// its longest word (within reason), and the rest of the width is shared
// in proportion to how much more the column's longest cell needs.
func (d *doc) columns(header []cell, rows [][]cell, size, pad float64) []float64 {
	n := len(header)
	if n == 0 {
		n = len(rows[0])
	}
	minW := make([]float64, n)
	natW := make([]float64, n)
	all := append([][]cell{header}, rows...)
	for ri, row := range all {
		for i := 0; i < n && i < len(row); i++ {
			full := 0.0
			for _, r := range row[i] {
				st := r.st
				if ri == 0 && header != nil {
					st.bold = true
				}
				// The widest piece a word can break into (after a
				// hyphen, dot, slash or @), so that words are cut
				// between letters only in a column that cannot be wider.
				for _, word := range strings.Fields(r.text) {
					for _, part := range breakable(word) {
						minW[i] = max(minW[i], min(d.width(part, st, size), bodyW/float64(n)))
					}
				}
				full += d.width(r.text, st, size)
			}
			natW[i] = max(natW[i], full)
		}
	}
	total, totalMin := 0.0, 0.0
	for i := range natW {
		minW[i] += 2*pad + 0.5
		natW[i] = max(natW[i]+2*pad+0.5, minW[i])
		total += natW[i]
		totalMin += minW[i]
	}
	out := make([]float64, n)
	switch {
	case total <= bodyW:
		copy(out, natW)
	case totalMin >= bodyW:
		copy(out, minW)
	default:
		extra := bodyW - totalMin
		want := total - totalMin
		for i := range out {
			out[i] = minW[i] + extra*(natW[i]-minW[i])/want
		}
	}
	return out
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
