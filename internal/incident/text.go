package incident

import (
	"fmt"
	"io"
	"strings"
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
	if r.HeldAs != "" && r.Breach {
		fmt.Fprintf(w, "PHI held as: %s", strings.ReplaceAll(r.HeldAs, "-", " "))
		if !r.ClockStart.IsZero() && !r.ClockStart.Equal(r.Discovered) {
			fmt.Fprintf(w, "; clocks run from %s (earlier knowledge on the timeline)", r.ClockStart)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s\n", r.Reason)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", warn)
	}
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
			if n.SentMethod != "" {
				status += " by " + strings.ReplaceAll(n.SentMethod, "-", " ")
			}
			if n.SentRecipient != "" {
				status += " to " + n.SentRecipient
			}
		case n.DaysLeft < 0:
			status = fmt.Sprintf("OVERDUE by %d day%s", -n.DaysLeft, plural(-n.DaysLeft))
		case n.DaysLeft == 0:
			status = "due today"
		default:
			status = fmt.Sprintf("%d day%s left", n.DaysLeft, plural(n.DaysLeft))
		}
		if n.DelayedBy > 0 {
			status += fmt.Sprintf(" (delayed %d days, 164.412; stricter reading: due %s)", n.DelayedBy, n.StrictDue)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", Recipient(n), n.Due, status, n.Citation)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Each assumption once, with the notices it applies to.
	var order []string
	who := map[string][]string{}
	for _, n := range r.Notifications {
		if n.Assumption == "" {
			continue
		}
		if _, ok := who[n.Assumption]; !ok {
			order = append(order, n.Assumption)
		}
		who[n.Assumption] = append(who[n.Assumption], Recipient(n))
	}
	if len(order) > 0 {
		fmt.Fprintln(w, "\nAssumptions:")
	}
	for _, a := range order {
		fmt.Fprintf(w, "  %s: %s\n", strings.Join(who[a], "; "), a)
	}
	if len(r.CoveredEntityNotices) > 0 {
		fmt.Fprintln(w, "\nWhat each covered entity must then do itself (information, not your deadlines; 164.404-164.408):")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "COVERED ENTITY\tITS NOTICE TO\tDUE\tCITATION")
		for _, n := range r.CoveredEntityNotices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Customer, recipient(Notification{To: n.To, State: n.State}), n.Due, n.Citation)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, n := range r.CoveredEntityNotices {
			if a := n.Assumption; a != "" && !seen[a] {
				seen[a] = true
				fmt.Fprintf(w, "  %s\n", a)
			}
		}
	}
	if r.StateLaw != "" {
		fmt.Fprintf(w, "\nState law: %s\n", r.StateLaw)
	}
	return nil
}
