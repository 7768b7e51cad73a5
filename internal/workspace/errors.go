package workspace

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a workspace file, pointing at the line to fix.
// Line is 1-based and always set; Field is the path of the value inside
// the workspace (systems[3].kind), empty when the problem is the file's
// syntax rather than a field.
type Error struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
}

// Error formats the error as FILE:LINE: FIELD: MESSAGE, the form editors
// and CI logs turn into a link to the line.
func (e Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Errors is every problem Load found, sorted by file and line. Load
// reports them all at once so that one run of `ward apply` shows
// everything to fix.
type Errors []Error

// maxShown caps the text form: past fifty, the first ones are what to fix
// first and the rest is noise.
const maxShown = 50

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == maxShown {
			fmt.Fprintf(&b, "and %d more", len(es)-maxShown)
			break
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sortErrors orders by file (in load order, which is path order), then line,
// keeping the order of discovery for errors on the same line.
func sortErrors(es Errors, files []string) {
	rank := make(map[string]int, len(files))
	for i, f := range files {
		rank[f] = i
	}
	slices.SortStableFunc(es, func(a, b Error) int {
		if c := cmp.Compare(rank[a.File], rank[b.File]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// suggest returns the candidate closest to s when it is close enough to be
// a typo (encrypted_at_rst → encrypted_at_rest), or "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance, on bytes: names here are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
