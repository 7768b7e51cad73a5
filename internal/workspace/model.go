// Package workspace is ward's data model and its YAML file format: the
// in-memory organization every rule is evaluated over, its parser with
// file:line:field errors, and its writer.
//
// The format is a contract (DESIGN.md, "Workspace files"): names keep their
// meaning, the format may grow. This package must not depend on storage,
// HTTP or any domain package; domain packages depend on it.
package workspace

import (
	"slices"

	"ward/internal/date"
)

// Workspace is one organization and everything it records.
type Workspace struct {
	Organization Organization `yaml:"organization" json:"organization"`
	People       []Person     `yaml:"people,omitempty" json:"people"`
	Systems      []System     `yaml:"systems,omitempty" json:"systems"`
	Flows        []Flow       `yaml:"flows,omitempty" json:"flows"`
	Vendors      []Vendor     `yaml:"vendors,omitempty" json:"vendors"`
	Agreements   []Agreement  `yaml:"agreements,omitempty" json:"agreements"`
	Customers    []Customer   `yaml:"customers,omitempty" json:"customers"`
	// Threats and Vulnerabilities are the organization's own entries in
	// the risk libraries, beside the embedded ones (ward risk threats).
	Threats         []Threat        `yaml:"threats,omitempty" json:"threats"`
	Vulnerabilities []Vulnerability `yaml:"vulnerabilities,omitempty" json:"vulnerabilities"`
	RiskAnalyses    []RiskAnalysis  `yaml:"risk_analyses,omitempty" json:"risk_analyses"`
	Risks           []Risk          `yaml:"risks,omitempty" json:"risks"`
	Controls        []Control       `yaml:"controls,omitempty" json:"controls"`
	Evidence        []Evidence      `yaml:"evidence,omitempty" json:"evidence"`
	Incidents       []Incident      `yaml:"incidents,omitempty" json:"incidents"`
	// The Privacy Rule records of a covered entity (privacy.go).
	PrivacyRequests []PrivacyRequest `yaml:"privacy_requests,omitempty" json:"privacy_requests"`
	Complaints      []Complaint      `yaml:"complaints,omitempty" json:"complaints"`
	PrivacyNotices  []PrivacyNotice  `yaml:"privacy_notices,omitempty" json:"privacy_notices"`

	// ScanFailing is derived, never written to files: per control, the
	// failing findings of imported scans (ward import prowler|csv) that
	// no newer scan has superseded. The store fills it when it loads an
	// organization; a workspace read from files has none.
	ScanFailing map[string]int `yaml:"-" json:"-"`
	// ScanFailingBy is ScanFailing per framework whose requirement ids
	// placed the findings ("hipaa", "soc2"; "" for placements that name
	// no framework, as a mapped CSV's): a Prowler check's HIPAA impact is
	// judged by its HIPAA ids alone (ScanFailingFor).
	ScanFailingBy map[string]map[string]int `yaml:"-" json:"-"`
	// ScanChecks are the checks with open failing findings and the
	// controls they land on, so that one landing only on controls the
	// organization has not adopted is shown, not lost.
	ScanChecks []ScanCheck `yaml:"-" json:"-"`
}

// ScanCheck is a scanner check with open failing findings (derived).
type ScanCheck struct {
	Check    string   `json:"check"`
	Failing  int      `json:"failing"`
	Controls []string `json:"controls"` // in any framework, sorted
}

// ScanFrameworks are the frameworks whose own requirement ids place a
// scanner finding (Prowler writes HIPAA and SOC 2 ids).
var ScanFrameworks = []string{"hipaa", "soc2"}

// ScanFailingFor is how many open failing findings land on the control
// for a framework: for HIPAA and SOC 2, those its own requirement ids
// placed there (and placements that name no framework); for any other
// framework, every open finding on the control.
func (ws *Workspace) ScanFailingFor(framework, control string) int {
	if ws.ScanFailingBy == nil || !slices.Contains(ScanFrameworks, framework) {
		return ws.ScanFailing[control]
	}
	return ws.ScanFailingBy[framework][control] + ws.ScanFailingBy[""][control]
}

