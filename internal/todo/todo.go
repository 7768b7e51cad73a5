// Package todo is "needs attention": one prioritized list of every open
// obligation of an organization on a date, from the same rules as `ward
// check` and the same clocks as the breach, Privacy Rule and roadmap
// pages. `ward todo`, GET /api/v1/orgs/{org}/todo, the organization's home
// page and the /orgs overview all read it from here, so they agree.
//
// The order (issue 19): overdue regulatory deadlines first (breach
// notices, then Privacy Rule requests), then what blocks live PHI (the
// go-live gate's errors), expired and expiring BAAs, overdue roadmap
// milestones, control evidence due, risk treatments, policy, training and
// workforce items, the remaining warnings, and last what is open but not
// yet due soon (a later notice, a treatment due next quarter).
//
// Every finding of check.Run on the date is one item (same rule, same
// subject); items without a rule are the roadmap's overdue milestones
// (the plan's, which no rule reports) and the open obligations no rule
// fires on yet (Upcoming).
package todo

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/incident"
	"ward/internal/plan"
	"ward/internal/policy"
	"ward/internal/privacy"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// Item kinds.
const (
	KindBreachNotice   = "breach-notice"
	KindPrivacyRequest = "privacy-request"
	KindGate           = "gate"
	KindBAA            = "baa"
	KindMilestone      = "milestone"
	KindEvidence       = "evidence"
	KindRisk           = "risk"
	KindPolicy         = "policy"
	KindTraining       = "training"
	KindWorkforce      = "workforce"
	KindOther          = "other"
)

// Kinds are the item kinds, most urgent tier first.
var Kinds = []string{KindBreachNotice, KindPrivacyRequest, KindGate, KindBAA, KindMilestone, KindEvidence, KindRisk, KindPolicy, KindTraining, KindWorkforce, KindOther}

// Severities: a finding's (error, warning), or Upcoming for an open
// obligation no rule fires on yet.
const (
	Error    = finding.Error
	Warning  = finding.Warning
	Upcoming = "upcoming"
)

// Item is one thing that needs doing.
type Item struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Rule and Subject are the `ward check` finding's, when one stands
	// behind the item; Rule is "" for an upcoming item.
	Rule    string `json:"rule,omitempty"`
	Subject string `json:"subject"`
	// Title says what is wrong in plain words, with names, not ids.
	Title string `json:"title"`
	// Owner is who should act (a display name) and OwnerEmail their
	// address, when the workspace says.
	Owner      string `json:"owner,omitempty"`
	OwnerEmail string `json:"owner_email,omitempty"`
	// Due is when it is (or was) owed; DaysLeft counts from the as-of
	// date, negative when overdue.
	Due      date.Date `json:"due,omitzero"`
	DaysLeft *int      `json:"days_left,omitempty"`
	Overdue  bool      `json:"overdue"`
	// BlocksLivePHI: an error of the go-live gate (DESIGN.md): while it
	// stands, the systems and customers on its path may not hold real PHI.
	BlocksLivePHI bool `json:"blocks_live_phi"`
	// Why is why it matters, with the citation.
	Why string `json:"why"`
	// Fix is the action, and Link the page of the web app where it is
	// done, prefilled where a form can be ("" when the web app has no page
	// for it yet).
	Fix  string `json:"fix"`
	Link string `json:"link,omitempty"`
	// Detail is the rule's full message, as `ward check` prints it.
	Detail string `json:"detail,omitempty"`

	tier int
}

// List is the answer of Build.
type List struct {
	AsOf  date.Date `json:"as_of"`
	Items []Item    `json:"items"`
	// Counts: Open is every item but the upcoming ones; Overdue those past
	// their date; BlockingLivePHI the go-live gate's errors (the number
	// the data-flow page's gate shows); Errors every `ward check` error.
	Open            int `json:"open"`
	Overdue         int `json:"overdue"`
	BlockingLivePHI int `json:"blocking_live_phi"`
	Errors          int `json:"errors"`
	Warnings        int `json:"warnings"`
}

// Next is the first item of the list that has a date: the deadline the
// /orgs overview names. nil when none has.
func (l List) Next() *Item {
	for i := range l.Items {
		if !l.Items[i].Due.IsZero() {
			return &l.Items[i]
		}
	}
	return nil
}

