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
	// ToBusinessAssociate is a subcontractor's notice to the business
	// associate it serves: 164.410 read with the definition of business
	// associate in 160.103 and 164.504(e)(5), for a customer recorded
	// without covered_entity: true.
	ToBusinessAssociate = "business-associate"
)

// Capacities in which PHI was held (Result.HeldAs, incident.held_as).
const (
	HeldAsCoveredEntity     = workspace.RoleCoveredEntity
	HeldAsBusinessAssociate = workspace.RoleBusinessAssociate
)

// Thresholds of the Breach Notification Rule. The asymmetry is the point:
// media notice is for MORE THAN 500 residents of one State or jurisdiction
// (164.406(a)); notice to HHS within the 60 days is for 500 OR MORE individuals in
// total (164.408(b)); fewer than 500 go in the annual log (164.408(c)).
const (
	NoticeDays        = 60  // 164.404(b), 164.406(b), 164.408(b), 164.410(b): calendar days after discovery
	MediaMoreThan     = 500 // 164.406(a): "more than 500 residents of a State or jurisdiction"
	HHSAtLeast        = 500 // 164.408(b): "500 or more individuals"
	AnnualLogDays     = 60  // 164.408(c): "not later than 60 days after the end of each calendar year"
	OralDelayMaxDays  = 30  // 164.412(b): "no longer than 30 days from the date of the oral statement"
	DeadlineAlertDays = 10  // breach.deadline: due within 10 days (inclusive) or overdue
)

// MediaUnknownAssumption is the assumption of the media notice ward
// dates while the number of individuals is not known: the same
// protective route as the HHS notice's (164.408(b)).
const MediaUnknownAssumption = "The number of individuals and their states are not known yet (individuals, states): ward takes the protective route and dates a media notice with the individuals' (164.406(b)), since more than 500 residents of one State or jurisdiction cannot be ruled out (164.406(a)). Confirm it by recording the notice as given (with the state whose media was told), or clear it by recording the count: it then stays only for a State with more than 500."

// MediaUnassignedAssumption is the assumption of the media notice ward
// dates while some of the individuals have no state recorded, enough to
// make more than 500 residents of one State: the number without a state,
// and the total.
const MediaUnassignedAssumption = "%d of the %d individuals have no state recorded (states): ward takes the protective route and dates a media notice with the individuals' (164.406(b)), since more than 500 residents of one State or jurisdiction cannot be ruled out (164.406(a)). Confirm it by recording the notice as given (with the state whose media was told), or clear it by recording every individual's state: it then stays only for a State with more than 500."

// mediaPossible reports whether unassigned individuals of no recorded
// state could make more than 500 residents of one State (164.406(a)):
// on their own, or added to a State recorded at 500 or fewer.
func mediaPossible(states map[string]int, unassigned int) bool {
	if unassigned > MediaMoreThan {
		return true
	}
	for _, n := range states {
		if n <= MediaMoreThan && n+unassigned > MediaMoreThan {
			return true
		}
	}
	return false
}

// StateLawNote is said of every breach: ward computes HIPAA's clocks
// only.
const StateLawNote = "State breach-notification laws may also apply to this breach, where the affected individuals live, and can set shorter clocks or other recipients (a state regulator or attorney general, for example). ward computes HIPAA's deadlines only: check each affected state's law with counsel."

// Notification is one notice that must be given, and by when.
type Notification struct {
	To       string    `json:"to"`
	Due      date.Date `json:"due"`
	State    string    `json:"state,omitempty"`    // media only
	Customer string    `json:"customer,omitempty"` // covered-entity and business-associate only
	// OnBehalfOf is the covered entity whose notice this is, when its BAA
	// delegates its notices to individuals, the media and HHS to us
	// (notifies_on_behalf): we give it, on that covered entity's clock.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
	Citation   string `json:"citation"`
	// DaysLeft counts calendar days from the as-of date to Due; negative
	// when overdue.
	DaysLeft int `json:"days_left"`
	// DelayedBy is how many days a law-enforcement delay (164.412) pushed
	// the due date.
	DelayedBy int `json:"delayed_by,omitempty"`
	// StrictDue is the due date on the stricter reading of 164.412, when
	// a law-enforcement delay moved Due: the delay only postpones the
	// notice, which is then due at once, and never later than the 60 days
	// would have run. Due is ward's reading (the delay tolls the clock).
	StrictDue date.Date `json:"strict_due,omitzero"`
	// Assumption says what ward assumed to compute this notice, when it
	// assumed anything (a tolling reading of 164.412, an unknown head
	// count, a covered entity's discovery date).
	Assumption string `json:"assumption,omitempty"`
	// Sent is the date the notice was recorded as given (notices_sent,
	// or a timeline entry "notified:..."); absent while it is not.
	Sent date.Date `json:"sent,omitzero"`
	// SentMethod and SentRecipient say how and to whom, when recorded
	// (notices_sent).
	SentMethod    string `json:"sent_method,omitempty"`
	SentRecipient string `json:"sent_recipient,omitempty"`
}