// Organization roles under HIPAA (45 CFR 160.103).
const (
	RoleCoveredEntity     = "covered-entity"
	RoleBusinessAssociate = "business-associate"
	RoleSubcontractor     = "subcontractor"
)

type Organization struct {
	// Slug names the organization in a database that holds several (an
	// MSP's client practices). Derived from the name when omitted.
	Slug         string    `yaml:"slug,omitempty" json:"slug"`
	Name         string    `yaml:"name" json:"name"`
	Roles        []string  `yaml:"roles,omitempty" json:"roles"`
	ProgramStart date.Date `yaml:"program_start,omitempty" json:"program_start"`
	Answers      Answers   `yaml:"answers,omitempty" json:"answers"`
	Officers     Officers  `yaml:"officers,omitempty" json:"officers"`
	SOC2         SOC2      `yaml:"soc2,omitempty" json:"soc2"`
	// RiskMatrix overrides the default 5×5 level matrix: five rows for
	// likelihood 1..5, each five levels for impact 1..5.
	RiskMatrix [][]string `yaml:"risk_matrix,omitempty" json:"risk_matrix,omitempty"`
}

// HasRole reports whether the organization declares role.
func (o Organization) HasRole(role string) bool { return slices.Contains(o.Roles, role) }

// Answers are the decision tree's four questions (DESIGN.md, domain 1).
type Answers struct {
	HandlesPHI              bool `yaml:"handles_phi" json:"handles_phi"`
	SellsToCoveredEntities  bool `yaml:"sells_to_covered_entities" json:"sells_to_covered_entities"`
	EnterpriseHealthSystems bool `yaml:"enterprise_health_systems" json:"enterprise_health_systems"`
	BuyersAskSOC2           bool `yaml:"buyers_ask_soc2" json:"buyers_ask_soc2"`
}

// Officers are people's e-mail addresses (164.308(a)(2) and 164.530(a)).
type Officers struct {
	Privacy  string `yaml:"privacy,omitempty" json:"privacy"`
	Security string `yaml:"security,omitempty" json:"security"`
}

type SOC2 struct {
	Type              string    `yaml:"type,omitempty" json:"type"` // none | type1 | type2
	ObservationStart  date.Date `yaml:"observation_start,omitempty" json:"observation_start"`
	ObservationMonths int       `yaml:"observation_months,omitempty" json:"observation_months"`
	// Categories beyond Security (always in scope): availability,
	// confidentiality, processing-integrity, privacy.
	Categories []string `yaml:"categories,omitempty" json:"categories"`
	// SkipType1 records that a Type II target goes straight to the Type II
	// observation window without a Type I report first; without it the
	// plan keeps the Type I milestone 8–12 weeks after readiness starts.
	SkipType1 bool `yaml:"skip_type1,omitempty" json:"skip_type1"`
}

type Person struct {
	Email string `yaml:"email" json:"email"`
	Name  string `yaml:"name,omitempty" json:"name"`
	Role  string `yaml:"role,omitempty" json:"role"` // job title, free text
}

// System kinds.
var SystemKinds = []string{"service", "datastore", "saas", "endpoint", "network", "other"}

type System struct {
	ID              string `yaml:"id" json:"id"`
	Name            string `yaml:"name,omitempty" json:"name"`
	Kind            string `yaml:"kind" json:"kind"`
	Vendor          string `yaml:"vendor,omitempty" json:"vendor"`
	PHI             bool   `yaml:"phi" json:"phi"`
	LivePHI         bool   `yaml:"live_phi" json:"live_phi"`
	EncryptedAtRest bool   `yaml:"encrypted_at_rest" json:"encrypted_at_rest"`
	Owner           string `yaml:"owner,omitempty" json:"owner"`
	Description     string `yaml:"description,omitempty" json:"description"`
}

