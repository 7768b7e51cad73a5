package phimap

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Rule ids (DESIGN.md, issue 5). They are a contract: never rename one.
const (
	RuleOfficerPrivacy     = "officer.privacy.missing"
	RuleOfficerSecurity    = "officer.security.missing"
	RuleRiskAnalysisGone   = "risk-analysis.missing"
	RuleRiskAnalysisStale  = "risk-analysis.stale"
	RuleUpstreamMissing    = "baa.upstream.missing"
	RuleDownstreamMissing  = "baa.downstream.missing"
	RuleExpired            = "baa.expired"
	RuleExpiring           = "baa.expiring"
	RuleFlowdown           = "baa.flowdown"
	RuleFlowUnencrypted    = "flow.unencrypted"
	RuleStorageUnencrypted = "storage.unencrypted"
	RulePHIUnmarked        = "inventory.phi-unmarked"
	RuleClauseMissing      = "baa.clause-missing"
	RuleNoSignedCopy       = "baa.no-signed-copy"
	RuleUnreviewed         = "baa.unreviewed"
)

// Rules lists every rule id this package evaluates, sorted.
var Rules = []string{
	RuleClauseMissing, RuleDownstreamMissing, RuleExpired, RuleExpiring, RuleFlowdown, RuleNoSignedCopy, RuleUnreviewed, RuleUpstreamMissing,
	RuleFlowUnencrypted, RulePHIUnmarked, RuleOfficerPrivacy, RuleOfficerSecurity,
	RuleRiskAnalysisGone, RuleRiskAnalysisStale, RuleStorageUnencrypted,
}

// ExpiringDays is how far ahead baa.expiring warns (issue 5): long enough
// to renegotiate a contract before PHI has to stop.
const ExpiringDays = 60

// GoLiveSoonDays is how far ahead of a customer's go-live date
// (customers go_live) a missing upstream BAA becomes an error. Before
// that, a covered-entity customer without a BAA is a warning: it is
// signed up, none of its PHI has reached us, and no law is broken yet;
// but the plan's live-PHI gate stays closed either way. Thirty days is
// ward's line: long enough to get a BAA through a clinic's counsel before
// the first real patient record arrives.
const GoLiveSoonDays = 30

// DefaultBreachNoticeDays is the term that applies when a BAA sets none:
// a business associate must notify no later than 60 calendar days after
// discovery (45 CFR 164.410(b)).
const DefaultBreachNoticeDays = 60

// OrganizationSubject names the organization in findings about it as a
// whole (officers, the risk analysis).
const OrganizationSubject = "organization"

// Subject kinds in Blocked.
const (
	KindSystem   = "system"
	KindCustomer = "customer"
)

// Result is the gate's answer for one date: the findings, and the live-PHI
// systems and customers that an error-level finding blocks.
type Result struct {
	AsOf     date.Date         `json:"as_of"`
	Findings []finding.Finding `json:"findings"`
	Blocked  []Blocked         `json:"blocked"`
}

// Blocked is a system or customer with live PHI (or a customer about to
// go live) and at least one error-level rule firing on its PHI path.
type Blocked struct {
	Subject string   `json:"subject"`
	Kind    string   `json:"kind"`  // system | customer
	Rules   []string `json:"rules"` // sorted, distinct
	// GoLive is set for a customer that has no live PHI yet and is about
	// to go live (customers go_live): what is blocked is its go-live.
	GoLive date.Date `json:"go_live,omitzero"`
	// Reasons say, per rule, what blocks it and along which path: the
	// real cause, which may be hops away (issue 19).
	Reasons []Reason `json:"reasons"`
}

// Reason is why one rule blocks a system or customer: the finding that
// fires (its subject: a flow key, a system, a vendor, an agreement, a
// customer or the organization), the systems PHI passes through between
// the cause and the blocked subject, in the direction PHI flows, and the
// sentence that says it ("PHI reaches this system through rpm-ingest →
// patient-api → visit-summaries, and the flow rpm-ingest → patient-api is
// not encrypted in transit").
type Reason struct {
	Rule    string `json:"rule"`
	Subject string `json:"subject"`
	// SubjectKind is what Subject names: flow, system, vendor, agreement,
	// customer or organization.
	SubjectKind string   `json:"subject_kind"`
	Path        []string `json:"path,omitempty"`
	// Lead, Path and Cause make the sentence Text: the page links each
	// system of the path and the subject.
	Lead  string `json:"-"`
	Cause string `json:"-"`
	Text  string `json:"text"`
}

// OK reports whether the gate passes: no error-level finding.
func (r Result) OK() bool { return !finding.HasError(r.Findings) }

