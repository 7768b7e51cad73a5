package kit

import (
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
	"ward/internal/audit"
	"ward/internal/date"
	"ward/internal/msp"
)

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

// mspCache keeps each organization's summary for the overview (package
// msp: its records, packed) under the audit head it was made at, and the
// rows computed from it, one per as-of date asked for.
//
// Every change to an organization appends to its audit chain in the same
// transaction, so an unchanged head means unchanged records. A summary
// is made from the records once per head and stored in the database
// beside them (org_summaries): a restarted server, or a second one on the
// same database, reads 300 small rows instead of every record of 300
// organizations. A stored summary of another head is stale and never
// used; only that organization's is made again. Another as-of date
// evaluates the summaries in memory, on every core. Concurrent requests
// for the same uncached view wait for one computation (single flight).
type mspCache struct {
	mu     sync.Mutex
	m      map[int64]*MspEntry
	Flight singleflight.Group
	// Builds counts summaries made from the records and evals rows
	// computed, for tests; building, when set by a test, runs before
	// each build.
	Builds, Evals atomic.Int64
	Building      func()
}

type MspEntry struct {
	Head audit.Head
	Sum  msp.Summary
	Mu   sync.Mutex
	Rows map[string]*MspRow // by as-of date
}

type MspRow struct {
	Once sync.Once
	Row  OrgRow
}

func (c *mspCache) Get(org int64, head audit.Head) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[org]; e != nil && e.Head == head {
		return e
	}
	return nil
}

// Put keeps e as org's entry and returns the entry to use for e's head:
// one already kept for that head (made by a request just before) wins,
// so its rows are not computed twice.
func (c *mspCache) Put(org int64, e *MspEntry) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*MspEntry{}
	}
	old := c.m[org]
	switch {
	case old != nil && old.Head == e.Head:
		return old
	case old == nil || old.Head.Seq < e.Head.Seq:
		c.m[org] = e
	}
	// A slower request does not put back an older head's summary.
	return e
}

// Reset forgets every summary and row held in memory (what a restart
// does); the stored summaries stay.
func (c *mspCache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