type Flow struct {
	// Name tells two flows between the same systems apart; optional.
	Name               string `yaml:"name,omitempty" json:"name"`
	From               string `yaml:"from" json:"from"`
	To                 string `yaml:"to" json:"to"`
	PHI                bool   `yaml:"phi" json:"phi"`
	EncryptedInTransit bool   `yaml:"encrypted_in_transit" json:"encrypted_in_transit"`
	Description        string `yaml:"description,omitempty" json:"description"`
}

// Key identifies a flow: the two ends, and the name when there is one.
func (f Flow) Key() string {
	k := f.From + "->" + f.To
	if f.Name != "" {
		k += "#" + f.Name
	}
	return k
}

type Vendor struct {
	ID       string   `yaml:"id" json:"id"`
	Name     string   `yaml:"name,omitempty" json:"name"`
	Services []string `yaml:"services,omitempty" json:"services"`
	Contact  string   `yaml:"contact,omitempty" json:"contact"`
}

var (
	AgreementKinds      = []string{"baa", "dpa", "msa"}
	AgreementDirections = []string{"downstream", "upstream"}
	AgreementStatuses   = []string{"draft", "sent", "executed", "expired", "terminated"}
)

type Agreement struct {
	ID           string    `yaml:"id" json:"id"`
	Kind         string    `yaml:"kind" json:"kind"`
	Counterparty string    `yaml:"counterparty" json:"counterparty"` // vendor or customer id
	Direction    string    `yaml:"direction" json:"direction"`
	Status       string    `yaml:"status" json:"status"`
	Effective    date.Date `yaml:"effective,omitempty" json:"effective"`
	Expires      date.Date `yaml:"expires,omitempty" json:"expires"`
	// BreachNoticeDays: how many days the party that discovers a breach
	// has to tell the other. Zero means the agreement sets no term.
	BreachNoticeDays int `yaml:"breach_notice_days,omitempty" json:"breach_notice_days"`
	// File is the signed copy, relative to the workspace, hashed on apply.
	File   string `yaml:"file,omitempty" json:"file"`
	SHA256 string `yaml:"sha256,omitempty" json:"sha256"`
	// Clauses are the 164.504(e) checklist items a reviewer found present.
	Clauses []string `yaml:"clauses,omitempty" json:"clauses"`
	// Agent records that the business associate acts as the covered
	// entity's agent under the federal common law of agency: on an
	// upstream BAA, we are the customer's agent; on a downstream one, the
	// vendor is ours. An agent's knowledge of a breach is its principal's
	// (164.404(a)(2)), so the principal's clocks start at the agent's
	// discovery.
	Agent bool `yaml:"agent,omitempty" json:"agent"`
	// NotifiesOnBehalf, on an upstream BAA, records that the agreement
	// delegates the covered entity's notices (to individuals, the media
	// and HHS, 164.404-164.408) to us: ward then answers those deadlines
	// too, as given on the covered entity's behalf.
	NotifiesOnBehalf bool `yaml:"notifies_on_behalf,omitempty" json:"notifies_on_behalf"`
	// ClauseReview is the clause-by-clause review of the BAA checklist:
	// each clause present, missing or not applicable, with a note. It
	// says more than Clauses (which lists only what was found present);
	// a clause marked here wins over Clauses.
	ClauseReview []ClauseMark `yaml:"clause_review,omitempty" json:"clause_review"`
	Notes        string       `yaml:"notes,omitempty" json:"notes"`
}

// Clause review marks.
const (
	ClausePresent       = "present"
	ClauseMissing       = "missing"
	ClauseNotApplicable = "n/a"
)

var ClauseStatuses = []string{ClausePresent, ClauseMissing, ClauseNotApplicable}

// ClauseMark is one checklist clause as a reviewer found it in the signed
// agreement.
type ClauseMark struct {
	Clause string `yaml:"clause" json:"clause"` // a BAA checklist clause id
	Status string `yaml:"status" json:"status"` // present | missing | n/a
	Note   string `yaml:"note,omitempty" json:"note"`
}

// Reviewed reports whether anyone reviewed the agreement's clauses.
func (a Agreement) Reviewed() bool { return len(a.Clauses) > 0 || len(a.ClauseReview) > 0 }