// Result is the answer of `ward breach deadlines INCIDENT`. Its JSON is a
// contract (issue 8): incident, breach, reason, notifications; issue 14
// adds held_as, clock_start and warnings. The other fields serve the
// text and page views.
type Result struct {
	Incident      string         `json:"incident"`
	Breach        bool           `json:"breach"`
	Reason        string         `json:"reason"`
	Notifications []Notification `json:"notifications"`
	// HeldAs is the capacity in which the organization held the PHI, and
	// so whose duties these are: covered-entity or business-associate.
	HeldAs string `json:"held_as,omitempty"`
	// ClockStart is the discovery date the clocks run from: discovered,
	// or an earlier timeline entry that records knowledge (knew: true) by
	// a workforce member or agent (164.404(a)(2), 164.410(a)(2)).
	ClockStart date.Date `json:"clock_start,omitzero"`
	// Warnings are what the organization must know about its clocks:
	// knowledge earlier than discovered, an agency that started a covered
	// entity's clock.
	Warnings []string `json:"warnings,omitempty"`
	// CoveredEntityNotices are, for a business associate, the notices
	// each covered entity must then give itself (164.404-164.408), as
	// information: dated from its likely discovery, with its own figures
	// (incident.affected). They are not this organization's deadlines
	// and raise no finding. Notices a BAA delegates to us are in
	// Notifications instead.
	CoveredEntityNotices []Notification `json:"covered_entity_notices,omitempty"`
	// StateLaw is the standing reminder that state breach laws apply
	// beside HIPAA's, set for every breach.
	StateLaw string `json:"state_law_note,omitempty"`

	AsOf          date.Date     `json:"-"`
	Discovered    date.Date     `json:"-"`
	Determination Determination `json:"-"`
}

// HeldAs is the capacity in which the organization held the incident's
// PHI, and a note when ward derived it from more than one role:
// incident.held_as when set; else the organization's one role (a
// subcontractor is a business associate); else, for a covered entity that
// is also a business associate, business-associate when the incident
// names the customers whose PHI it was, covered-entity when it names
// none (its own patients' or members'). "" when no role is declared.
//
// An incident that involves both the organization's own patients and a
// client covered entity's is, for notification, two breaches with
// different notifying parties: record them as two incidents.
func HeldAs(ws *workspace.Workspace, inc workspace.Incident) (string, string) {
	if inc.HeldAs != "" {
		return inc.HeldAs, ""
	}
	o := ws.Organization
	ce := o.HasRole(workspace.RoleCoveredEntity)
	ba := o.HasRole(workspace.RoleBusinessAssociate) || o.HasRole(workspace.RoleSubcontractor)
	switch {
	case ce && ba && len(inc.Customers) > 0:
		return HeldAsBusinessAssociate, "The organization is both a covered entity and a business associate; the incident names customers (" + strings.Join(inc.Customers, ", ") + "), so ward reads the PHI as held for them, as their business associate. Set held_as: covered-entity if it was your own patients' (and record a client's PHI as a separate incident)."
	case ce && ba:
		return HeldAsCoveredEntity, "The organization is both a covered entity and a business associate; the incident names no customer, so ward reads the PHI as your own patients' or members', held as a covered entity. Set held_as: business-associate and list incident.customers if it was a client's."
	case ce:
		return HeldAsCoveredEntity, ""
	case ba:
		return HeldAsBusinessAssociate, ""
	}
	return "", ""
}

