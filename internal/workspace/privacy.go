package workspace

import (
	"regexp"

	"ward/internal/date"
)

// The Privacy Rule records of a covered entity (45 CFR Part 164, Subpart
// E): individuals' requests and their clocks, complaints, and the notice
// of privacy practices. The clocks themselves are computed by package
// privacy; what validation needs of them (the time limits, the last day
// an extension may be given) is here, so that `ward apply` refuses what
// the rule does not allow.

// Privacy request kinds.
const (
	RequestAccess     = "access"     // 164.524: inspect or obtain a copy
	RequestAmendment  = "amendment"  // 164.526
	RequestAccounting = "accounting" // 164.528: an accounting of disclosures
)

var PrivacyRequestKinds = []string{RequestAccess, RequestAmendment, RequestAccounting}

// Privacy request outcomes. Granted means the access was given, the
// amendment made or the accounting provided; partly-granted and denied
// need a denial with its ground; withdrawn means the individual withdrew
// the request.
const (
	OutcomeGranted       = "granted"
	OutcomePartlyGranted = "partly-granted"
	OutcomeDenied        = "denied"
	OutcomeWithdrawn     = "withdrawn"
)

var RequestOutcomes = []string{OutcomeGranted, OutcomePartlyGranted, OutcomeDenied, OutcomeWithdrawn}

// Time limits, in calendar days after the request is received, and the
// one extension each allows (given in writing, within the time limit,
// with the reasons for the delay and the date the action will be done).
const (
	AccessDays     = 30 // 164.524(b)(2)(i)
	AmendmentDays  = 60 // 164.526(b)(2)(i)
	AccountingDays = 60 // 164.528(c)(1)
	ExtensionDays  = 30 // 164.524(b)(2)(ii), 164.526(b)(2)(ii), 164.528(c)(1)(ii)
	// AccountingYears is how far back an accounting of disclosures
	// reaches: the six years before the date of the request,
	// 164.528(a)(1); the individual may ask for a shorter period,
	// 164.528(a)(3).
	AccountingYears = 6
)

// RequestRule is what the Privacy Rule says about one kind of request:
// its time limit and where, the extension's paragraph, and what a denial
// must contain.
type RequestRule struct {
	Kind      string
	Title     string
	Days      int
	Citation  string // the time limit
	Extension string // the one extension
	Denial    string // the content of a written denial
}

var RequestRules = map[string]RequestRule{
	RequestAccess: {Kind: RequestAccess, Title: "Right of access", Days: AccessDays,
		Citation: "45 CFR 164.524(b)(2)(i)", Extension: "45 CFR 164.524(b)(2)(ii)", Denial: "45 CFR 164.524(d)(2)"},
	RequestAmendment: {Kind: RequestAmendment, Title: "Amendment", Days: AmendmentDays,
		Citation: "45 CFR 164.526(b)(2)(i)", Extension: "45 CFR 164.526(b)(2)(ii)", Denial: "45 CFR 164.526(d)(1)"},
	RequestAccounting: {Kind: RequestAccounting, Title: "Accounting of disclosures", Days: AccountingDays,
		Citation: "45 CFR 164.528(c)(1)", Extension: "45 CFR 164.528(c)(1)(ii)"},
}

// DenialGround is one ground a covered entity may deny a request on.
type DenialGround struct {
	ID       string
	Kind     string // the request kind it applies to
	Title    string
	Citation string
	// Reviewable: for access, the individual has the right to have the
	// denial reviewed by a licensed health care professional the covered
	// entity designates, 164.524(a)(3)-(4).
	Reviewable bool
}

