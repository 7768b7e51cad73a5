// Package plan answers "SOC 2 or HIPAA first?" for one organization: which
// frameworks apply and in what order (the decision tree over the four
// answers and the organization's HIPAA roles), and the dated roadmap that
// follows from a start date, with each milestone's status computed from the
// workspace and the gates it holds back (live PHI waits for the risk
// analysis and the BAAs; SOC 2 never holds back a BAA).
//
// Everything here is a pure function of the workspace, the dates and a
// Status the caller computes (the results of `ward check`), so that this
// package does not depend on the gate rules, storage, HTTP or the clock.
// Renderers for the terminal, Markdown, HTML and SVG live beside it so that
// `ward plan`, `ward report roadmap` and the page are thin wrappers.
package plan

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Framework ids, the same as the catalog's.
const (
	HIPAA   = "hipaa"
	SOC2    = "soc2"
	HITRUST = "hitrust"
)

// Milestone states.
const (
	StatusDone       = "done"
	StatusInProgress = "in-progress"
	StatusNotStarted = "not-started"
	StatusOverdue    = "overdue"
)

// GateLivePHI is the gate a milestone lists in Gates when no system may hold
// real PHI until that milestone is done.
const GateLivePHI = "live-phi"

// Milestone ids (a contract: the JSON output and the web use them).
const (
	MapDataFlows         = "map-data-flows"
	AppointOfficers      = "appoint-officers"
	RiskAnalysis         = "risk-analysis"
	ExecuteBAAs          = "execute-baas"
	SOC2Readiness        = "soc2-readiness"
	SOC2Type1            = "soc2-type1"
	SOC2Type2Observation = "soc2-type2-observation"
	SOC2Type2Report      = "soc2-type2-report"
	HITRUSTAssessment    = "hitrust"
)

// Plan is the answer of `ward plan`.
type Plan struct {
	Organization string    `json:"organization"`
	Start        date.Date `json:"start"`
	AsOf         date.Date `json:"as_of"`
	// Inputs are the answers as the rules read them (a covered-entity
	// customer counts as selling to covered entities).
	Inputs     Inputs      `json:"inputs"`
	Frameworks []Framework `json:"frameworks"`
	Milestones []Milestone `json:"milestones"`
	// Gates are the go-live conditions the milestones hold back; today only
	// live-phi, present when HIPAA applies.
	Gates []Gate `json:"gates"`
}

// Inputs are the decision tree's inputs after reading the workspace.
type Inputs struct {
	HandlesPHI              bool `json:"handles_phi"`
	SellsToCoveredEntities  bool `json:"sells_to_covered_entities"`
	EnterpriseHealthSystems bool `json:"enterprise_health_systems"`
	BuyersAskSOC2           bool `json:"buyers_ask_soc2"`
	// CoveredEntityCustomers are the customers recorded with
	// covered_entity: true; any of them makes SellsToCoveredEntities true.
	CoveredEntityCustomers []string `json:"covered_entity_customers"`
	Roles                  []string `json:"roles"`
	// InferredRole is set when no role is declared and the answers imply
	// one (handling PHI for covered-entity customers makes a business
	// associate, 45 CFR 160.103).
	InferredRole string `json:"inferred_role,omitempty"`
}

// Framework is one framework's applicability.
type Framework struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Applies bool   `json:"applies"`
	// Order is 1 for the framework to do first; 0 when it does not apply.
	Order  int    `json:"order"`
	Reason string `json:"reason"`
}

// Milestone is one dated step of the roadmap. Start and Due are inclusive.
type Milestone struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Framework string    `json:"framework"`
	Start     date.Date `json:"start"`
	Due       date.Date `json:"due"`
	Status    string    `json:"status"`
	Overdue   bool      `json:"overdue"`
	// DoneOn is when the workspace shows it done, when it says.
	DoneOn date.Date `json:"done_on,omitzero"`
	// Gates lists what this milestone holds back until it is done
	// (GateLivePHI: no system may hold real PHI before it).
	Gates []string `json:"gates"`
	// DependsOn lists the milestones that must come first. No SOC 2
	// milestone is ever a dependency of a HIPAA milestone.
	DependsOn []string `json:"depends_on"`
	// Tentative milestones are placed by ward without a commitment behind
	// them (HITRUST: when a contract demands it); they are never overdue.
	Tentative bool `json:"tentative,omitempty"`
	// Reason says why the milestone is in the plan and how its dates and
	// status were computed.
	Reason string `json:"reason"`
}

