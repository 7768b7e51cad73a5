package incident

import (
	"fmt"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Check is the `breach.deadline` rule (DESIGN.md): a notification that is
// due within 10 days (inclusive) or overdue and not recorded as given is
// an error, one finding per notification, subject the incident id.
//
// A notice counts as given when the incident's timeline records it
// ("notified:hhs", "notified:media:CA", "notified:covered-entity:st-marys").
// Closing an incident does not silence the rule: a closed incident whose
// notices were never recorded is exactly what 164.414(b) (burden of proof)
// catches in an investigation.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	var out []finding.Finding
	for _, inc := range ws.Incidents {
		r := Deadlines(ws, inc, asOf)
		for _, n := range r.Notifications {
			if !n.Sent.IsZero() || n.DaysLeft > DeadlineAlertDays {
				continue
			}
			out = append(out, finding.Finding{
				Rule:     "breach.deadline",
				Severity: finding.Error,
				Subject:  inc.ID,
				Message:  deadlineMessage(n),
			})
		}
	}
	finding.Sort(out)
	return out
}

func deadlineMessage(n Notification) string {
	var when string
	switch {
	case n.DaysLeft < 0:
		when = fmt.Sprintf("was due %s, overdue by %d day%s", n.Due, -n.DaysLeft, plural(-n.DaysLeft))
	case n.DaysLeft == 0:
		when = fmt.Sprintf("is due today, %s", n.Due)
	default:
		when = fmt.Sprintf("is due by %s, %d day%s left", n.Due, n.DaysLeft, plural(n.DaysLeft))
	}
	return fmt.Sprintf("Notice to %s %s (%s). Once given, record it on the timeline as %q.", Recipient(n), when, n.Citation, notedAs(n))
}

// Recipient names who is told, in words.
func Recipient(n Notification) string {
	switch n.To {
	case ToIndividuals:
		return "the affected individuals"
	case ToMedia:
		return "prominent media outlets in " + n.State
	case ToHHS:
		return "HHS (breach portal)"
	case ToHHSAnnualLog:
		return "HHS (annual log of breaches under 500)"
	case ToCoveredEntity:
		if n.Customer == "" {
			return "each affected covered entity"
		}
		return "covered entity " + n.Customer
	}
	return n.To
}

func notedAs(n Notification) string {
	s := "notified:" + n.To
	if n.State != "" {
		s += ":" + n.State
	}
	if n.Customer != "" {
		s += ":" + n.Customer
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
