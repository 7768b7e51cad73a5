package incident

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Who a notification goes to (the "to" of `ward breach deadlines`).
const (
	ToIndividuals   = "individuals"
	ToMedia         = "media"
	ToHHS           = "hhs"
	ToHHSAnnualLog  = "hhs-annual-log"
	ToCoveredEntity = "covered-entity"
)

// Thresholds of the Breach Notification Rule. The asymmetry is the point:
// media notice is for MORE THAN 500 residents of one State or jurisdiction
// (164.406(a)); immediate notice to HHS is for 500 OR MORE individuals in
// total (164.408(b)); fewer than 500 go in the annual log (164.408(c)).
const (
	NoticeDays        = 60  // 164.404(b), 164.406(b), 164.408(b), 164.410(b): calendar days after discovery
	MediaMoreThan     = 500 // 164.406(a): "more than 500 residents of a State or jurisdiction"
	HHSAtLeast        = 500 // 164.408(b): "500 or more individuals"
	AnnualLogDays     = 60  // 164.408(c): "not later than 60 days after the end of each calendar year"
	OralDelayMaxDays  = 30  // 164.412(b): "no longer than 30 days from the date of the oral statement"
	DeadlineAlertDays = 10  // breach.deadline: due within 10 days (inclusive) or overdue
)

// Notification is one notice that must be given, and by when.
type Notification struct {
	To       string    `json:"to"`
	Due      date.Date `json:"due"`
	State    string    `json:"state,omitempty"`    // media only
	Customer string    `json:"customer,omitempty"` // covered-entity only
	Citation string    `json:"citation"`
	// DaysLeft counts calendar days from the as-of date to Due; negative
	// when overdue.
	DaysLeft int `json:"days_left"`
	// DelayedBy is how many days a law-enforcement delay (164.412) pushed
	// the due date.
	DelayedBy int `json:"delayed_by,omitempty"`
	// Sent is the date a timeline entry "notified:..." records; absent
	// when the notice has not been recorded as given.
	Sent date.Date `json:"sent,omitzero"`
}

// Result is the answer of `ward breach deadlines INCIDENT`. Its JSON is a
// contract (issue 8): incident, breach, reason, notifications. The other
// fields serve the text and page views.
type Result struct {
	Incident      string         `json:"incident"`
	Breach        bool           `json:"breach"`
	Reason        string         `json:"reason"`
	Notifications []Notification `json:"notifications"`

	AsOf          date.Date     `json:"-"`
	Discovered    date.Date     `json:"-"`
	Determination Determination `json:"-"`
}