// ClauseStatus is how the review marks a clause: the ClauseReview mark,
// else present when Clauses lists it, else "" (not reviewed, or not found
// by a review that listed only what was present).
func (a Agreement) ClauseStatus(id string) string {
	for _, m := range a.ClauseReview {
		if m.Clause == id {
			return m.Status
		}
	}
	if slices.Contains(a.Clauses, id) {
		return ClausePresent
	}
	return ""
}

// InForce reports whether the agreement counts on asOf: executed,
// effective on or before asOf, and not past its expiry.
func (a Agreement) InForce(asOf date.Date) bool {
	if a.Status != "executed" || a.Effective.IsZero() || a.Effective.After(asOf) {
		return false
	}
	return a.Expires.IsZero() || !a.Expires.Before(asOf)
}

type Customer struct {
	ID            string `yaml:"id" json:"id"`
	Name          string `yaml:"name,omitempty" json:"name"`
	CoveredEntity bool   `yaml:"covered_entity" json:"covered_entity"`
	LivePHI       bool   `yaml:"live_phi" json:"live_phi"`
	// GoLive is the date the customer's real PHI starts (or started)
	// flowing: the go-live gate treats a customer whose go-live date is
	// near or past as about to go live (phimap.GoLiveSoonDays).
	GoLive  date.Date `yaml:"go_live,omitempty" json:"go_live"`
	Contact string    `yaml:"contact,omitempty" json:"contact"`
}

// GoingLive reports whether a customer without live PHI yet is about to
// go live on asOf: its go-live date is within the next `within` days or
// has already come.
func (c Customer) GoingLive(asOf date.Date, within int) bool {
	return !c.LivePHI && !c.GoLive.IsZero() && !c.GoLive.After(asOf.AddDays(within))
}

// ThreatCategories are the threat source types of NIST SP 800-30 Rev. 1,
// Appendix D, Table D-2.
var ThreatCategories = []string{"adversarial", "accidental", "structural", "environmental"}

// Threat is an organization's own threat event for its risk analyses:
// one the embedded library lacks (an LLM vendor retaining prompts, a
// clinic's shared front-desk login). Risks name it by id.
type Threat struct {
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Category    string `yaml:"category" json:"category"`
	Description string `yaml:"description,omitempty" json:"description"`
	// Vulnerabilities it commonly exploits: library or own ids.
	Vulnerabilities []string `yaml:"vulnerabilities,omitempty" json:"vulnerabilities"`
	// Controls are the unified (or own) control ids that mitigate it.
	Controls []string `yaml:"controls,omitempty" json:"controls"`
}

// Vulnerability is an organization's own vulnerability or predisposing
// condition, beside the embedded library's.
type Vulnerability struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Description string   `yaml:"description,omitempty" json:"description"`
	Controls    []string `yaml:"controls,omitempty" json:"controls"`
}

type RiskAnalysis struct {
	ID          string    `yaml:"id" json:"id"`
	Performed   date.Date `yaml:"performed" json:"performed"`
	Scope       string    `yaml:"scope,omitempty" json:"scope"`
	Methodology string    `yaml:"methodology,omitempty" json:"methodology"`
	PerformedBy string    `yaml:"performed_by,omitempty" json:"performed_by"`
	ApprovedBy  string    `yaml:"approved_by,omitempty" json:"approved_by"`
	// Previous is the analysis this one reviews, for the year-on-year diff.
	Previous string `yaml:"previous,omitempty" json:"previous"`
	Notes    string `yaml:"notes,omitempty" json:"notes"`
}

var RiskTreatments = []string{"mitigate", "accept", "transfer", "avoid"}