// Deadlines computes who must be told about inc, by when, from the
// capacity in which the organization held the PHI (HeldAs):
//
//   - as a covered entity: individuals (164.404(b)), the media of each
//     State or jurisdiction with more than 500 residents affected
//     (164.406), and HHS — contemporaneously with the individual notice
//     when 500 or more individuals are affected (164.408(b)), otherwise in
//     the annual log due 60 days after the end of the calendar year of
//     discovery (164.408(c)). While the head count is not known, ward
//     takes the protective route: HHS with the individuals;
//   - as a business associate (or a subcontractor, which is one): each
//     affected customer in incident.customers within 60 days (164.410(b)),
//     or within the upstream BAA's breach_notice_days when shorter; a
//     subcontractor's customer that is not a covered entity is the
//     business associate it serves (ToBusinessAssociate). Individuals,
//     media and HHS are the covered entity's duties, unless its BAA
//     delegates them to us (notifies_on_behalf): then they are listed
//     too, on the covered entity's behalf and clock.
//
// All clocks run in calendar days from discovery: the first day the
// breach is known to a workforce member or agent (164.404(a)(2),
// 164.410(a)(2)), which is discovered unless the timeline records earlier
// knowledge (knew: true). A covered entity's clock starts at our discovery
// when we are its agent (an upstream BAA with agent: true), otherwise when
// we notify it.
//
// A law-enforcement delay (164.412) is applied as a pause, ward's reading:
// the notice may not be given while the delay lasts, and the time that
// remained on the 60-day clock when the delay began runs again once it
// ends, so the due date moves by the length of the delay. HHS has not
// said so; each delayed notice carries the stricter reading's date
// (StrictDue) and says which is which. A written statement delays until
// the date it states; an oral one at most 30 days from the statement. The
// annual log is not a clock from discovery: a delay only moves it when
// the delay outlasts it.
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
	r.StateLaw = StateLawNote
	held, heldNote := HeldAs(ws, inc)
	r.HeldAs = held
	if heldNote != "" {
		notes = append(notes, heldNote)
	}
	start, warns := clockStart(ws, inc)
	r.ClockStart = start
	r.Warnings = append(r.Warnings, warns...)

	switch held {
	case HeldAsCoveredEntity:
		ns, more := coveredEntityNotices(inc, FiguresFor(inc, ""), start, "")
		r.Notifications = append(r.Notifications, ns...)
		notes = append(notes, more...)
	case HeldAsBusinessAssociate:
		notes = append(notes, r.businessAssociate(ws, inc, start)...)
	default:
		notes = append(notes, "organization.roles declares neither covered-entity nor business-associate: ward cannot tell who must be told. Declare the role.")
	}
	if note := applyDelay(inc, r.Notifications); note != "" {
		notes = append(notes, note)
	}
	applyDelay(inc, r.CoveredEntityNotices)
	for _, ns := range [][]Notification{r.Notifications, r.CoveredEntityNotices} {
		for i := range ns {
			n := &ns[i]
			n.DaysLeft = asOf.DaysUntil(n.Due)
			n.Sent, n.SentMethod, n.SentRecipient = sentOn(inc, *n)
		}
	}
	r.Reason = strings.Join(notes, " ")
	return r
}