// Gate is a go-live condition and the milestones it waits for.
type Gate struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	WaitsFor []string `json:"waits_for"`
	// Open is true when every milestone it waits for is done.
	Open bool `json:"open"`
	// Date is when the gate opened (the last done date) or, while closed,
	// the earliest it can open on the plan: the last due date of what it
	// waits for, and never before the as-of date (an overdue milestone can
	// only be done from today on).
	Date   date.Date `json:"date"`
	Reason string    `json:"reason"`
}

// Status is what the caller knows about progress beyond the workspace
// model itself. Build reads nothing else, so that this package need not
// import the gate rules.
type Status struct {
	// Checked says Findings are the result of running `ward check` as of
	// the plan's as-of date. Without it execute-baas is never done: an
	// unrun check is not a clean one.
	Checked bool
	// Findings are ward check's findings; Build reads the error-level
	// baa.* ones.
	Findings []finding.Finding
	// Done marks milestones the caller knows are complete, with the date
	// (for example a SOC 2 report date recorded in the store). A date after
	// the as-of date does not count yet.
	Done map[string]date.Date
}

// Checked returns the Status for a run of ward check.
func Checked(findings []finding.Finding) Status {
	return Status{Checked: true, Findings: findings}
}

// baaErrors are the BAA findings that hold execute-baas open: every
// error-level baa.* finding, and a missing or expired upstream BAA at any
// severity. ward check only warns about a covered-entity customer that is
// merely signed up, but its BAA must still be in force before its first
// PHI (45 CFR 164.502(e)(1)-(2), 164.504(e)), so the milestone, and the
// live-PHI gate with it, stay closed until it is.
func (s Status) baaErrors() []finding.Finding {
	var out []finding.Finding
	for _, f := range s.Findings {
		if !strings.HasPrefix(f.Rule, "baa.") {
			continue
		}
		if f.Severity == finding.Error || f.Rule == "baa.upstream.missing" || f.Rule == "baa.expired" {
			out = append(out, f)
		}
	}
	return out
}

// Build computes the plan. start is the program start (the caller defaults
// it to organization.program_start; when it is still unset, Build uses the
// program start, then asOf). asOf decides statuses and is the "today" line.
func Build(ws *workspace.Workspace, start, asOf date.Date, st Status) Plan {
	if start.IsZero() {
		start = ws.Organization.ProgramStart
	}
	if start.IsZero() {
		start = asOf
	}
	d := decide(ws)
	p := Plan{
		Organization: ws.Organization.Name,
		Start:        start,
		AsOf:         asOf,
		Inputs:       d.in,
		Frameworks:   d.frameworks(),
		Milestones:   []Milestone{},
		Gates:        []Gate{},
	}
	s := schedule{ws: ws, d: d, start: start, asOf: asOf, st: st}
	p.Milestones = s.milestones()
	if d.hipaa {
		p.Gates = append(p.Gates, livePHIGate(p.Milestones, asOf))
	}
	return p
}

// Frameworks is the decision tree's answer alone: the frameworks that
// apply and why, without the roadmap (for rules that depend on them).
func Frameworks(ws *workspace.Workspace) []Framework { return decide(ws).frameworks() }

// Framework returns the framework entry for id, or nil.
func (p Plan) Framework(id string) *Framework {
	for i := range p.Frameworks {
		if p.Frameworks[i].ID == id {
			return &p.Frameworks[i]
		}
	}
	return nil
}

// Milestone returns the milestone id, or nil when it does not apply.
func (p Plan) Milestone(id string) *Milestone {
	for i := range p.Milestones {
		if p.Milestones[i].ID == id {
			return &p.Milestones[i]
		}
	}
	return nil
}