// Check evaluates every rule of this package on asOf.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	return Gate(ws, asOf).Findings
}

// Gate evaluates every rule on asOf and works out what the errors block.
//
// A live-PHI system is blocked by an error on its PHI path: on a system it
// sends PHI to (directly or not) or receives PHI from, on a PHI flow
// between those, on the vendor of one of those systems or the BAA with
// it, or on the organization as a whole (officers, risk analysis). A
// sibling that shares a source but exchanges no PHI with the failing
// system is not blocked.
//
// A live-PHI customer is blocked by errors about the customer itself (its
// upstream BAA), by organization-wide errors, and by every error that
// blocks a live-PHI system: the workspace does not record which
// customer's PHI is in which system, so each live system is assumed to
// hold every live customer's PHI. A customer's missing BAA blocks that
// customer only, not the systems other customers' PHI lives in.
func Gate(ws *workspace.Workspace, asOf date.Date) Result {
	return GateWith(ws, Build(ws), asOf)
}

// GateWith is Gate on the graph Build(ws) made, for a caller that holds
// it already (check.Facts): the graph depends on the workspace only, not
// on the date.
func GateWith(ws *workspace.Workspace, g *Graph, asOf date.Date) Result {
	e := &evaluation{ws: ws, g: g, asOf: asOf}
	e.run()
	fs := make([]finding.Finding, len(e.found))
	for i, a := range e.found {
		fs[i] = a.Finding
	}
	finding.Sort(fs)
	return Result{AsOf: asOf, Findings: fs, Blocked: e.blocked()}
}

// anchored is a finding and where on the graph it sits, for blocking.
type anchored struct {
	finding.Finding
	org      bool // about the whole organization
	customer string
	systems  []int // the PHI is at these systems (forward and backward)
	flowFrom []int // the PHI passes from these systems...
	flowTo   []int // ...to these (flows: backward from From, forward from To)
	flow     int   // a flow finding's flow: its index in the workspace's flows
	// cause says what is wrong at an anchor system, with %s for its id
	// ("%s is not encrypted at rest"), for the block reasons.
	cause       string
	subjectKind string
}

type evaluation struct {
	ws         *workspace.Workspace
	g          *Graph
	asOf       date.Date
	handlesPHI bool
	found      []anchored
}

func (e *evaluation) add(a anchored) { e.found = append(e.found, a) }

func (e *evaluation) run() {
	e.handlesPHI = e.ws.Organization.Answers.HandlesPHI || len(e.g.PHISystems()) > 0 ||
		slices.ContainsFunc(e.ws.Customers, func(c workspace.Customer) bool { return c.LivePHI || c.GoingLive(e.asOf, GoLiveSoonDays) })
	if e.handlesPHI {
		e.officers()
		e.riskAnalysis()
	}
	e.inventory()
	e.agreements()
}

func (e *evaluation) officers() {
	o := e.ws.Organization
	// A covered entity must designate a privacy official (164.530(a)(1));
	// a business associate's privacy duties come through its BAAs, so for
	// it a missing Privacy Officer is advice, not a legal gap.
	sev := finding.Warning
	if o.HasRole(workspace.RoleCoveredEntity) {
		sev = finding.Error
	}
	check := func(rule, sev, title, field, email, cite string) {
		var msg string
		switch {
		case email == "":
			msg = fmt.Sprintf("No %s is named; set organization.officers.%s to the e-mail of someone listed under people (%s).", title, field, cite)
		case e.ws.Person(email) == nil:
			msg = fmt.Sprintf("%s %q is not listed under people; add them to people or name someone who is (%s).", title, email, cite)
		default:
			return
		}
		e.add(anchored{Finding: finding.Finding{Rule: rule, Severity: sev, Subject: OrganizationSubject, Message: msg}, org: true})
	}
	check(RuleOfficerPrivacy, sev, "Privacy Officer", "privacy", o.Officers.Privacy, "45 CFR 164.530(a)")
	check(RuleOfficerSecurity, finding.Error, "Security Officer", "security", o.Officers.Security, "45 CFR 164.308(a)(2)")
}

