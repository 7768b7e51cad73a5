package policyset

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The policy's Markdown is parsed as the web shows it (CommonMark with
// tables) and set on the page: headings, paragraphs, lists, tables,
// quotes and code. Raw HTML is left out, as on the page.
var parser = goldmark.New(goldmark.WithExtensions(extension.Table)).Parser()

// Sizes, in points, and line heights, in millimetres.
const (
	bodySize, bodyLH   = 10.0, 5.0
	tableSize          = 8.5
	codeSize, codeLH   = 8.5, 4.2
	listIndent, marker = 6.0, 6.0
)

var headingSize = map[int]float64{1: 16, 2: 12.5, 3: 11, 4: 10.5, 5: 10, 6: 10}

// markdown sets a policy's text, leaving out a first level-one heading
// when skipFirstH1 is set (the set prints the title itself); after runs
// once, before the first block set (the policy's record box).
func (d *doc) markdown(src string, skipFirstH1 bool, after func()) {
	source := []byte(src)
	root := parser.Parse(text.NewReader(source))
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && n == root.FirstChild() && h.Level == 1 && skipFirstH1 {
			continue
		}
		if after != nil {
			after()
			after = nil
		}
		d.block(n, source, margin, bodyW)
	}
	if after != nil {
		after()
	}
}

// HeadingText is the text of a Markdown document's first level-one
// heading, or "".
func HeadingText(src string) string {
	source := []byte(src)
	root := parser.Parse(text.NewReader(source))
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 {
		var b strings.Builder
		for _, r := range inlines(h, source, style{}) {
			b.WriteString(r.text)
		}
		return b.String()
	}
	return ""
}

func (d *doc) block(n ast.Node, source []byte, x, w float64) {
	switch n := n.(type) {
	case *ast.Heading:
		size := headingSize[n.Level]
		lh := size * 0.5
		d.SetY(d.GetY() + 2)
		d.need(lh + 2*bodyLH) // a heading stays with what follows
		d.SetTextColor(31, 58, 95)
		d.text(inlines(n, source, style{bold: true}), x, w, size, lh, nil)
		d.SetTextColor(27, 27, 27)
		d.SetY(d.GetY() + 1)
	case *ast.Paragraph, *ast.TextBlock:
		d.text(inlines(n, source, style{}), x, w, bodySize, bodyLH, nil)
		if _, tight := n.(*ast.TextBlock); !tight {
			d.SetY(d.GetY() + 2)
		}
	case *ast.List:
		num := n.Start
		for it := n.FirstChild(); it != nil; it = it.NextSibling() {
			mark := "\x95" // the cp1252 bullet
			if n.IsOrdered() {
				mark = strconv.Itoa(num) + "."
				num++
			}
			d.listItem(it, source, x, w, mark)
		}
		if n.Parent() == nil || n.Parent().Kind() == ast.KindDocument {
			d.SetY(d.GetY() + 2)
		}
	case *ast.Blockquote:
		y0, page := d.GetY(), d.PageNo()
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			qx, qw := indent(x, w, 5)
			d.block(c, source, qx, qw)
		}
		// The bar beside the quote, on the page where it ends.
		if d.PageNo() != page {
			y0 = top
		}
		d.SetDrawColor(180, 186, 194)
		d.SetLineWidth(0.8)
		d.Line(x+1.5, y0, x+1.5, d.GetY()-1)
		d.SetLineWidth(0.2)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		var runs []run
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			runs = append(runs, run{text: cp1252(strings.TrimRight(string(seg.Value(source)), "\n")) + "\n", st: style{mono: true}})
		}
		if len(runs) > 0 {
			last := &runs[len(runs)-1]
			last.text = strings.TrimSuffix(last.text, "\n")
		}
		d.SetFillColor(244, 246, 248)
		for _, line := range d.layout(runs, w-4, codeSize) {
			d.need(codeLH)
			y := d.GetY()
			d.Rect(x, y, w, codeLH, "F")
			d.drawLine(line, x+2, y, codeLH, codeSize)
			d.SetY(y + codeLH)
		}
		d.SetY(d.GetY() + 2)
	case *ast.ThematicBreak:
		d.need(4)
		y := d.GetY() + 2
		d.SetDrawColor(201, 206, 214)
		d.Line(x, y, x+w, y)
		d.SetY(y + 2)
	case *east.Table:
		var header []cell
		var rows [][]cell
		for r := n.FirstChild(); r != nil; r = r.NextSibling() {
			var row []cell
			for c := r.FirstChild(); c != nil; c = c.NextSibling() {
				row = append(row, cell(inlines(c, source, style{})))
			}
			if _, ok := r.(*east.TableHeader); ok {
				header = row
			} else {
				rows = append(rows, row)
			}
		}
		// Rows shorter than the header get empty cells.
		for i := range rows {
			for len(rows[i]) < len(header) {
				rows[i] = append(rows[i], nil)
			}
		}
		d.table(header, rows, nil, tableSize, nil)
	case *ast.HTMLBlock:
		// Raw HTML is left out.
	default:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			d.block(c, source, x, w)
		}
	}
}

