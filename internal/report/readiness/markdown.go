package readiness

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"ward/internal/mdsafe"
)

// mdCell is text in the report, escaped (mdsafe): HTML stays text.
func mdCell(s string) string { return mdsafe.Text(s) }

func fmtPct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func writeMarkdown(w io.Writer, rep Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Compliance readiness\n\n%s — as of %s\n\n## Summary\n\n", mdCell(rep.Organization), rep.AsOf)
	b.WriteString("| Framework | Met | Partly met | Not met | Not applicable | Requirements | Ready |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range rep.Frameworks {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s%% |\n", p.Name, p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total, fmtPct(p.Score.Percent))
	}
	fmt.Fprintf(&b, "\n%s\n", Rule)
	for _, p := range rep.Frameworks {
		fmt.Fprintf(&b, "\n## %s\n\n%s%% ready: %d met, %d partly met, %d not met, %d not applicable of %d requirements.",
			p.Name, fmtPct(p.Score.Percent), p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total)
		if len(p.Scope) > 0 {
			fmt.Fprintf(&b, " Categories in scope: %s.", strings.Join(p.Scope, ", "))
		}
		b.WriteString("\n")
		if p.Window != nil {
			if p.Window.Type == "type2" {
				fmt.Fprintf(&b, "\nSOC 2 Type II observation window: %s to %s.\n", p.Window.Start, p.Window.End)
			} else {
				b.WriteString("\nSOC 2 Type I: point in time.\n")
			}
		}
		b.WriteString("\n### By section\n\n| Section | Met | Partly met | Not met | N/A | Ready |\n|---|--:|--:|--:|--:|--:|\n")
		for _, s := range p.Sections {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s%% |\n", mdCell(s.Name), s.Score.Met, s.Score.Partial, s.Score.NotMet, s.Score.NotApplicable, fmtPct(s.Score.Percent))
		}
		if gaps := Gaps(p); len(gaps) > 0 {
			fmt.Fprintf(&b, "\n### Gaps (%d)\n\n| Requirement | Status | Why, and what is missing |\n|---|---|---|\n", len(gaps))
			for _, r := range gaps {
				why := r.Reason
				if len(r.Missing) > 0 {
					why += ": " + strings.Join(r.Missing, "; ")
				}
				fmt.Fprintf(&b, "| **%s** %s | %s | %s |\n", mdCell(r.ID), mdCell(r.Title), StatusLabel(r.Status), mdCell(why))
			}
		} else {
			b.WriteString("\nNo gaps.\n")
		}
		if p.Window != nil && p.Window.Type == "type2" {
			fmt.Fprintf(&b, "\n### Type II exceptions (%d)\n\n", len(p.Exceptions))
			if len(p.Exceptions) == 0 {
				b.WriteString("No exception so far: every past occurrence in the window has evidence.\n")
			} else {
				b.WriteString("| Control | Period | From | To |\n|---|---|---|---|\n")
				for _, e := range p.Exceptions {
					fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(e.Control), e.Period, e.Start, e.End)
				}
			}
			if len(p.Upcoming) > 0 {
				b.WriteString("\n### Still to come in the window\n\n| Control | Period | Due | Status |\n|---|---|---|---|\n")
				for i, u := range p.Upcoming {
					if i == 25 {
						fmt.Fprintf(&b, "\n… and %d more.\n", len(p.Upcoming)-25)
						break
					}
					fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(u.Control), u.Period, u.Due, u.Status)
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