type Risk struct {
	ID            string `yaml:"id" json:"id"`
	Analysis      string `yaml:"analysis,omitempty" json:"analysis"`
	Asset         string `yaml:"asset" json:"asset"` // a system id
	Threat        string `yaml:"threat" json:"threat"`
	Vulnerability string `yaml:"vulnerability" json:"vulnerability"`
	Likelihood    int    `yaml:"likelihood" json:"likelihood"` // 1..5
	Impact        int    `yaml:"impact" json:"impact"`         // 1..5
	// Controls in place that reduce the risk (unified control ids).
	Controls []string `yaml:"controls,omitempty" json:"controls"`
	// Residual likelihood and impact after treatment; zero: as inherent.
	ResidualLikelihood int       `yaml:"residual_likelihood,omitempty" json:"residual_likelihood"`
	ResidualImpact     int       `yaml:"residual_impact,omitempty" json:"residual_impact"`
	Treatment          string    `yaml:"treatment" json:"treatment"`
	Owner              string    `yaml:"owner,omitempty" json:"owner"`
	Due                date.Date `yaml:"due,omitempty" json:"due"`
	// Completed is when the treatment was carried out; a risk with a
	// completed treatment is no longer overdue.
	Completed        date.Date `yaml:"completed,omitempty" json:"completed"`
	AcceptedBy       string    `yaml:"accepted_by,omitempty" json:"accepted_by"`
	AcceptedOn       date.Date `yaml:"accepted_on,omitempty" json:"accepted_on"`
	AcceptanceReason string    `yaml:"acceptance_reason,omitempty" json:"acceptance_reason"`
	Notes            string    `yaml:"notes,omitempty" json:"notes"`
}

var (
	ControlStatuses = []string{"planned", "in-progress", "implemented", "not-applicable"}
	Frequencies     = []string{"continuous", "daily", "weekly", "monthly", "quarterly", "semi-annual", "annual", "on-event"}
)

type Control struct {
	ID        string `yaml:"id" json:"id"`
	Status    string `yaml:"status" json:"status"`
	Owner     string `yaml:"owner,omitempty" json:"owner"`
	Frequency string `yaml:"frequency,omitempty" json:"frequency"`
	// Title and Description name an organization's own control (one that
	// is not in the unified catalog).
	Title       string `yaml:"title,omitempty" json:"title"`
	Description string `yaml:"description,omitempty" json:"description"`
	// Justification is required for not-applicable; for a HIPAA addressable
	// specification, EquivalentMeasure documents the alternative
	// (164.306(d)(3)).
	Justification     string `yaml:"justification,omitempty" json:"justification"`
	EquivalentMeasure string `yaml:"equivalent_measure,omitempty" json:"equivalent_measure"`
	Notes             string `yaml:"notes,omitempty" json:"notes"`
	// Mappings of an organization's own control: framework id -> ids.
	Mappings map[string][]string `yaml:"mappings,omitempty" json:"mappings,omitempty"`
}

// Evidence sources.
const (
	SourceWorkspace = "workspace"
	SourceUpload    = "upload"
	SourceImporter  = "importer"
	SourceCLI       = "cli" // `ward evidence add`
)

// Evidence is a dated artifact attached to one or more controls. It is
// immutable: a correction is a new item that Supersedes the old one.
type Evidence struct {
	ID          string    `yaml:"id,omitempty" json:"id"`
	Control     string    `yaml:"control,omitempty" json:"control"`
	Controls    []string  `yaml:"controls,omitempty" json:"controls"`
	Collected   date.Date `yaml:"collected" json:"collected"`
	PeriodStart date.Date `yaml:"period_start,omitempty" json:"period_start"`
	PeriodEnd   date.Date `yaml:"period_end,omitempty" json:"period_end"`
	File        string    `yaml:"file,omitempty" json:"file"`
	Link        string    `yaml:"link,omitempty" json:"link"`
	Note        string    `yaml:"note,omitempty" json:"note"`
	Supersedes  string    `yaml:"supersedes,omitempty" json:"supersedes"`
	// Set by ward, written on export so an auditor can check the file.
	SHA256 string `yaml:"sha256,omitempty" json:"sha256"`
	Size   int64  `yaml:"size,omitempty" json:"size"`
	Type   string `yaml:"type,omitempty" json:"type"`
	Source string `yaml:"source,omitempty" json:"source"`
	// AddedBy is who attached it (an e-mail, or "apply" for the workspace).
	AddedBy string `yaml:"added_by,omitempty" json:"added_by"`
}

