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
	"strconv"
	"strings"

	"ward/internal/bounds"
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
	// The documentation of the workforce program (45 CFR 164.316,
	// 164.308(a)(3), (a)(5)): written policies with their versions, the
	// trainings, who acknowledged and completed what, and the security
	// reminders sent.
	Policies          []Policy          `yaml:"policies,omitempty" json:"policies"`
	Trainings         []Training        `yaml:"trainings,omitempty" json:"trainings"`
	Acknowledgements  []Acknowledgement `yaml:"acknowledgements,omitempty" json:"acknowledgements"`
	TrainingRecords   []TrainingRecord  `yaml:"training_records,omitempty" json:"training_records"`
	SecurityReminders []Reminder        `yaml:"security_reminders,omitempty" json:"security_reminders"`

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
	// Workforce sets the organization's own deadlines for policy
	// acknowledgements and for removing a leaver's access.
	Workforce Workforce `yaml:"workforce,omitempty" json:"workforce"`
	// Security sets how the organization's people log in to ward.
	Security Security `yaml:"security,omitempty" json:"security"`
	// Trust is the public trust center (`ward serve` at /trust/{slug}):
	// off unless present and enabled.
	Trust *Trust `yaml:"trust,omitempty" json:"trust,omitempty"`
	// SSO maps single sign-on groups and e-mail domains to roles, and
	// can turn local passwords off (sso.go).
	SSO *SSO `yaml:"sso,omitempty" json:"sso,omitempty"`
}

// Security is how an organization's people log in to ward.
type Security struct {
	// RequireMFA: every local account holding a role in the organization
	// logs in with a second step (an authenticator app); one without is
	// sent to set it up after its password, and can do nothing else.
	RequireMFA bool `yaml:"require_mfa,omitempty" json:"require_mfa"`
}

// Trust center sections an organization may make public.
const (
	TrustFrameworks    = "frameworks"
	TrustSubprocessors = "subprocessors"
	TrustPolicies      = "policies"
	TrustDocuments     = "documents"
)

var (
	TrustSections = []string{TrustFrameworks, TrustSubprocessors, TrustPolicies, TrustDocuments}
	// TrustDocumentKinds are what a trust center offers on request.
	TrustDocumentKinds = []string{"soc2-report", "pen-test-summary", "baa-template", "other"}
)

// Trust is the organization's public trust center. Everything it shows is
// derived from the rest of the workspace (frameworks from the plan and the
// risk analyses, subprocessors from the vendor register, policies from
// the policies); this only says what is public and what is offered.
type Trust struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Public lists the sections anyone may see; a section not listed is
	// not shown and its addresses answer 404.
	Public []string `yaml:"public,omitempty" json:"public"`
	// Contact is the address the page gives for security questions.
	Contact string `yaml:"contact,omitempty" json:"contact"`
	// SubprocessorNoticeDays is the notice the organization promises
	// before a subprocessor change takes effect: a change is effective
	// this many days after it is announced.
	SubprocessorNoticeDays int `yaml:"subprocessor_notice_days,omitempty" json:"subprocessor_notice_days"`
	// LinkHours is how long an approved download link lasts (default 72).
	LinkHours int             `yaml:"link_hours,omitempty" json:"link_hours,omitempty"`
	Documents []TrustDocument `yaml:"documents,omitempty" json:"documents"`
}

// DefaultTrustLinkHours is how long an approved document link lasts.
const DefaultTrustLinkHours = 72

// Shows reports whether a section is public on an enabled trust center.
func (t *Trust) Shows(section string) bool {
	return t != nil && t.Enabled && slices.Contains(t.Public, section)
}

// Hours is the lifetime of a download link in hours.
func (t *Trust) Hours() int {
	if t == nil || t.LinkHours <= 0 {
		return DefaultTrustLinkHours
	}
	return t.LinkHours
}

// Document returns the document with the id, or nil.
func (t *Trust) Document(id string) *TrustDocument {
	if t == nil {
		return nil
	}
	for i := range t.Documents {
		if t.Documents[i].ID == id {
			return &t.Documents[i]
		}
	}
	return nil
}

