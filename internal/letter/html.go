package letter

import (
	"html/template"
	"strings"
)

// HTML is the letter as an HTML fragment: an <article class="letter">
// with headings, paragraphs, lists, and each placeholder in a
// <mark class="placeholder">. Every text is escaped.
func (l Letter) HTML() template.HTML {
	var b strings.Builder
	b.WriteString(`<article class="letter">`)
	inList := false
	for _, bl := range l.Blocks {
		if bl.Kind == Item && !inList {
			b.WriteString("<ul>")
			inList = true
		}
		if bl.Kind != Item && inList {
			b.WriteString("</ul>")
			inList = false
		}
		switch bl.Kind {
		case Title:
			b.WriteString("<h4 class=\"letter-title\">")
			writeLines(&b, bl.Lines)
			b.WriteString("</h4>")
		case Heading:
			b.WriteString("<h5>")
			writeLines(&b, bl.Lines)
			b.WriteString("</h5>")
		case Item:
			b.WriteString("<li>")
			writeLines(&b, bl.Lines)
			b.WriteString("</li>")
		default:
			b.WriteString("<p>")
			writeLines(&b, bl.Lines)
			b.WriteString("</p>")
		}
	}
	if inList {
		b.WriteString("</ul>")
	}
	b.WriteString("</article>")
	return template.HTML(b.String())
}

func writeLines(b *strings.Builder, lines [][]Span) {
	for i, line := range lines {
		if i > 0 {
			b.WriteString("<br>")
		}
		for _, sp := range line {
			if sp.Placeholder {
				b.WriteString(`<mark class="placeholder" title="to fill in before sending">`)
				b.WriteString(template.HTMLEscapeString(sp.Text))
				b.WriteString("</mark>")
			} else {
				b.WriteString(template.HTMLEscapeString(sp.Text))
			}
		}
	}
}