// coveredEntityNotices are a covered entity's notices, from its discovery
// date: individuals, the media per state, and HHS now or in the annual
// log. onBehalf names the covered entity when we give them for it.
func coveredEntityNotices(inc workspace.Incident, fig Figures, disc date.Date, onBehalf string) ([]Notification, []string) {
	var ns []Notification
	var notes []string
	due60 := disc.AddDays(NoticeDays)
	total := fig.Individuals
	states := fig.States
	sum := 0
	for _, n := range states {
		sum += n
	}
	if sum > total {
		if total > 0 {
			notes = append(notes, fmt.Sprintf("The residents per state add up to %d, more than individuals (%d): ward counts %d; correct the record.", sum, total, sum))
		}
		total = sum
	}
	ns = append(ns, Notification{To: ToIndividuals, Due: due60, Citation: "164.404(b)", OnBehalfOf: onBehalf})
	var media []string
	for _, st := range slices.Sorted(maps.Keys(states)) {
		if states[st] > MediaMoreThan {
			media = append(media, fmt.Sprintf("%s (%d)", st, states[st]))
			ns = append(ns, Notification{To: ToMedia, Due: due60, State: st, Citation: "164.406(b)", OnBehalfOf: onBehalf})
		}
	}
	if total == 0 {
		// Not known yet: the protective route for the media too. More than
		// 500 residents of one State (164.406(a)) cannot be ruled out, so a
		// media notice is dated with the individuals' until the count
		// (individuals, states) is recorded, or it is recorded as given.
		ns = append(ns, Notification{To: ToMedia, Due: due60, Citation: "164.406(b)", OnBehalfOf: onBehalf, Assumption: MediaUnknownAssumption})
	} else if unassigned := total - sum; unassigned > 0 && mediaPossible(states, unassigned) {
		// The count is known but not all of it by state: the individuals
		// with no state could make more than 500 residents of one State,
		// a recorded one or another, so the same protective route.
		ns = append(ns, Notification{To: ToMedia, Due: due60, Citation: "164.406(b)", OnBehalfOf: onBehalf,
			Assumption: fmt.Sprintf(MediaUnassignedAssumption, unassigned, total)})
	}
	switch {
	case total == 0 && !fig.Known:
		ns = append(ns, Notification{To: ToHHS, Due: due60, Citation: "164.408(b)", OnBehalfOf: onBehalf,
			Assumption: fmt.Sprintf("The number of %s's individuals is not known yet (incident.affected): ward takes the protective route and dates the HHS notice with the individuals' (164.408(b)), as for 500 or more. Once the count is known and under 500, it moves to the annual log (164.408(c)).", fig.Customer)})
		notes = append(notes, fmt.Sprintf("The incident names several customers and records no figures for %s (incident.affected): its thresholds count only its own individuals, so ward assumes HHS must be told with the individuals (164.408(b)) until they are recorded.", fig.Customer))
	case total == 0:
		// Not known yet: the protective route, until the count is known.
		ns = append(ns, Notification{To: ToHHS, Due: due60, Citation: "164.408(b)", OnBehalfOf: onBehalf,
			Assumption: "The number of individuals is not known yet (individuals, states): ward takes the protective route and dates the HHS notice with the individuals' (164.408(b)), as for 500 or more. Once the count is known and under 500, it moves to the annual log (164.408(c))."})
		notes = append(notes, "The number of individuals is not recorded (individuals, states): until it is, ward assumes HHS must be told with the individuals (164.408(b)); fewer than 500 would go in the annual log instead (164.408(c)).")
	case total >= HHSAtLeast:
		ns = append(ns, Notification{To: ToHHS, Due: due60, Citation: "164.408(b)", OnBehalfOf: onBehalf})
		notes = append(notes, fmt.Sprintf("%d individuals: 500 or more, so HHS is told at the same time as the individuals (164.408(b)).", total))
	default:
		yearEnd := date.New(disc.Year(), 12, 31)
		ns = append(ns, Notification{To: ToHHSAnnualLog, Due: yearEnd.AddDays(AnnualLogDays), Citation: "164.408(c)", OnBehalfOf: onBehalf})
		notes = append(notes, fmt.Sprintf("%d individuals: fewer than 500, so the breach goes in the log submitted to HHS within 60 days after the end of %d (164.408(c)).", total, disc.Year()))
	}
	if len(media) > 0 {
		notes = append(notes, "More than 500 residents of "+strings.Join(media, ", ")+": notify prominent media outlets serving each (164.406).")
	}
	return ns, notes
}

