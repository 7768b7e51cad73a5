// Package letter turns a notice draft (the small Markdown subset the
// incident package writes: "#" and "##" headings, paragraphs whose lines
// are kept, "- " list items, and [[placeholders]]) into a letter: HTML
// for the page, plain text for the clipboard, a .docx and a PDF. Text is
// taken literally: nothing in a value typed by a user (a summary, a
// name) is read as markup. It depends on nothing of ward's.
package letter

import (
	"strings"
)

// Kinds of block.
const (
	Title   = "title"   // "# "
	Heading = "heading" // "## "
	Para    = "para"
	Item    = "item" // "- "
)

// Block is a heading, a paragraph (its lines kept apart) or one list
// item.
type Block struct {
	Kind  string
	Lines [][]Span
}

// Span is a run of text; Placeholder marks what the sender must fill in
// (written [[like this]] in the draft, shown without the brackets).
type Span struct {
	Text        string
	Placeholder bool
}

// Letter is a parsed draft.
type Letter struct {
	Blocks []Block
}

// Parse reads a draft's letter. Blank lines end a paragraph; a line that
// starts "# ", "## " or "- " is a block of its own.
func Parse(md string) Letter {
	var l Letter
	var para *Block
	flush := func() {
		if para != nil {
			l.Blocks = append(l.Blocks, *para)
			para = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		t := strings.TrimRight(line, " \t")
		switch {
		case strings.TrimSpace(t) == "":
			flush()
		case strings.HasPrefix(t, "# "):
			flush()
			l.Blocks = append(l.Blocks, Block{Kind: Title, Lines: [][]Span{spans(t[2:])}})
		case strings.HasPrefix(t, "## "):
			flush()
			l.Blocks = append(l.Blocks, Block{Kind: Heading, Lines: [][]Span{spans(t[3:])}})
		case strings.HasPrefix(t, "- "):
			flush()
			l.Blocks = append(l.Blocks, Block{Kind: Item, Lines: [][]Span{spans(t[2:])}})
		default:
			if para == nil {
				para = &Block{Kind: Para}
			}
			para.Lines = append(para.Lines, spans(t))
		}
	}
	flush()
	return l
}

// spans splits a line at its [[placeholders]].
func spans(s string) []Span {
	var out []Span
	for s != "" {
		i := strings.Index(s, "[[")
		if i < 0 {
			out = append(out, Span{Text: s})
			break
		}
		j := strings.Index(s[i+2:], "]]")
		if j < 0 {
			out = append(out, Span{Text: s})
			break
		}
		if i > 0 {
			out = append(out, Span{Text: s[:i]})
		}
		out = append(out, Span{Text: s[i+2 : i+2+j], Placeholder: true})
		s = s[i+2+j+2:]
	}
	return out
}

// Placeholders counts the placeholders left to fill in.
func (l Letter) Placeholders() int {
	n := 0
	for _, b := range l.Blocks {
		for _, line := range b.Lines {
			for _, sp := range line {
				if sp.Placeholder {
					n++
				}
			}
		}
	}
	return n
}

// lineText is a line as plain text; placeholders are kept in square
// brackets so that a copied letter still shows what is missing.
func lineText(line []Span) string {
	var b strings.Builder
	for _, sp := range line {
		if sp.Placeholder {
			b.WriteString("[" + sp.Text + "]")
		} else {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// Text is the letter as plain text, for the clipboard or an e-mail:
// headings on their own lines, list items with a bullet, placeholders
// in [square brackets].
func (l Letter) Text() string {
	var b strings.Builder
	for i, bl := range l.Blocks {
		if i > 0 && !(bl.Kind == Item && l.Blocks[i-1].Kind == Item) {
			b.WriteString("\n")
		}
		for _, line := range bl.Lines {
			if bl.Kind == Item {
				b.WriteString("• ")
			}
			b.WriteString(lineText(line))
			b.WriteString("\n")
		}
	}
	return b.String()
}