// ControlIDs is every control the evidence is attached to.
func (e Evidence) ControlIDs() []string {
	ids := slices.Clone(e.Controls)
	if e.Control != "" && !slices.Contains(ids, e.Control) {
		ids = append([]string{e.Control}, ids...)
	}
	return ids
}

// Covers reports whether the evidence speaks for the period [from, to]:
// its collection date, or its stated period, falls inside.
func (e Evidence) Covers(from, to date.Date) bool {
	in := func(d date.Date) bool { return !d.IsZero() && !d.Before(from) && !d.After(to) }
	if in(e.Collected) {
		return true
	}
	if !e.PeriodStart.IsZero() && !e.PeriodEnd.IsZero() {
		return !e.PeriodEnd.Before(from) && !e.PeriodStart.After(to)
	}
	return false
}

var (
	IncidentStatuses = []string{"open", "contained", "closed"}
	DelayKinds       = []string{"written", "oral"}
	// BreachExclusions are the three statutory exceptions of 164.402(1).
	BreachExclusions = []string{"workforce-good-faith", "inadvertent-authorized", "unable-to-retain"}
)

type Incident struct {
	ID          string         `yaml:"id" json:"id"`
	Discovered  date.Date      `yaml:"discovered" json:"discovered"`
	Occurred    date.Date      `yaml:"occurred,omitempty" json:"occurred"`
	Summary     string         `yaml:"summary" json:"summary"`
	Status      string         `yaml:"status,omitempty" json:"status"`
	Systems     []string       `yaml:"systems,omitempty" json:"systems"`
	Vendors     []string       `yaml:"vendors,omitempty" json:"vendors"`
	Customers   []string       `yaml:"customers,omitempty" json:"customers"`
	PHIInvolved bool           `yaml:"phi_involved" json:"phi_involved"`
	PHITypes    []string       `yaml:"phi_types,omitempty" json:"phi_types"`
	Individuals int            `yaml:"individuals,omitempty" json:"individuals"`
	States      map[string]int `yaml:"states,omitempty" json:"states"`
	// Encrypted: the PHI was encrypted (or destroyed) per HHS guidance;
	// the safe harbor also needs key_compromised: false (KeyCompromised).
	Encrypted           bool            `yaml:"encrypted" json:"encrypted"`
	LawEnforcementDelay *Delay          `yaml:"law_enforcement_delay,omitempty" json:"law_enforcement_delay,omitempty"`
	Assessment          *Assessment     `yaml:"assessment,omitempty" json:"assessment,omitempty"`
	Timeline            []TimelineEntry `yaml:"timeline,omitempty" json:"timeline"`

	// HeldAs is the capacity in which the organization held the PHI:
	// covered-entity (its own patients' or members') or
	// business-associate (a customer's, incident.customers). Optional:
	// an organization with one role held it in that role, and one with
	// both held it as a business associate when incident.customers is
	// set, else as a covered entity.
	HeldAs string `yaml:"held_as,omitempty" json:"held_as"`
	// KeyCompromised says whether the key (or the credential that unlocks
	// it) was compromised with the device or data. HHS guidance secures
	// encrypted PHI only if the key was not breached, so the safe harbor
	// needs encrypted: true and key_compromised: false; left out, the
	// safe harbor is not established.
	KeyCompromised *bool `yaml:"key_compromised,omitempty" json:"key_compromised,omitempty"`
}

// Jurisdictions are the USPS codes an incident may count residents by:
// the 50 states, the District of Columbia and the five inhabited
// territories. Media notice is owed per "State or jurisdiction" with more
// than 500 residents affected (45 CFR 164.406), so every place with its
// own media market is accepted.
var Jurisdictions = []string{
	"AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY",
	"LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK",
	"OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
}

