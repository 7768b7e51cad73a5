package incident

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints the deadlines for a person: the determination, then
// one line per notice with its countdown.
func WriteText(w io.Writer, r Result) error {
	verdict := "not a breach requiring notice"
	if r.Breach {
		verdict = "breach of unsecured PHI"
	}
	fmt.Fprintf(w, "Incident %s (discovered %s): %s\n", r.Incident, r.Discovered, verdict)
	fmt.Fprintf(w, "%s\n", r.Reason)
	for _, warn := range r.Determination.Warnings {
		fmt.Fprintf(w, "note: %s\n", warn)
	}
	if len(r.Notifications) == 0 {
		fmt.Fprintln(w, "\nNo notifications are required.")
		return nil
	}
	fmt.Fprintf(w, "\nAs of %s:\n", r.AsOf)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TO\tDUE\tSTATUS\tCITATION")
	for _, n := range r.Notifications {
		status := ""
		switch {
		case !n.Sent.IsZero():
			status = "sent " + n.Sent.String()
		case n.DaysLeft < 0:
			status = fmt.Sprintf("OVERDUE by %d day%s", -n.DaysLeft, plural(-n.DaysLeft))
		case n.DaysLeft == 0:
			status = "due today"
		default:
			status = fmt.Sprintf("%d day%s left", n.DaysLeft, plural(n.DaysLeft))
		}
		if n.DelayedBy > 0 {
			status += fmt.Sprintf(" (delayed %d days, 164.412)", n.DelayedBy)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", Recipient(n), n.Due, status, n.Citation)
	}
	return tw.Flush()
}