// businessAssociate adds a business associate's notices: one to each
// customer (164.410), and a covered entity's own notices where its BAA
// delegates them to us. It returns the notes that explain them.
func (r *Result) businessAssociate(ws *workspace.Workspace, inc workspace.Incident, start date.Date) []string {
	var notes []string
	due60 := start.AddDays(NoticeDays)
	custs := uniq(inc.Customers)
	sub := ws.Organization.HasRole(workspace.RoleSubcontractor)
	if len(custs) == 0 {
		to := ToCoveredEntity
		if sub && !ws.Organization.HasRole(workspace.RoleBusinessAssociate) {
			to = ToBusinessAssociate
		}
		r.Notifications = append(r.Notifications, Notification{To: to, Due: due60, Citation: "164.410(b)"})
		notes = append(notes, "No affected customer is recorded: list whose PHI it was in incident.customers so each one's clock and BAA term can be computed.")
	}
	delegated := 0
	for _, c := range custs {
		cu := ws.Customer(c)
		to := ToCoveredEntity
		if cu != nil && !cu.CoveredEntity && sub {
			to = ToBusinessAssociate
		}
		n := Notification{To: to, Due: due60, Customer: c, Citation: "164.410(b)"}
		if days, id := baaTerm(ws, c, start); days > 0 && days < NoticeDays {
			n.Due = start.AddDays(days)
			n.Citation = fmt.Sprintf("164.410(b); BAA %s: %d days", id, days)
		}
		if cu == nil {
			notes = append(notes, fmt.Sprintf("Customer %q is not in customers: add it so its BAA term can be found.", c))
		}
		r.Notifications = append(r.Notifications, n)

		agent := upstreamBAA(ws, c, start, func(a workspace.Agreement) bool { return a.Agent })
		if agent != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("Under BAA %s you act as %s's agent (federal common law of agency): your discovery on %s is its discovery too (164.404(a)(2)), so its notices to individuals, the media and HHS are due by %s at the latest, and your own notice to it is what lets it meet them. Tell it at once.",
				agent.ID, c, start, start.AddDays(NoticeDays)))
		}
		if to != ToCoveredEntity {
			continue
		}
		fig := FiguresFor(inc, c)
		sent, _, _ := sentOn(inc, n)
		deleg := upstreamBAA(ws, c, start, func(a workspace.Agreement) bool { return a.NotifiesOnBehalf })
		if deleg == nil {
			// Not ours to give: what our notice sets in motion, as
			// information. The covered entity discovers the breach when
			// we tell it, or with us when we are its agent.
			ceStart, assumption := start, ""
			switch {
			case agent != nil:
				assumption = fmt.Sprintf("As %s's agent (BAA %s), your discovery on %s is its discovery (164.404(a)(2)).", c, agent.ID, start)
			case !sent.IsZero():
				ceStart = sent
				assumption = fmt.Sprintf("%s learned of the breach from your notice of %s: its clock runs from then (164.404(a)(2)).", customerName(ws, c), sent)
			default:
				ceStart = n.Due
				assumption = fmt.Sprintf("ward assumes %s learns of the breach from your notice, due %s: its clock runs from the day it does (164.404(a)(2)), earlier if you tell it sooner.", customerName(ws, c), n.Due)
			}
			ns, _ := coveredEntityNotices(inc, fig, ceStart, "")
			for i := range ns {
				ns[i].Customer = c
				ns[i].Assumption = strings.TrimSpace(assumption + " " + ns[i].Assumption)
			}
			r.CoveredEntityNotices = append(r.CoveredEntityNotices, ns...)
			continue
		}
		delegated++
		// The covered entity's discovery: ours when we are its agent;
		// otherwise the day we notify it, and until that is recorded,
		// our own discovery (the earliest it can be).
		ceStart, assumption := start, ""
		switch {
		case agent != nil:
		case !sent.IsZero():
			ceStart = sent
		default:
			assumption = fmt.Sprintf("You are not %s's agent, so its clock runs from the day you notify it (164.404(a)(2)); that notice is not recorded as sent yet, so ward dates its clock from your own discovery (%s), the earliest it can start. Record your notice to %s as sent to move it.", c, start, c)
		}
		ns, more := coveredEntityNotices(inc, fig, ceStart, c)
		for i := range ns {
			ns[i].Citation += "; BAA " + deleg.ID + " delegates it"
			if assumption != "" && ns[i].Assumption == "" {
				ns[i].Assumption = assumption
			} else if assumption != "" {
				ns[i].Assumption += " " + assumption
			}
		}
		r.Notifications = append(r.Notifications, ns...)
		notes = append(notes, fmt.Sprintf("BAA %s delegates %s's notices to individuals, the media and HHS to you (notifies_on_behalf): ward lists them as given on its behalf, from its discovery on %s.", deleg.ID, c, ceStart))
		notes = append(notes, more...)
	}
	if delegated > 1 && len(inc.Affected) == 0 {
		notes = append(notes, "Several covered entities delegated their notices: each covered entity's thresholds count only its own individuals, and the incident records one head count. Record each customer's figures under affected.")
	}
	if delegated == 0 {
		who := "each covered entity"
		if sub && !ws.Organization.HasRole(workspace.RoleBusinessAssociate) {
			who = "the business associate you serve"
		}
		notes = append(notes, "As a business associate, you notify "+who+" (164.410); the covered entity notifies individuals, the media and HHS (164.404–164.408) unless your BAA delegates that to you (notifies_on_behalf). Give it what 164.410(c) asks for.")
	}
	return notes
}

