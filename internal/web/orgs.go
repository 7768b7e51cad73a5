package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"ward/internal/audit"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/msp"
	"ward/internal/posture"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs", Role: AnyUser, Handler: (*Server).orgsPage},
		// Not /api/v1/orgs/overview: everything under /api/v1/orgs/ names
		// one organization.
		Route{Method: "GET", Pattern: "/api/v1/overview", Role: AnyUser, Handler: (*Server).orgsOverviewAPI},
	)
}

// OrgsOverview is every organization the caller belongs to, one row each:
// what an MSP looks at first. The page is /orgs (and the home page for an
// account with several organizations); the JSON is GET /api/v1/overview.
type OrgsOverview struct {
	AsOf       date.Date   `json:"as_of"`
	Sort       string      `json:"sort"`
	Orgs       []OrgRow    `json:"orgs"`
	Columns    []OrgColumn `json:"-"`
	Frameworks []string    `json:"-"`
	// Tasks are the organizations where the caller is a workforce member
	// (role member): it sees its own tasks there, and no numbers.
	Tasks []OrgMembership `json:"tasks"`
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

// OrgColumn is a sortable column of the page.
type OrgColumn struct {
	Key, Label string
	Href       string // the page sorted by this column (toggled when current)
	Current    string // "asc", "desc" or ""
	Numeric    bool
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

// orgSummary computes one organization's row from its workspace. Its
// counts and next deadline come from the organization's "needs
// attention" list (package todo), so they agree with its home page.
func orgSummary(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date, slug string) OrgRow {
	row := OrgRow{Readiness: map[string]*float64{}}
	soc2 := ws.Organization.SOC2.Type == "type1" || ws.Organization.SOC2.Type == "type2"
	fws := readinessFrameworks
	if !soc2 {
		fws = slices.DeleteFunc(slices.Clone(fws), func(fw string) bool { return fw == "soc2" })
		row.Readiness["soc2"] = nil
	}
	// One evaluation for every framework: the evidence is indexed and
	// each control judged once (posture.EvaluateAll).
	ps, err := posture.EvaluateAll(ws, cat, fws, asOf)
	if err != nil {
		row.Error = err.Error()
		ps = nil
	}
	for i, p := range ps {
		pct := p.Score.Percent
		row.Readiness[fws[i]] = &pct
		if fws[i] == "soc2" {
			row.Exceptions = len(p.Exceptions)
		}
	}
	l := todo.Build(ws, asOf, slug)
	row.Failing, row.Warnings = l.Errors, l.Warnings
	row.NeedsAttention, row.Overdue, row.BlockingLivePHI = l.Open, l.Overdue, l.BlockingLivePHI
	row.OverdueRequests = privacy.Overdue(ws, asOf)
	if it := l.Next(); it != nil {
		row.Next = &Deadline{Due: it.Due, What: it.Title, Days: *it.DaysLeft, Overdue: it.Overdue, Link: it.Link}
	}
	return row
}

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
	m      map[int64]*mspEntry
	flight singleflight.Group
	// builds counts summaries made from the records and evals rows
	// computed, for tests; building, when set by a test, runs before
	// each build.
	builds, evals atomic.Int64
	building      func()
}

type mspEntry struct {
	head audit.Head
	sum  msp.Summary
	mu   sync.Mutex
	rows map[string]*mspRow // by as-of date
}

type mspRow struct {
	once sync.Once
	row  OrgRow
}

// maxMSPDates bounds the dates whose rows an entry keeps: a person
// paging through past dates must not grow it without end. Past the bound
// a row is computed and not kept.
const maxMSPDates = 64

func (c *mspCache) get(org int64, head audit.Head) *mspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[org]; e != nil && e.head == head {
		return e
	}
	return nil
}

// put keeps e as org's entry and returns the entry to use for e's head:
// one already kept for that head (made by a request just before) wins,
// so its rows are not computed twice.
func (c *mspCache) put(org int64, e *mspEntry) *mspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*mspEntry{}
	}
	old := c.m[org]
	switch {
	case old != nil && old.head == e.head:
		return old
	case old == nil || old.head.Seq < e.head.Seq:
		c.m[org] = e
	}
	// A slower request does not put back an older head's summary.
	return e
}

