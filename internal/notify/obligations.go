package notify

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/incident"
	"ward/internal/plan"
	"ward/internal/policy"
	"ward/internal/risk"
	"ward/internal/todo"
	"ward/internal/workspace"
)

// Item kinds: what a digest, an alert, the calendar feed and the task
// export call a dated obligation.
const (
	KindBreachNotice = "breach-notice"
	KindBAAExpiring  = "baa-expiring"
	KindBAAExpired   = "baa-expired"
	KindEvidenceDue  = "evidence-due"
	KindRiskDue      = "risk-due"
	KindPolicyReview = "policy-review"
	KindPolicyAck    = "policy-ack"
	KindTrainingDue  = "training-due"
	KindMilestone    = "milestone"
	// KindPrivacyRequest is a covered entity's Privacy Rule request
	// (access, amendment, accounting) with its time limit (164.524(b)(2),
	// 164.526(b)(2), 164.528(c)(1)).
	KindPrivacyRequest = "privacy-request"
	KindIncident       = "incident"        // alerts only: a new incident that may be a breach
	KindControlNotMet  = "control-not-met" // alerts only: a control met yesterday and not today
)

// ItemKinds are the kinds a digest and the calendar carry, in the order
// the digest lists them.
var ItemKinds = []string{KindBreachNotice, KindPrivacyRequest, KindBAAExpired, KindBAAExpiring, KindEvidenceDue, KindRiskDue,
	KindPolicyReview, KindPolicyAck, KindTrainingDue, KindMilestone}

// Obligation is one dated thing someone owes.
type Obligation struct {
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Due     date.Date `json:"due"`
	Overdue bool      `json:"overdue"`
	Title   string    `json:"title"`
	// Owner is the e-mail of who should act: the record's owner, else
	// the security officer; the privacy officer for breach notices and
	// BAAs.
	Owner string `json:"owner,omitempty"`
	// Link is the web app's path (under /orgs/{slug}).
	Link string `json:"link,omitempty"`
	// UID is stable across days and fetches: kind/subject plus what tells
	// two obligations of one subject apart (a notice's recipient, an
	// evidence period), never the due date, so that a moved date moves
	// the calendar event instead of adding one.
	UID string `json:"uid"`
}