// upstreamBAA is the upstream BAA with the customer in force on the date
// that satisfies ok, or nil.
func upstreamBAA(ws *workspace.Workspace, customer string, on date.Date, ok func(workspace.Agreement) bool) *workspace.Agreement {
	for i, a := range ws.Agreements {
		if a.Kind == "baa" && a.Direction == "upstream" && a.Counterparty == customer && a.InForce(on) && ok(a) {
			return &ws.Agreements[i]
		}
	}
	return nil
}

// downstreamAgent is the downstream BAA in force on the date that makes
// the vendor our agent, or nil.
func downstreamAgent(ws *workspace.Workspace, vendor string, on date.Date) *workspace.Agreement {
	for i, a := range ws.Agreements {
		if a.Kind == "baa" && a.Direction == "downstream" && a.Counterparty == vendor && a.Agent && a.InForce(on) {
			return &ws.Agreements[i]
		}
	}
	return nil
}

// clockStart is the discovery date the clocks run from, and what to warn
// about it. Discovery is the first day the breach is known to any
// workforce member or agent other than the person who committed it
// (164.404(a)(2), 164.410(a)(2)): a timeline entry marked knew: true that
// is dated before discovered starts the clocks then, when its by is a
// workforce member (a person, or anyone not a vendor) or a vendor that is
// our agent (a downstream BAA with agent: true). A vendor that is not our
// agent knowing first starts its own 164.410 clock, not ours. An
// unmarked entry before discovered only draws a warning.
func clockStart(ws *workspace.Workspace, inc workspace.Incident) (date.Date, []string) {
	start := inc.Discovered
	var warns []string
	first := -1
	unmarked := -1
	for i, e := range inc.Timeline {
		if e.Date.IsZero() || !e.Date.Before(inc.Discovered) {
			continue
		}
		if !e.Knew {
			if unmarked < 0 || e.Date.Before(inc.Timeline[unmarked].Date) {
				unmarked = i
			}
			continue
		}
		if ws.Vendor(e.By) != nil && ws.Person(e.By) == nil {
			if downstreamAgent(ws, e.By, e.Date) == nil {
				warns = append(warns, fmt.Sprintf("timeline[%d] (%s) records that vendor %s knew of the breach; it is not recorded as your agent (agent: true on its BAA), so its knowledge does not start your clock: its notice to you under 164.410 does.", i, e.Date, e.By))
				continue
			}
		}
		if e.Date.Before(start) {
			start, first = e.Date, i
		}
	}
	if first >= 0 {
		e := inc.Timeline[first]
		who := "a workforce member"
		if e.By != "" {
			who = e.By
		}
		if a := downstreamAgent(ws, e.By, e.Date); a != nil && ws.Person(e.By) == nil {
			who = fmt.Sprintf("vendor %s, your agent under BAA %s", e.By, a.ID)
		}
		warns = append(warns, fmt.Sprintf("timeline[%d] (%s, %q) records that %s knew of the breach on %s, %d days before discovered (%s): discovery is the first day a workforce member or agent knows (164.404(a)(2), 164.410(a)(2)), so every clock runs from %s. Correct discovered.",
			first, e.Date, e.Note, who, e.Date, e.Date.DaysUntil(inc.Discovered), inc.Discovered, e.Date))
	}
	if unmarked >= 0 && (first < 0 || inc.Timeline[unmarked].Date.Before(start)) {
		e := inc.Timeline[unmarked]
		warns = append(warns, fmt.Sprintf("timeline[%d] (%s, %q) is dated before discovered (%s): if a workforce member or agent knew of the breach that day, mark the entry knew: true, because every clock runs from the first day the breach is known (164.404(a)(2)).", unmarked, e.Date, e.Note, inc.Discovered))
	}
	return start, warns
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
		orig := n.Due
		n.DelayedBy = from.DaysUntil(end)
		n.Due = n.Due.AddDays(n.DelayedBy)
		// The stricter reading: the delay postpones the notice, it does
		// not give the days back; due when the delay ends, or when the 60
		// days run out if that is later.
		n.StrictDue = date.Max(orig, end)
		a := fmt.Sprintf("ward's assumption: the %d-day law-enforcement delay tolls the clock (164.412), so the notice is due %s; HHS has not said so, and on the stricter reading it is due %s.", n.DelayedBy, n.Due, n.StrictDue)
		if n.Assumption != "" {
			a = n.Assumption + " " + a
		}
		n.Assumption = a
	}
	if note != "" {
		note += " ward reads 164.412 as tolling the 60 days by the length of the delay: an assumption, not settled law; each delayed notice shows the stricter reading's date beside it."
	}
	return note
}