// DenialGrounds are the grounds of 164.524(a) and (d)(3) (access) and
// 164.526(a)(2) (amendment), in ward's own short words.
var DenialGrounds = []DenialGround{
	{ID: "psychotherapy-notes", Kind: RequestAccess, Title: "psychotherapy notes (no right of access)", Citation: "45 CFR 164.524(a)(1)(i), (a)(2)(i)"},
	{ID: "legal-proceeding", Kind: RequestAccess, Title: "compiled for a civil, criminal or administrative proceeding", Citation: "45 CFR 164.524(a)(1)(ii), (a)(2)(i)"},
	{ID: "inmate", Kind: RequestAccess, Title: "an inmate's copy would put health, safety or custody at risk", Citation: "45 CFR 164.524(a)(2)(ii)"},
	{ID: "research", Kind: RequestAccess, Title: "research that includes treatment, access suspended while it is in progress", Citation: "45 CFR 164.524(a)(2)(iii)"},
	{ID: "privacy-act", Kind: RequestAccess, Title: "records the Privacy Act lets the agency withhold", Citation: "45 CFR 164.524(a)(2)(iv)"},
	{ID: "confidential-source", Kind: RequestAccess, Title: "obtained from someone else under a promise of confidentiality", Citation: "45 CFR 164.524(a)(2)(v)"},
	{ID: "endangerment", Kind: RequestAccess, Title: "a licensed professional judges access likely to endanger life or physical safety", Citation: "45 CFR 164.524(a)(3)(i)", Reviewable: true},
	{ID: "references-others", Kind: RequestAccess, Title: "it names another person, and access is likely to cause that person substantial harm", Citation: "45 CFR 164.524(a)(3)(ii)", Reviewable: true},
	{ID: "personal-representative", Kind: RequestAccess, Title: "a personal representative's access is likely to cause substantial harm", Citation: "45 CFR 164.524(a)(3)(iii)", Reviewable: true},
	{ID: "not-maintained", Kind: RequestAccess, Title: "we do not hold it (the denial says where to ask, if known)", Citation: "45 CFR 164.524(d)(3)"},
	{ID: "not-created-by-us", Kind: RequestAmendment, Title: "we did not create it, and its originator can still act", Citation: "45 CFR 164.526(a)(2)(i)"},
	{ID: "not-in-record-set", Kind: RequestAmendment, Title: "not part of the designated record set", Citation: "45 CFR 164.526(a)(2)(ii)"},
	{ID: "not-available-for-access", Kind: RequestAmendment, Title: "not open to inspection under 164.524", Citation: "45 CFR 164.526(a)(2)(iii)"},
	{ID: "accurate-and-complete", Kind: RequestAmendment, Title: "accurate and complete as it is", Citation: "45 CFR 164.526(a)(2)(iv)"},
}

// Ground finds a denial ground by id, or nil.
func Ground(id string) *DenialGround {
	for i := range DenialGrounds {
		if DenialGrounds[i].ID == id {
			return &DenialGrounds[i]
		}
	}
	return nil
}

// GroundIDs lists the grounds of one request kind.
func GroundIDs(kind string) []string {
	var out []string
	for _, g := range DenialGrounds {
		if g.Kind == kind {
			out = append(out, g.ID)
		}
	}
	return out
}

// PrivacyRequest is an individual's request under the Privacy Rule:
// access to their records, an amendment, or an accounting of
// disclosures. It holds no PHI: Reference points at the practice's own
// log, where the individual is named.
type PrivacyRequest struct {
	ID       string    `yaml:"id" json:"id"`
	Kind     string    `yaml:"kind" json:"kind"`         // access | amendment | accounting
	Received date.Date `yaml:"received" json:"received"` // the clock starts here
	// OnBehalfOf is the covered-entity customer whose request this is,
	// when the organization handles it as that customer's business
	// associate; the clock is the covered entity's.
	OnBehalfOf string `yaml:"on_behalf_of,omitempty" json:"on_behalf_of"`
	// Reference is the practice's own ticket or log number: never the
	// individual's name or anything else that identifies them.
	Reference string `yaml:"reference,omitempty" json:"reference"`
	Summary   string `yaml:"summary,omitempty" json:"summary"`
	HandledBy string `yaml:"handled_by,omitempty" json:"handled_by"`
	// Access: the form and format the individual asked for, and the one
	// given (164.524(c)(2): as requested, if readily producible).
	FormatRequested string `yaml:"format_requested,omitempty" json:"format_requested"`
	FormatProvided  string `yaml:"format_provided,omitempty" json:"format_provided"`
	// Fee charged, in US dollars ("6.50"), and how it was worked out:
	// a reasonable, cost-based fee for access (164.524(c)(4)); an
	// accounting is free once in any 12 months (164.528(c)(2)).
	Fee      string `yaml:"fee,omitempty" json:"fee"`
	FeeBasis string `yaml:"fee_basis,omitempty" json:"fee_basis"`
	// Since is, for an accounting, the start of a shorter period the
	// individual asked for (164.528(a)(3)); unset: the full six years.
	Since     date.Date  `yaml:"since,omitempty" json:"since"`
	Extension *Extension `yaml:"extension,omitempty" json:"extension,omitempty"`
	// Completed is when the organization acted on the request: gave
	// access, made or denied the amendment, provided the accounting, or
	// learned the request was withdrawn. Outcome says which.
	Completed date.Date `yaml:"completed,omitempty" json:"completed"`
	Outcome   string    `yaml:"outcome,omitempty" json:"outcome"`
	Denial    *Denial   `yaml:"denial,omitempty" json:"denial,omitempty"`
	Notes     string    `yaml:"notes,omitempty" json:"notes"`
}

// Extension is the one extension of a request's time limit: the written
// statement given to the individual within the time limit, its reasons,
// and the date it promised.
type Extension struct {
	Notified date.Date `yaml:"notified" json:"notified"` // the written statement was given
	Reason   string    `yaml:"reason" json:"reason"`
	Until    date.Date `yaml:"until" json:"until"` // the date the statement gives for the action
}