// Tiers, in the order the list is read.
const (
	tierBreach = iota + 1
	tierPrivacy
	tierGate
	tierBAA
	tierMilestone
	tierEvidence
	tierRisk
	tierWorkforce
	tierOther
	tierUpcoming
)

// UpcomingDays is how far ahead an obligation no rule fires on yet is
// listed (a notice, a request, a treatment, a milestone, an expiry).
const UpcomingDays = 90

// Build computes the list for ws on asOf. slug is the organization's, for
// the links (/orgs/{slug}/...).
func Build(ws *workspace.Workspace, asOf date.Date, slug string) List {
	return BuildWith(ws, check.FactsOf(ws), asOf, slug)
}

// BuildWith is Build on the workspace's facts (check.FactsOf), for a
// caller that reads them for readiness too.
func BuildWith(ws *workspace.Workspace, facts check.Facts, asOf date.Date, slug string) List {
	b := builder{ws: ws, asOf: asOf, n: names{ws}, base: "/orgs/" + slug, records: facts.Records}
	fs, pg := check.GateWith(ws, facts, asOf)
	gate := map[string]int{}
	for _, f := range pg.Findings {
		if f.Severity == finding.Error {
			gate[f.Rule+"\x00"+f.Subject]++
		}
	}
	b.breachNotices()
	b.privacyRequests()
	for _, f := range fs {
		if consumed[f.Rule] {
			continue
		}
		it := b.fromFinding(f)
		if k := f.Rule + "\x00" + f.Subject; gate[k] > 0 {
			gate[k]--
			it.BlocksLivePHI = true
		}
		b.add(it)
	}
	b.workforce()
	b.milestones(fs)
	b.upcomingRisks()
	b.upcomingBAAs()
	b.details(fs)

	l := List{AsOf: asOf, Items: b.items}
	if l.Items == nil {
		l.Items = []Item{}
	}
	slices.SortStableFunc(l.Items, compare)
	for _, it := range l.Items {
		if it.Severity != Upcoming {
			l.Open++
		}
		if it.Overdue {
			l.Overdue++
		}
		if it.BlocksLivePHI {
			l.BlockingLivePHI++
		}
		switch it.Severity {
		case Error:
			l.Errors++
		case Warning:
			l.Warnings++
		}
	}
	return l
}

// consumed are the rules whose items Build makes from the records
// themselves (a notice, a request, a person's task), with the finding's
// rule and subject, so that each has its own date and owner.
var consumed = map[string]bool{
	"breach.deadline":          true,
	privacy.RuleOverdue:        true,
	privacy.RuleDue:            true,
	policy.RuleAckOverdue:      true,
	policy.RuleTrainingOverdue: true,
	policy.RuleTerminationOpen: true,
}

// details gives each item Build made from the records the message of its
// finding: of those with the same rule and subject, the one that names
// its date.
func (b *builder) details(fs []finding.Finding) {
	pool := map[string][]string{}
	for _, f := range fs {
		if consumed[f.Rule] {
			pool[f.Rule+"\x00"+f.Subject] = append(pool[f.Rule+"\x00"+f.Subject], f.Message)
		}
	}
	for i := range b.items {
		it := &b.items[i]
		if it.Rule == "" || it.Detail != "" || !consumed[it.Rule] {
			continue
		}
		k := it.Rule + "\x00" + it.Subject
		msgs := pool[k]
		pick := -1
		for j, m := range msgs {
			if pick < 0 || (!it.Due.IsZero() && strings.Contains(m, it.Due.String())) {
				pick = j
				if !it.Due.IsZero() && strings.Contains(m, it.Due.String()) {
					break
				}
			}
		}
		if pick >= 0 {
			it.Detail = msgs[pick]
			pool[k] = slices.Delete(msgs, pick, pick+1)
		}
	}
}

func sevRank(s string) int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// compare orders items: by tier; within one, overdue first (the longest
// overdue first), then errors before warnings, then by date (undated
// last), then by title.
func compare(a, b Item) int {
	if c := cmp.Compare(a.tier, b.tier); c != 0 {
		return c
	}
	if a.Overdue != b.Overdue {
		if a.Overdue {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(sevRank(a.Severity), sevRank(b.Severity)); c != 0 {
		return c
	}
	switch {
	case a.Due.IsZero() && !b.Due.IsZero():
		return 1
	case !a.Due.IsZero() && b.Due.IsZero():
		return -1
	}
	return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Title, b.Title), strings.Compare(a.Subject, b.Subject))
}