func (e *evaluation) riskAnalysis() {
	ra := e.ws.LatestRiskAnalysis(e.asOf)
	if ra == nil {
		e.add(anchored{org: true, Finding: finding.Finding{
			Rule: RuleRiskAnalysisGone, Severity: finding.Error, Subject: OrganizationSubject,
			Message: fmt.Sprintf("PHI is handled but no risk analysis was performed on or before %s; perform and document one under risk_analyses (45 CFR 164.308(a)(1)(ii)(A)).", e.asOf),
		}})
		return
	}
	// Stale is a warning: an analysis exists and the Security Rule asks for
	// periodic review (164.308(a)(1)(ii)(B), 164.308(a)(8)) without fixing
	// a period; the yearly cadence is ward's policy and the 2025 proposed
	// rule's, not yet law.
	if due := ra.Performed.AddMonths(12); due.Before(e.asOf) {
		e.add(anchored{Finding: finding.Finding{
			Rule: RuleRiskAnalysisStale, Severity: finding.Warning, Subject: ra.ID,
			Message: fmt.Sprintf("The latest risk analysis, %s, was performed on %s and was due for review on %s; review it and record the updated analysis.", ra.ID, ra.Performed, due),
		}})
	}
}

func (e *evaluation) inventory() {
	g := e.g
	for _, id := range g.sorted {
		i := g.index[id]
		s := e.ws.Systems[i]
		if !g.holds[i] {
			continue
		}
		if !s.EncryptedAtRest {
			e.add(anchored{systems: []int{i}, cause: "%s is not encrypted at rest", subjectKind: KindSystem, Finding: finding.Finding{
				Rule: RuleStorageUnencrypted, Severity: finding.Error, Subject: id,
				Message: fmt.Sprintf("System %s holds PHI but is not encrypted at rest. %s Encrypt its storage and set encrypted_at_rest: true.", id, addressable("at rest", "164.312(a)(2)(iv)")),
			}})
		}
		if !s.PHI {
			var how string
			switch g.origin[i] {
			case originLive:
				how = "it is marked live_phi: true"
			case originSends:
				how = "it sends PHI over a flow marked phi: true"
			default:
				how = "PHI reaches it over " + strings.Join(g.Path(id), " -> ")
			}
			e.add(anchored{Finding: finding.Finding{
				Rule: RulePHIUnmarked, Severity: finding.Warning, Subject: id,
				Message: fmt.Sprintf("System %s is marked phi: false but %s; mark it phi: true, or stop the PHI from reaching it.", id, how),
			}})
		}
	}
	for fi, f := range e.ws.Flows {
		if !g.CarriesPHI(f) || f.EncryptedInTransit {
			continue
		}
		e.add(anchored{flowFrom: []int{g.index[f.From]}, flowTo: []int{g.index[f.To]}, flow: fi, subjectKind: "flow",
			cause: "the flow " + f.From + " → " + f.To + " is not encrypted in transit", Finding: finding.Finding{
				Rule: RuleFlowUnencrypted, Severity: finding.Error, Subject: f.Key(),
				Message: fmt.Sprintf("PHI flow %s is not encrypted in transit. %s Encrypt it (for example TLS 1.2 or later) and set encrypted_in_transit: true.", f.Key(), addressable("in transit", "164.312(e)(2)(ii)")),
			}})
	}
}

// addressable says what storage.unencrypted and flow.unencrypted are: the
// encryption specifications are addressable (164.306(d)(3)), so the
// Security Rule lets an organization document why encryption is not
// reasonable and appropriate and use an equivalent measure instead.
// Failing the gate on them is ward's policy, not the rule's: only PHI
// encrypted per HHS guidance keeps the breach safe harbor (164.402,
// "unsecured protected health information"), so unencrypted PHI turns a
// lost laptop or a leaked bucket into a notifiable breach.
func addressable(where, spec string) string {
	return fmt.Sprintf("Encryption %s is an addressable specification (45 CFR %s, 164.306(d)(3)): the Security Rule lets you document an equivalent measure instead, so this error is ward's policy, not the rule's; ward holds the gate because only encrypted PHI keeps the breach safe harbor (164.402).", where, spec)
}

// party is a counterparty that must be under a BAA because it has PHI,
// or, for a customer, because it will.
type party struct {
	id        string
	direction string // the direction of the BAA it needs
	systems   []int  // a vendor's PHI systems
	customer  string // a customer's id
	what      string // for messages: "vendor twilio (sms-gateway)"
	// stage is a customer's: live, going live, or merely signed up.
	stage string
	// ba: the customer is a business associate we serve as its
	// subcontractor, not a covered entity.
	ba bool
}

// Customer stages for the upstream BAA rule.
const (
	stageLive     = "live"
	stageGoLive   = "going-live"
	stageSignedUp = "signed-up"
)

// customerStage is how far a customer is from live PHI on asOf.
func customerStage(c workspace.Customer, asOf date.Date) string {
	switch {
	case c.LivePHI:
		return stageLive
	case c.GoingLive(asOf, GoLiveSoonDays):
		return stageGoLive
	}
	return stageSignedUp
}

