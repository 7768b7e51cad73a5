// Package privacy keeps the Privacy Rule clocks a covered entity lives by
// (45 CFR Part 164, Subpart E): individuals' requests for access
// (164.524), amendment (164.526) and an accounting of disclosures
// (164.528), each with its time limit and its one extension; complaints
// and their disposition (164.530(d)); and the notice of privacy practices
// in effect (164.520).
//
// It is pure: functions over a *workspace.Workspace and an as-of date,
// never the clock, storage or HTTP. `ward privacy`, `ward check`, the
// JSON API and the pages are views of Evaluate and Check.
//
// # Rules and severities
//
//	rule                        severity  subject       why
//	privacy.request-overdue     error     request id    not acted on by its deadline (the extension's date if one was given)
//	privacy.request-due         warning   request id    due within 5 days (DueSoonDays), not yet acted on
//	privacy.denial-incomplete   warning   request id    the written denial did not state the rights 164.524(d)(2) / 164.526(d)(1) require
//	privacy.fee-basis-missing   warning   request id    a fee was charged and how it was worked out is not recorded (164.524(c)(4): reasonable, cost-based)
//	privacy.notice-missing      warning   organization  a covered entity with no notice of privacy practices in effect, or one posted nowhere (164.520)
//
// Whose clocks: every request and complaint in a valid workspace is a
// covered entity's. A covered entity logs its own; an organization that
// is not one (a business associate helping a covered-entity customer
// answer a request under its BAA) logs it with on_behalf_of, and the
// clock shown is the customer's regulatory one (a BAA may set a shorter
// one; ward does not read it). privacy.notice-missing applies only to an
// organization with the covered-entity role.
//
// Days are calendar days: a request received on January 31 is due 30
// days later, on March 2 (March 1 in a leap year). Received is day 0; the
// deadline day itself is still on time; the day after it the request is
// overdue.
package privacy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Rule ids (a contract: they never change meaning).
const (
	RuleOverdue          = "privacy.request-overdue"
	RuleDue              = "privacy.request-due"
	RuleDenialIncomplete = "privacy.denial-incomplete"
	RuleFeeBasis         = "privacy.fee-basis-missing"
	RuleNoticeMissing    = "privacy.notice-missing"
)

// Rules lists every rule id of this package, sorted.
var Rules = []string{RuleDenialIncomplete, RuleFeeBasis, RuleNoticeMissing, RuleOverdue, RuleDue}

// DueSoonDays: a request due within this many days (inclusive) and not
// acted on is a warning. Ward's own threshold, not the rule's.
const DueSoonDays = 5

// OrganizationSubject is the subject of organization-wide findings.
const OrganizationSubject = "organization"

// Request states on a date.
const (
	StatusOpen      = "open"      // not acted on, more than DueSoonDays left
	StatusDueSoon   = "due-soon"  // not acted on, DueSoonDays or fewer left
	StatusOverdue   = "overdue"   // not acted on, past the deadline
	StatusDone      = "done"      // acted on by the deadline
	StatusLate      = "late"      // acted on, after the deadline
	StatusWithdrawn = "withdrawn" // the individual withdrew it
)

// Clock is one request and where its clock stands on AsOf.
type Clock struct {
	workspace.PrivacyRequest
	Title string `json:"title"`
	// Days is the time limit, counted from Received; Citation says where.
	Days     int       `json:"days"`
	Citation string    `json:"citation"`
	Due      date.Date `json:"due"` // Received + Days
	// ExtendBy is the last day the one extension may still be given (Due),
	// set while the request is open, not extended and not past Due.
	ExtendBy          date.Date `json:"extend_by"`
	ExtensionCitation string    `json:"extension_citation"`
	Deadline          date.Date `json:"deadline"` // the extension's date, else Due
	Status            string    `json:"status"`
	// DaysLeft is from AsOf to Deadline while the request is open
	// (negative: overdue by that many days); DaysLate, for a request
	// acted on after its deadline, by how many days.
	DaysLeft int `json:"days_left"`
	DaysLate int `json:"days_late"`
	// Day is the day of the clock on AsOf (or the day it was acted on).
	Day    int       `json:"day"`
	Window *Window   `json:"window,omitempty"` // an accounting's period
	Ground *Ground   `json:"ground,omitempty"` // a denial's ground
	Events []Event   `json:"events"`           // the request's timeline
	AsOf   date.Date `json:"as_of"`
	// Findings are this request's findings on AsOf.
	Findings []finding.Finding `json:"findings"`
}