// Deadlines computes who must be told about inc, by when, from the
// organization's roles:
//
//   - as a covered entity: individuals (164.404(b)), the media of each
//     State or jurisdiction with more than 500 residents affected
//     (164.406), and HHS — contemporaneously with the individual notice
//     when 500 or more individuals are affected (164.408(b)), otherwise in
//     the annual log due 60 days after the end of the calendar year of
//     discovery (164.408(c));
//   - as a business associate (or a subcontractor, which is one): each
//     affected customer in incident.customers within 60 days (164.410(b)),
//     or within the upstream BAA's breach_notice_days when shorter;
//   - both roles: both sets.
//
// All clocks run in calendar days from discovery. A law-enforcement delay
// (164.412) is applied as a pause: the notice may not be given while the
// delay lasts, and the time that remained on the 60-day clock when the
// delay began runs again once it ends, so the due date moves by the length
// of the delay. A written statement delays until the date it states; an
// oral one at most 30 days from the statement. The annual log is not a
// clock from discovery: a delay only moves it when the delay outlasts it.
func Deadlines(ws *workspace.Workspace, inc workspace.Incident, asOf date.Date) Result {
	det := Determine(ws, inc)
	r := Result{Incident: inc.ID, Breach: det.Breach, AsOf: asOf, Discovered: inc.Discovered, Determination: det, Notifications: []Notification{}}
	notes := []string{det.Reason}
	if !det.Breach {
		r.Reason = det.Reason
		return r
	}
	if inc.Discovered.IsZero() {
		r.Reason = det.Reason + " The incident has no discovered date: record it (the first day the breach was known or by reasonable diligence would have been known, 164.404(a)(2)); every clock runs from it."
		return r
	}
	org := ws.Organization
	ce := org.HasRole(workspace.RoleCoveredEntity)
	ba := org.HasRole(workspace.RoleBusinessAssociate) || org.HasRole(workspace.RoleSubcontractor)
	disc := inc.Discovered
	due60 := disc.AddDays(NoticeDays)

	if ce {
		total := inc.Individuals
		sum := 0
		for _, n := range inc.States {
			sum += n
		}
		if sum > total {
			if total > 0 {
				notes = append(notes, fmt.Sprintf("The residents per state add up to %d, more than individuals (%d): ward counts %d; correct the record.", sum, total, sum))
			}
			total = sum
		}
		r.Notifications = append(r.Notifications, Notification{To: ToIndividuals, Due: due60, Citation: "164.404(b)"})
		var media []string
		for _, st := range slices.Sorted(maps.Keys(inc.States)) {
			if inc.States[st] > MediaMoreThan {
				media = append(media, fmt.Sprintf("%s (%d)", st, inc.States[st]))
				r.Notifications = append(r.Notifications, Notification{To: ToMedia, Due: due60, State: st, Citation: "164.406(b)"})
			}
		}
		if total >= HHSAtLeast {
			r.Notifications = append(r.Notifications, Notification{To: ToHHS, Due: due60, Citation: "164.408(b)"})
			notes = append(notes, fmt.Sprintf("%d individuals: 500 or more, so HHS is told at the same time as the individuals (164.408(b)).", total))
		} else {
			yearEnd := date.New(disc.Year(), 12, 31)
			r.Notifications = append(r.Notifications, Notification{To: ToHHSAnnualLog, Due: yearEnd.AddDays(AnnualLogDays), Citation: "164.408(c)"})
			if total == 0 {
				notes = append(notes, "The number of individuals is not recorded (individuals, states): ward assumes fewer than 500 (annual log to HHS); if it reaches 500, HHS must be told with the individuals (164.408(b)).")
			} else {
				notes = append(notes, fmt.Sprintf("%d individuals: fewer than 500, so the breach goes in the log submitted to HHS within 60 days after the end of %d (164.408(c)).", total, disc.Year()))
			}
		}
		if len(media) > 0 {
			notes = append(notes, "More than 500 residents of "+strings.Join(media, ", ")+": notify prominent media outlets serving each (164.406).")
		}
	}
	if ba {
		custs := uniq(inc.Customers)
		if len(custs) == 0 {
			r.Notifications = append(r.Notifications, Notification{To: ToCoveredEntity, Due: due60, Citation: "164.410(b)"})
			notes = append(notes, "No affected customer is recorded: list whose PHI it was in incident.customers so each covered entity's clock and BAA term can be computed.")
		}
		for _, c := range custs {
			n := Notification{To: ToCoveredEntity, Due: due60, Customer: c, Citation: "164.410(b)"}
			if days, id := baaTerm(ws, c, disc); days > 0 && days < NoticeDays {
				n.Due = disc.AddDays(days)
				n.Citation = fmt.Sprintf("164.410(b); BAA %s: %d days", id, days)
			}
			if ws.Customer(c) == nil {
				notes = append(notes, fmt.Sprintf("Customer %q is not in customers: add it so its BAA term can be found.", c))
			}
			r.Notifications = append(r.Notifications, n)
		}
		if !ce {
			notes = append(notes, "As a business associate, you notify each covered entity (164.410); the covered entity notifies individuals, the media and HHS (164.404–164.408) unless your BAA delegates that to you. Give it what 164.410(c) asks for.")
		}
	}
	if !ce && !ba {
		notes = append(notes, "organization.roles declares neither covered-entity nor business-associate: ward cannot tell who must be told. Declare the role.")
	}
	if note := applyDelay(inc, r.Notifications); note != "" {
		notes = append(notes, note)
	}
	for i := range r.Notifications {
		n := &r.Notifications[i]
		n.DaysLeft = asOf.DaysUntil(n.Due)
		n.Sent = sentOn(inc, *n)
	}
	r.Reason = strings.Join(notes, " ")
	return r
}