func (e *evaluation) agreements() {
	g := e.g
	var parties []party
	for _, v := range g.VendorsWithPHI() {
		ids := g.VendorPHISystems(v)
		idx := make([]int, len(ids))
		for k, id := range ids {
			idx[k] = g.index[id]
		}
		parties = append(parties, party{id: v, direction: "downstream", systems: idx,
			what: fmt.Sprintf("vendor %s (%s)", v, listIDs(ids))})
	}
	// Every covered-entity customer needs an upstream BAA before its first
	// live PHI, whatever live_phi says today (164.502(e)(1)-(2),
	// 164.504(e)): the gate must hold the first record back, not report
	// it afterwards. A subcontractor's customers are business associates,
	// and they too must have a BAA with it before PHI flows
	// (164.502(e)(1)(ii), 164.504(e)(5), 164.308(b)(2)). A customer merely
	// signed up is judged only when the organization handles PHI at all: a
	// company that never touches PHI owes its customers no BAA.
	sub := e.ws.Organization.HasRole(workspace.RoleSubcontractor)
	for _, c := range e.ws.Customers {
		if !c.CoveredEntity && !sub {
			continue
		}
		st := customerStage(c, e.asOf)
		if st == stageSignedUp && !e.handlesPHI {
			continue
		}
		what := "customer " + c.ID
		if !c.CoveredEntity {
			what = "business associate " + c.ID
		}
		parties = append(parties, party{id: c.ID, direction: "upstream", customer: c.ID,
			what: what, stage: st, ba: !c.CoveredEntity})
	}
	for _, p := range parties {
		e.coverage(p)
	}
	e.expiring()
	e.flowdown()
	e.clauses()
	e.paperwork()
}

// paperwork warns about an executed BAA that ward holds no signed copy of
// (baa.no-signed-copy) or that nobody reviewed against the checklist
// (baa.unreviewed). Both are warnings and never hold the gate: the law
// counts an executed BAA whatever ward holds of it (164.502(e),
// 164.504(e)), and clause review stays optional. But a signed copy is the
// documentation 164.316(b) asks you to keep for six years and the proof
// 164.414(b) and an auditor will ask for, and an unreviewed BAA may lack a
// clause 164.504(e)(2) requires: without these warnings an executed BAA
// with neither would pass silently while a carefully reviewed one with
// gaps gets baa.clause-missing. Expired and terminated agreements are not
// judged; their successors are.
func (e *evaluation) paperwork() {
	for _, a := range e.ws.Agreements {
		if a.Kind != "baa" || a.Status != "executed" || expired(a, e.asOf) {
			continue
		}
		if a.File == "" && a.SHA256 == "" {
			e.add(anchored{Finding: finding.Finding{Rule: RuleNoSignedCopy, Severity: finding.Warning, Subject: a.ID,
				Message: fmt.Sprintf("BAA %s with %s is executed, but ward holds no signed copy; attach the signed agreement (its file, or upload it on the agreement's page). The gate counts it as executed; the copy is the documentation you keep for six years (45 CFR 164.316(b)(2)) and the proof an auditor or OCR asks for (164.414(b)).", a.ID, a.Counterparty)}})
		}
		if !a.Reviewed() {
			e.add(anchored{Finding: finding.Finding{Rule: RuleUnreviewed, Severity: finding.Warning, Subject: a.ID,
				Message: fmt.Sprintf("BAA %s with %s is executed, but nobody has reviewed its clauses against the BAA checklist (45 CFR 164.504(e)(2), 164.314(a)(2)); mark each clause present, missing or n/a (clause_review, or the agreement's page). Review is optional and the gate counts the BAA as executed, but an unreviewed BAA may lack a clause the rule requires.", a.ID, a.Counterparty)}})
		}
	}
}

// baas lists the BAAs with a counterparty in a direction.
func (e *evaluation) baas(counterparty, direction string) []workspace.Agreement {
	var out []workspace.Agreement
	for _, a := range e.ws.Agreements {
		if a.Kind == "baa" && a.Counterparty == counterparty && a.Direction == direction {
			out = append(out, a)
		}
	}
	return out
}

// expired reports whether a BAA has run out: marked expired, or executed
// with an expiry date before asOf (InForce still counts the expiry day).
func expired(a workspace.Agreement, asOf date.Date) bool {
	return a.Status == "expired" || (a.Status == "executed" && !a.Expires.IsZero() && a.Expires.Before(asOf))
}

