package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"ward/internal/audit"
	"ward/internal/catalog"
	"ward/internal/date"
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
	for _, fw := range readinessFrameworks {
		if fw == "soc2" && !soc2 {
			row.Readiness[fw] = nil
			continue
		}
		p, err := posture.Evaluate(ws, cat, fw, asOf)
		if err != nil {
			row.Error = err.Error()
			continue
		}
		pct := p.Score.Percent
		row.Readiness[fw] = &pct
		if fw == "soc2" {
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

// rowCache keeps each organization's computed row with the audit head it
// was computed at. Every change to an organization's records appends to
// its audit chain in the same transaction, so an unchanged head means
// unchanged records, and the row for the same date can be reused: a
// second look at the overview reads one small row per organization
// instead of every record.
type rowCache struct {
	mu sync.Mutex
	m  map[int64]cachedRow
}

type cachedRow struct {
	head audit.Head
	asOf date.Date
	row  OrgRow
}

func (c *rowCache) get(org int64, head audit.Head, asOf date.Date) (OrgRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[org]
	return e.row, ok && e.head == head && e.asOf.Equal(asOf)
}

func (c *rowCache) put(org int64, head audit.Head, asOf date.Date, row OrgRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cachedRow{}
	}
	c.m[org] = cachedRow{head, asOf, row}
}

// orgRow is one organization's row, from the cache when its audit head
// has not moved. The head is read before the records: a change landing in
// between is cached under the older head, so it is recomputed next time,
// never served stale.
func (s *Server) orgRow(ctx context.Context, org store.Org, cat *catalog.Catalog, asOf date.Date) (OrgRow, error) {
	o := s.st.Org(org)
	head, err := o.AuditHead(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return OrgRow{}, err
	}
	if row, ok := s.rows.get(org.ID, head, asOf); ok {
		return row, nil
	}
	e, err := s.cachedEntry(ctx, org)
	if err != nil {
		return OrgRow{}, err
	}
	// The row is of e's workspace: under e's head, which is this one or,
	// when a change landed since, newer.
	row, err := deriveIn(e, "org row "+asOf.String(), func(ws *workspace.Workspace) (OrgRow, error) {
		row := orgSummary(ws, cat, asOf, org.Slug)
		var err error
		row.OpenFindings, err = o.OpenFindingTotal(context.WithoutCancel(ctx))
		return row, err
	})
	if err != nil {
		return OrgRow{}, err
	}
	s.rows.put(org.ID, e.head, asOf, row)
	return row, nil
}

// orgsOverview computes every row, a few organizations at a time (one
// per core): each is one query for its records and pure functions after,
// or one query for its audit head when the cached row is current.
func (s *Server) orgsOverview(ctx context.Context, ms []store.Membership, asOf date.Date) ([]OrgRow, error) {
	rows := make([]OrgRow, len(ms))
	cat := catalog.Default()
	jobs := make(chan int)
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(ms), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				m := ms[i]
				row, err := s.orgRow(ctx, m.Org, cat, asOf)
				if err != nil {
					errs[i] = err
					continue
				}
				rows[i] = row
				rows[i].Slug, rows[i].Name, rows[i].Role = m.Org.Slug, m.Org.Name, m.Role
			}
		}()
	}
	for i := range ms {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
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