// Obligations lists every dated obligation of the organization on asOf,
// past due or not, with its owner: breach notices not yet given, BAA
// expiries, the evidence occurrences of the SOC 2 Type II window (else of
// the coming year), open risk treatments, policy reviews, policy
// acknowledgements and trainings owed, and the roadmap's milestones.
// Overdue ones come from the same rules as `ward todo` (internal/todo);
// the list is sorted by date, then kind and subject.
func Obligations(ws *workspace.Workspace, asOf date.Date, slug string) []Obligation {
	o := obl{ws: ws, asOf: asOf, base: "/orgs/" + slug, seen: map[string]bool{}}
	sec := cmp.Or(ws.Organization.Officers.Security, ws.Organization.Officers.Privacy)
	priv := cmp.Or(ws.Organization.Officers.Privacy, ws.Organization.Officers.Security)
	o.sec, o.priv = sec, priv

	// Breach notices not yet given.
	for _, inc := range ws.Incidents {
		r := incident.Deadlines(ws, inc, asOf)
		for _, n := range r.Notifications {
			if !n.Sent.IsZero() || n.Due.IsZero() {
				continue
			}
			who := incident.Recipient(n)
			switch {
			case n.Customer != "" && (n.To == incident.ToCoveredEntity || n.To == incident.ToBusinessAssociate):
				who = party(ws, n.Customer)
			case n.OnBehalfOf != "":
				who = strings.ReplaceAll(who, n.OnBehalfOf, party(ws, n.OnBehalfOf))
			}
			o.add(Obligation{Kind: KindBreachNotice, Subject: inc.ID, Due: n.Due, Owner: priv,
				Title: "Breach notice to " + who + " for incident " + inc.ID,
				Link:  "/incidents/" + esc(inc.ID),
				UID:   KindBreachNotice + "/" + inc.ID + "/" + noticeKey(n)})
		}
	}

	// BAA expiries.
	for _, a := range ws.Agreements {
		if a.Status != "executed" || a.Expires.IsZero() || a.Expires.Before(asOf) {
			continue
		}
		noun := "agreement"
		if a.Kind != "" {
			noun = strings.ToUpper(a.Kind)
		}
		o.add(Obligation{Kind: KindBAAExpiring, Subject: a.ID, Due: a.Expires, Owner: priv,
			Title: "The " + noun + " with " + party(ws, a.Counterparty) + " expires",
			Link:  "/agreements/" + esc(a.ID) + "/edit"})
	}

	// Evidence occurrences.
	from, to := asOf.AddDays(-90), asOf.AddDays(365)
	if s := ws.Organization.SOC2; s.Type == "type2" && !s.ObservationStart.IsZero() {
		from, to = s.ObservationStart, s.ObservationStart.AddMonths(s.Months()).AddDays(-1)
	}
	// The workforce records' evidence (reminders sent, acknowledgements,
	// approvals: policy.Derived) counts, as in readiness and the gate.
	refs := evidence.IndexRefsWith(ws.Evidence, policy.Derived(ws))
	for _, c := range ws.Controls {
		if c.Frequency == "" || !evidence.Scheduled(c.Frequency) || c.Status == "not-applicable" {
			continue
		}
		for _, oc := range evidence.OccurrencesOf(c.Frequency, from, to, asOf, refs[c.ID]) {
			if oc.Status == evidence.Covered || oc.Status == evidence.NotDue {
				continue
			}
			label := evidence.Label(c.Frequency, oc.PeriodStart)
			o.add(Obligation{Kind: KindEvidenceDue, Subject: c.ID, Due: oc.PeriodEnd, Owner: c.Owner,
				Title: "Evidence for " + controlName(ws, c) + " (" + label + ")",
				Link:  "/controls/" + esc(c.ID),
				UID:   KindEvidenceDue + "/" + c.ID + "/" + label})
		}
	}

	// Risk treatments.
	if a := risk.Latest(ws, asOf); a != nil {
		for _, r := range risk.RisksOf(ws, a.ID) {
			if r.Treatment == "accept" || !r.Completed.IsZero() || r.Due.IsZero() {
				continue
			}
			o.add(Obligation{Kind: KindRiskDue, Subject: r.ID, Due: r.Due, Owner: r.Owner,
				Title: "Treat the risk: " + riskTitle(ws, r),
				Link:  "/risks/" + esc(r.ID) + "/edit"})
		}
	}

	// Policy reviews.
	for _, p := range policy.List(ws, asOf) {
		if p.ReviewDue.IsZero() || p.Status == "retired" {
			continue
		}
		o.add(Obligation{Kind: KindPolicyReview, Subject: p.ID, Due: p.ReviewDue, Owner: p.Owner,
			Title: "Review the " + p.Title,
			Link:  "/policies/" + esc(p.ID)})
	}

	// Acknowledgements and trainings owed.
	for _, t := range policy.AllTasks(ws, asOf) {
		if t.Status == policy.Done || t.Due.IsZero() {
			continue
		}
		ob := Obligation{Subject: t.Person, Due: t.Due, Owner: t.Person, Link: "/people"}
		switch t.Kind {
		case policy.KindPolicy:
			ob.Kind = KindPolicyAck
			ob.Title = person(ws, t.Person) + " to acknowledge the " + t.Title
			ob.UID = KindPolicyAck + "/" + t.Person + "/" + t.ID + "/v" + strconv.Itoa(t.Version)
		case policy.KindTraining:
			ob.Kind = KindTrainingDue
			ob.Title = person(ws, t.Person) + " to complete " + t.Title
			ob.UID = KindTrainingDue + "/" + t.Person + "/" + t.ID
		default:
			continue
		}
		o.add(ob)
	}

	// Roadmap milestones.
	p := plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Checked(check.Run(ws, asOf)))
	for _, m := range p.Milestones {
		if m.Status == plan.StatusDone || m.Tentative || m.Due.IsZero() {
			continue
		}
		o.add(Obligation{Kind: KindMilestone, Subject: m.ID, Due: m.Due, Owner: cmp.Or(ws.Organization.Officers.Security, ws.Organization.Officers.Privacy),
			Title: "Roadmap: " + m.Title, Link: "/plan#" + m.ID})
	}

	// What `ward todo` finds overdue or due, for the obligations whose
	// date a rule sets (an expired BAA, evidence a control is missing, an
	// overdue treatment or review), after the records' own so that their
	// UIDs win.
	l := todo.Build(ws, asOf, slug)
	for _, it := range l.Items {
		if it.Due.IsZero() {
			continue
		}
		ob := Obligation{Subject: it.Subject, Due: it.Due, Title: it.Title, Owner: it.OwnerEmail, Link: strings.TrimPrefix(it.Link, o.base)}
		switch {
		case it.Kind == todo.KindBAA && it.Rule == "baa.expired":
			ob.Kind, ob.Owner = KindBAAExpired, priv
		case it.Kind == todo.KindPrivacyRequest:
			ob.Kind = KindPrivacyRequest
		case it.Kind == todo.KindEvidence:
			ob.Kind = KindEvidenceDue
			ob.UID = KindEvidenceDue + "/" + it.Subject + "/" + it.Rule
		case it.Kind == todo.KindRisk:
			ob.Kind = KindRiskDue
		case it.Kind == todo.KindPolicy && it.Rule == policy.RuleReviewOverdue:
			ob.Kind = KindPolicyReview
		default:
			continue // made below from the records (acks, trainings, milestones, notices, BAAs expiring)
		}
		o.add(ob)
	}

	slices.SortStableFunc(o.out, func(a, b Obligation) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), strings.Compare(a.Subject, b.Subject), strings.Compare(a.UID, b.UID))
	})
	return o.out
}