// coverage reports a party with PHI and no BAA in force: baa.expired when
// the latest BAA with it has run out (renewing is the fix), otherwise
// baa.upstream.missing or baa.downstream.missing. One finding per party.
func (e *evaluation) coverage(p party) {
	all := e.baas(p.id, p.direction)
	if slices.ContainsFunc(all, func(a workspace.Agreement) bool { return a.InForce(e.asOf) }) {
		return
	}
	at := anchored{systems: p.systems, customer: p.customer, subjectKind: "vendor"}
	if p.customer != "" {
		at.subjectKind = KindCustomer
	}
	var lapsed []workspace.Agreement
	for _, a := range all {
		if expired(a, e.asOf) {
			lapsed = append(lapsed, a)
		}
	}
	if len(lapsed) > 0 {
		a := slices.MaxFunc(lapsed, func(x, y workspace.Agreement) int {
			return cmp.Or(x.Expires.Compare(y.Expires), cmp.Compare(x.ID, y.ID))
		})
		when := "is marked expired"
		if !a.Expires.IsZero() && a.Expires.Before(e.asOf) {
			when = "expired on " + a.Expires.String()
		}
		at.Finding = finding.Finding{Rule: RuleExpired, Severity: finding.Error, Subject: a.ID,
			Message: fmt.Sprintf("BAA %s %s while %s still has PHI; execute a renewal or stop PHI from reaching them.", a.ID, when, p.what)}
		at.subjectKind = "agreement"
		at.cause = "%s is run by " + p.id + ", whose BAA " + a.ID + " " + when
		switch p.stage {
		case stageGoLive:
			at.Message = fmt.Sprintf("BAA %s %s and %s goes live on %s; execute a renewal before their first live PHI (45 CFR 164.502(e), 164.504(e)).", a.ID, when, p.what, p.goLive(e.ws))
		case stageSignedUp:
			at.Severity = finding.Warning
			at.Message = fmt.Sprintf("BAA %s %s; %s has no live PHI yet, but the live-PHI gate stays closed until a renewal is executed (45 CFR 164.502(e), 164.504(e)). %s", a.ID, when, p.what, signedUpLine)
		}
		e.add(at)
		return
	}
	var state []string
	for _, a := range all {
		switch {
		case a.Status == "executed" && a.Effective.IsZero():
			state = append(state, a.ID+" has no effective date")
		case a.Status == "executed" && a.Effective.After(e.asOf):
			state = append(state, a.ID+" takes effect only on "+a.Effective.String())
		default:
			state = append(state, a.ID+" is "+a.Status)
		}
	}
	note := ""
	if len(state) > 0 {
		note = " (" + strings.Join(state, "; ") + ")"
	}
	if p.direction == "upstream" {
		cite := "45 CFR 164.502(e), 164.504(e)"
		if p.ba {
			cite = "45 CFR 164.502(e)(1)(ii), 164.504(e)(5)"
		}
		who := "Customer " + p.id
		if p.ba {
			who = "Business associate " + p.id + " (a customer you serve as its subcontractor)"
		}
		at.Finding = finding.Finding{Rule: RuleUpstreamMissing, Severity: finding.Error, Subject: p.id}
		switch p.stage {
		case stageLive:
			at.Message = fmt.Sprintf("%s has live PHI but no upstream BAA in force on %s%s; execute a BAA with them before handling their PHI (%s).", who, e.asOf, note, cite)
		case stageGoLive:
			c := e.ws.Customer(p.id)
			when := fmt.Sprintf("goes live on %s, in %d days", c.GoLive, e.asOf.DaysUntil(c.GoLive))
			if !c.GoLive.After(e.asOf) {
				when = fmt.Sprintf("was to go live on %s", c.GoLive)
			}
			at.Message = fmt.Sprintf("%s %s (go_live) and has no upstream BAA in force on %s%s; execute the BAA before their first live PHI (%s). ward makes a missing BAA an error from %d days before go-live.", who, when, e.asOf, note, cite, GoLiveSoonDays)
		default:
			at.Severity = finding.Warning
			at.Message = fmt.Sprintf("%s has no upstream BAA in force on %s%s; execute one before any of their PHI reaches you (%s). %s", who, e.asOf, note, cite, signedUpLine)
		}
	} else {
		at.cause = "%s is run by vendor " + p.id + ", which has no BAA in force"
		at.Finding = finding.Finding{Rule: RuleDownstreamMissing, Severity: finding.Error, Subject: p.id,
			Message: fmt.Sprintf("PHI reaches %s with no downstream BAA in force on %s%s; execute a BAA with them or stop sending them PHI (45 CFR 164.308(b), 164.314(a)).", p.what, e.asOf, note)}
	}
	e.add(at)
}