type builder struct {
	ws    *workspace.Workspace
	asOf  date.Date
	n     names
	base  string
	items []Item
	// records are the workforce records' tasks and derived evidence,
	// shared with the checks (check.Facts).
	records *policy.Records
}

func (b *builder) link(path string) string {
	if path == "" {
		return ""
	}
	return b.base + path
}

// add sets the item's dates relative to the as-of date and keeps it.
func (b *builder) add(it Item) {
	if !it.Due.IsZero() {
		d := b.asOf.DaysUntil(it.Due)
		it.DaysLeft = &d
		// Overdue is a finding past its date; an upcoming item is never
		// overdue (it would be a finding).
		it.Overdue = d < 0 && it.Severity != Upcoming
	}
	if it.tier == 0 {
		it.tier = tierOther
	}
	if it.Severity == Upcoming {
		it.tier = tierUpcoming
	}
	b.items = append(b.items, it)
}

func (b *builder) officer(email string) (string, string) {
	if email == "" {
		return "", ""
	}
	return b.n.person(email), email
}

// breachNotices are the notices of every incident not yet recorded as
// given: an error when due within incident.DeadlineAlertDays or overdue
// (breach.deadline), a warning when only the stricter reading of a
// law-enforcement delay makes it so, else upcoming.
func (b *builder) breachNotices() {
	for _, inc := range b.ws.Incidents {
		r := incident.Deadlines(b.ws, inc, b.asOf)
		for _, n := range r.Notifications {
			if !n.Sent.IsZero() {
				continue
			}
			it := Item{Kind: KindBreachNotice, tier: tierBreach, Subject: inc.ID, Due: n.Due, Rule: "breach.deadline",
				Title: "Notify " + b.n.recipient(n) + " of breach " + incidentName(inc),
				Why:   "A breach notice has a deadline set by law (" + n.Citation + "); a late notice is a violation of its own.",
				Fix:   "Give the notice, then record it as sent on the incident",
				Link:  b.link("/incidents/" + pathEscape(inc.ID)), Detail: ""}
			it.Owner, it.OwnerEmail = b.officer(b.ws.Organization.Officers.Privacy)
			switch {
			case n.DaysLeft <= incident.DeadlineAlertDays:
				it.Severity = Error
			case !n.StrictDue.IsZero() && b.asOf.DaysUntil(n.StrictDue) <= incident.DeadlineAlertDays:
				it.Severity, it.Due = Warning, n.StrictDue
				it.Why += " The date assumes a law-enforcement delay tolls the clock; on the stricter reading of 164.412 it is due " + n.StrictDue.String() + "."
			default:
				it.Severity, it.Rule = Upcoming, ""
			}
			b.add(it)
		}
	}
}

// privacyRequests are the open Privacy Rule requests: overdue (an
// error), due within privacy.DueSoonDays (a warning), else upcoming.
func (b *builder) privacyRequests() {
	for _, c := range privacy.Evaluate(b.ws, b.asOf).Requests {
		if c.Closed() {
			continue
		}
		it := Item{Kind: KindPrivacyRequest, tier: tierPrivacy, Subject: c.ID, Due: c.Deadline,
			Title: "Act on the " + strings.ToLower(c.Title) + " request " + c.ID,
			Why:   "The Privacy Rule sets the time limit (" + c.Citation + ").",
			Fix:   "Act on the request, then record the outcome",
			Link:  b.link("/privacy/requests/" + pathEscape(c.ID))}
		if c.OnBehalfOf != "" {
			it.Title += " (for " + b.n.customer(c.OnBehalfOf) + ")"
		}
		it.Owner, it.OwnerEmail = b.officer(cmp.Or(c.HandledBy, b.ws.Organization.Officers.Privacy))
		switch c.Status {
		case privacy.StatusOverdue:
			it.Severity, it.Rule = Error, privacy.RuleOverdue
		case privacy.StatusDueSoon:
			it.Severity, it.Rule = Warning, privacy.RuleDue
		default:
			if b.asOf.DaysUntil(c.Deadline) > UpcomingDays {
				continue
			}
			it.Severity = Upcoming
		}
		for _, f := range c.Findings {
			if f.Rule == it.Rule {
				it.Detail = f.Message
			}
		}
		b.add(it)
	}
}