// Applying lists the ids of the frameworks that apply, in order.
func (p Plan) Applying() []string {
	var ids []string
	for _, f := range p.Frameworks {
		if f.Applies {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// Prerequisites is every milestone id that must be done before id,
// following DependsOn transitively.
func (p Plan) Prerequisites(id string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		m := p.Milestone(id)
		if m == nil {
			return
		}
		for _, dep := range m.DependsOn {
			if !seen[dep] {
				seen[dep] = true
				walk(dep)
			}
		}
	}
	walk(id)
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// decision is the decision tree evaluated once.
type decision struct {
	in          Inputs
	ce, ba, sub bool // roles as the rules read them
	// baDeclared: a business associate of covered entities (declared or
	// inferred), as opposed to only a subcontractor, which serves
	// business associates.
	baDeclared             bool
	hipaa, soc2, hitrust   bool
	hipaaR, soc2R, hitrstR string
}

func decide(ws *workspace.Workspace) decision {
	o := ws.Organization
	a := o.Answers
	d := decision{in: Inputs{
		HandlesPHI:              a.HandlesPHI,
		SellsToCoveredEntities:  a.SellsToCoveredEntities,
		EnterpriseHealthSystems: a.EnterpriseHealthSystems,
		BuyersAskSOC2:           a.BuyersAskSOC2,
		CoveredEntityCustomers:  []string{},
		Roles:                   slices.Clone(o.Roles),
	}}
	if d.in.Roles == nil {
		d.in.Roles = []string{}
	}
	for _, c := range ws.Customers {
		if c.CoveredEntity {
			d.in.CoveredEntityCustomers = append(d.in.CoveredEntityCustomers, c.ID)
			d.in.SellsToCoveredEntities = true
		}
	}
	d.ce = o.HasRole(workspace.RoleCoveredEntity)
	d.sub = o.HasRole(workspace.RoleSubcontractor)
	// A subcontractor is a business associate of a business associate
	// (45 CFR 160.103, "business associate" (3)(iii)).
	d.ba = o.HasRole(workspace.RoleBusinessAssociate) || d.sub
	d.baDeclared = o.HasRole(workspace.RoleBusinessAssociate)
	if len(o.Roles) == 0 && d.in.HandlesPHI && d.in.SellsToCoveredEntities {
		d.ba, d.baDeclared = true, true
		d.in.InferredRole = workspace.RoleBusinessAssociate
	}
	ceOnly := d.ce && !d.ba
	in := d.in

	// Rule 1 (and rule 5 for a covered entity).
	switch {
	case d.ce && !in.HandlesPHI:
		d.hipaa = true
		d.hipaaR = "Rule 5: you declare the covered-entity role, and HIPAA applies to every covered entity (45 CFR 160.103, 164.104) whatever the answers say; answers.handles_phi is false, which a covered entity cannot be: correct it."
	case in.HandlesPHI:
		d.hipaa = true
		r := "Rule 1: you will touch PHI, so HIPAA applies, and first: it is a legal obligation from the first PHI, SOC 2 is a commercial choice."
		switch {
		case d.ce && d.ba:
			r += " Rule 5: as a covered entity (45 CFR 160.103) you need BAAs with your business associates (164.502(e), 164.308(b)(1)); as a business associate the Security Rule binds you directly (164.302) and you flow BAAs down to your subcontractors (164.314(a)(2)(iii))."
		case d.ce:
			r += " Rule 5: as a covered entity providing care (45 CFR 160.103) you get HIPAA only, with BAAs with your business associates (164.502(e), 164.308(b)(1))."
		case d.sub:
			r += " Rule 5: as a subcontractor you are a business associate (45 CFR 160.103 definition of business associate); the Security Rule binds you directly (164.302) and you owe your upstream business associate a BAA (164.502(e)(1)(ii), 164.314(a)(2)(iii))."
		case d.ba:
			r += " Rule 5: as a business associate (45 CFR 160.103 definition of business associate) the Security Rule binds you directly (164.302), and you flow BAAs down to your subcontractors (164.502(e)(1)(ii), 164.314(a)(2)(iii))."
			if in.InferredRole != "" {
				r += " No role is declared; handling PHI for covered-entity customers makes you one: add roles: [business-associate]."
			}
		}
		d.hipaaR = r
	case d.ba:
		d.hipaaR = "Rule 1: you will not touch PHI, so HIPAA does not apply yet. You declare a business-associate role, but a business associate is defined by handling PHI for a covered entity (45 CFR 160.103): HIPAA applies from the first PHI, so answer again before that day."
	default:
		d.hipaaR = "Rule 1: you will not touch PHI, so HIPAA does not apply; go straight to SOC 2 if buyers ask for it."
	}

	// Rules 4 and 5.
	switch {
	case ceOnly && (in.BuyersAskSOC2 || in.EnterpriseHealthSystems):
		d.soc2R = "Rule 5: a covered entity providing care gets HIPAA only: SOC 2 does not apply to providing care. If you also sell a service to other covered entities, declare the business-associate role too."
	case ceOnly:
		d.soc2R = "Rule 5: a covered entity providing care gets HIPAA only: SOC 2 does not apply to providing care."
	case in.BuyersAskSOC2 && d.hipaa:
		d.soc2 = true
		d.soc2R = "Rule 4: buyers ask for SOC 2, so SOC 2 readiness starts in parallel with HIPAA, from week 4; a BAA is never delayed to wait for SOC 2 (no HIPAA milestone depends on a SOC 2 one)."
	case in.BuyersAskSOC2:
		d.soc2 = true
		d.soc2R = "Rules 1 and 4: without PHI HIPAA does not apply, and buyers ask for SOC 2, so SOC 2 is your first framework and its readiness starts at once."
	default:
		// Rule 4 decides SOC 2: buyers ask, or they do not. Selling to
		// large health systems (rule 3) does not by itself put SOC 2 in
		// the plan; what ward adds about it is advice, labelled as such.
		d.soc2R = "Rule 4: buyers do not ask for SOC 2, so it is not planned; answer again when they do."
		if in.EnterpriseHealthSystems {
			d.soc2R += " ward's own advice, not one of the rules: large health systems' vendor security reviews often ask for a SOC 2 report, so expect the question; when a buyer asks, set answers.buyers_ask_soc2: true and the plan adds SOC 2."
		}
	}
	if d.soc2 && o.SOC2.Type == "none" {
		d.soc2R += " But organization.soc2.type is none, so ward schedules no SOC 2 milestone while buyers ask for a report. Choose the report: set soc2.type: type1 (control design as of one date, 8–12 weeks after readiness starts) or type2 (operating effectiveness over an observation window, what buyers usually ask for next), then run ward plan again; or answer buyers_ask_soc2: false if they no longer ask."
	}

	// Rule 3.
	switch {
	case ceOnly && in.EnterpriseHealthSystems:
		d.hitrstR = "Rule 5: a covered entity providing care gets HIPAA only; HITRUST CSF is a vendor's answer to health-system buyers."
	case in.EnterpriseHealthSystems:
		d.hitrust = true
		d.hitrstR = "Rule 3: you sell to large health systems or academic medical centers, so plan HITRUST CSF later: it is not a first-program framework, and it reuses the HIPAA and SOC 2 evidence. Schedule it when an enterprise contract demands it."
	default:
		d.hitrstR = "Rule 3: no enterprise sales to large health systems or academic medical centers, so HITRUST CSF is not planned."
	}
	return d
}

func (d decision) frameworks() []Framework {
	fs := []Framework{
		{ID: HIPAA, Title: "HIPAA", Applies: d.hipaa, Reason: d.hipaaR},
		{ID: SOC2, Title: "SOC 2", Applies: d.soc2, Reason: d.soc2R},
		{ID: HITRUST, Title: "HITRUST CSF", Applies: d.hitrust, Reason: d.hitrstR},
	}
	// HIPAA before SOC 2 before HITRUST: a legal duty first, a commercial
	// one next, and the framework that reuses both last.
	n := 0
	for i := range fs {
		if fs[i].Applies {
			n++
			fs[i].Order = n
		}
	}
	// Applying frameworks first, in order; the rest keep their place.
	slices.SortStableFunc(fs, func(a, b Framework) int {
		switch {
		case a.Applies && !b.Applies:
			return -1
		case !a.Applies && b.Applies:
			return 1
		}
		return 0
	})
	return fs
}

// weeks returns the inclusive dates of weeks from..to counted from start,
// week 1 being start..start+6.
func weeks(start date.Date, from, to int) (date.Date, date.Date) {
	return start.AddDays(7 * (from - 1)), start.AddDays(7*to - 1)
}

// monthStart is the first day of program month n (month 1 begins on the
// start date; month 4 begins three calendar months later, clamped to the
// month's end by date.AddMonths).
func monthStart(start date.Date, n int) date.Date { return start.AddMonths(n - 1) }

// Defaults for SOC 2 and HITRUST timing.
const (
	// reportMonths is how long after the observation window ends the Type II
	// report is due: fieldwork, drafting and issuance. Three months puts a
	// 3-month window's report at the end of program month 9 and a 6-month
	// window's at the end of month 12: the "months 9–12".
	reportMonths = 3
	// hitrustMonths is the span given to a HITRUST r2 effort (readiness,
	// validated assessment, HITRUST's quality review).
	hitrustMonths = 12
)

// MinObservationMonths is the shortest Type II observation window common
// practice accepts for a first report. It is practice, not a rule: the
// AICPA sets no minimum period.
const MinObservationMonths = 3

// ShortObservationNote says why a window under MinObservationMonths is a
// risk, labelled as common practice (plan and ward check share it).
func ShortObservationNote(months int) string {
	return fmt.Sprintf("A %d-month window is shorter than common practice: not a rule (the AICPA sets no minimum period), but first SOC 2 Type II reports usually cover 3 to 6 months and later ones 12, and an auditor or buyer may not accept less than 3; lengthen organization.soc2.observation_months, or plan a Type I first.", months)
}

// RuleObservationShort is the rule id of Check.
const RuleObservationShort = "soc2.observation-short"

// Check is the plan's own ward check rule, soc2.observation-short: a
// SOC 2 Type II observation window the organization set shorter than
// MinObservationMonths is a warning that cites common practice, never
// law. It needs no date: the window's length does not change with it.
func Check(ws *workspace.Workspace) []finding.Finding {
	o := ws.Organization.SOC2
	if o.ObservationMonths <= 0 || o.ObservationMonths >= MinObservationMonths || o.Type == "none" || o.Type == "type1" {
		return nil
	}
	return []finding.Finding{{Rule: RuleObservationShort, Severity: finding.Warning, Subject: "organization",
		Message: fmt.Sprintf("organization.soc2.observation_months is %d. %s", o.ObservationMonths, ShortObservationNote(o.ObservationMonths))}}
}

type schedule struct {
	ws          *workspace.Workspace
	d           decision
	start, asOf date.Date
	st          Status
}

func (s schedule) milestones() []Milestone {
	var ms []Milestone
	add := func(m Milestone) {
		if m.Gates == nil {
			m.Gates = []string{}
		}
		if m.DependsOn == nil {
			m.DependsOn = []string{}
		}
		ms = append(ms, m)
	}
	if s.d.hipaa {
		for _, m := range s.hipaaMilestones() {
			add(m)
		}
	}
	if s.d.soc2 {
		for _, m := range s.soc2Milestones() {
			add(m)
		}
	}
	if s.d.hitrust {
		add(s.hitrustMilestone(ms))
	}
	if ms == nil {
		ms = []Milestone{}
	}
	return ms
}

// finish sets the status from the done date (zero: not done) and the dates.
func (s schedule) finish(m *Milestone, doneOn date.Date) {
	if d, ok := s.st.Done[m.ID]; ok && !d.IsZero() && !d.After(s.asOf) && doneOn.IsZero() {
		doneOn = d
	}
	switch {
	case !doneOn.IsZero() && !doneOn.After(s.asOf):
		m.Status = StatusDone
		m.DoneOn = doneOn
	case m.Due.Before(s.asOf) && m.Tentative:
		// Nothing committed to the date ward placed it on: still to do.
		m.Status = StatusNotStarted
	case m.Due.Before(s.asOf):
		m.Status = StatusOverdue
		m.Overdue = true
	case !m.Start.After(s.asOf):
		m.Status = StatusInProgress
	default:
		m.Status = StatusNotStarted
	}
}

func (s schedule) hipaaMilestones() []Milestone {
	ws, asOf := s.ws, s.asOf
	var out []Milestone

	// map-data-flows, weeks 1–2.
	m := Milestone{ID: MapDataFlows, Title: "Map PHI data flows", Framework: HIPAA}
	m.Start, m.Due = weeks(s.start, 1, 2)
	var phiSystems int
	var unowned []string
	for _, sys := range ws.Systems {
		if sys.PHI {
			phiSystems++
			if sys.Owner == "" {
				unowned = append(unowned, sys.ID)
			}
		}
	}
	m.Reason = "Weeks 1–2: every system, integration and storage location where PHI may live; the inventory the risk analysis starts from (164.308(a)(1)(ii)(A)). Done when systems and flows are recorded and every PHI system has an owner"
	var done date.Date
	switch {
	case len(ws.Systems) == 0 || len(ws.Flows) == 0:
		m.Reason += fmt.Sprintf("; recorded so far: %d systems, %d flows.", len(ws.Systems), len(ws.Flows))
	case phiSystems == 0:
		m.Reason += "; no system is marked phi: true yet."
	case len(unowned) > 0:
		m.Reason += "; without an owner: " + strings.Join(unowned, ", ") + "."
	default:
		m.Reason += "."
		done = s.start
	}
	s.finishMap(&m, done)
	out = append(out, m)

	// appoint-officers, weeks 1–2. A Privacy Officer is required of a
	// covered entity (164.530(a)(1)) and not of a business associate,
	// whose direct liability does not include 164.530(a) (HHS fact sheet
	// on business associates' direct liability, May 2019): ward check
	// warns (officer.privacy.missing), and the plan says the same.
	m = Milestone{ID: AppointOfficers, Title: "Appoint Privacy and Security Officers", Framework: HIPAA}
	m.Start, m.Due = weeks(s.start, 1, 2)
	off := ws.Organization.Officers
	privacyMissing := off.Privacy == "" || ws.Person(off.Privacy) == nil
	securityMissing := off.Security == "" || ws.Person(off.Security) == nil
	var missing []string
	if s.d.ce {
		m.Reason = "Weeks 1–2: a Security Officer (164.308(a)(2)) and, as a covered entity, a Privacy Officer (164.530(a)(1)); one person may be both. Done when both are named people in people"
		if privacyMissing {
			missing = append(missing, "privacy")
		}
	} else {
		m.Title = "Appoint a Security Officer (Privacy Officer recommended)"
		m.Reason = "Weeks 1–2: a Security Officer (164.308(a)(2)). A Privacy Officer is required of covered entities (164.530(a)); a business associate is not required to name one, but its BAAs pass Privacy Rule duties to it, so ward recommends one (ward check warns, officer.privacy.missing); one person may be both. Done when the Security Officer is a named person in people"
	}
	if securityMissing {
		missing = append(missing, "security")
	}
	if len(missing) > 0 {
		m.Reason += "; missing or not in people: " + strings.Join(missing, ", ") + "."
		s.finish(&m, date.Date{})
	} else {
		if !s.d.ce && privacyMissing {
			m.Reason += "; no Privacy Officer is named yet (recommended, not required)."
		} else {
			m.Reason += "."
		}
		s.finishMap(&m, s.start)
	}
	out = append(out, m)

	// risk-analysis, weeks 2–4.
	m = Milestone{ID: RiskAnalysis, Title: "Security Rule risk analysis", Framework: HIPAA,
		Gates: []string{GateLivePHI}, DependsOn: []string{MapDataFlows}}
	m.Start, m.Due = weeks(s.start, 2, 4)
	m.Reason = "Weeks 2–4: the Security Rule risk analysis, 164.308(a)(1)(ii)(A): methodology, inventory, mitigation plan. Live PHI waits for it."
	done = date.Date{}
	if ra := ws.LatestRiskAnalysis(asOf); ra != nil {
		done = ra.Performed
		m.Reason += fmt.Sprintf(" Recorded: %s, performed %s.", ra.ID, ra.Performed)
	}
	s.finish(&m, done)
	out = append(out, m)

	// execute-baas, weeks 4–6.
	m = Milestone{ID: ExecuteBAAs, Title: "Execute BAAs", Framework: HIPAA,
		Gates: []string{GateLivePHI}, DependsOn: []string{MapDataFlows}}
	m.Start, m.Due = weeks(s.start, 4, 6)
	m.Reason = "Weeks 4–6: " + s.baaScope() + " Live PHI waits for them, and SOC 2 never does: no SOC 2 milestone comes before this one (rule 4)."
	done = date.Date{}
	switch errs := s.st.baaErrors(); {
	case !s.st.Checked:
		m.Reason += " Done when ward check finds no BAA missing, expired or unsigned; it has not been run for this plan."
	case len(errs) > 0:
		subj := make([]string, 0, len(errs))
		for _, f := range errs {
			x := f.Rule + " " + f.Subject
			if f.Severity != finding.Error {
				x += " (a warning in ward check: no live PHI yet, but the BAA comes first)"
			}
			subj = append(subj, x)
		}
		m.Reason += fmt.Sprintf(" Not done: ward check finds %d BAA gap(s): %s.", len(errs), strings.Join(subj, "; "))
	default:
		m.Reason += " ward check finds no BAA missing, expired or unsigned."
		done = asOf
		// The latest executed BAA dates the milestone when there is one.
		for _, a := range ws.Agreements {
			if a.Kind == "baa" && a.InForce(asOf) && (done.Equal(asOf) || a.Effective.After(done)) {
				done = a.Effective
			}
		}
	}
	s.finish(&m, done)
	out = append(out, m)
	return out
}

// finishMap sets the status of a milestone whose completion has no date of
// its own (the map, the officers): done when its condition holds now and
// the program has started, with DoneOn left unset rather than invented.
func (s schedule) finishMap(m *Milestone, done date.Date) {
	if !done.IsZero() {
		if s.asOf.Before(s.start) {
			done = date.Date{}
		} else {
			done = s.start
		}
	}
	s.finish(m, done)
	if !done.IsZero() {
		// There is no date to report, only that it holds now.
		m.DoneOn = date.Date{}
	}
}

// baaScope says whose BAAs this organization needs, by its role.
func (s schedule) baaScope() string {
	d := s.d
	var parts []string
	if d.in.SellsToCoveredEntities && d.baDeclared {
		who := "each covered-entity customer"
		if n := len(d.in.CoveredEntityCustomers); n > 0 {
			who += " (" + strings.Join(d.in.CoveredEntityCustomers, ", ") + ")"
		}
		parts = append(parts, "rule 2: a BAA with "+who+" before live PHI (164.502(e), 164.504(e))")
	}
	if d.sub {
		// A subcontractor signs with the business associate it serves,
		// not with that business associate's covered entities
		// (164.502(e)(1)(ii), 164.504(e)(5)).
		who := "the business associate you serve"
		var bas []string
		for _, c := range s.ws.Customers {
			if !c.CoveredEntity {
				bas = append(bas, c.ID)
			}
		}
		if len(bas) > 0 {
			who = "each business associate you serve (" + strings.Join(bas, ", ") + ")"
		}
		p := "a BAA with " + who + " before its PHI reaches you (164.502(e)(1)(ii), 164.504(e)(5)), not with the covered entities it serves"
		if !d.baDeclared && len(d.in.CoveredEntityCustomers) > 0 {
			p += "; " + strings.Join(d.in.CoveredEntityCustomers, ", ") + " are recorded as covered entities: serving a covered entity directly makes you its business associate, so declare that role too"
		}
		parts = append(parts, p)
	}
	if d.ba {
		parts = append(parts, "flow-down BAAs with every subprocessor that holds or carries PHI (164.502(e)(1)(ii), 164.314(a)(2)(iii))")
	}
	if d.ce {
		parts = append(parts, "a BAA with every business associate that handles your PHI (164.502(e), 164.308(b)(1), 164.314(a))")
	}
	if len(parts) == 0 {
		parts = append(parts, "a BAA with every vendor that holds or carries PHI for you (164.502(e), 164.314(a))")
	}
	s0 := strings.Join(parts, "; ")
	return strings.ToUpper(s0[:1]) + s0[1:] + "."
}

func (s schedule) soc2Milestones() []Milestone {
	o := s.ws.Organization.SOC2
	asOf := s.asOf
	var out []Milestone
	if o.Type == "none" {
		return nil
	}

	// soc2-readiness: from week 4, in parallel with the BAAs, for the eight
	// weeks before a Type I can be attempted; from week 1 when HIPAA does
	// not apply, since nothing comes before it.
	rs, _ := weeks(s.start, 4, 4)
	reason := "From week 4, in parallel with HIPAA (rule 4): scope, policies and controls on the platform, for eight weeks before a Type I can be attempted. Nothing on the HIPAA side waits for it."
	if !s.d.hipaa {
		rs = s.start
		reason = "From week 1: without PHI, SOC 2 is your first framework (rules 1 and 4), so readiness starts at once: scope, policies and controls on the platform, for eight weeks before a Type I can be attempted."
	}
	r := Milestone{ID: SOC2Readiness, Title: "SOC 2 readiness", Framework: SOC2,
		Start: rs, Due: rs.AddDays(8*7 - 1)}
	r.Reason = reason
	var rDone date.Date
	if !o.ObservationStart.IsZero() && !o.ObservationStart.After(asOf) {
		rDone = o.ObservationStart
		r.Reason += " Done: the Type II observation window has started."
	}
	s.finish(&r, rDone)
	out = append(out, r)

	// soc2-type1: 8–12 weeks after readiness starts; Start is the earliest
	// (8 weeks), Due the latest (12 weeks). A Type II target keeps it (the
	// seeds' plan: Type I in 8–12 weeks, then the Type II window) unless
	// the organization records that it skips the Type I.
	if !o.SkipType1 {
		m := Milestone{ID: SOC2Type1, Title: "SOC 2 Type I report", Framework: SOC2,
			Start: rs.AddDays(8 * 7), Due: rs.AddDays(12 * 7), DependsOn: []string{SOC2Readiness}}
		m.Reason = "8–12 weeks after readiness starts: the start date is the earliest (8 weeks), the due date the latest (12 weeks). A Type I reports on control design as of one date."
		if o.Type == "type2" {
			m.Reason += " Your target is a Type II: the Type I comes first and gives buyers a report while the observation window runs; if you go straight to the Type II, record organization.soc2.skip_type1: true."
		}
		s.finish(&m, date.Date{})
		out = append(out, m)
	}

	// soc2-type2-observation: from month 4, or the recorded start.
	n := o.Months() // 3 when unset, typical for a first cycle; never past 24
	obs := Milestone{ID: SOC2Type2Observation, Title: "SOC 2 Type II observation period", Framework: SOC2,
		DependsOn: []string{SOC2Readiness}}
	if o.ObservationStart.IsZero() {
		obs.Start = monthStart(s.start, 4)
		obs.Reason = fmt.Sprintf("From month 4 for %d months", n)
	} else {
		obs.Start = o.ObservationStart
		obs.Reason = fmt.Sprintf("From organization.soc2.observation_start for %d months", n)
	}
	obs.Due = obs.Start.AddMonths(n).AddDays(-1)
	switch {
	case o.ObservationMonths <= 0:
		obs.Reason += " (3 typical for a first cycle; set organization.soc2.observation_months: 6, increasingly asked by health systems)."
	case o.ObservationMonths < MinObservationMonths:
		obs.Reason += " (organization.soc2.observation_months). " + ShortObservationNote(o.ObservationMonths)
	default:
		obs.Reason += " (organization.soc2.observation_months)."
	}
	var oDone date.Date
	if !o.ObservationStart.IsZero() {
		// A recorded window is done once it has elapsed.
		if obs.Due.Before(asOf) {
			oDone = obs.Due
		}
	} else {
		obs.Reason += " Record organization.soc2.observation_start when the window begins."
	}
	s.finish(&obs, oDone)
	out = append(out, obs)

	// soc2-type2-report: fieldwork and issuance after the window closes.
	rep := Milestone{ID: SOC2Type2Report, Title: "SOC 2 Type II report", Framework: SOC2,
		Start: obs.Due.AddDays(1), Due: obs.Start.AddMonths(n + reportMonths).AddDays(-1),
		DependsOn: []string{SOC2Type2Observation}}
	rep.Reason = fmt.Sprintf("Auditor fieldwork and the report follow the observation window: due %d months after it closes, which is months 9–12 of the program for a 3- to 6-month window from month 4.", reportMonths)
	s.finish(&rep, date.Date{})
	out = append(out, rep)
	return out
}

// hitrustMilestone places HITRUST after a year of evidence and after the
// SOC 2 Type II report it reuses. It is tentative: the real date is the
// enterprise contract that demands it.
func (s schedule) hitrustMilestone(ms []Milestone) Milestone {
	m := Milestone{ID: HITRUSTAssessment, Title: "HITRUST CSF assessment", Framework: HITRUST, Tentative: true}
	m.Start = monthStart(s.start, 13)
	for _, prev := range ms {
		switch prev.ID {
		case SOC2Type2Report, RiskAnalysis:
			m.DependsOn = append(m.DependsOn, prev.ID)
			if next := prev.Due.AddDays(1); next.After(m.Start) {
				m.Start = next
			}
		}
	}
	m.Due = m.Start.AddMonths(hitrustMonths).AddDays(-1)
	m.Reason = "When enterprise contracts demand it (often Series B or later), reusing the HIPAA and SOC 2 evidence: placed from program month 13, after the SOC 2 Type II report, for twelve months. Tentative, so never overdue."
	s.finish(&m, date.Date{})
	return m
}

// livePHIGate is the go-live condition: no real PHI before the risk
// analysis and the BAAs. SOC 2 milestones are never among them.
func livePHIGate(ms []Milestone, asOf date.Date) Gate {
	g := Gate{ID: GateLivePHI, Title: "Live PHI", WaitsFor: []string{}, Open: true}
	var pending []string
	for _, m := range ms {
		if !slices.Contains(m.Gates, GateLivePHI) {
			continue
		}
		g.WaitsFor = append(g.WaitsFor, m.ID)
		if m.Status == StatusDone {
			g.Date = date.Max(g.Date, m.DoneOn)
		} else {
			g.Open = false
			pending = append(pending, m.ID)
		}
	}
	if !g.Open {
		g.Date = date.Date{}
		for _, m := range ms {
			if slices.Contains(pending, m.ID) {
				g.Date = date.Max(g.Date, m.Due)
			}
		}
		g.Date = date.Max(g.Date, asOf)
		verb := " is"
		if len(pending) > 1 {
			verb = " are"
		}
		g.Reason = "No system may hold real PHI until " + strings.Join(pending, " and ") + verb + " done (ward check's go-live gate); SOC 2 never holds it back."
	} else {
		g.Reason = "The risk analysis is documented and ward check finds no BAA missing, expired or unsigned: real PHI may go live. SOC 2 never held it back."
	}
	return g
}