// signedUpLine explains the severity of a missing upstream BAA for a
// customer that is merely signed up.
var signedUpLine = fmt.Sprintf("A warning while they have no live PHI and no go-live date within %d days (go_live), an error from then on; the plan's live-PHI gate stays closed until the BAA is executed.", GoLiveSoonDays)

// goLive is a customer party's go-live date, as text.
func (p party) goLive(ws *workspace.Workspace) string {
	if c := ws.Customer(p.customer); c != nil {
		return c.GoLive.String()
	}
	return ""
}

// expiring warns about BAAs in force that end within ExpiringDays, unless
// an executed successor with the same party takes over by the next day.
func (e *evaluation) expiring() {
	for _, a := range e.ws.Agreements {
		if a.Kind != "baa" || !a.InForce(e.asOf) || a.Expires.IsZero() {
			continue
		}
		days := e.asOf.DaysUntil(a.Expires)
		if days > ExpiringDays {
			continue
		}
		renewed := slices.ContainsFunc(e.baas(a.Counterparty, a.Direction), func(b workspace.Agreement) bool {
			return b.ID != a.ID && b.Status == "executed" && !b.Effective.IsZero() &&
				!b.Effective.After(a.Expires.AddDays(1)) && (b.Expires.IsZero() || b.Expires.After(a.Expires))
		})
		if renewed {
			continue
		}
		e.add(anchored{Finding: finding.Finding{Rule: RuleExpiring, Severity: finding.Warning, Subject: a.ID,
			Message: fmt.Sprintf("BAA %s with %s expires on %s, in %d days; execute a renewal before then.", a.ID, a.Counterparty, a.Expires, days)}})
	}
}

// noticeDays is the breach-notice term an agreement sets, or the
// regulatory default when it sets none.
func noticeDays(a workspace.Agreement) int {
	if a.BreachNoticeDays > 0 {
		return a.BreachNoticeDays
	}
	return DefaultBreachNoticeDays
}

// flowdown compares each downstream BAA in force, with a vendor that has
// PHI, against the shortest breach-notice term we promised upstream.
//
// It is a warning: the PHI is lawfully covered either way, but a
// subcontractor allowed 30 days cannot help us keep a 10-day promise, so
// the contract needs renegotiating before a breach, not after. A BAA that
// sets no term is held to 164.410's 60 days.
func (e *evaluation) flowdown() {
	var promise *workspace.Agreement
	for i, a := range e.ws.Agreements {
		if a.Kind != "baa" || a.Direction != "upstream" || !a.InForce(e.asOf) {
			continue
		}
		if promise == nil || noticeDays(a) < noticeDays(*promise) || (noticeDays(a) == noticeDays(*promise) && a.ID < promise.ID) {
			promise = &e.ws.Agreements[i]
		}
	}
	if promise == nil {
		return
	}
	for _, a := range e.ws.Agreements {
		if a.Kind != "baa" || a.Direction != "downstream" || !a.InForce(e.asOf) {
			continue
		}
		if len(e.g.VendorPHISystems(a.Counterparty)) == 0 {
			continue
		}
		if noticeDays(a) <= noticeDays(*promise) {
			continue
		}
		e.add(anchored{Finding: finding.Finding{Rule: RuleFlowdown, Severity: finding.Warning, Subject: a.ID,
			Message: fmt.Sprintf("BAA %s gives %s %s to report a breach to us but %s promises %s notice within %d days; renegotiate %s to %d days or fewer.",
				a.ID, a.Counterparty, termText(a), promise.ID, promise.Counterparty, noticeDays(*promise), a.ID, noticeDays(*promise))}})
	}
}

// clauses warns about a reviewed BAA that lacks a clause the catalog's
// checklist marks required (164.504(e)(2), 164.314(a)(2)): marked
// missing, or not marked present or n/a by the review. A warning, not an
// error: the agreement is executed and counts as a BAA; the gap is for
// counsel to close at renewal. Agreements nobody reviewed, and expired or
// terminated ones, are not judged.
func (e *evaluation) clauses() {
	var required []string
	for _, c := range catalog.Default().BAA.Clauses {
		if c.Required {
			required = append(required, c.ID)
		}
	}
	for _, a := range e.ws.Agreements {
		if a.Kind != "baa" || !a.Reviewed() || a.Status == "expired" || a.Status == "terminated" {
			continue
		}
		var missing, unmarked []string
		for _, id := range required {
			switch a.ClauseStatus(id) {
			case workspace.ClausePresent, workspace.ClauseNotApplicable:
			case workspace.ClauseMissing:
				missing = append(missing, id)
			default:
				unmarked = append(unmarked, id)
			}
		}
		if len(missing)+len(unmarked) == 0 {
			continue
		}
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, "marked missing: "+strings.Join(missing, ", "))
		}
		if len(unmarked) > 0 {
			parts = append(parts, "not found present: "+strings.Join(unmarked, ", "))
		}
		e.add(anchored{Finding: finding.Finding{Rule: RuleClauseMissing, Severity: finding.Warning, Subject: a.ID,
			Message: fmt.Sprintf("BAA %s with %s lacks %d required clause%s (%s); amend it to include them (45 CFR 164.504(e)(2), 164.314(a)(2)).",
				a.ID, a.Counterparty, len(missing)+len(unmarked), plural(len(missing)+len(unmarked)), strings.Join(parts, "; "))}})
	}
}