// Denial is the written denial of all or part of a request.
type Denial struct {
	Ground      string `yaml:"ground" json:"ground"` // a DenialGrounds id
	Explanation string `yaml:"explanation,omitempty" json:"explanation"`
	// RightsStated: the written denial told the individual what the rule
	// requires besides the ground: for access, the review rights where
	// the ground is reviewable and how to complain to us and to HHS
	// (164.524(d)(2)); for an amendment, the right to file a statement
	// of disagreement, and how to complain (164.526(d)(1)).
	RightsStated bool `yaml:"rights_stated" json:"rights_stated"`
}

// Rule is the request's kind of rule; the zero RequestRule for an
// unknown kind.
func (r PrivacyRequest) Rule() RequestRule { return RequestRules[r.Kind] }

// Due is the last day of the time limit without an extension: received
// plus the rule's calendar days. Zero when either is unknown.
func (r PrivacyRequest) Due() date.Date {
	rule := r.Rule()
	if r.Received.IsZero() || rule.Days == 0 {
		return date.Date{}
	}
	return r.Received.AddDays(rule.Days)
}

// Deadline is the date the request must be acted on by: the date the
// extension gave, else Due.
func (r PrivacyRequest) Deadline() date.Date {
	if r.Extension != nil && !r.Extension.Until.IsZero() {
		return r.Extension.Until
	}
	return r.Due()
}

// Closed reports whether the request was acted on (or withdrawn).
func (r PrivacyRequest) Closed() bool { return !r.Completed.IsZero() }

// AccountingWindow is the period an accounting of disclosures covers:
// from Since, or six years before the date of the request, to the day
// before the request (164.528(a)(1), (a)(3)).
func (r PrivacyRequest) AccountingWindow() (from, to date.Date) {
	if r.Received.IsZero() {
		return date.Date{}, date.Date{}
	}
	from = r.Received.AddMonths(-12 * AccountingYears)
	if !r.Since.IsZero() && r.Since.After(from) {
		from = r.Since
	}
	return from, r.Received.AddDays(-1)
}

// Complaint outcomes (164.530(d)(2): document each complaint and its
// disposition).
var ComplaintOutcomes = []string{"substantiated", "not-substantiated", "withdrawn"}

// Complaint is a complaint about the organization's privacy policies and
// procedures or its compliance with them (164.530(d)(1)). It holds no
// PHI: the summary says what the complaint is about, not who made it.
type Complaint struct {
	ID         string    `yaml:"id" json:"id"`
	Received   date.Date `yaml:"received" json:"received"`
	OnBehalfOf string    `yaml:"on_behalf_of,omitempty" json:"on_behalf_of"`
	Reference  string    `yaml:"reference,omitempty" json:"reference"`
	Summary    string    `yaml:"summary" json:"summary"`
	HandledBy  string    `yaml:"handled_by,omitempty" json:"handled_by"`
	// Resolved, Outcome and Disposition go together: when it was
	// closed, what was found, and what was done (a sanction, a changed
	// procedure, retraining, an answer to the complainant).
	Resolved    date.Date `yaml:"resolved,omitempty" json:"resolved"`
	Outcome     string    `yaml:"outcome,omitempty" json:"outcome"`
	Disposition string    `yaml:"disposition,omitempty" json:"disposition"`
	Notes       string    `yaml:"notes,omitempty" json:"notes"`
}

// PrivacyNotice is one version of the covered entity's notice of privacy
// practices (164.520): when it took effect and where it is posted. The
// version in effect on a date is the latest effective on or before it.
type PrivacyNotice struct {
	Version   string    `yaml:"version" json:"version"`
	Effective date.Date `yaml:"effective" json:"effective"`
	// Posted lists where the notice is posted: a clear and prominent
	// place at each site of care (164.520(c)(2)(iii)(B)).
	Posted []string `yaml:"posted,omitempty" json:"posted"`
	// URL is the copy on the organization's web site, which must carry
	// it prominently if it has one (164.520(c)(3)(i)).
	URL   string `yaml:"url,omitempty" json:"url"`
	Notes string `yaml:"notes,omitempty" json:"notes"`
}

// NoticeInEffect is the notice version in effect on asOf, or nil.
func (w *Workspace) NoticeInEffect(asOf date.Date) *PrivacyNotice {
	var best *PrivacyNotice
	for i := range w.PrivacyNotices {
		n := &w.PrivacyNotices[i]
		if n.Effective.IsZero() || n.Effective.After(asOf) {
			continue
		}
		if best == nil || n.Effective.After(best.Effective) {
			best = n
		}
	}
	return best
}

func (w *Workspace) PrivacyRequest(id string) *PrivacyRequest {
	for i := range w.PrivacyRequests {
		if w.PrivacyRequests[i].ID == id {
			return &w.PrivacyRequests[i]
		}
	}
	return nil
}

func (w *Workspace) Complaint(id string) *Complaint {
	for i := range w.Complaints {
		if w.Complaints[i].ID == id {
			return &w.Complaints[i]
		}
	}
	return nil
}

// feePattern is a fee in US dollars: whole dollars or dollars and cents.
var feePattern = regexp.MustCompile(`^\d{1,6}(\.\d{2})?$`)
