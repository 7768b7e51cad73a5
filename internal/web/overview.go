package web

import (
	"net/http"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/workspace"
)

func init() {
	register(
		Route{Method: "GET", Pattern: "/orgs/{org}", Role: store.RoleViewer, Handler: (*Server).overviewPage},
		Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/overview", Role: store.RoleViewer, Handler: (*Server).overviewAPI},
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
}

// Urgent are the items not upcoming, the page's list; Upcoming the rest,
// under "Coming up".
func (o Overview) Urgent() []todo.Item {
	var out []todo.Item
	for _, it := range o.Todo.Items {
		if it.Severity != todo.Upcoming {
			out = append(out, it)
		}
	}
	return out
}

// shownFirst is how many items the home page lists before "show more".
const shownFirst = 20

// First are the items shown at once; Rest those behind "show more".
func (o Overview) First() []todo.Item {
	u := o.Urgent()
	return u[:min(len(u), shownFirst)]
}

func (o Overview) Rest() []todo.Item {
	u := o.Urgent()
	return u[min(len(u), shownFirst):]
}

func (o Overview) Upcoming() []todo.Item {
	var out []todo.Item
	for _, it := range o.Todo.Items {
		if it.Severity == todo.Upcoming {
			out = append(out, it)
		}
	}
	return out
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

const overviewChanges = 10

func (s *Server) overview(r *http.Request, asOf date.Date) (Overview, error) {
	ctx := r.Context()
	o := s.org(r)
	org := currentOrg(r)
	list, err := derive(s, ctx, org, "todo "+asOf.String(), func(ws *workspace.Workspace) (todo.List, error) {
		return todo.Build(ws, asOf, org.Slug), nil
	})
	if err != nil {
		return Overview{}, err
	}
	counts, err := o.Counts(ctx)
	if err != nil {
		return Overview{}, err
	}
	entries, err := o.AuditLog(ctx, overviewChanges, 0)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Org: currentOrg(r), Role: role(r), Todo: list, Counts: []KindCount{}, Changes: changes(entries)}
	for _, k := range store.Kinds {
		if k == store.KindOrganization {
			continue // always one
		}
		ov.Counts = append(ov.Counts, KindCount{Kind: k, Label: kindNoun(k, counts[k]), Count: counts[k]})
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

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	asOf, ok := s.planAsOf(w, r, false)
	if !ok {
		return
	}
	ov, err := s.overview(r, asOf)
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	s.render(w, r, "overview.html", ov)
}

func (s *Server) overviewAPI(w http.ResponseWriter, r *http.Request) {
	asOf, ok := s.planAsOf(w, r, true)
	if !ok {
		return
	}
	ov, err := s.overview(r, asOf)
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	writeJSON(w, http.StatusOK, ov)
}