func termText(a workspace.Agreement) string {
	if a.BreachNoticeDays > 0 {
		return fmt.Sprintf("%d days", a.BreachNoticeDays)
	}
	return fmt.Sprintf("no term, so the regulatory %d days,", DefaultBreachNoticeDays)
}

// blocked works out, for each error rule, the systems on whose PHI path it
// fires. Paths are symmetric (X is on S's path exactly when S is on X's),
// so one forward and one backward search per rule from all its anchors
// together suffices, whatever the number of findings.
func (e *evaluation) blocked() []Blocked {
	g := e.g
	n := len(g.ids)
	sysRules := make([][]string, n)
	sysReasons := make([][]Reason, n)
	custRules := map[string][]string{}
	custReasons := map[string][]Reason{}
	var orgRules []string
	var orgReasons []Reason

	byRule := map[string][]anchored{}
	var rules []string
	for _, a := range e.found {
		if a.Severity != finding.Error {
			continue
		}
		if _, seen := byRule[a.Rule]; !seen {
			rules = append(rules, a.Rule)
		}
		byRule[a.Rule] = append(byRule[a.Rule], a)
	}
	slices.Sort(rules)
	for _, rule := range rules {
		var back, fwd []start
		for k, a := range byRule[rule] {
			switch {
			case a.org:
				if !slices.Contains(orgRules, rule) {
					orgRules = append(orgRules, rule)
					orgReasons = append(orgReasons, Reason{Rule: rule, Subject: a.Subject, SubjectKind: "organization", Cause: a.Message, Text: a.Message})
				}
			case a.customer != "":
				custRules[a.customer] = append(custRules[a.customer], rule)
				custReasons[a.customer] = append(custReasons[a.customer], Reason{Rule: rule, Subject: a.Subject, SubjectKind: a.subjectKind, Cause: a.Message, Text: a.Message})
			}
			for _, i := range a.systems {
				back = append(back, start{i, k, false})
				fwd = append(fwd, start{i, k, false})
			}
			for _, i := range a.flowFrom {
				back = append(back, start{i, k, true})
			}
			for _, i := range a.flowTo {
				fwd = append(fwd, start{i, k, true})
			}
		}
		if len(back) == 0 && len(fwd) == 0 {
			continue
		}
		// Two searches per rule from all its anchors together, each
		// keeping the first parent it met (so every marked system knows
		// one shortest way back to the finding that reaches it).
		bw := g.walk(back, false)
		fw := g.walk(fwd, true)
		for i := range n {
			if !g.live[i] || (bw.from[i] < 0 && fw.from[i] < 0) {
				continue
			}
			sysRules[i] = append(sysRules[i], rule)
			sysReasons[i] = append(sysReasons[i], e.reason(rule, i, byRule[rule], back, fwd, bw, fw))
		}
	}

	var out []Blocked
	var liveRules []string
	liveBy := map[string][]string{}
	for _, id := range g.sorted {
		i := g.index[id]
		if !g.live[i] {
			continue
		}
		rs := tidy(append(slices.Clone(orgRules), sysRules[i]...))
		liveRules = append(liveRules, sysRules[i]...)
		for _, r := range sysRules[i] {
			liveBy[r] = append(liveBy[r], id)
		}
		if len(rs) > 0 {
			out = append(out, Blocked{Subject: id, Kind: KindSystem, Rules: rs, Reasons: slices.Concat(orgReasons, sysReasons[i])})
		}
	}
	for _, c := range e.ws.Customers {
		going := c.GoingLive(e.asOf, GoLiveSoonDays)
		if !c.LivePHI && !going {
			continue
		}
		rs := tidy(slices.Concat(orgRules, liveRules, custRules[c.ID]))
		if len(rs) == 0 {
			continue
		}
		b := Blocked{Subject: c.ID, Kind: KindCustomer, Rules: rs, Reasons: slices.Concat(orgReasons, custReasons[c.ID])}
		// The workspace does not say which customer's PHI is in which
		// system: each live system is assumed to hold every live
		// customer's PHI, so what blocks one blocks every customer.
		for _, r := range tidy(slices.Clone(liveRules)) {
			ids := liveBy[r]
			b.Reasons = append(b.Reasons, Reason{Rule: r, Subject: ids[0], SubjectKind: KindSystem,
				Text: "Live-PHI systems are blocked by " + r + " (" + listIDs(ids) + "), and the workspace does not record which customer's PHI is in which system, so each is taken to hold this customer's."})
		}
		if going {
			b.GoLive = c.GoLive
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Blocked) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Subject, b.Subject))
	})
	return out
}

