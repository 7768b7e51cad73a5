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
// A notice counts as given when the incident records it under
// notices_sent (Mark sent on its page), or, the older convention, when
// its timeline does ("notified:hhs", "notified:covered-entity:st-marys").
// Closing an incident does not silence the rule: a closed incident whose
// notices were never recorded is exactly what 164.414(b) (burden of proof)
// catches in an investigation.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	var out []finding.Finding
	for _, inc := range ws.Incidents {
		r := Deadlines(ws, inc, asOf)
		for _, n := range r.Notifications {
			if !n.Sent.IsZero() {
				continue
			}
			if n.DaysLeft <= DeadlineAlertDays {
				out = append(out, finding.Finding{
					Rule:     "breach.deadline",
					Severity: finding.Error,
					Subject:  inc.ID,
					Message:  deadlineMessage(n, inc.ID),
				})
				continue
			}
			// ward's date rests on tolling the clock for a law-enforcement
			// delay (an assumption); when the stricter reading's date is
			// near or past, warn.
			if !n.StrictDue.IsZero() && asOf.DaysUntil(n.StrictDue) <= DeadlineAlertDays {
				out = append(out, finding.Finding{
					Rule:     "breach.deadline",
					Severity: finding.Warning,
					Subject:  inc.ID,
					Message:  strictMessage(n, asOf, inc.ID),
				})
			}
		}
	}
	finding.Sort(out)
	return out
}

func deadlineMessage(n Notification, id string) string {
	var when string
	switch {
	case n.DaysLeft < 0:
		when = fmt.Sprintf("was due %s, overdue by %d day%s", n.Due, -n.DaysLeft, plural(-n.DaysLeft))
	case n.DaysLeft == 0:
		when = fmt.Sprintf("is due today, %s", n.Due)
	default:
		when = fmt.Sprintf("is due by %s, %d day%s left", n.Due, n.DaysLeft, plural(n.DaysLeft))
	}
	msg := fmt.Sprintf("Notice to %s %s (%s). Once given, record it as sent: Mark sent on the incident's page, or %s.", Recipient(n), when, n.Citation, sentAs(n, id))
	if anyState(n) {
		msg += " Media notice is owed for more than 500 residents of a State or jurisdiction (164.406(a)); the count by state is not recorded, so ward assumes it may be: record individuals and their states to clear it, or record the notice as given."
	}
	if !n.StrictDue.IsZero() {
		msg += fmt.Sprintf(" The date assumes the law-enforcement delay tolls the clock (ward's reading of 164.412); on the stricter reading it is due %s.", n.StrictDue)
	}
	return msg
}

// strictMessage is the warning for a notice whose tolled date is still
// far off while the stricter reading's date is near or past.
func strictMessage(n Notification, asOf date.Date, id string) string {
	left := asOf.DaysUntil(n.StrictDue)
	when := fmt.Sprintf("due by %s, %d day%s left", n.StrictDue, left, plural(left))
	if left < 0 {
		when = fmt.Sprintf("was due %s, %d day%s ago", n.StrictDue, -left, plural(-left))
	}
	return fmt.Sprintf("Notice to %s is due %s on ward's reading (the %d-day law-enforcement delay tolls the clock, an assumption), but on the stricter reading of 164.412 it is %s (%s). Once given, record it as sent: Mark sent on the incident's page, or %s.",
		Recipient(n), n.Due, n.DelayedBy, when, n.Citation, sentAs(n, id))
}

// recipient names who is told, in words.
func recipient(n Notification) string {
	switch n.To {
	case ToIndividuals:
		return "the affected individuals"
	case ToMedia:
		if n.State == "" {
			return "prominent media outlets of each State or jurisdiction with more than 500 affected residents (count not known yet)"
		}
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
	case ToBusinessAssociate:
		if n.Customer == "" {
			return "the business associate you serve"
		}
		return "business associate " + n.Customer
	}
	return n.To
}

// Recipient names who is told, in words, and for whom when the notice is
// given on a covered entity's behalf.
func Recipient(n Notification) string {
	r := recipient(n)
	if n.OnBehalfOf != "" {
		r += " (for " + n.OnBehalfOf + ", under its BAA)"
	}
	return r
}

// sentAs is the command that records n as given (it writes a
// notices_sent entry), with the date left to fill in.
func sentAs(n Notification, id string) string {
	s := "ward breach sent " + id + " --to " + n.To
	switch {
	case n.State != "":
		s += " --state " + n.State
	case n.To == ToMedia:
		s += " --state ST"
	}
	switch {
	case n.Customer != "":
		s += " --customer " + n.Customer
	case n.OnBehalfOf != "":
		s += " --customer " + n.OnBehalfOf
	}
	return s + " --date YYYY-MM-DD"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