// workforce are the policy acknowledgements and trainings overdue, and
// the leavers who can still reach PHI.
func (b *builder) workforce() {
	for _, t := range b.records.Tasks(b.asOf) {
		if t.Status != policy.Overdue {
			continue
		}
		it := Item{Severity: Warning, tier: tierWorkforce, Subject: t.Person, Due: t.Due}
		it.Owner, it.OwnerEmail = b.officer(t.Person)
		switch t.Kind {
		case policy.KindPolicy:
			it.Kind, it.Rule = KindPolicy, policy.RuleAckOverdue
			it.Title = b.n.person(t.Person) + " has not acknowledged the " + t.Title
			it.Why = "Policies must be available to those who carry them out (45 CFR 164.316(b)(2)(ii)); the acknowledgement is how that is shown (" + t.Why + ")."
			it.Fix = "Ask " + b.n.person(t.Person) + " to read and acknowledge it"
			it.Link = b.link("/people?overdue=1&policy=" + url.QueryEscape(t.ID))
		case policy.KindTraining:
			it.Kind, it.Rule = KindTraining, policy.RuleTrainingOverdue
			it.Title = b.n.person(t.Person) + " is overdue for " + t.Title
			it.Why = "Security awareness training for the whole workforce (45 CFR 164.308(a)(5)(i))."
			it.Fix = "Have them complete it, then record the completion"
			it.Link = b.link("/trainings#training-" + url.PathEscape(t.ID))
		default:
			continue
		}
		b.add(it)
	}
	for _, l := range policy.OpenTerminations(b.ws, b.asOf) {
		it := Item{Kind: KindWorkforce, Severity: Error, tier: tierWorkforce, Rule: policy.RuleTerminationOpen, Subject: l.Person, Due: l.Deadline,
			Title: b.n.person(l.Person) + " left on " + l.End.String() + " and can still reach " + b.n.systemList(l.Systems),
			Why:   "A leaver's access to ePHI must end with their employment (45 CFR 164.308(a)(3)(ii)(C)).",
			Fix:   "Remove the access in each system"}
		for _, s := range l.Systems {
			if it.Link == "" {
				it.Link = b.link("/systems/" + pathEscape(s))
			}
		}
		it.Owner, it.OwnerEmail = b.officer(b.ws.Organization.Officers.Security)
		b.add(it)
	}
}

// milestones are the roadmap's overdue milestones, and those due within
// UpcomingDays.
func (b *builder) milestones(fs []finding.Finding) {
	p := plan.Build(b.ws, b.ws.Organization.ProgramStart, b.asOf, plan.Checked(fs))
	for _, m := range p.Milestones {
		if m.Status == plan.StatusDone || m.Tentative {
			continue
		}
		it := Item{Kind: KindMilestone, tier: tierMilestone, Subject: m.ID, Due: m.Due,
			Title: "Roadmap: " + m.Title,
			Why:   "A step of the plan" + gateNote(m) + ".",
			Fix:   "Open the plan",
			Link:  b.link("/plan#" + m.ID)}
		it.Owner, it.OwnerEmail = b.officer(cmp.Or(b.ws.Organization.Officers.Security, b.ws.Organization.Officers.Privacy))
		switch {
		case m.Overdue:
			it.Severity = Warning
		case b.asOf.DaysUntil(m.Due) <= UpcomingDays:
			it.Severity = Upcoming
		default:
			continue
		}
		b.add(it)
	}
}

func gateNote(m plan.Milestone) string {
	if slices.Contains(m.Gates, plan.GateLivePHI) {
		return "; no system may hold real PHI until it is done"
	}
	return ""
}

// upcomingRisks are risk treatments due within UpcomingDays (an overdue
// one is risk.overdue).
func (b *builder) upcomingRisks() {
	a := risk.Latest(b.ws, b.asOf)
	if a == nil {
		return
	}
	for _, r := range risk.RisksOf(b.ws, a.ID) {
		if r.Treatment == "accept" || !r.Completed.IsZero() || r.Due.IsZero() || r.Due.Before(b.asOf) || b.asOf.DaysUntil(r.Due) > UpcomingDays {
			continue
		}
		it := Item{Kind: KindRisk, Severity: Upcoming, Subject: r.ID, Due: r.Due,
			Title: "Treat the risk: " + b.n.riskTitle(r),
			Why:   "The risk management plan's measures, on the dates it set (45 CFR 164.308(a)(1)(ii)(B)).",
			Fix:   "Record the treatment as completed when done",
			Link:  b.link("/risks/" + pathEscape(r.ID) + "/edit")}
		it.Owner, it.OwnerEmail = b.officer(r.Owner)
		b.add(it)
	}
}

