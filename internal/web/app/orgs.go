package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"ward/internal/audit"
	"ward/internal/catalog"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/msp"
	"ward/internal/posture"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/controls"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs", Role: kit.AnyUser, Handler: orgsPage},
		// Not /api/v1/orgs/overview: everything under /api/v1/orgs/ names
		// one organization.
		kit.Route{Method: "GET", Pattern: "/api/v1/overview", Role: kit.AnyUser, Handler: orgsOverviewAPI},
	)
}

// OrgsOverview is every organization the caller belongs to, one row each:
// what an MSP looks at first. The page is /orgs (and the home page for an
// account with several organizations); the JSON is GET /api/v1/overview.
type OrgsOverview struct {
	AsOf       date.Date    `json:"as_of"`
	Sort       string       `json:"sort"`
	Orgs       []kit.OrgRow `json:"orgs"`
	Columns    []OrgColumn  `json:"-"`
	Frameworks []string     `json:"-"`
	// Dated is the date the page was asked for (?as_of=), "" for today:
	// the rows' links carry it, so an organization's page shows the
	// numbers of the row clicked.
	Dated string `json:"-"`
	// Tasks are the organizations where the caller is a workforce member
	// (role member): it sees its own tasks there, and no numbers.
	Tasks []kit.OrgMembership `json:"tasks"`
	// Pending counts the organizations left out because their summary
	// is still being made at start (after an upgrade).
	Pending int `json:"pending"`
}

// OrgColumn is a sortable column of the page.
type OrgColumn struct {
	Key, Label string
	Href       string // the page sorted by this column (toggled when current)
	Current    string // "asc", "desc" or ""
	Numeric    bool
}

// orgSummary computes one organization's row from its workspace. Its
// counts and next deadline come from the organization's "needs
// attention" list (package todo), so they agree with its home page.
func orgSummary(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date, slug string) kit.OrgRow {
	row := kit.OrgRow{Readiness: map[string]*float64{}}
	soc2 := ws.Organization.SOC2.Type == "type1" || ws.Organization.SOC2.Type == "type2"
	fws := controls.ReadinessFrameworks
	if !soc2 {
		fws = slices.DeleteFunc(slices.Clone(fws), func(fw string) bool { return fw == "soc2" })
		row.Readiness["soc2"] = nil
	}
	// One evaluation for every framework: the evidence is indexed and
	// each control judged once (posture.EvaluateAll).
	facts := check.FactsOf(ws)
	ps, err := posture.EvaluateAllWith(ws, cat, fws, asOf, facts.Records)
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
	l := todo.BuildWith(ws, facts, asOf, slug)
	row.Failing, row.Warnings = l.Errors, l.Warnings
	row.NeedsAttention, row.Overdue, row.BlockingLivePHI = l.Open, l.Overdue, l.BlockingLivePHI
	row.OverdueRequests = privacy.Overdue(ws, asOf)
	if it := l.Next(); it != nil {
		row.Next = &kit.Deadline{Due: it.Due, What: it.Title, Days: *it.DaysLeft, Overdue: it.Overdue, Link: it.Link}
	}
	return row
}

// maxMSPDates bounds the dates whose rows an organization keeps in
// memory: a person paging through past dates must not grow it without
// end. Past the bound a row is computed and not kept.
const maxMSPDates = 64

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

