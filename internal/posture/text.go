package posture

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the readiness for a person: the score, the sections,
// the gaps first, then the Type II exceptions and what is coming.
func WriteText(w io.Writer, p *Posture) error {
	if p.Status != "" {
		fmt.Fprintf(w, "PROPOSED, NOT LAW: readiness against a %s rule, shown apart and never part of the HIPAA score. Status last checked %s: %s\n\n",
			p.Status, p.StatusChecked, p.StatusNote)
	}
	fmt.Fprintf(w, "%s readiness as of %s: %.1f%% (%d met, %d partly met, %d not met, %d not applicable of %d)\n",
		p.Name, p.AsOf, p.Score.Percent, p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total)
	if len(p.Scope) > 0 {
		fmt.Fprintf(w, "in scope: %s\n", strings.Join(p.Scope, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSECTION\tMET\tPARTIAL\tNOT MET\tN/A\tREADY")
	for _, s := range p.Sections {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f%%\n", s.Name, s.Score.Met, s.Score.Partial, s.Score.NotMet, s.Score.NotApplicable, s.Score.Percent)
	}
	tw.Flush()
	gaps := 0
	for _, r := range p.Requirements {
		if r.Status == NotMet || r.Status == Partial {
			if gaps == 0 {
				fmt.Fprintln(w, "\nGaps:")
			}
			gaps++
			fmt.Fprintf(w, "  %-8s %-24s %s\n", r.Status, r.ID, r.Title)
			for _, m := range r.Missing {
				fmt.Fprintf(w, "           - %s\n", m)
			}
		}
	}
	if p.Window != nil && p.Window.Type == "type2" {
		fmt.Fprintf(w, "\nSOC 2 Type II observation window %s to %s: %d exception(s)\n", p.Window.Start, p.Window.End, len(p.Exceptions))
		for _, e := range p.Exceptions {
			fmt.Fprintf(w, "  EXCEPTION %-24s %s (%s to %s): no evidence\n", e.Control, e.Period, e.Start, e.End)
		}
		shown := 0
		for _, u := range p.Upcoming {
			if shown == 0 {
				fmt.Fprintln(w, "Coming up in the window:")
			}
			if shown++; shown > 15 {
				fmt.Fprintf(w, "  ... and %d more\n", len(p.Upcoming)-15)
				break
			}
			fmt.Fprintf(w, "  %-9s %-24s %s, due %s\n", u.Status, u.Control, u.Period, u.Due)
		}
	}
	if t := p.TypeI; t != nil {
		verdict := "ready"
		if !t.Ready {
			verdict = fmt.Sprintf("%d of %d in-scope control(s) not ready", len(t.Gaps), t.Controls)
		}
		fmt.Fprintf(w, "\nSOC 2 Type I as of %s (every in-scope control implemented, with evidence): %s\n", p.AsOf, verdict)
		for _, g := range t.Gaps {
			fmt.Fprintf(w, "  GAP %-24s %s\n", g.Control, g.Reason)
		}
	}
	return nil
}