func (d *doc) listItem(it ast.Node, source []byte, x, w float64, mark string) {
	first := true
	for c := it.FirstChild(); c != nil; c = c.NextSibling() {
		if first {
			first = false
			if c.Kind() == ast.KindParagraph || c.Kind() == ast.KindTextBlock {
				d.text(inlines(c, source, style{}), x+marker, w-marker, bodySize, bodyLH, func(y float64) {
					d.SetFont("Helvetica", "", bodySize)
					d.SetXY(x, y)
					d.CellFormat(marker, bodyLH, mark, "", 0, "L", false, 0, "")
				})
				if c.Kind() == ast.KindParagraph {
					d.SetY(d.GetY() + 1)
				}
				continue
			}
			// An item that starts with something else: the marker alone.
			d.need(bodyLH)
			d.SetFont("Helvetica", "", bodySize)
			d.SetXY(x, d.GetY())
			d.CellFormat(marker, bodyLH, mark, "", 0, "L", false, 0, "")
		}
		ix, iw := indent(x, w, listIndent)
		d.block(c, source, ix, iw)
	}
}

// indent moves a nested block in, until the column would be too narrow
// to read; deeper nesting stays at that width.
func indent(x, w, by float64) (float64, float64) {
	if w-by < 60 {
		return x, w
	}
	return x + by, w - by
}

// inlines collects a block's inline content as styled runs.
func inlines(n ast.Node, source []byte, st style) []run {
	var out []run
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(source)
			if !c.IsRaw() {
				v = unescape(v)
			}
			s := cp1252(string(v))
			switch {
			case c.HardLineBreak():
				s += "\n"
			case c.SoftLineBreak():
				s += " "
			}
			out = append(out, run{text: s, st: st})
		case *ast.String:
			out = append(out, run{text: cp1252(string(c.Value)), st: st})
		case *ast.CodeSpan:
			m := st
			m.mono = true
			var b strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					b.Write(tx.Segment.Value(source))
				} else if s, ok := t.(*ast.String); ok {
					b.Write(s.Value)
				}
			}
			out = append(out, run{text: cp1252(b.String()), st: m})
		case *ast.Emphasis:
			m := st
			if c.Level >= 2 {
				m.bold = true
			} else {
				m.italic = true
			}
			out = append(out, inlines(c, source, m)...)
		case *ast.Link:
			m := st
			m.link = safeLink(string(c.Destination))
			out = append(out, inlines(c, source, m)...)
		case *ast.AutoLink:
			m := st
			u := string(c.URL(source))
			m.link = safeLink(u)
			if c.AutoLinkType == ast.AutoLinkEmail && m.link == "" {
				m.link = safeLink("mailto:" + u)
			}
			out = append(out, run{text: cp1252(string(c.Label(source))), st: m})
		case *ast.Image:
			m := st
			m.italic = true
			out = append(out, run{text: "[image: ", st: m})
			out = append(out, inlines(c, source, m)...)
			out = append(out, run{text: "]", st: m})
		case *ast.RawHTML:
			// Left out.
		default:
			out = append(out, inlines(c, source, st)...)
		}
	}
	return out
}

func unescape(v []byte) []byte {
	v = util.UnescapePunctuations(v)
	v = util.ResolveNumericReferences(v)
	return util.ResolveEntityNames(v)
}

// safeLink keeps a link only when it goes to the web or to an e-mail
// address.
func safeLink(u string) string {
	l := strings.ToLower(strings.TrimSpace(u))
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:") {
		return strings.TrimSpace(u)
	}
	return ""
}
