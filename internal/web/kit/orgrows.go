package kit

import (
	"strconv"

	"ward/internal/date"
)

// OrgMembership is one organization the caller belongs to, in
// GET /api/v1/orgs.
type OrgMembership struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// OrgRow is one organization's standing on AsOf.
type OrgRow struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Readiness is the percentage per framework (hipaa, soc2, csf); SOC 2
	// is null for an organization that does not pursue it (a practice
	// providing care).
	Readiness map[string]*float64 `json:"readiness"`
	// Failing is the number of `ward check` errors, Warnings its
	// warnings. Failing is more than the go-live gate's errors
	// (BlockingLivePHI, what the data-flow page shows): it adds overdue
	// deadlines (a breach notice, a request, a risk treatment) and a
	// leaver's open access.
	Failing  int `json:"failing"`
	Warnings int `json:"warnings"`
	// NeedsAttention, Overdue and BlockingLivePHI are the counts of the
	// organization's home page (`ward todo`): its items that are not
	// upcoming, those past their date, the go-live gate's errors.
	NeedsAttention  int `json:"needs_attention"`
	Overdue         int `json:"overdue"`
	BlockingLivePHI int `json:"blocking_live_phi"`
	// OpenFindings counts the failing findings of imported scans (Prowler,
	// CSV) that no newer scan has superseded.
	OpenFindings int `json:"open_findings"`
	// Exceptions are the SOC 2 Type II occurrences in the observation
	// window that have no evidence.
	Exceptions int `json:"type2_exceptions"`
	// OverdueRequests counts the Privacy Rule requests (access, amendment,
	// accounting) past their deadline and not acted on.
	OverdueRequests int       `json:"overdue_requests"`
	Next            *Deadline `json:"next_deadline"`
	Error           string    `json:"error,omitempty"`
	// Pending is set on a row not computed because its organization's
	// summary is still being made at start (mspCache.Preparing).
	Pending bool `json:"-"`
}

// Deadline is the first dated item of the organization's "needs
// attention" list (todo.List.Next): the most urgent thing it owes by a
// date, overdue or not. Days is from the as-of date (negative: overdue).
type Deadline struct {
	Due     date.Date `json:"due"`
	What    string    `json:"what"`
	Days    int       `json:"days"`
	Overdue bool      `json:"overdue"`
	Link    string    `json:"link,omitempty"`
}

// Pct is a framework's percentage for the page, "" when not pursued.
func (o OrgRow) Pct(fw string) string {
	if p := o.Readiness[fw]; p != nil {
		return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
	}
	return ""
}

// Bar is the width of a framework's bar on the page (of miniBar).
func (o OrgRow) Bar(fw string) int {
	if p := o.Readiness[fw]; p != nil {
		return int(*p * miniBar / 100)
	}
	return 0
}

const miniBar = 60
