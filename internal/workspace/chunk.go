package workspace

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// A large file is parsed a run of list items at a time: the parser's
// tree of a whole file takes some 50 times the file's size (331 MiB for
// a 4.3 MB file of 8,000 systems, issue 21), a run of items a few MB
// whatever the file. Each run is parsed with the same parser, its lines
// shifted to the file's, so the values, lines and messages are the same
// as a parse of the whole file. The split is made only where the text is
// plainly a mapping of sections at column 0 and, in a section's list,
// items at one indentation; anything else, and any run the parser
// refuses, is parsed whole (Load starts again without chunks), so a
// syntax error reads as it always did.
var (
	// chunkBytes: files up to this size are parsed whole.
	chunkBytes = 256 << 10
	// chunkItems: list items per run.
	chunkItems = 400
	// chunkedRuns counts the runs parsed, for the tests.
	chunkedRuns int
)

// chunk is one run of a file: text to parse, whose line 1 is the file's
// line shift+1; first is the list index (in the file) of its section's
// first item in it, for a run that continues a section.
type chunk struct {
	text  []byte
	shift int
	first int
	// items is how many list items the split saw in a run of a split
	// section (0 for a section left whole): the parse must agree.
	items int
}

var (
	sectionLine = regexp.MustCompile(`^[a-z_][a-z0-9_]*:[ \t]*(#.*)?$`)
	sectionWith = regexp.MustCompile(`^[a-z_][a-z0-9_]*:[ \t]`)
)

// splitChunks splits a file into runs of at most items list items, or
// returns nil when the file is not plainly shaped for it.
func splitChunks(data []byte, items int) []chunk {
	if bytes.IndexByte(bytes.ReplaceAll(data, []byte("\r\n"), nil), '\r') >= 0 {
		return nil // a lone CR: lines would not count the same
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	content := func(ln []byte) bool {
		t := bytes.TrimLeft(ln, " ")
		t = bytes.TrimRight(t, "\r\n")
		return len(t) > 0 && t[0] != '#'
	}
	indent := func(ln []byte) int { return len(ln) - len(bytes.TrimLeft(ln, " ")) }
	// Sections: the column-0 lines.
	type section struct {
		name   string
		at     int
		inline bool
	}
	var secs []section
	seen := map[string]bool{}
	for i, ln := range lines {
		if !content(ln) || ln[0] == ' ' {
			continue
		}
		t := bytes.TrimRight(ln, "\r\n")
		var name string
		switch {
		case sectionLine.Match(t):
			name = string(t[:bytes.IndexByte(t, ':')])
			secs = append(secs, section{name: name, at: i})
		case sectionWith.Match(t):
			name = string(t[:bytes.IndexByte(t, ':')])
			secs = append(secs, section{name: name, at: i, inline: true})
		default:
			return nil // a document marker, a directive, a flow mapping, a tab...
		}
		if seen[name] {
			return nil
		}
		seen[name] = true
	}
	if len(secs) == 0 || hasContent(lines[:secs[0].at], content) {
		return nil
	}
	var out []chunk
	join := func(ls [][]byte) []byte { return bytes.Join(ls, nil) }
	for k, s := range secs {
		end := len(lines)
		if k+1 < len(secs) {
			end = secs[k+1].at
		}
		start := s.at
		if k == 0 {
			start = 0 // comments before the first section
		}
		whole := chunk{text: join(lines[start:end]), shift: start}
		if s.inline {
			out = append(out, whole)
			continue
		}
		// The list items: lines at the first content line's indentation
		// that open an item.
		var starts []int
		item := -1
		for i := s.at + 1; i < end; i++ {
			ln := lines[i]
			if !content(ln) {
				continue
			}
			n := indent(ln)
			if item < 0 {
				item = n
			}
			t := bytes.TrimRight(ln[n:], "\r\n")
			isItem := n == item && len(t) > 0 && t[0] == '-' && (len(t) == 1 || t[1] == ' ')
			switch {
			case isItem:
				starts = append(starts, i)
			case n <= item:
				starts = nil // not a plain list: parse the section whole
				i = end
			}
		}
		if len(starts) <= items {
			out = append(out, whole)
			continue
		}
		header := []byte(s.name + ":\n")
		for c := 0; c < len(starts); c += items {
			to, n := end, min(items, len(starts)-c)
			if c+items < len(starts) {
				to = starts[c+items]
			}
			if c == 0 {
				out = append(out, chunk{text: join(lines[start:to]), shift: start, items: n})
				continue
			}
			// The header on the line before the first item.
			from := starts[c]
			out = append(out, chunk{text: append(append([]byte{}, header...), join(lines[from:to])...), shift: from - 1, first: c, items: n})
		}
	}
	return out
}

func hasContent(ls [][]byte, content func([]byte) bool) bool {
	for _, l := range ls {
		if content(l) {
			return true
		}
	}
	return false
}

// runItems counts the items of a run's one section, or -1 when the run
// is not one section holding a plain list.
func runItems(f *ast.File) int {
	if len(f.Docs) != 1 || f.Docs[0] == nil {
		return -1
	}
	ps, ok := pairs(f.Docs[0].Body)
	if !ok || len(ps) != 1 {
		return -1
	}
	seq, ok := ps[0].Value.(*ast.SequenceNode)
	if !ok {
		return -1
	}
	return len(seq.Values)
}

// parseAt parses one run, its lines shifted by shift.
func parseAt(text []byte, shift int) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed on this file (%v)", r)
		}
	}()
	tokens := lexer.Tokenize(string(text))
	moved := map[*token.Position]bool{}
	for _, tk := range tokens {
		if tk.Position != nil && !moved[tk.Position] {
			moved[tk.Position] = true
			tk.Position.Line += shift
		}
	}
	return parser.Parse(tokens, 0)
}