// reset forgets every summary and row held in memory (what a restart
// does); the stored summaries stay.
func (c *mspCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// row is the organization's row on asOf, computed once.
func (e *mspEntry) row(cat *catalog.Catalog, asOf date.Date, slug string, evals *atomic.Int64) OrgRow {
	compute := func() OrgRow {
		evals.Add(1)
		row := orgSummary(e.sum.Workspace, cat, asOf, slug)
		row.OpenFindings = e.sum.OpenFindings
		return row
	}
	k := asOf.String()
	e.mu.Lock()
	r, ok := e.rows[k]
	if !ok {
		if len(e.rows) >= maxMSPDates {
			e.mu.Unlock()
			return compute()
		}
		if e.rows == nil {
			e.rows = map[string]*mspRow{}
		}
		r = &mspRow{}
		e.rows[k] = r
	}
	e.mu.Unlock()
	r.once.Do(func() { r.row = compute() })
	return r.row
}

// parallel runs f(i) for i in [0, n), one goroutine per core.
func parallel(n int, f func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(n, 1)) {
		wg.Go(func() {
			for i := range jobs {
				f(i)
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// orgsOverview computes every row: one query for the audit heads, the
// summaries of organizations whose head moved (read from the database,
// or made from the records when the stored one is stale), then each row
// from memory.
func (s *Server) orgsOverview(ctx context.Context, ms []store.Membership, asOf date.Date) ([]OrgRow, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.Org.ID
	}
	heads, err := s.st.AuditHeads(ctx, ids)
	if err != nil {
		return nil, err
	}
	entries := make([]*mspEntry, len(ms))
	var missing []store.Org
	var key strings.Builder
	for i, m := range ms {
		h, ok := heads[m.Org.ID]
		if e := s.msp.get(m.Org.ID, h); ok && e != nil {
			entries[i] = e
			continue
		}
		missing = append(missing, m.Org)
		fmt.Fprintf(&key, "%d %d %s,", m.Org.ID, h.Seq, h.Hash)
	}
	if len(missing) > 0 {
		// Concurrent requests missing the same summaries read and
		// decode them once; one caller going away must not fail the
		// others.
		v, err, _ := s.msp.flight.Do(key.String(), func() (any, error) {
			return s.loadSummaries(context.WithoutCancel(ctx), missing, heads)
		})
		if err != nil {
			return nil, err
		}
		loaded := v.(map[int64]*mspEntry)
		for i, m := range ms {
			if entries[i] == nil {
				entries[i] = loaded[m.Org.ID]
			}
		}
	}
	rows := make([]OrgRow, len(ms))
	cat := catalog.Default()
	parallel(len(ms), func(i int) {
		m := ms[i]
		rows[i] = entries[i].row(cat, asOf, m.Org.Slug, &s.msp.evals)
		rows[i].Slug, rows[i].Name, rows[i].Role = m.Org.Slug, m.Org.Name, m.Role
	})
	return rows, nil
}

// loadSummaries reads the current stored summaries of orgs in one query
// and decodes them, and makes the others (stale, missing, of another
// encoding) from the records, on every core.
func (s *Server) loadSummaries(ctx context.Context, orgs []store.Org, heads map[int64]audit.Head) (map[int64]*mspEntry, error) {
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	stored, err := s.st.OrgSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*mspEntry, len(orgs))
	errs := make([]error, len(orgs))
	parallel(len(orgs), func(i int) {
		org := orgs[i]
		if st, ok := stored[org.ID]; ok {
			if e := s.msp.get(org.ID, st.Head); e != nil {
				out[i] = e // read by a request just before
				return
			}
			if sum, err := msp.Decode(st.Body); err == nil {
				out[i] = s.msp.put(org.ID, &mspEntry{head: st.Head, sum: sum})
				return
			}
		}
		head, ok := heads[org.ID]
		out[i], errs[i] = s.buildSummary(ctx, org, head, ok)
	})
	m := make(map[int64]*mspEntry, len(orgs))
	for i, o := range orgs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		m[o.ID] = out[i]
	}
	return m, nil
}

// buildSummary makes org's summary from its records, read after its head
// was: a change landing in between is kept under the older head and made
// again on the next request, never served stale. It is stored for the
// next server to start. An organization without an audit chain (made
// before there was one) has nothing to key on: its summary serves this
// request only.
func (s *Server) buildSummary(ctx context.Context, org store.Org, head audit.Head, chained bool) (*mspEntry, error) {
	build := func() (*mspEntry, error) {
		if s.msp.building != nil {
			s.msp.building()
		}
		o := s.st.Org(org)
		var ws *workspace.Workspace
		if e := s.wsc.get(org.ID, head); chained && e != nil {
			ws = e.ws // the organization's pages loaded it already
		} else {
			var err error
			if ws, err = o.Workspace(ctx); err != nil {
				return nil, err
			}
		}
		open, err := o.OpenFindingTotal(ctx)
		if err != nil {
			return nil, err
		}
		s.msp.builds.Add(1)
		e := &mspEntry{head: head, sum: msp.Summary{Workspace: ws, OpenFindings: open}}
		if !chained {
			return e, nil
		}
		body, err := msp.Encode(e.sum)
		if err == nil {
			err = s.st.PutOrgSummary(ctx, org.ID, store.OrgSummary{Head: head, Body: body})
		}
		if err != nil {
			// The summary is a cache: without it the next start makes it again.
			s.log.WarnContext(ctx, "store the overview's summary", "org", org.Slug, "err", err)
		}
		return s.msp.put(org.ID, e), nil
	}
	if !chained {
		return build()
	}
	key := fmt.Sprintf("build %d %d %s", org.ID, head.Seq, head.Hash)
	v, err, _ := s.msp.flight.Do(key, func() (any, error) {
		if e := s.msp.get(org.ID, head); e != nil {
			return e, nil // made by a flight that just ended
		}
		return build()
	})
	if err != nil {
		return nil, err
	}
	return v.(*mspEntry), nil
}

// orgColumns are the sortable columns, with the direction a first click
// sorts in: worst first (lowest readiness, most failures, soonest
// deadline).
var orgColumns = []struct {
	key, label string
	desc       bool
	numeric    bool
}{
	{"name", "Organization", false, false},
	{"hipaa", "HIPAA", false, true},
	{"soc2", "SOC 2", false, true},
	{"csf", "CSF", false, true},
	{"attention", "Needs attention", true, true},
	{"gate", "Blocking live PHI", true, true},
	{"failing", "Errors", true, true},
	{"findings", "Open scan findings", true, true},
	{"exceptions", "Type II exceptions", true, true},
	{"requests", "Overdue requests", true, true},
	{"deadline", "Next deadline", false, false},
}

// parseSort reads ?sort=KEY or ?sort=-KEY (descending); ok is false for
// an unknown key.
func parseSort(v string) (key string, desc, ok bool) {
	if v == "" {
		return "name", false, true
	}
	key, desc = strings.TrimPrefix(v, "-"), strings.HasPrefix(v, "-")
	for _, c := range orgColumns {
		if c.key == key {
			return key, desc, true
		}
	}
	return key, desc, false
}

// sortOrgs orders rows by one column; rows without a value (SOC 2 not
// pursued, no deadline) go last either way, and ties go by name.
func sortOrgs(rows []OrgRow, key string, desc bool) {
	byName := func(a, b OrgRow) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Slug, b.Slug))
	}
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	// missing puts rows lacking a value last regardless of direction.
	missing := func(a, b bool) (int, bool) {
		switch {
		case a && b:
			return 0, true
		case a:
			return 1, true
		case b:
			return -1, true
		}
		return 0, false
	}
	slices.SortStableFunc(rows, func(a, b OrgRow) int {
		var c int
		switch key {
		case "name":
			return dir(byName(a, b))
		case "hipaa", "soc2", "csf":
			pa, pb := a.Readiness[key], b.Readiness[key]
			if m, ok := missing(pa == nil, pb == nil); ok {
				return cmp.Or(m, byName(a, b))
			}
			c = dir(cmp.Compare(*pa, *pb))
		case "failing":
			c = dir(cmp.Compare(a.Failing, b.Failing))
		case "attention":
			c = dir(cmp.Compare(a.NeedsAttention, b.NeedsAttention))
		case "gate":
			c = dir(cmp.Compare(a.BlockingLivePHI, b.BlockingLivePHI))
		case "findings":
			c = dir(cmp.Compare(a.OpenFindings, b.OpenFindings))
		case "exceptions":
			c = dir(cmp.Compare(a.Exceptions, b.Exceptions))
		case "requests":
			c = dir(cmp.Compare(a.OverdueRequests, b.OverdueRequests))
		case "deadline":
			if m, ok := missing(a.Next == nil, b.Next == nil); ok {
				return cmp.Or(m, byName(a, b))
			}
			c = dir(a.Next.Due.Compare(b.Next.Due))
		}
		return cmp.Or(c, byName(a, b))
	})
}