// Window is the period an accounting of disclosures covers.
type Window struct {
	From date.Date `json:"from"`
	To   date.Date `json:"to"`
	// Full is true for the whole six years, false for a shorter period
	// the individual asked for.
	Full     bool   `json:"full"`
	Citation string `json:"citation"`
}

// Ground is a denial's ground with its citation.
type Ground struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Citation   string `json:"citation"`
	Reviewable bool   `json:"reviewable"`
}

// Event is one dated step of a request's timeline: what happened, or
// what is due.
type Event struct {
	Date     date.Date `json:"date"`
	What     string    `json:"what"`
	Citation string    `json:"citation,omitempty"`
	// Due marks a deadline rather than something that happened.
	Due bool `json:"due"`
}

// RequestClock computes one request's clock on asOf. What the record
// says happened after asOf (the request acted on, an extension given) has
// not happened yet on asOf, so an answer as of an earlier date is the
// one that was true then.
func RequestClock(r workspace.PrivacyRequest, asOf date.Date) Clock {
	r = seenOn(r, asOf)
	rule := r.Rule()
	c := Clock{PrivacyRequest: r, Title: rule.Title, Days: rule.Days, Citation: rule.Citation, ExtensionCitation: rule.Extension,
		Due: r.Due(), Deadline: r.Deadline(), AsOf: asOf, Events: []Event{}, Findings: []finding.Finding{}}
	until := asOf
	if r.Closed() {
		until = r.Completed
	}
	if !r.Received.IsZero() {
		c.Day = r.Received.DaysUntil(until)
	}
	switch {
	case r.Outcome == workspace.OutcomeWithdrawn:
		c.Status = StatusWithdrawn
	case r.Closed() && r.Completed.After(c.Deadline):
		c.Status, c.DaysLate = StatusLate, c.Deadline.DaysUntil(r.Completed)
	case r.Closed():
		c.Status = StatusDone
	default:
		c.DaysLeft = asOf.DaysUntil(c.Deadline)
		switch {
		case c.DaysLeft < 0:
			c.Status = StatusOverdue
		case c.DaysLeft <= DueSoonDays:
			c.Status = StatusDueSoon
		default:
			c.Status = StatusOpen
		}
		if r.Extension == nil && !asOf.After(c.Due) {
			c.ExtendBy = c.Due
		}
	}
	if r.Kind == workspace.RequestAccounting && !r.Received.IsZero() {
		from, to := r.AccountingWindow()
		full := from.Equal(r.Received.AddMonths(-12 * workspace.AccountingYears))
		cite := "45 CFR 164.528(a)(1)"
		if !full {
			cite = "45 CFR 164.528(a)(3)"
		}
		c.Window = &Window{From: from, To: to, Full: full, Citation: cite}
	}
	if r.Denial != nil {
		if g := workspace.Ground(r.Denial.Ground); g != nil {
			c.Ground = &Ground{ID: g.ID, Title: g.Title, Citation: g.Citation, Reviewable: g.Reviewable}
		}
	}
	c.Events = events(c)
	c.Findings = requestFindings(c)
	return c
}

