package workforce

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// The compliance lead's people page (issue 18): one row per person with
// where they stand on every policy in force and every training (done, due
// by a date, overdue), joiners and leavers with their access, filters,
// and the reminder list: the people with something overdue and what each
// owes, as text to paste into a message or as mailto links.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/people", Role: store.RoleViewer, Handler: peoplePage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/people", Role: store.RoleViewer, Handler: peopleAPI},
	)
}

// PeopleFilter is what the page and the API narrow the board to.
type PeopleFilter struct {
	// Overdue keeps people with something overdue (or a leaver's access
	// still open).
	Overdue bool `json:"overdue"`
	// Policy and Training keep the people who owe that one (not done).
	Policy   string `json:"policy,omitempty"`
	Training string `json:"training,omitempty"`
	// Role keeps people of one job role (compared without regard to case).
	Role string `json:"role,omitempty"`
	// Who is joiners (started in the last 90 days, or not yet), leavers
	// (a last day recorded) or "" for everyone.
	Who string `json:"who,omitempty"`
}

// Active reports whether any filter is set.
func (f PeopleFilter) Active() bool { return f != PeopleFilter{} }

// joinerDays is how recent a start makes a joiner on the page.
const joinerDays = 90

// PeopleBoard is /orgs/{org}/people and its JSON.
type PeopleBoard struct {
	AsOf    date.Date       `json:"as_of"`
	Filter  PeopleFilter    `json:"filter"`
	Columns []policy.Column `json:"columns"`
	Rows    []PersonRow     `json:"rows"`
	// Total is the number of people before filtering.
	Total int `json:"total"`
	// Remind are the people of the rows with something overdue, with
	// what (narrowed to the policy or training filtered on).
	Remind []policy.Reminder `json:"remind"`
	// RemindText is Remind as a message to paste; MailtoAll writes to all
	// of them at once.
	RemindText string `json:"remind_text"`
	MailtoAll  string `json:"-"`
	// Choices for the filters (page only).
	Roles     []string          `json:"-"`
	Policies  []policy.Column   `json:"-"`
	Trainings []policy.Column   `json:"-"`
	Leavers   []policy.Leaver   `json:"leavers_with_access"`
	Mailto    map[string]string `json:"-"`
}

// PersonRow is one person with one cell per column.
type PersonRow struct {
	policy.Row
	Access []string `json:"access"`
	// Cells follow the board's columns: the task, or nil when the person
	// owes nothing for that column.
	Cells []*policy.Task `json:"-"`
	// Joiner: started within the last 90 days, or not yet.
	Joiner bool `json:"joiner"`
}

func parsePeopleFilter(q url.Values, ws *workspace.Workspace) (PeopleFilter, error) {
	f := PeopleFilter{
		Overdue:  q.Get("overdue") != "" && q.Get("overdue") != "0" && q.Get("overdue") != "false",
		Policy:   strings.TrimSpace(q.Get("policy")),
		Training: strings.TrimSpace(q.Get("training")),
		Role:     strings.TrimSpace(q.Get("role")),
		Who:      strings.TrimSpace(q.Get("who")),
	}
	if f.Policy != "" && ws.Policy(f.Policy) == nil {
		return f, fmt.Errorf("policy %q is not a policy of this organization", f.Policy)
	}
	if f.Training != "" && ws.Training(f.Training) == nil {
		return f, fmt.Errorf("training %q is not a training of this organization", f.Training)
	}
	switch f.Who {
	case "", "joiners", "leavers":
	default:
		return f, fmt.Errorf("who %q is not one of joiners, leavers (or empty for everyone)", f.Who)
	}
	return f, nil
}