// start is where a search of the blocked computation starts: a system,
// the finding (its index among the rule's findings) that anchors it there,
// and whether it is an end of a failing flow rather than a failing system.
type start struct {
	node, finding int
	flow          bool
}

// search is a breadth-first search's record: for each system, the start
// it was reached from (-1: not reached) and the system it was reached
// through (-1: it is a start).
type search struct {
	from, parent []int
}

// walk searches the graph from the starts over PHI flows, forward (where
// their PHI goes) or backward (where it came from).
func (g *Graph) walk(starts []start, forward bool) search {
	n := len(g.ids)
	s := search{from: make([]int, n), parent: make([]int, n)}
	for i := range n {
		s.from[i], s.parent[i] = -1, -1
	}
	var queue []int
	for k, st := range starts {
		if s.from[st.node] < 0 {
			s.from[st.node] = k
			queue = append(queue, st.node)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		edges := g.in[i]
		if forward {
			edges = g.out[i]
		}
		for _, fi := range edges {
			f := g.ws.Flows[fi]
			j := g.index[f.From]
			if forward {
				j = g.index[f.To]
			}
			if s.from[j] < 0 {
				s.from[j], s.parent[j] = s.from[i], i
				queue = append(queue, j)
			}
		}
	}
	return s
}

// chain is the systems from i back to its search's start, i first.
func (g *Graph) chain(s search, i int) []string {
	var out []string
	for ; i >= 0; i = s.parent[i] {
		out = append(out, g.ids[i])
	}
	return out
}

// reason says why rule blocks system i: the system itself is where the
// finding sits, or PHI reaches it from there (the forward search), or it
// sends PHI on to there (the backward search).
func (e *evaluation) reason(rule string, i int, found []anchored, back, fwd []start, bw, fw search) Reason {
	g := e.g
	var st start
	var path []string
	var lead string
	switch {
	case fw.from[i] >= 0 && !fwd[fw.from[i]].flow && fw.parent[i] < 0:
		// The finding sits on this system.
		st = fwd[fw.from[i]]
		a := found[st.finding]
		cause := fmt.Sprintf(a.cause, "this system")
		r := Reason{Rule: rule, Subject: a.Subject, SubjectKind: a.subjectKind, Cause: cause}
		r.Text = strings.ToUpper(cause[:1]) + cause[1:] + "."
		return r
	case fw.from[i] >= 0:
		st = fwd[fw.from[i]]
		path = g.chain(fw, i)
		slices.Reverse(path) // from the cause to this system
		if st.flow {
			// The failing flow's source comes first.
			path = append([]string{g.ws.Flows[e.flowAt(found[st.finding])].From}, path...)
		}
		lead = "PHI reaches this system through"
	default:
		st = back[bw.from[i]]
		path = g.chain(bw, i) // from this system to the cause
		if st.flow {
			path = append(path, g.ws.Flows[e.flowAt(found[st.finding])].To)
		}
		lead = "This system sends PHI on through"
	}
	a := found[st.finding]
	cause := a.cause
	if strings.Contains(cause, "%s") {
		cause = fmt.Sprintf(cause, g.ids[st.node])
	}
	return Reason{Rule: rule, Subject: a.Subject, SubjectKind: a.subjectKind, Path: path, Lead: lead, Cause: "and " + cause,
		Text: lead + " " + strings.Join(path, " → ") + ", and " + cause + "."}
}

// flowAt is the index in the workspace's flows of a flow finding's flow,
// kept when the finding was made: looking it up was a pass over every
// flow for each blocked system (issue 21).
func (e *evaluation) flowAt(a anchored) int { return a.flow }

func tidy(rs []string) []string {
	slices.Sort(rs)
	return slices.Compact(rs)
}

// listIDs names up to three ids and counts the rest, to keep a message to
// one readable line however large the vendor.
func listIDs(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:3], ", "), len(ids)-3)
}