// seenOn is the request as it stood on asOf.
func seenOn(r workspace.PrivacyRequest, asOf date.Date) workspace.PrivacyRequest {
	if r.Closed() && r.Completed.After(asOf) {
		r.Completed, r.Outcome, r.Denial, r.FormatProvided = date.Date{}, "", nil, ""
	}
	if r.Extension != nil && r.Extension.Notified.After(asOf) {
		r.Extension = nil
	}
	return r
}

// events is the request's timeline: received, the extension's written
// statement, the deadlines, and when it was acted on, in date order.
func events(c Clock) []Event {
	r := c.PrivacyRequest
	out := []Event{}
	add := func(d date.Date, what, cite string, due bool) {
		if !d.IsZero() {
			out = append(out, Event{Date: d, What: what, Citation: cite, Due: due})
		}
	}
	add(r.Received, "request received (day 0)", "", false)
	add(c.Due, fmt.Sprintf("%d-day time limit (day %d)", c.Days, c.Days), c.Citation, true)
	if x := r.Extension; x != nil {
		add(x.Notified, fmt.Sprintf("extension given in writing (day %d): %s", r.Received.DaysUntil(x.Notified), x.Reason), c.ExtensionCitation, false)
		add(x.Until, fmt.Sprintf("extended deadline (%d days past the time limit)", c.Due.DaysUntil(x.Until)), c.ExtensionCitation, true)
	}
	if r.Closed() {
		what := "acted on: " + r.Outcome
		if r.Outcome == workspace.OutcomeWithdrawn {
			what = "withdrawn by the individual"
		}
		add(r.Completed, fmt.Sprintf("%s (day %d)", what, r.Received.DaysUntil(r.Completed)), "", false)
	}
	// Stable: a deadline sorts after what happened the same day.
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		switch {
		case a.Due && !b.Due:
			return 1
		case !a.Due && b.Due:
			return -1
		}
		return 0
	})
	return out
}

func requestFindings(c Clock) []finding.Finding {
	r := c.PrivacyRequest
	out := []finding.Finding{}
	name := fmt.Sprintf("%s request %s", strings.ToLower(c.Title), r.ID)
	if r.OnBehalfOf != "" {
		name += " (for " + r.OnBehalfOf + ")"
	}
	name = strings.ToUpper(name[:1]) + name[1:]
	deadline := fmt.Sprintf("%s (%d days from receipt on %s, %s)", c.Deadline, c.Days, r.Received, c.Citation)
	if r.Extension != nil {
		deadline = fmt.Sprintf("%s (the date the extension of %s gave, %s)", c.Deadline, r.Extension.Notified, c.ExtensionCitation)
	}
	switch c.Status {
	case StatusOverdue:
		out = append(out, finding.Finding{Rule: RuleOverdue, Severity: finding.Error, Subject: r.ID,
			Message: fmt.Sprintf("%s was due %s and is overdue by %d day%s: act on it now, then record completed and outcome.",
				name, deadline, -c.DaysLeft, plural(-c.DaysLeft))})
	case StatusDueSoon:
		when := fmt.Sprintf("is due by %s, %d day%s left", deadline, c.DaysLeft, plural(c.DaysLeft))
		if c.DaysLeft == 0 {
			when = "is due today, " + deadline
		}
		msg := fmt.Sprintf("%s %s.", name, when)
		if !c.ExtendBy.IsZero() {
			msg += fmt.Sprintf(" If it cannot be done in time, one extension of up to %d days may be given in writing by %s, with the reasons and the new date (%s).",
				workspace.ExtensionDays, c.ExtendBy, c.ExtensionCitation)
		}
		out = append(out, finding.Finding{Rule: RuleDue, Severity: finding.Warning, Subject: r.ID, Message: msg})
	}
	if d := r.Denial; d != nil && !d.RightsStated {
		var need string
		switch r.Kind {
		case workspace.RequestAmendment:
			need = "the right to file a statement of disagreement, that the request and denial may go with future disclosures, and how to complain to us and to HHS (45 CFR 164.526(d)(1))"
		default:
			need = "how to complain to us and to HHS (45 CFR 164.524(d)(2)(iii))"
			if c.Ground != nil && c.Ground.Reviewable {
				need = "the right to have the denial reviewed (45 CFR 164.524(a)(4), (d)(2)(ii)) and " + need
			}
		}
		out = append(out, finding.Finding{Rule: RuleDenialIncomplete, Severity: finding.Warning, Subject: r.ID,
			Message: fmt.Sprintf("%s was denied without stating %s: send the individual a written denial that does, then set denial.rights_stated.", name, need)})
	}
	if feeCharged(r.Fee) && strings.TrimSpace(r.FeeBasis) == "" {
		cite := "45 CFR 164.524(c)(4)"
		if r.Kind == workspace.RequestAccounting {
			cite = "45 CFR 164.528(c)(2)"
		}
		out = append(out, finding.Finding{Rule: RuleFeeBasis, Severity: finding.Warning, Subject: r.ID,
			Message: fmt.Sprintf("%s was charged $%s with no record of how the fee was worked out: it must be reasonable and cost-based (%s); record fee_basis.", name, r.Fee, cite)})
	}
	return out
}