func peopleBoard(ws *workspace.Workspace, asOf date.Date, f PeopleFilter, org string) PeopleBoard {
	b := policy.People(ws, asOf, "")
	pb := PeopleBoard{AsOf: asOf, Filter: f, Columns: b.Columns, Rows: []PersonRow{}, Total: len(b.Rows), Remind: []policy.Reminder{},
		Roles: []string{}, Leavers: policy.OpenTerminations(ws, asOf), Mailto: map[string]string{}}
	if pb.Leavers == nil {
		pb.Leavers = []policy.Leaver{}
	}
	for _, c := range b.Columns {
		if c.Kind == policy.KindPolicy {
			pb.Policies = append(pb.Policies, c)
		} else {
			pb.Trainings = append(pb.Trainings, c)
		}
	}
	access := map[string][]string{}
	for _, p := range ws.People {
		access[p.Email] = p.Access
		if p.Role != "" && !slices.ContainsFunc(pb.Roles, func(r string) bool { return strings.EqualFold(r, p.Role) }) {
			pb.Roles = append(pb.Roles, p.Role)
		}
	}
	slices.Sort(pb.Roles)
	focus := ""
	switch {
	case f.Policy != "":
		focus = policy.KindPolicy + ":" + f.Policy
	case f.Training != "":
		focus = policy.KindTraining + ":" + f.Training
	}
	for _, r := range b.Rows {
		row := PersonRow{Row: r, Access: access[r.Email]}
		if row.Access == nil {
			row.Access = []string{}
		}
		row.Joiner = !r.Start.IsZero() && (r.Start.After(asOf) || !r.Start.Before(asOf.AddDays(-joinerDays)))
		if !keepPerson(row, f, asOf) {
			continue
		}
		for _, c := range b.Columns {
			if t, ok := r.Tasks[c.Key]; ok {
				row.Cells = append(row.Cells, &t)
			} else {
				row.Cells = append(row.Cells, nil)
			}
		}
		pb.Rows = append(pb.Rows, row)
		var items []string
		for _, c := range b.Columns {
			t, ok := r.Tasks[c.Key]
			if !ok || t.Status != policy.Overdue || (focus != "" && c.Key != focus) {
				continue
			}
			items = append(items, owes(t))
		}
		if len(items) > 0 {
			pb.Remind = append(pb.Remind, policy.Reminder{Email: r.Email, Name: r.Name, Items: items})
		}
	}
	pb.RemindText = policy.ReminderText(policy.Board{AsOf: asOf, Remind: pb.Remind}, org)
	var to []string
	for _, m := range pb.Remind {
		to = append(to, m.Email)
		pb.Mailto[m.Email] = mailto([]string{m.Email}, "Overdue: your compliance tasks at "+org,
			policy.ReminderText(policy.Board{AsOf: asOf, Remind: []policy.Reminder{m}}, org))
	}
	if len(to) > 0 {
		pb.MailtoAll = mailto(to, "Overdue: compliance tasks at "+org, "Please open ward and complete the tasks listed under My tasks: the policies to acknowledge and the trainings to complete.")
	}
	return pb
}

// owes is what one overdue task asks of a person, in words.
func owes(t policy.Task) string {
	if t.Kind == policy.KindPolicy {
		return fmt.Sprintf("acknowledge %s version %d (overdue since %s)", t.Title, t.Version, t.Due)
	}
	if t.Due.IsZero() {
		return fmt.Sprintf("complete %s (overdue)", t.Title)
	}
	return fmt.Sprintf("complete %s (overdue since %s)", t.Title, t.Due)
}

// mailto is a mailto: address with a subject and a body (RFC 6068).
func mailto(to []string, subject, body string) string {
	var addrs []string
	for _, a := range to {
		addrs = append(addrs, url.PathEscape(a))
	}
	q := "subject=" + url.PathEscape(subject) + "&body=" + url.PathEscape(body)
	return "mailto:" + strings.Join(addrs, ",") + "?" + q
}

func keepPerson(r PersonRow, f PeopleFilter, asOf date.Date) bool {
	if f.Role != "" && !strings.EqualFold(strings.TrimSpace(r.Role), f.Role) {
		return false
	}
	switch f.Who {
	case "joiners":
		if !r.Joiner {
			return false
		}
	case "leavers":
		if r.End.IsZero() {
			return false
		}
	}
	owing := func(key string) bool {
		t, ok := r.Tasks[key]
		return ok && t.Status != policy.Done && (!f.Overdue || t.Status == policy.Overdue)
	}
	switch {
	case f.Policy != "":
		return owing(policy.KindPolicy + ":" + f.Policy)
	case f.Training != "":
		return owing(policy.KindTraining + ":" + f.Training)
	case f.Overdue:
		return r.Overdue > 0 || len(r.AccessOpen) > 0
	}
	return true
}

func peopleData(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (PeopleBoard, bool) {
	ws, asOf, ok := records.AsOfWorkspace(s, w, r, api)
	if !ok {
		return PeopleBoard{}, false
	}
	f, err := parsePeopleFilter(r.URL.Query(), ws)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return PeopleBoard{}, false
	}
	return peopleBoard(ws, asOf, f, ws.Organization.Name), true
}

func peoplePage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if pb, ok := peopleData(s, w, r, false); ok {
		s.Render(w, r, "people.html", pb)
	}
}

func peopleAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if pb, ok := peopleData(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, pb)
	}
}
