package app

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}", Role: store.RoleViewer, Handler: kit.CachedGET(overviewPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/overview", Role: store.RoleViewer, Handler: kit.CachedGET(overviewAPI)},
	)
}

// Overview is what an organization's workspace holds and what changed
// last: the first page and GET /api/v1/orgs/{org}/overview.
type Overview struct {
	Org  store.Org `json:"org"`
	Role string    `json:"role"`
	// Todo is what needs attention (`ward todo`): the page's first
	// section. The counts of records follow it.
	Todo    todo.List   `json:"todo"`
	Counts  []KindCount `json:"counts"`
	Changes []Change    `json:"changes"`

	page todoPage // what the page lists (paginate)
}

// Urgent are the items not upcoming the page lists; Upcoming the rest,
// under "Coming up". Each section lists at most PerKind items of a kind,
// and More says how many of each it holds, with a link to all of them
// (?all=KIND, then the page lists every item of that kind and no
// other). The JSON API always has every item.
func (o Overview) Urgent() []todo.Item { return o.page.urgent }

// shownFirst is how many items the home page lists before "show more".
const shownFirst = 20

// PerKind is how many items of one kind each section of the home page
// lists: a person does not read 2,000 alike rows (issue 21), the count
// and the link to all of them say what the rest are. A small
// organization sees its whole list (the demo's largest kind has 22).
const PerKind = 30

// First are the items shown at once; Rest those behind "show more".
func (o Overview) First() []todo.Item {
	u := o.Urgent()
	return u[:min(len(u), shownFirst)]
}

func (o Overview) Rest() []todo.Item {
	u := o.Urgent()
	return u[min(len(u), shownFirst):]
}

func (o Overview) Upcoming() []todo.Item { return o.page.upcoming }

// More are the kinds a section lists only the first PerKind of.
func (o Overview) More() []TodoMore { return o.page.more }

// All is the kind ?all= names, "" when the page lists every kind.
func (o Overview) All() string { return o.page.all }

// Pages is where a ?all= page is among every item of its kind.
func (o Overview) Pages() records.Pages { return o.page.pages }

// Back is the query of the whole list from a ?all= page: the request's
// own without all, so the as-of date is kept ("" when nothing is left).
func (o Overview) Back() string { return o.page.back }

// TodoMore is one section's kind with more items than the page lists.
type TodoMore struct {
	Section string // "urgent" or "upcoming"
	Kind    string
	Shown   int
	Total   int
	Link    string // the page with every item of the kind
}

// todoPage is what the page lists of the to-do list.
type todoPage struct {
	urgent, upcoming []todo.Item
	more             []TodoMore
	all              string
	back             string
	pages            records.Pages
}

// AllPerPage is how many items of one kind a ?all= page lists at once:
// "Show all" of 2,000 alike items is paged too.
const AllPerPage = 100

// paginate fills o.page from the whole list: the items of kind all when
// all is not "", AllPerPage to a page (page, from 1), else the first
// PerKind of each kind in each section. q is the request's query, kept
// in the links.
func (o *Overview) paginate(all string, page int, q url.Values) {
	p := todoPage{all: all}
	var from, to int
	if all != "" {
		n := 0
		for _, it := range o.Todo.Items {
			if it.Kind == all {
				n++
			}
		}
		p.pages = records.ListPages(q, n, page, AllPerPage)
		from, to = p.pages.Rows(n)
	}
	at := 0 // the item's place among those of kind all
	shown := map[[2]string]int{}
	total := map[[2]string]int{}
	var order [][2]string
	for _, it := range o.Todo.Items {
		if all != "" {
			if it.Kind != all {
				continue
			}
			at++
			if at <= from || at > to {
				continue
			}
		}
		sec := "urgent"
		if it.Severity == todo.Upcoming {
			sec = "upcoming"
		}
		g := [2]string{sec, it.Kind}
		if total[g] == 0 {
			order = append(order, g)
		}
		total[g]++
		if all == "" && shown[g] == PerKind {
			continue
		}
		shown[g]++
		if sec == "urgent" {
			p.urgent = append(p.urgent, it)
		} else {
			p.upcoming = append(p.upcoming, it)
		}
	}
	if all != "" {
		bq := url.Values{}
		for k, v := range q {
			if k != "all" && k != "page" {
				bq[k] = v
			}
		}
		if len(bq) > 0 {
			p.back = "?" + bq.Encode()
		}
	}
	for _, g := range order {
		if total[g] > shown[g] {
			lq := url.Values{}
			for k, v := range q {
				lq[k] = v
			}
			lq.Set("all", g[1])
			lq.Del("page")
			p.more = append(p.more, TodoMore{Section: g[0], Kind: g[1], Shown: shown[g], Total: total[g], Link: "?" + lq.Encode()})
		}
	}
	o.page = p
}

type KindCount struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Change is an audit entry without its before/after data, which the
// overview does not need and which may be large.
type Change struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Kind   string    `json:"kind"`
	Key    string    `json:"key"`
}

const OverviewChanges = 10

func overview(s *kit.Server, r *http.Request, asOf date.Date) (Overview, error) {
	ctx := r.Context()
	o := s.Org(r)
	org := kit.CurrentOrg(r)
	list, err := kit.Derive(s, ctx, org, "todo "+asOf.String(), func(ws *workspace.Workspace) (todo.List, error) {
		return todo.Build(ws, asOf, org.Slug), nil
	})
	if err != nil {
		return Overview{}, err
	}
	counts, err := o.Counts(ctx)
	if err != nil {
		return Overview{}, err
	}
	entries, err := o.AuditLog(ctx, OverviewChanges, 0)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Org: kit.CurrentOrg(r), Role: kit.Role(r), Todo: list, Counts: []KindCount{}, Changes: changes(entries)}
	for _, k := range store.Kinds {
		if k == store.KindOrganization {
			continue // always one
		}
		ov.Counts = append(ov.Counts, KindCount{Kind: k, Label: kit.KindNoun(k, counts[k]), Count: counts[k]})
	}
	return ov, nil
}

func changes(entries []store.AuditEntry) []Change {
	cs := make([]Change, len(entries))
	for i, e := range entries {
		cs[i] = Change{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Kind: e.Kind, Key: e.Key}
	}
	return cs
}

func overviewPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, ok := s.PlanAsOf(w, r, false)
	if !ok {
		return
	}
	q := r.URL.Query()
	all := q.Get("all")
	if all != "" && !slices.Contains(todo.Kinds, all) {
		s.Fail(w, r, false, http.StatusBadRequest, fmt.Sprintf("all=%q is not a kind of item: use one of %s", all, strings.Join(todo.Kinds, ", ")))
		return
	}
	page, err := records.PageParam(q, "page", 1)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	ov, err := overview(s, r, asOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	ov.paginate(all, page, q)
	s.Render(w, r, "overview.html", ov)
}

func overviewAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, ok := s.PlanAsOf(w, r, true)
	if !ok {
		return
	}
	ov, err := overview(s, r, asOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, ov)
}