func feeCharged(fee string) bool {
	return strings.Trim(strings.ReplaceAll(fee, ".", ""), "0") != ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ComplaintRow is a complaint and whether it is still open.
type ComplaintRow struct {
	workspace.Complaint
	Open bool `json:"open"`
	// DaysOpen is from receipt to AsOf (open) or to its resolution.
	DaysOpen int `json:"days_open"`
}

// Notice is the notice of privacy practices on AsOf: the version in
// effect and every version on record, newest first.
type Notice struct {
	InEffect *workspace.PrivacyNotice  `json:"in_effect"`
	Versions []workspace.PrivacyNotice `json:"versions"`
	// Upcoming is a version that takes effect after AsOf, if any.
	Upcoming *workspace.PrivacyNotice `json:"upcoming"`
	Citation string                   `json:"citation"`
}

// Log is an organization's Privacy Rule records on AsOf.
type Log struct {
	AsOf date.Date `json:"as_of"`
	// CoveredEntity: the organization holds the covered-entity role (its
	// own requests and notice); otherwise its requests are its customers'.
	CoveredEntity bool           `json:"covered_entity"`
	Requests      []Clock        `json:"requests"`
	Complaints    []ComplaintRow `json:"complaints"`
	Notice        Notice         `json:"notice"`
	// Counts of the requests by state.
	Open     int               `json:"open"`
	DueSoon  int               `json:"due_soon"`
	Overdue  int               `json:"overdue"`
	Late     int               `json:"late"`
	Findings []finding.Finding `json:"findings"`
}

// Evaluate computes every request's clock, the complaints and the notice
// on asOf. Requests are listed open first (the most urgent deadline
// first), then the closed ones, most recent first.
func Evaluate(ws *workspace.Workspace, asOf date.Date) Log {
	l := Log{AsOf: asOf, CoveredEntity: ws.Organization.HasRole(workspace.RoleCoveredEntity),
		Requests: []Clock{}, Complaints: []ComplaintRow{}, Findings: []finding.Finding{}}
	for _, r := range ws.PrivacyRequests {
		if !r.Received.IsZero() && r.Received.After(asOf) {
			continue // not received yet on asOf
		}
		c := RequestClock(r, asOf)
		switch c.Status {
		case StatusOpen:
			l.Open++
		case StatusDueSoon:
			l.Open++
			l.DueSoon++
		case StatusOverdue:
			l.Open++
			l.Overdue++
		case StatusLate:
			l.Late++
		}
		l.Requests = append(l.Requests, c)
		l.Findings = append(l.Findings, c.Findings...)
	}
	slices.SortStableFunc(l.Requests, func(a, b Clock) int {
		ao, bo := !a.Closed(), !b.Closed()
		switch {
		case ao && !bo:
			return -1
		case !ao && bo:
			return 1
		case ao:
			return cmp.Or(a.Deadline.Compare(b.Deadline), strings.Compare(a.ID, b.ID))
		}
		return cmp.Or(b.Completed.Compare(a.Completed), strings.Compare(a.ID, b.ID))
	})
	for _, cp := range ws.Complaints {
		if !cp.Received.IsZero() && cp.Received.After(asOf) {
			continue
		}
		row := ComplaintRow{Complaint: cp, Open: cp.Resolved.IsZero() || cp.Resolved.After(asOf)}
		end := asOf
		if row.Open {
			// Not resolved yet on asOf.
			row.Resolved, row.Outcome, row.Disposition = date.Date{}, "", ""
		} else {
			end = cp.Resolved
		}
		if !cp.Received.IsZero() {
			row.DaysOpen = cp.Received.DaysUntil(end)
		}
		l.Complaints = append(l.Complaints, row)
	}
	slices.SortStableFunc(l.Complaints, func(a, b ComplaintRow) int {
		switch {
		case a.Open && !b.Open:
			return -1
		case !a.Open && b.Open:
			return 1
		}
		return cmp.Or(b.Received.Compare(a.Received), strings.Compare(a.ID, b.ID))
	})
	l.Notice = notice(ws, asOf)
	if l.CoveredEntity {
		l.Findings = append(l.Findings, noticeFindings(l.Notice, asOf)...)
	}
	finding.Sort(l.Findings)
	return l
}

func notice(ws *workspace.Workspace, asOf date.Date) Notice {
	n := Notice{InEffect: ws.NoticeInEffect(asOf), Versions: slices.Clone(ws.PrivacyNotices), Citation: "45 CFR 164.520"}
	if n.Versions == nil {
		n.Versions = []workspace.PrivacyNotice{}
	}
	slices.SortStableFunc(n.Versions, func(a, b workspace.PrivacyNotice) int { return b.Effective.Compare(a.Effective) })
	for i := range n.Versions {
		v := &n.Versions[i]
		if v.Effective.After(asOf) && (n.Upcoming == nil || v.Effective.Before(n.Upcoming.Effective)) {
			n.Upcoming = v
		}
	}
	return n
}

func noticeFindings(n Notice, asOf date.Date) []finding.Finding {
	switch {
	case n.InEffect == nil:
		return []finding.Finding{{Rule: RuleNoticeMissing, Severity: finding.Warning, Subject: OrganizationSubject,
			Message: fmt.Sprintf("No notice of privacy practices is in effect on %s: a covered entity must have one, give it to patients and post it where care is given and on its web site (45 CFR 164.520(a), (c)); record it under privacy_notices.", asOf)}}
	case len(n.InEffect.Posted) == 0 && n.InEffect.URL == "":
		return []finding.Finding{{Rule: RuleNoticeMissing, Severity: finding.Warning, Subject: OrganizationSubject,
			Message: fmt.Sprintf("The notice of privacy practices in effect (version %s) is recorded as posted nowhere: post it in a clear and prominent place where care is given and on the web site, if there is one (45 CFR 164.520(c)(2)(iii), (c)(3)); record where under posted and url.", n.InEffect.Version)}}
	}
	return nil
}

// Check is the Privacy Rule's part of `ward check`: the findings of
// Evaluate.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	return Evaluate(ws, asOf).Findings
}

// Overdue counts the requests past their deadline and not acted on, for
// the MSP overview.
func Overdue(ws *workspace.Workspace, asOf date.Date) int {
	n := 0
	for _, r := range ws.PrivacyRequests {
		if r.Received.IsZero() || r.Received.After(asOf) {
			continue
		}
		if r = seenOn(r, asOf); !r.Closed() && asOf.After(r.Deadline()) {
			n++
		}
	}
	return n
}
