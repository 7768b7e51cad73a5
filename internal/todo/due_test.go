package todo

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"ward/internal/benchgen"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/workspace"
)

// dueRegexp is the regular expression messageDue replaced.
var dueRegexp = regexp.MustCompile(`(?:due|deadline of|due for review on|due by|expired on|expires on|attach it by)\s+(\d{4}-\d{2}-\d{2})`)

func regexpDue(msg string) date.Date {
	if m := dueRegexp.FindStringSubmatch(msg); m != nil {
		if d, err := date.Parse(m[1]); err == nil {
			return d
		}
	}
	return date.Date{}
}

// TestMessageDueAsRegexp: messageDue finds the date the regular
// expression did, in every message ward's checks write for the demo and
// a generated organization on several dates, in crafted edge cases, and
// in random strings made of the words and dates it looks for.
func TestMessageDueAsRegexp(t *testing.T) {
	msgs := []string{
		"", "due", "due ", "due 2026-01-0", "due 2026-01-01", "due\t\n2026-01-01x", "due2026-01-01",
		"due for review on 2026-13-45 and due 2026-01-01", "overdue by 2026-02-03", "due for 2026-01-01",
		"the deadline of  2027-07-04 passed", "expired on 2026-02-30", "attach it by 2026-12-31.",
		"expires on 2026-1-01 due by 2026-05-05", "dueue 2026-01-01", "due ２０２６-01-01", "due 2026-01-01 due 2027-01-01",
	}
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range []*workspace.Workspace{l.Workspace, benchgen.Org(5, "p", "P", benchgen.Practice)} {
		for _, d := range []string{"2025-01-01", "2026-11-23", "2027-06-30"} {
			for _, f := range check.Run(ws, date.MustParse(d)) {
				msgs = append(msgs, f.Message)
			}
		}
	}
	parts := []string{"due", "due ", "by ", "for review on", "deadline of", "expired on ", "expires on", "attach it by", " ", "\t", "\n",
		"2026-01-01", "2026-13-01", "2026-1-01", "x", "d", "e", "a", "-", "7"}
	r := rand.New(rand.NewPCG(21, 1))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		msgs = append(msgs, b.String())
	}
	for _, m := range msgs {
		if got, want := messageDue(m), regexpDue(m); !got.Equal(want) {
			t.Errorf("messageDue(%q) = %v, the regexp gives %v", m, got, want)
		}
	}
}