// OrgsOverviewRows computes every row, each from what is nearest: the
// row held in memory for the organization's head (read with the
// memberships) and the date; for today, the row stored by the last
// server to evaluate it (org_rows), if made at the current head by these
// rules; else the organization's summary (held, stored, or made from the
// records when the stored one is stale), evaluated on every core. Today's
// rows evaluated here are stored for the next server to start.
func OrgsOverviewRows(s *kit.Server, ctx context.Context, ms []store.Membership, asOf date.Date) ([]kit.OrgRow, error) {
	heads := make(map[int64]audit.Head, len(ms))
	for _, m := range ms {
		if m.Head.Seq != 0 {
			heads[m.Org.ID] = m.Head
		}
	}
	day := asOf.String()
	rows := make([]kit.OrgRow, len(ms))
	slots := make([]*kit.MspRow, len(ms))
	var need []int // rows not held in memory
	for i, m := range ms {
		if h, ok := heads[m.Org.ID]; ok {
			slots[i] = s.Msp.RowSlot(m.Org.ID, h, day, maxMSPDates)
		}
		if slots[i] != nil && slots[i].Ready() {
			rows[i] = slots[i].Row
			continue
		}
		need = append(need, i)
	}
	today := asOf == s.Today()
	version := s.Msp.RulesVersion()
	if today && len(need) > 0 {
		ids := make([]int64, 0, len(need))
		for _, i := range need {
			if slots[i] != nil {
				ids = append(ids, ms[i].Org.ID)
			}
		}
		stored, err := s.Store.OrgRows(ctx, ids, day)
		if err != nil {
			return nil, err
		}
		need = slices.DeleteFunc(need, func(i int) bool {
			st, ok := stored[ms[i].Org.ID]
			if !ok || slots[i] == nil || st.Version != version+" "+ms[i].Org.Slug {
				return false
			}
			var row kit.OrgRow
			if json.Unmarshal(st.Body, &row) != nil {
				return false // made again, and stored over it
			}
			s.Msp.Stored.Add(1)
			slots[i].Fill(func() kit.OrgRow { return row })
			rows[i] = slots[i].Row
			return true
		})
	}
	if len(need) > 0 {
		entries, err := summaries(s, ctx, ms, need, heads)
		if err != nil {
			return nil, err
		}
		cat := catalog.Default()
		mine := make([]bool, len(ms))
		parallel(len(need), func(k int) {
			i := need[k]
			e, slug := entries[i], ms[i].Org.Slug
			if e == nil {
				rows[i] = kit.OrgRow{Pending: true}
				return
			}
			compute := func() kit.OrgRow {
				s.Msp.Evals.Add(1)
				row := orgSummary(e.Sum.Workspace, cat, asOf, slug)
				row.OpenFindings = e.Sum.OpenFindings
				return row
			}
			if slots[i] == nil {
				rows[i] = compute()
				return
			}
			mine[i] = slots[i].Fill(compute)
			rows[i] = slots[i].Row
		})
		if today {
			keep := map[int64]store.OrgRow{}
			for _, i := range need {
				if !mine[i] || rows[i].Error != "" {
					continue
				}
				if _, chained := heads[ms[i].Org.ID]; !chained {
					continue
				}
				body, err := json.Marshal(rows[i])
				if err != nil {
					continue
				}
				keep[ms[i].Org.ID] = store.OrgRow{Head: entries[i].Head, AsOf: day, Version: version + " " + ms[i].Org.Slug, Body: body}
			}
			if len(keep) > 0 {
				if err := s.Store.PutOrgRows(ctx, keep); err != nil {
					// The rows are a cache: without them the next start evaluates again.
					s.Log.WarnContext(ctx, "store the overview's rows", "err", err)
				}
			}
		}
	}
	for i, m := range ms {
		rows[i].Slug, rows[i].Name, rows[i].Role = m.Org.Slug, m.Org.Name, m.Role
	}
	return rows, nil
}

// summaries are the summaries of ms[i] for i in need (by index of ms):
// held in memory at the organization's head, or read and decoded once
// for concurrent requests.
func summaries(s *kit.Server, ctx context.Context, ms []store.Membership, need []int, heads map[int64]audit.Head) ([]*kit.MspEntry, error) {
	entries := make([]*kit.MspEntry, len(ms))
	var missing []store.Org
	var key strings.Builder
	for _, i := range need {
		m := ms[i]
		h, ok := heads[m.Org.ID]
		if e := s.Msp.Get(m.Org.ID, h); ok && e != nil {
			entries[i] = e
			continue
		}
		missing = append(missing, m.Org)
		fmt.Fprintf(&key, "%d %d %s,", m.Org.ID, h.Seq, h.Hash)
	}
	if len(missing) == 0 {
		return entries, nil
	}
	// Concurrent requests missing the same summaries read and decode them
	// once; one caller going away must not fail the others.
	v, err, _ := s.Msp.Flight.Do(key.String(), func() (any, error) {
		return loadSummaries(s, context.WithoutCancel(ctx), missing, heads)
	})
	if err != nil {
		return nil, err
	}
	loaded := v.(map[int64]*kit.MspEntry)
	for _, i := range need {
		if entries[i] == nil {
			entries[i] = loaded[ms[i].Org.ID]
		}
	}
	return entries, nil
}