func (s *Server) orgsData(w http.ResponseWriter, r *http.Request, api bool) (OrgsOverview, bool) {
	asOf, err := s.requestAsOf(r)
	if err != nil {
		s.fail(w, r, api, http.StatusBadRequest, err.Error())
		return OrgsOverview{}, false
	}
	key, desc, ok := parseSort(r.URL.Query().Get("sort"))
	if !ok {
		var keys []string
		for _, c := range orgColumns {
			keys = append(keys, c.key)
		}
		s.fail(w, r, api, http.StatusBadRequest, "sort must be one of "+strings.Join(keys, ", ")+" (with - in front for descending)")
		return OrgsOverview{}, false
	}
	ms, err := s.st.Memberships(r.Context(), currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, api, err)
		return OrgsOverview{}, false
	}
	// A workforce member sees nothing of an organization's program: its
	// memberships are links to its own tasks, without a row of numbers.
	tasks := []OrgMembership{}
	ms = slices.DeleteFunc(ms, func(m store.Membership) bool {
		if m.Role == store.RoleMember {
			tasks = append(tasks, OrgMembership{Slug: m.Org.Slug, Name: m.Org.Name, Role: m.Role})
			return true
		}
		return false
	})
	rows, err := s.orgsOverview(r.Context(), ms, asOf)
	if err != nil {
		s.serverError(w, r, api, err)
		return OrgsOverview{}, false
	}
	sortOrgs(rows, key, desc)
	ov := OrgsOverview{AsOf: asOf, Sort: key, Orgs: rows, Frameworks: readinessFrameworks, Tasks: tasks}
	if desc {
		ov.Sort = "-" + key
	}
	asOfParam := r.URL.Query().Get("as_of")
	for _, c := range orgColumns {
		col := OrgColumn{Key: c.key, Label: c.label, Numeric: c.numeric}
		next := c.key
		if c.desc {
			next = "-" + c.key
		}
		if c.key == key {
			col.Current = "asc"
			if desc {
				col.Current = "desc"
			}
			// Clicking the current column reverses it.
			next = c.key
			if !desc {
				next = "-" + c.key
			}
		}
		col.Href = "?sort=" + next
		if asOfParam != "" {
			col.Href += "&as_of=" + asOf.String()
		}
		ov.Columns = append(ov.Columns, col)
	}
	return ov, true
}

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) {
	if ov, ok := s.orgsData(w, r, false); ok {
		s.render(w, r, "orgs.html", ov)
	}
}

func (s *Server) orgsOverviewAPI(w http.ResponseWriter, r *http.Request) {
	if ov, ok := s.orgsData(w, r, true); ok {
		writeJSON(w, http.StatusOK, ov)
	}
}