// baaTerm is the shortest breach-notice term among the upstream BAAs with
// the customer in force on the discovery date, and that agreement's id.
func baaTerm(ws *workspace.Workspace, customer string, on date.Date) (int, string) {
	best, id := 0, ""
	for _, a := range ws.AgreementsWith(customer) {
		if a.Kind != "baa" || a.Direction != "upstream" || !a.InForce(on) || a.BreachNoticeDays <= 0 {
			continue
		}
		if best == 0 || a.BreachNoticeDays < best {
			best, id = a.BreachNoticeDays, a.ID
		}
	}
	return best, id
}

// delayWindow reads the incident's law-enforcement delay: the days during
// which notice may not be given, [start, end). ok is false when there is
// no usable delay; note then says what to fix, if anything.
func delayWindow(inc workspace.Incident) (start, end date.Date, ok bool, note string) {
	d := inc.LawEnforcementDelay
	if d == nil {
		return start, end, false, ""
	}
	if d.Requested.IsZero() {
		return start, end, false, "A law-enforcement delay is recorded without the date of the statement (law_enforcement_delay.requested): it was not applied."
	}
	start = d.Requested
	switch d.Kind {
	case "written":
		if d.Until.IsZero() {
			return start, end, false, "A written law-enforcement delay must state the time required (164.412(a)): record law_enforcement_delay.until; it was not applied."
		}
		end = d.Until
		note = fmt.Sprintf("Law-enforcement delay, written statement of %s: notices are delayed until %s (164.412(a)), and the time left on each 60-day clock then runs again.", start, end)
	case "oral":
		limit := start.AddDays(OralDelayMaxDays)
		end = limit
		if !d.Until.IsZero() && d.Until.Before(limit) {
			end = d.Until
		}
		note = fmt.Sprintf("Law-enforcement delay, oral statement of %s: notices are delayed until %s, no longer than 30 days from the statement unless a written one is submitted in that time (164.412(b)); document the statement and the official's identity.", start, end)
		if d.Until.After(limit) {
			note += fmt.Sprintf(" The recorded until (%s) exceeds 30 days: if law enforcement put it in writing, record kind: written.", d.Until)
		}
	default:
		return start, end, false, fmt.Sprintf("law_enforcement_delay.kind %q is not written or oral: it was not applied.", d.Kind)
	}
	if !end.After(start) {
		return start, end, false, fmt.Sprintf("The law-enforcement delay ends (%s) no later than it starts (%s): it was not applied.", end, start)
	}
	return start, end, true, note
}

// applyDelay moves due dates for a law-enforcement delay (see Deadlines)
// and returns the sentence that explains it.
func applyDelay(inc workspace.Incident, ns []Notification) string {
	start, end, ok, note := delayWindow(inc)
	if !ok {
		return note
	}
	// Time before discovery was never on the clock.
	from := date.Max(start, inc.Discovered)
	for i := range ns {
		n := &ns[i]
		if n.To == ToHHSAnnualLog {
			if end.After(n.Due) {
				n.DelayedBy = n.Due.DaysUntil(end)
				n.Due = end
			}
			continue
		}
		if from.After(n.Due) || !end.After(from) {
			continue // the delay came after this clock ran out: it cannot revive it
		}
		n.DelayedBy = from.DaysUntil(end)
		n.Due = n.Due.AddDays(n.DelayedBy)
	}
	return note
}

// sentOn is the earliest date a timeline entry records the notice as given
// ("notified:<to>[:<state or customer>]"), or the zero date.
func sentOn(inc workspace.Incident, n Notification) date.Date {
	var sent date.Date
	for _, e := range inc.Timeline {
		to, qual, ok := parseNotified(e.Note)
		if !ok || to != n.To {
			continue
		}
		if qual != "" && qual != n.State && qual != n.Customer {
			continue
		}
		sent = date.Min(sent, e.Date)
	}
	return sent
}

// parseNotified reads the "notified:<to>[:<qualifier>] [free text]"
// convention of timeline notes.
func parseNotified(note string) (to, qual string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(note), "notified:")
	if !found {
		return "", "", false
	}
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		rest = rest[:i]
	}
	to, qual, _ = strings.Cut(rest, ":")
	return to, qual, to != ""
}

func uniq(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
