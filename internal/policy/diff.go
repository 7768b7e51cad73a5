package policy

import (
	"fmt"
	"strings"
)

// Line kinds of a diff.
const (
	Same    = " "
	Added   = "+"
	Removed = "-"
)

// DiffLine is one line of a diff between two versions' texts.
type DiffLine struct {
	Op   string `json:"op"` // " ", "+", "-"
	Text string `json:"text"`
	// Old and New are the line's numbers in each text (0 when absent).
	Old int `json:"old,omitempty"`
	New int `json:"new,omitempty"`
}

// maxDiffLines bounds the quadratic table: policies are pages, not books;
// past it, the diff is every old line removed and every new line added.
const maxDiffLines = 4000

// Diff compares two texts line by line (a longest common subsequence),
// what changed from a to b, in order.
func Diff(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	if len(x) > maxDiffLines || len(y) > maxDiffLines {
		out := make([]DiffLine, 0, len(x)+len(y))
		for i, l := range x {
			out = append(out, DiffLine{Op: Removed, Text: l, Old: i + 1})
		}
		for j, l := range y {
			out = append(out, DiffLine{Op: Added, Text: l, New: j + 1})
		}
		return out
	}
	// lcs[i][j] is the common length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out = append(out, DiffLine{Op: Same, Text: x[i], Old: i + 1, New: j + 1})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, DiffLine{Op: Removed, Text: x[i], Old: i + 1})
			i++
		default:
			out = append(out, DiffLine{Op: Added, Text: y[j], New: j + 1})
			j++
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Changed reports whether a diff has any added or removed line.
func Changed(d []DiffLine) bool {
	for _, l := range d {
		if l.Op != Same {
			return true
		}
	}
	return false
}

// UnifiedText writes a diff for a terminal: the changed lines with two
// lines of context, hunks separated by "@@ old,new @@" headers.
func UnifiedText(d []DiffLine, from, to string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", from, to)
	const context = 2
	show := make([]bool, len(d))
	for i, l := range d {
		if l.Op == Same {
			continue
		}
		for k := max(0, i-context); k <= min(len(d)-1, i+context); k++ {
			show[k] = true
		}
	}
	for i := 0; i < len(d); i++ {
		if !show[i] {
			continue
		}
		if i == 0 || !show[i-1] {
			fmt.Fprintf(&b, "@@ %d,%d @@\n", max(d[i].Old, 1), max(d[i].New, 1))
		}
		fmt.Fprintf(&b, "%s%s\n", d[i].Op, d[i].Text)
	}
	return b.String()
}