// upcomingBAAs are executed BAAs that expire within UpcomingDays and no
// rule reports yet.
func (b *builder) upcomingBAAs() {
	have := map[string]bool{}
	for _, it := range b.items {
		if it.Kind == KindBAA {
			have[it.Subject] = true
		}
	}
	for _, a := range b.ws.Agreements {
		if a.Status != "executed" || a.Expires.IsZero() || a.Expires.Before(b.asOf) || have[a.ID] || b.asOf.DaysUntil(a.Expires) > UpcomingDays {
			continue
		}
		who := b.n.party(a.Counterparty)
		it := Item{Kind: KindBAA, Severity: Upcoming, Subject: a.ID, Due: a.Expires,
			Title: "The " + agreementNoun(a) + " with " + who + " expires on " + a.Expires.String(),
			Why:   "Without an agreement in force, PHI may not be shared with them (45 CFR 164.308(b), 164.502(e)).",
			Fix:   "Renew the " + agreementNoun(a) + " with " + who,
			Link:  b.link("/agreements/" + pathEscape(a.ID) + "/edit")}
		it.Owner, it.OwnerEmail = b.officer(b.ws.Organization.Officers.Privacy)
		b.add(it)
	}
}

func agreementNoun(a workspace.Agreement) string {
	if a.Kind == "" {
		return "agreement"
	}
	return strings.ToUpper(a.Kind)
}

func incidentName(inc workspace.Incident) string { return inc.ID }

// dueWords are the words before the date a rule's message gives, for
// rules whose records Build does not read itself: messageDue finds the
// first of them followed by white space and a YYYY-MM-DD date.
var dueWords = []string{"due", "deadline of", "due for review on", "due by", "expired on", "expires on", "attach it by"}

// messageDue is the date after the first of dueWords (at the leftmost
// place one is followed by white space and a date), or no date. It is a
// hand-written match, as the regular expression it replaces was a sixth
// of the MSP overview's time: TestMessageDueAsRegexp compares the two.
func messageDue(msg string) date.Date {
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c != 'd' && c != 'e' && c != 'a' {
			continue
		}
		for _, w := range dueWords {
			if !strings.HasPrefix(msg[i:], w) {
				continue
			}
			j := i + len(w)
			k := j
			for k < len(msg) && isSpace(msg[k]) {
				k++
			}
			if k == j || !isDate(msg[k:]) {
				continue
			}
			d, err := date.Parse(msg[k : k+10])
			if err != nil {
				return date.Date{}
			}
			return d
		}
	}
	return date.Date{}
}

// isSpace is RE2's \s: ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// isDate reports whether s starts with NNNN-NN-NN (ASCII digits).
func isDate(s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := range 10 {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// citation is the first legal citation in a rule's message.
var citation = regexp.MustCompile(`(?:45 CFR )?1[0-9]{2}\.[0-9]+(?:\([0-9a-zA-Z]+\))*(?:,? (?:and )?1[0-9]{2}\.[0-9]+(?:\([0-9a-zA-Z]+\))*)*`)

func cite(msg string) string {
	c := citation.FindString(msg)
	if c == "" {
		return ""
	}
	if !strings.HasPrefix(c, "45 CFR") {
		c = "45 CFR " + c
	}
	return c
}

func pathEscape(s string) string { return urlPathEscape(s) }

// When says when an item is owed, in words: "overdue by 14 days (due
// 2026-11-20)", "due today", "due in 5 days (2026-12-09)", or "" when it
// has no date.
func (it Item) When() string {
	if it.DaysLeft == nil {
		return ""
	}
	d := *it.DaysLeft
	switch {
	case d < 0:
		return "overdue by " + days(-d) + " (due " + it.Due.String() + ")"
	case d == 0:
		return "due today"
	}
	return "due in " + days(d) + " (" + it.Due.String() + ")"
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