type obl struct {
	ws         *workspace.Workspace
	asOf       date.Date
	base       string
	sec, priv  string
	out        []Obligation
	seen       map[string]bool
	seenSubDue map[string]bool
}

// add keeps ob unless one of the same kind, subject and date is already
// listed (todo's item and the record's own), or one with its UID.
func (o *obl) add(ob Obligation) {
	if ob.UID == "" {
		ob.UID = ob.Kind + "/" + ob.Subject
	}
	sd := ob.Kind + "\x00" + ob.Subject + "\x00" + ob.Due.String()
	if o.seenSubDue == nil {
		o.seenSubDue = map[string]bool{}
	}
	if o.seen[ob.UID] || o.seenSubDue[sd] {
		return
	}
	o.seen[ob.UID], o.seenSubDue[sd] = true, true
	if ob.Owner == "" {
		ob.Owner = o.sec
	}
	if ob.Link != "" {
		ob.Link = o.base + ob.Link
	}
	ob.Overdue = ob.Due.Before(o.asOf)
	o.out = append(o.out, ob)
}

func kindRank(k string) int {
	if i := slices.Index(ItemKinds, k); i >= 0 {
		return i
	}
	return len(ItemKinds)
}

// noticeKey tells the notices of one incident apart: to whom, for which
// state or customer, on whose behalf.
func noticeKey(n incident.Notification) string {
	k := n.To
	for _, s := range []string{n.State, n.Customer, n.OnBehalfOf} {
		if s != "" {
			k += ":" + s
		}
	}
	return k
}

func person(ws *workspace.Workspace, email string) string {
	if p := ws.Person(email); p != nil && p.Name != "" {
		return p.Name
	}
	return email
}

func party(ws *workspace.Workspace, id string) string {
	if v := ws.Vendor(id); v != nil && v.Name != "" {
		return v.Name
	}
	for _, c := range ws.Customers {
		if c.ID == id && c.Name != "" {
			return c.Name
		}
	}
	return id
}

func controlName(ws *workspace.Workspace, c workspace.Control) string {
	if c.Title != "" {
		return c.Title
	}
	if cc := catalog.Default().Control(c.ID); cc != nil && cc.Title != "" {
		return cc.Title
	}
	return c.ID
}

func riskTitle(ws *workspace.Workspace, r workspace.Risk) string {
	t := cmp.Or(risk.LibraryFor(ws).ThreatTitle(r.Threat), r.ID)
	if r.Asset != "" {
		name := r.Asset
		if s := ws.System(r.Asset); s != nil && s.Name != "" {
			name = s.Name
		}
		t += " (" + name + ")"
	}
	return t
}

func esc(s string) string { return url.PathEscape(s) }