// loadSummaries reads the current stored summaries of orgs in one query
// and decodes them, and makes the others (stale, missing, of another
// encoding) from the records, on every core.
func loadSummaries(s *kit.Server, ctx context.Context, orgs []store.Org, heads map[int64]audit.Head) (map[int64]*kit.MspEntry, error) {
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	stored, err := s.Store.OrgSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*kit.MspEntry, len(orgs))
	errs := make([]error, len(orgs))
	parallel(len(orgs), func(i int) {
		org := orgs[i]
		if st, ok := stored[org.ID]; ok {
			if e := s.Msp.Get(org.ID, st.Head); e != nil {
				out[i] = e // read by a request just before
				return
			}
			if sum, err := msp.Decode(st.Body); err == nil {
				s.Msp.Decoded.Add(1)
				out[i] = s.Msp.Put(org.ID, &kit.MspEntry{Head: st.Head, Sum: sum, Size: len(st.Body)})
				return
			}
		}
		head, ok := heads[org.ID]
		if ok && s.Msp.Preparing.Load() {
			return // made at start (PrepareOverview): pending, not waited for
		}
		out[i], errs[i] = buildSummary(s, ctx, org, head, ok)
	})
	m := make(map[int64]*kit.MspEntry, len(orgs))
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
func buildSummary(s *kit.Server, ctx context.Context, org store.Org, head audit.Head, chained bool) (*kit.MspEntry, error) {
	build := func() (*kit.MspEntry, error) {
		if s.Msp.Building != nil {
			s.Msp.Building()
		}
		o := s.Store.Org(org)
		var ws *workspace.Workspace
		if e := s.WSCache.Get(org.ID, head); chained && e != nil {
			ws = e.Ws // the organization's pages loaded it already
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
		s.Msp.Builds.Add(1)
		e := &kit.MspEntry{Head: head, Sum: msp.Summary{Workspace: ws, OpenFindings: open}}
		if !chained {
			return e, nil
		}
		body, err := msp.Encode(e.Sum)
		e.Size = len(body)
		if err == nil {
			err = s.Store.PutOrgSummary(ctx, org.ID, store.OrgSummary{Head: head, Body: body})
		}
		if err != nil {
			// The summary is a cache: without it the next start makes it again.
			s.Log.WarnContext(ctx, "store the overview's summary", "org", org.Slug, "err", err)
		}
		return s.Msp.Put(org.ID, e), nil
	}
	if !chained {
		return build()
	}
	key := fmt.Sprintf("build %d %d %s", org.ID, head.Seq, head.Hash)
	v, err, _ := s.Msp.Flight.Do(key, func() (any, error) {
		if e := s.Msp.Get(org.ID, head); e != nil {
			return e, nil // made by a flight that just ended
		}
		return build()
	})
	if err != nil {
		return nil, err
	}
	return v.(*kit.MspEntry), nil
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

// SortOrgs orders rows by one column; rows without a value (SOC 2 not
// pursued, no deadline) go last either way, and ties go by name.
func SortOrgs(rows []kit.OrgRow, key string, desc bool) {
	byName := func(a, b kit.OrgRow) int {
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
	slices.SortStableFunc(rows, func(a, b kit.OrgRow) int {
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

// serveOrgs answers /orgs and its API. The answer depends on the
// caller's organizations (each with its role and audit head), the date,
// the path and the query, and on nothing else of the person: it is kept
// (kit.ServeKept) under a digest of exactly those, so an unchanged view
// costs the session's one statement and a copy of bytes, and two
// accounts share an answer only when they hold the same roles in the
// same organizations at the same heads.
func serveOrgs(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) {
	ms, ok := kit.CallerMemberships(r)
	if !ok {
		var err error
		if ms, err = s.Store.Memberships(r.Context(), kit.CurrentUser(r).ID); err != nil {
			s.ServerError(w, r, api, err)
			return
		}
	}
	answer := func(s *kit.Server, w http.ResponseWriter, r *http.Request) {
		// The answer is made from the memberships the key names, never
		// from ones read again: a role given in between would otherwise
		// show an organization to whoever holds the key's.
		ov, ok := orgsData(s, w, r, api, slices.Clone(ms))
		switch {
		case !ok:
		case api:
			kit.WriteJSON(w, http.StatusOK, ov)
		default:
			s.Render(w, r, "orgs.html", ov)
		}
	}
	// While summaries are made at start an answer may leave some out:
	// it is not kept.
	if key, ok := orgsKey(s, r, ms); ok && !s.Msp.Preparing.Load() {
		s.ServeKept(w, r, key, 0, audit.Head{}, answer)
		return
	}
	answer(s, w, r)
}

// orgsKey is the digest the overview's answer is kept under; false when
// it is not kept: a bad date (answered as an error), no organization
// (the page then names the person), or one without an audit chain
// (nothing to key its state on).
func orgsKey(s *kit.Server, r *http.Request, ms []store.Membership) (string, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil || len(ms) == 0 || r.Method != http.MethodGet {
		return "", false
	}
	// Each string goes in with its length, so no two lists read alike.
	b := make([]byte, 0, 64+len(ms)*128)
	str := func(v string) {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	str(asOf.String())
	str(r.URL.Path + "?" + r.URL.Query().Encode())
	for _, m := range ms {
		if m.Head.Seq == 0 {
			return "", false
		}
		b = strconv.AppendInt(append(b, '\n'), m.Org.ID, 10)
		str(m.Org.Slug)
		str(m.Org.Name)
		str(m.Role)
		b = strconv.AppendInt(b, m.Head.Seq, 10)
		str(m.Head.Hash)
	}
	sum := sha256.Sum256(b)
	return "orgs " + hex.EncodeToString(sum[:]), true
}

func orgsData(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, ms []store.Membership) (OrgsOverview, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return OrgsOverview{}, false
	}
	key, desc, ok := parseSort(r.URL.Query().Get("sort"))
	if !ok {
		var keys []string
		for _, c := range orgColumns {
			keys = append(keys, c.key)
		}
		s.Fail(w, r, api, http.StatusBadRequest, "sort must be one of "+strings.Join(keys, ", ")+" (with - in front for descending)")
		return OrgsOverview{}, false
	}
	// A workforce member sees nothing of an organization's program: its
	// memberships are links to its own tasks, without a row of numbers.
	tasks := []kit.OrgMembership{}
	ms = slices.DeleteFunc(ms, func(m store.Membership) bool {
		if m.Role == store.RoleMember {
			tasks = append(tasks, kit.OrgMembership{Slug: m.Org.Slug, Name: m.Org.Name, Role: m.Role})
			return true
		}
		return false
	})
	rows, err := OrgsOverviewRows(s, r.Context(), ms, asOf)
	if err != nil {
		s.ServerError(w, r, api, err)
		return OrgsOverview{}, false
	}
	pending := 0
	rows = slices.DeleteFunc(rows, func(r kit.OrgRow) bool {
		if r.Pending {
			pending++
		}
		return r.Pending
	})
	SortOrgs(rows, key, desc)
	ov := OrgsOverview{AsOf: asOf, Sort: key, Orgs: rows, Frameworks: controls.ReadinessFrameworks, Tasks: tasks, Pending: pending}
	if desc {
		ov.Sort = "-" + key
	}
	asOfParam := r.URL.Query().Get("as_of")
	if asOfParam != "" {
		ov.Dated = asOf.String()
	}
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

func orgsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) { serveOrgs(s, w, r, false) }

func orgsOverviewAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	serveOrgs(s, w, r, true)
}