// TrustDocument is one document offered behind the request form: an
// evidence item's file, or a file of its own in the workspace folder.
type TrustDocument struct {
	ID    string `yaml:"id" json:"id"`
	Kind  string `yaml:"kind" json:"kind"`
	Title string `yaml:"title" json:"title"`
	// Public lists it on the page (and lets it be requested); a document
	// that is not public is unreachable from outside.
	Public   bool   `yaml:"public,omitempty" json:"public"`
	Evidence string `yaml:"evidence,omitempty" json:"evidence"`
	File     string `yaml:"file,omitempty" json:"file"`
	SHA256   string `yaml:"sha256,omitempty" json:"sha256"`
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

// Months is the observation period's length as the rules use it: 3 when
// it is not given, and never outside the range validation holds a
// workspace to (1 to 24), so a value that reached the database some
// other way cannot make a rule walk a period of centuries.
func (s SOC2) Months() int {
	switch m := s.ObservationMonths; {
	case m <= 0:
		return 3
	case m > bounds.MaxObservationMonths:
		return bounds.MaxObservationMonths
	default:
		return m
	}
}

type Person struct {
	Email string `yaml:"email" json:"email"`
	Name  string `yaml:"name,omitempty" json:"name"`
	Role  string `yaml:"role,omitempty" json:"role"` // job title, free text
	// Start is the first day of work and End the last; a person without
	// a start has been there since before the records began.
	Start date.Date `yaml:"start,omitempty" json:"start"`
	End   date.Date `yaml:"end,omitempty" json:"end"`
	// Access lists the system ids the person can reach. A leaver who
	// still reaches a PHI system is a termination finding.
	Access []string `yaml:"access,omitempty" json:"access"`
	// Clearance is the date a background check or other clearance was
	// completed, where the organization requires one (164.308(a)(3)(ii)(B)).
	Clearance date.Date `yaml:"clearance,omitempty" json:"clearance"`
}

// Employed reports whether the person works for the organization on d:
// started on or before it (or with no start recorded) and not past the
// last day.
func (p Person) Employed(d date.Date) bool {
	if !p.Start.IsZero() && p.Start.After(d) {
		return false
	}
	return p.End.IsZero() || !p.End.Before(d)
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
	// Location is where the vendor processes the organization's data
	// (shown on the trust center's subprocessor list).
	Location string `yaml:"location,omitempty" json:"location,omitempty"`
	// Subprocessor: false leaves the vendor off the trust center's
	// subprocessor list (it holds none of the customers' data); every
	// other vendor is listed.
	Subprocessor *bool `yaml:"subprocessor,omitempty" json:"subprocessor,omitempty"`
}

// IsSubprocessor reports whether the vendor is listed as a subprocessor.
func (v Vendor) IsSubprocessor() bool { return v.Subprocessor == nil || *v.Subprocessor }

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
	// AcceptanceRecord is the evidence item holding the acceptance as
	// its signer signed it, when someone else recorded it in the web app.
	AcceptanceRecord string `yaml:"acceptance_record,omitempty" json:"acceptance_record"`
	Notes            string `yaml:"notes,omitempty" json:"notes"`
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
	// SourceDerived marks evidence ward derives from the workforce records
	// (approved policies, acknowledgements, training completions,
	// reminders, clearances). It is never stored or written to files: it
	// is computed from the records it names, and lapses with them.
	SourceDerived = "derived"
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
// its stated period overlaps it, or, when it states none, its collection
// date falls inside. A stated period is the whole claim: the third
// quarter's access review, done on 2 October, is the third quarter's and
// not also the fourth's.
func (e Evidence) Covers(from, to date.Date) bool {
	if !e.PeriodStart.IsZero() && !e.PeriodEnd.IsZero() {
		return !e.PeriodEnd.Before(from) && !e.PeriodStart.After(to)
	}
	return !e.Collected.IsZero() && !e.Collected.Before(from) && !e.Collected.After(to)
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

	// BreachType and Locations are the HHS breach portal's "type of
	// breach" and "location of breached information" (BreachTypes,
	// BreachLocations), for the notices. Optional: left out, the drafts
	// read them from the summary and the systems' kinds, and say so.
	BreachType []string `yaml:"breach_type,omitempty" json:"breach_type,omitempty"`
	Locations  []string `yaml:"locations,omitempty" json:"locations,omitempty"`
	// Affected splits individuals and states by customer: each covered
	// entity's notice states only its own people (164.410(c)(1)), and its
	// own thresholds count only them (164.406, 164.408). The incident's
	// individuals and states are the sums; left out, they are computed.
	Affected []Affected `yaml:"affected,omitempty" json:"affected,omitempty"`
	// NoticesSent records each notice as given: when, how and to whom. A
	// notice recorded here no longer has a deadline.
	NoticesSent []NoticeSent `yaml:"notices_sent,omitempty" json:"notices_sent,omitempty"`
}

// Affected is one customer's share of an incident's individuals.
type Affected struct {
	Customer    string         `yaml:"customer" json:"customer"`
	Individuals int            `yaml:"individuals,omitempty" json:"individuals"`
	States      map[string]int `yaml:"states,omitempty" json:"states,omitempty"`
}

// NoticeSent is a breach notice recorded as given. To is who was told
// (NoticeRecipients); State is the media notice's state; Customer is the
// covered entity (or business associate) told, or the covered entity on
// whose behalf a delegated notice was given.
type NoticeSent struct {
	To        string    `yaml:"to" json:"to"`
	State     string    `yaml:"state,omitempty" json:"state,omitempty"`
	Customer  string    `yaml:"customer,omitempty" json:"customer,omitempty"`
	Sent      date.Date `yaml:"sent" json:"sent"`
	Method    string    `yaml:"method,omitempty" json:"method,omitempty"`
	Recipient string    `yaml:"recipient,omitempty" json:"recipient,omitempty"`
	By        string    `yaml:"by,omitempty" json:"by,omitempty"`
}

// NoticeRecipients are who a breach notice goes to (NoticeSent.To), as
// `ward breach deadlines` names them.
var NoticeRecipients = []string{"individuals", "media", "hhs", "hhs-annual-log", "covered-entity", "business-associate"}

// NoticeMethods are how a notice was given (NoticeSent.Method).
var NoticeMethods = []string{"mail", "email", "portal", "phone", "press-release", "website", "hand-delivery", "other"}

// BreachTypes are the HHS breach portal's types of breach.
var BreachTypes = []string{"hacking", "unauthorized-access", "theft", "loss", "improper-disposal", "other"}

// BreachLocations are the HHS breach portal's locations of breached
// information.
var BreachLocations = []string{"desktop", "emr", "email", "laptop", "network-server", "portable-device", "paper", "other"}

// TotalIndividuals is the incident's head count: individuals, or the sum
// of the per-customer figures when it is left out.
func (in Incident) TotalIndividuals() int {
	if in.Individuals > 0 || len(in.Affected) == 0 {
		return in.Individuals
	}
	n := 0
	for _, a := range in.Affected {
		n += a.Individuals
	}
	return n
}

// TotalStates is the residents per state: states, or the sums of the
// per-customer figures when it is left out.
func (in Incident) TotalStates() map[string]int {
	if len(in.States) > 0 || len(in.Affected) == 0 {
		return in.States
	}
	var m map[string]int
	for _, a := range in.Affected {
		for st, n := range a.States {
			if m == nil {
				m = map[string]int{}
			}
			m[st] += n
		}
	}
	return m
}

// AffectedOf is the customer's share, or nil when none is recorded.
func (in Incident) AffectedOf(customer string) *Affected {
	for i := range in.Affected {
		if in.Affected[i].Customer == customer {
			return &in.Affected[i]
		}
	}
	return nil
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

// Workforce defaults (organization.workforce).
const (
	// DefaultAckWithinDays: a workforce member acknowledges an approved
	// policy version within this many days of its approval, or of their
	// start date when they join later. ward's default; an organization
	// sets its own.
	DefaultAckWithinDays = 30
	// DefaultTerminationWithinDays: a leaver's access to PHI systems is
	// removed within this many days after the last day of work (the
	// catalog's offboarding control says one business day; ward counts
	// calendar days).
	DefaultTerminationWithinDays = 1
	// DefaultReviewMonths: a policy is reviewed at least this often
	// (164.316(b)(2)(iii) asks for periodic review; a year is the usual
	// reading and SOC 2 auditors expect it).
	DefaultReviewMonths = 12
	// DefaultTrainingWithinDays and DefaultTrainingEveryMonths: a training
	// is completed within 30 days of hire and again every 12 months.
	DefaultTrainingWithinDays  = 30
	DefaultTrainingEveryMonths = 12
	// RetentionYears: documentation is kept six years from its creation
	// or from when it was last in effect, whichever is later,
	// 45 CFR 164.316(b)(2)(i).
	RetentionYears = 6
)

// Workforce holds the organization's deadlines; nil fields take the
// defaults above.
type Workforce struct {
	AckWithinDays         *int `yaml:"ack_within_days,omitempty" json:"ack_within_days,omitempty"`
	TerminationWithinDays *int `yaml:"termination_within_days,omitempty" json:"termination_within_days,omitempty"`
}

// AckDays is the number of days allowed to acknowledge a policy version.
func (w Workforce) AckDays() int {
	if w.AckWithinDays != nil {
		return *w.AckWithinDays
	}
	return DefaultAckWithinDays
}

// TerminationDays is the number of days after the last day by which a
// leaver's access must be gone.
func (w Workforce) TerminationDays() int {
	if w.TerminationWithinDays != nil {
		return *w.TerminationWithinDays
	}
	return DefaultTerminationWithinDays
}

// Policy statuses, derived from the versions.
const (
	PolicyDraft    = "draft"
	PolicyApproved = "approved"
	PolicyRetired  = "retired"
)

// Policy is one written policy and every version of it. Versions are
// listed oldest first; the newest approved one whose effective date has
// come is in force. A new version supersedes the old one, and both are
// kept (164.316(b)(2)(i)).
type Policy struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Template is the built-in template the policy answers (ward policy
	// templates), or empty for the organization's own policy.
	Template string `yaml:"template,omitempty" json:"template"`
	Owner    string `yaml:"owner,omitempty" json:"owner"`
	// Audience is who must acknowledge it: all (the default), or a list
	// of people's job roles.
	Audience     Audience `yaml:"audience,omitempty" json:"audience"`
	ReviewMonths int      `yaml:"review_months,omitempty" json:"review_months"`
	// Controls are the controls the approved policy is evidence for.
	Controls []string        `yaml:"controls,omitempty" json:"controls"`
	Versions []PolicyVersion `yaml:"versions,omitempty" json:"versions"`
	// Reviews are reviews that kept the text as it is; an approval of a
	// new version is a review too.
	Reviews   []PolicyReview `yaml:"reviews,omitempty" json:"reviews"`
	RetiredOn date.Date      `yaml:"retired_on,omitempty" json:"retired_on"`
	Notes     string         `yaml:"notes,omitempty" json:"notes"`
}

// PolicyVersion is one version's text (a Markdown file in the workspace
// folder, hashed on apply) and its approval.
type PolicyVersion struct {
	Version int    `yaml:"version" json:"version"`
	File    string `yaml:"file" json:"file"`
	SHA256  string `yaml:"sha256,omitempty" json:"sha256"`
	// ApprovedBy and ApprovedOn record the approval; a version without
	// them is a draft.
	ApprovedBy string    `yaml:"approved_by,omitempty" json:"approved_by"`
	ApprovedOn date.Date `yaml:"approved_on,omitempty" json:"approved_on"`
	// Effective is the day the version takes effect; the approval date
	// when not given.
	Effective date.Date `yaml:"effective,omitempty" json:"effective"`
	// Changes says what changed from the previous version.
	Changes string `yaml:"changes,omitempty" json:"changes"`
}

// PolicyReview is a periodic review that found the text still right.
type PolicyReview struct {
	On   date.Date `yaml:"on" json:"on"`
	By   string    `yaml:"by" json:"by"`
	Note string    `yaml:"note,omitempty" json:"note"`
}

// Approved reports whether the version was approved.
func (v PolicyVersion) Approved() bool { return !v.ApprovedOn.IsZero() }

// EffectiveOn is the day the version takes effect: its effective date, or
// its approval date.
func (v PolicyVersion) EffectiveOn() date.Date {
	if !v.Effective.IsZero() {
		return v.Effective
	}
	return v.ApprovedOn
}

// Months is the review interval in months.
func (p Policy) Months() int {
	if p.ReviewMonths > 0 {
		return p.ReviewMonths
	}
	return DefaultReviewMonths
}

// Version returns version n, or nil.
func (p *Policy) Version(n int) *PolicyVersion {
	for i := range p.Versions {
		if p.Versions[i].Version == n {
			return &p.Versions[i]
		}
	}
	return nil
}

// InForce is the version in effect on d: the approved version with the
// latest effective date on or before d (the highest version number on a
// tie), or nil when none is, or the policy was retired by then.
func (p *Policy) InForce(d date.Date) *PolicyVersion {
	if !p.RetiredOn.IsZero() && !p.RetiredOn.After(d) {
		return nil
	}
	var best *PolicyVersion
	for i := range p.Versions {
		v := &p.Versions[i]
		if !v.Approved() || v.EffectiveOn().After(d) {
			continue
		}
		if best == nil || v.EffectiveOn().After(best.EffectiveOn()) ||
			(v.EffectiveOn().Equal(best.EffectiveOn()) && v.Version > best.Version) {
			best = v
		}
	}
	return best
}

// Status is draft, approved or retired on d.
func (p *Policy) Status(d date.Date) string {
	switch {
	case !p.RetiredOn.IsZero() && !p.RetiredOn.After(d):
		return PolicyRetired
	case p.InForce(d) != nil:
		return PolicyApproved
	}
	return PolicyDraft
}

// EndOf is the last day version n was in effect: the day before a later
// approved version took its place, or the day before the policy was
// retired; zero while it is still in effect (or was never). A version
// superseded before it took effect ends the day before it would have.
func (p *Policy) EndOf(n int) date.Date {
	v := p.Version(n)
	if v == nil || !v.Approved() {
		return date.Date{}
	}
	var end date.Date
	for i := range p.Versions {
		w := &p.Versions[i]
		if w.Version == n || !w.Approved() {
			continue
		}
		newer := w.EffectiveOn().After(v.EffectiveOn()) ||
			(w.EffectiveOn().Equal(v.EffectiveOn()) && w.Version > v.Version)
		if !newer {
			continue
		}
		if e := w.EffectiveOn().AddDays(-1); end.IsZero() || e.Before(end) {
			end = e
		}
	}
	if !p.RetiredOn.IsZero() {
		if e := p.RetiredOn.AddDays(-1); end.IsZero() || e.Before(end) {
			end = e
		}
	}
	return end
}

// RetainUntil is the date version n must be kept until: six years from
// its creation or from when it was last in effect, whichever is later
// (45 CFR 164.316(b)(2)(i)). A version's record is created when it is
// approved (a draft is not yet documentation of the program). A version
// still in effect on asOf is kept at least six years from asOf: the date
// moves on while it stays in effect. Zero for a draft.
func (p *Policy) RetainUntil(n int, asOf date.Date) date.Date {
	v := p.Version(n)
	if v == nil || !v.Approved() {
		return date.Date{}
	}
	last := v.ApprovedOn
	switch end := p.EndOf(n); {
	case !end.IsZero():
		last = date.Max(last, end)
	case !v.EffectiveOn().After(asOf):
		last = date.Max(last, asOf) // in effect now
	default:
		last = date.Max(last, v.EffectiveOn()) // takes effect later
	}
	return last.AddMonths(12 * RetentionYears)
}

// LastReview is the latest review of the policy on or before d: the
// approval of any version or a recorded review.
func (p *Policy) LastReview(d date.Date) date.Date {
	var last date.Date
	for _, v := range p.Versions {
		if v.Approved() && !v.ApprovedOn.After(d) && v.ApprovedOn.After(last) {
			last = v.ApprovedOn
		}
	}
	for _, r := range p.Reviews {
		if !r.On.After(d) && r.On.After(last) {
			last = r.On
		}
	}
	return last
}

// ReviewDue is the day the next review is due, counted from the last
// review on or before d; zero when the policy was never approved.
func (p *Policy) ReviewDue(d date.Date) date.Date {
	last := p.LastReview(d)
	if last.IsZero() {
		return last
	}
	return last.AddMonths(p.Months())
}

// Audience is who a policy or training is for: "all" (the default, also
// when empty), or a list of people's job roles. In the files it is the
// word all or a list.
type Audience []string

// AudienceAll is everyone in the workforce.
const AudienceAll = "all"

// Everyone reports whether the audience is the whole workforce.
func (a Audience) Everyone() bool {
	return len(a) == 0 || slices.Contains(a, AudienceAll)
}

// Includes reports whether a person belongs to the audience: everyone, or
// a person whose job role is listed (case-insensitively).
func (a Audience) Includes(p Person) bool {
	if a.Everyone() {
		return true
	}
	for _, r := range a {
		if strings.EqualFold(strings.TrimSpace(r), strings.TrimSpace(p.Role)) {
			return true
		}
	}
	return false
}

// Training is a course the workforce (or part of it) completes after
// hire and again on a recurrence (164.308(a)(5)(i)).
type Training struct {
	ID       string   `yaml:"id" json:"id"`
	Title    string   `yaml:"title" json:"title"`
	Audience Audience `yaml:"audience,omitempty" json:"audience"`
	// WithinDaysOfHire and EveryMonths take the defaults (30 days, 12
	// months) when not given; every_months: 0 is a training done once.
	WithinDaysOfHire *int     `yaml:"within_days_of_hire,omitempty" json:"within_days_of_hire,omitempty"`
	EveryMonths      *int     `yaml:"every_months,omitempty" json:"every_months,omitempty"`
	Controls         []string `yaml:"controls,omitempty" json:"controls"`
	Description      string   `yaml:"description,omitempty" json:"description"`
}

// HireDays is the number of days after a start date to complete it.
func (t Training) HireDays() int {
	if t.WithinDaysOfHire != nil {
		return *t.WithinDaysOfHire
	}
	return DefaultTrainingWithinDays
}

// Recurrence is the number of months after a completion that it is due
// again; 0 for a training done once.
func (t Training) Recurrence() int {
	if t.EveryMonths != nil {
		return *t.EveryMonths
	}
	return DefaultTrainingEveryMonths
}

// Acknowledgement is a person's statement that they read one version of
// a policy.
type Acknowledgement struct {
	Person  string    `yaml:"person" json:"person"`
	Policy  string    `yaml:"policy" json:"policy"`
	Version int       `yaml:"version" json:"version"`
	On      date.Date `yaml:"on" json:"on"`
	// Source is how it was recorded: workspace (the files), web, cli or
	// import; set by ward.
	Source string `yaml:"source,omitempty" json:"source"`
}

// Key identifies an acknowledgement: one per person, policy and version.
func (a Acknowledgement) Key() string {
	return a.Person + "|" + a.Policy + "|" + strconv.Itoa(a.Version)
}

// TrainingRecord is one completion of a training by one person, with an
// optional certificate file (hashed on apply, like evidence).
type TrainingRecord struct {
	Person    string    `yaml:"person" json:"person"`
	Training  string    `yaml:"training" json:"training"`
	Completed date.Date `yaml:"completed" json:"completed"`
	File      string    `yaml:"file,omitempty" json:"file"`
	SHA256    string    `yaml:"sha256,omitempty" json:"sha256"`
	Source    string    `yaml:"source,omitempty" json:"source"`
}

// Key identifies a completion: one per person, training and date.
func (r TrainingRecord) Key() string {
	return r.Person + "|" + r.Training + "|" + r.Completed.String()
}

// Reminder is a security reminder sent to the workforce on a date
// (164.308(a)(5)(ii)(A)).
type Reminder struct {
	On    date.Date `yaml:"on" json:"on"`
	Title string    `yaml:"title" json:"title"`
	Link  string    `yaml:"link,omitempty" json:"link"`
	Note  string    `yaml:"note,omitempty" json:"note"`
}

// Key identifies a reminder: its date and title.
func (r Reminder) Key() string { return r.On.String() + " " + r.Title }

// Sources of acknowledgements and training records besides the files.
const (
	RecordWeb    = "web"
	RecordImport = "import"
)

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

func (w *Workspace) Policy(id string) *Policy {
	for i := range w.Policies {
		if w.Policies[i].ID == id {
			return &w.Policies[i]
		}
	}
	return nil
}

func (w *Workspace) Training(id string) *Training {
	for i := range w.Trainings {
		if w.Trainings[i].ID == id {
			return &w.Trainings[i]
		}
	}
	return nil
}