// sentOn is the earliest date the notice is recorded as given, with how
// and to whom: an entry of incident.notices_sent, or a timeline entry
// "notified:<to>[:<state or customer>]" (the older convention, still
// read); the zero date when it is not.
func sentOn(inc workspace.Incident, n Notification) (sent date.Date, method, recipient string) {
	same := func(to string) bool {
		return to == n.To || (to == ToCoveredEntity && n.To == ToBusinessAssociate) || (to == ToBusinessAssociate && n.To == ToCoveredEntity)
	}
	for _, s := range inc.NoticesSent {
		if !same(s.To) || s.Sent.IsZero() {
			continue
		}
		if s.State != n.State && !anyState(n) {
			continue
		}
		if s.Customer != "" && s.Customer != n.Customer && s.Customer != n.OnBehalfOf {
			continue
		}
		if s.Customer == "" && (n.OnBehalfOf != "" || (n.Customer != "" && !isCustomerNotice(n))) {
			continue // a notice for one covered entity is matched by name
		}
		if sent.IsZero() || s.Sent.Before(sent) {
			sent, method, recipient = s.Sent, s.Method, s.Recipient
		}
	}
	for _, e := range inc.Timeline {
		to, qual, ok := parseNotified(e.Note)
		if !ok || !same(to) {
			continue
		}
		if qual != "" && qual != n.State && qual != n.Customer && qual != n.OnBehalfOf && !anyState(n) {
			continue
		}
		if qual == "" && n.Customer != "" && !isCustomerNotice(n) {
			continue
		}
		if sent.IsZero() || e.Date.Before(sent) {
			sent, method, recipient = e.Date, "", ""
		}
	}
	return sent, method, recipient
}

// anyState reports whether n is the media notice dated while the states
// are not known (MediaUnknownAssumption): a media notice given in any
// State or jurisdiction is that notice given.
func anyState(n Notification) bool { return n.To == ToMedia && n.State == "" }

// isCustomerNotice reports whether n is a business associate's notice to
// a customer, which names the customer in Customer.
func isCustomerNotice(n Notification) bool {
	return n.To == ToCoveredEntity || n.To == ToBusinessAssociate
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

// Find is the notice of r that a notices_sent entry would record: to,
// with state for the media, and customer for a notice to a customer, for
// a notice given on a covered entity's behalf, or for a covered entity's
// own notice (CoveredEntityNotices); nil when the incident calls for no
// such notice.
func (r Result) Find(to, state, customer string) *Notification {
	for _, list := range [][]Notification{r.Notifications, r.CoveredEntityNotices} {
		for i, n := range list {
			who := n.Customer
			if n.OnBehalfOf != "" {
				who = n.OnBehalfOf
			}
			if n.To == to && n.State == state && who == customer {
				return &list[i]
			}
		}
	}
	// A media notice given in a State, while the states are not known,
	// is the media notice of an unknown state.
	if to == ToMedia && state != "" {
		return r.Find(to, "", customer)
	}
	return nil
}