// Delay is a law-enforcement delay of notification (164.412).
type Delay struct {
	Kind      string    `yaml:"kind" json:"kind"` // written | oral
	Requested date.Date `yaml:"requested" json:"requested"`
	Until     date.Date `yaml:"until,omitempty" json:"until"`
}

// Assessment is the four-factor low-probability-of-compromise assessment
// of 164.402(2), or a statutory exclusion of 164.402(1).
type Assessment struct {
	Nature             string    `yaml:"nature,omitempty" json:"nature"`
	UnauthorizedPerson string    `yaml:"unauthorized_person,omitempty" json:"unauthorized_person"`
	AcquiredOrViewed   string    `yaml:"acquired_or_viewed,omitempty" json:"acquired_or_viewed"`
	Mitigation         string    `yaml:"mitigation,omitempty" json:"mitigation"`
	LowProbability     bool      `yaml:"low_probability" json:"low_probability"`
	Exclusion          string    `yaml:"exclusion,omitempty" json:"exclusion"`
	DecidedBy          string    `yaml:"decided_by,omitempty" json:"decided_by"`
	DecidedOn          date.Date `yaml:"decided_on,omitempty" json:"decided_on"`
}

type TimelineEntry struct {
	Date date.Date `yaml:"date" json:"date"`
	By   string    `yaml:"by,omitempty" json:"by"`
	Note string    `yaml:"note" json:"note"`

	// Knew marks the entry as the day By (a workforce member, or a vendor
	// that is our agent) knew of the breach. Discovery is the first day
	// the breach is known to any workforce member or agent
	// (164.404(a)(2), 164.410(a)(2)), so a knew entry before discovered
	// starts the clocks.
	Knew bool `yaml:"knew,omitempty" json:"knew,omitempty"`
}

// Capacities in which an incident's PHI was held (Incident.HeldAs).
var Capacities = []string{RoleCoveredEntity, RoleBusinessAssociate}

// Lookups used by rules; linear scans are fine at an organization's size,
// and callers that loop build their own maps.

func (w *Workspace) System(id string) *System {
	for i := range w.Systems {
		if w.Systems[i].ID == id {
			return &w.Systems[i]
		}
	}
	return nil
}

func (w *Workspace) Vendor(id string) *Vendor {
	for i := range w.Vendors {
		if w.Vendors[i].ID == id {
			return &w.Vendors[i]
		}
	}
	return nil
}

func (w *Workspace) Customer(id string) *Customer {
	for i := range w.Customers {
		if w.Customers[i].ID == id {
			return &w.Customers[i]
		}
	}
	return nil
}

func (w *Workspace) Person(email string) *Person {
	for i := range w.People {
		if w.People[i].Email == email {
			return &w.People[i]
		}
	}
	return nil
}

func (w *Workspace) Control(id string) *Control {
	for i := range w.Controls {
		if w.Controls[i].ID == id {
			return &w.Controls[i]
		}
	}
	return nil
}

func (w *Workspace) Incident(id string) *Incident {
	for i := range w.Incidents {
		if w.Incidents[i].ID == id {
			return &w.Incidents[i]
		}
	}
	return nil
}

func (w *Workspace) RiskAnalysis(id string) *RiskAnalysis {
	for i := range w.RiskAnalyses {
		if w.RiskAnalyses[i].ID == id {
			return &w.RiskAnalyses[i]
		}
	}
	return nil
}

// LatestRiskAnalysis is the most recently performed analysis on or before
// asOf, or nil.
func (w *Workspace) LatestRiskAnalysis(asOf date.Date) *RiskAnalysis {
	var best *RiskAnalysis
	for i := range w.RiskAnalyses {
		ra := &w.RiskAnalyses[i]
		if ra.Performed.After(asOf) {
			continue
		}
		if best == nil || ra.Performed.After(best.Performed) {
			best = ra
		}
	}
	return best
}

// AgreementsWith lists the agreements whose counterparty is id.
func (w *Workspace) AgreementsWith(id string) []Agreement {
	var out []Agreement
	for _, a := range w.Agreements {
		if a.Counterparty == id {
			out = append(out, a)
		}
	}
	return out
}
