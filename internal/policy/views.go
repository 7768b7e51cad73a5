package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Summary is one policy as the list shows it on a date.
type Summary struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Template   string    `json:"template,omitempty"`
	Owner      string    `json:"owner,omitempty"`
	Status     string    `json:"status"`            // draft | approved | retired
	Version    int       `json:"version,omitempty"` // in force
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedOn date.Date `json:"approved_on"`
	Effective  date.Date `json:"effective"`
	ReviewDue  date.Date `json:"review_due"`
	// ReviewOverdue: the review was due before the date.
	ReviewOverdue bool `json:"review_overdue"`
	// Drafts are the versions not yet approved.
	Drafts []int `json:"drafts"`
	// Acknowledged of Owed: the workforce's acknowledgements of the
	// version in force; Overdue of them late.
	Acknowledged int `json:"acknowledged"`
	Owed         int `json:"owed"`
	Overdue      int `json:"overdue"`
	// RetainUntil is the retention date of the version in force
	// (164.316(b)(2)(i)).
	RetainUntil date.Date `json:"retain_until"`
}

// List summarizes every policy on asOf, in workspace order.
func List(ws *workspace.Workspace, asOf date.Date) []Summary {
	tasks := AllTasks(ws, asOf)
	out := make([]Summary, 0, len(ws.Policies))
	for i := range ws.Policies {
		p := &ws.Policies[i]
		s := Summary{ID: p.ID, Title: p.Title, Template: p.Template, Owner: p.Owner, Status: p.Status(asOf), Drafts: []int{}}
		if v := p.InForce(asOf); v != nil {
			s.Version, s.ApprovedBy, s.ApprovedOn, s.Effective = v.Version, v.ApprovedBy, v.ApprovedOn, v.EffectiveOn()
			s.ReviewDue = p.ReviewDue(asOf)
			s.ReviewOverdue = asOf.After(s.ReviewDue)
			s.RetainUntil = p.RetainUntil(v.Version, asOf)
		}
		for _, v := range p.Versions {
			if !v.Approved() {
				s.Drafts = append(s.Drafts, v.Version)
			}
		}
		for _, t := range tasks {
			if t.Kind != KindPolicy || t.ID != p.ID {
				continue
			}
			s.Owed++
			switch t.Status {
			case Done:
				s.Acknowledged++
			case Overdue:
				s.Overdue++
			}
		}
		out = append(out, s)
	}
	return out
}

// Version states in a policy's history.
const (
	VersionDraft      = "draft"
	VersionInForce    = "in force"
	VersionScheduled  = "approved, not yet in effect"
	VersionSuperseded = "superseded"
	VersionRetired    = "retired"
)

// VersionState is one version with its standing and retention date.
type VersionState struct {
	workspace.PolicyVersion
	State string `json:"state"`
	// InEffectUntil is the last day it was in effect (zero while it is,
	// or was never).
	InEffectUntil date.Date `json:"in_effect_until"`
	// RetainUntil: six years from creation or from when last in effect,
	// whichever is later (164.316(b)(2)(i)); zero for a draft.
	RetainUntil date.Date `json:"retain_until"`
}

// Detail is one policy with every version and who owes what.
type Detail struct {
	Summary
	Audience  []string                 `json:"audience"`
	Controls  []string                 `json:"controls"`
	Versions  []VersionState           `json:"versions"`
	Reviews   []workspace.PolicyReview `json:"reviews"`
	RetiredOn date.Date                `json:"retired_on"`
	// People are the acknowledgements of the version in force, person by
	// person.
	People []Task `json:"people"`
	// Citation is what the template answers, when there is one.
	Citation string `json:"citation,omitempty"`
}

// Show details one policy on asOf; ok is false when there is none.
func Show(ws *workspace.Workspace, id string, asOf date.Date) (Detail, bool) {
	p := ws.Policy(id)
	if p == nil {
		return Detail{}, false
	}
	var sum Summary
	for _, s := range List(ws, asOf) {
		if s.ID == id {
			sum = s
		}
	}
	d := Detail{Summary: sum, Audience: slices.Clone(p.Audience), Controls: slices.Clone(p.Controls), Reviews: slices.Clone(p.Reviews), RetiredOn: p.RetiredOn, People: []Task{}}
	if d.Audience == nil {
		d.Audience = []string{workspace.AudienceAll}
	}
	if d.Controls == nil {
		d.Controls = []string{}
	}
	if d.Reviews == nil {
		d.Reviews = []workspace.PolicyReview{}
	}
	if t := TemplateByID(p.Template); t != nil {
		d.Citation = t.Citation()
	}
	inForce := p.InForce(asOf)
	for _, v := range p.Versions {
		vs := VersionState{PolicyVersion: v, InEffectUntil: p.EndOf(v.Version), RetainUntil: p.RetainUntil(v.Version, asOf)}
		switch {
		case !v.Approved():
			vs.State = VersionDraft
		case inForce != nil && inForce.Version == v.Version:
			vs.State = VersionInForce
		case !p.RetiredOn.IsZero() && !p.RetiredOn.After(asOf) && (vs.InEffectUntil.IsZero() || !vs.InEffectUntil.Before(p.RetiredOn.AddDays(-1))):
			vs.State = VersionRetired
		case v.EffectiveOn().After(asOf):
			vs.State = VersionScheduled
		default:
			vs.State = VersionSuperseded
		}
		d.Versions = append(d.Versions, vs)
	}
	for _, t := range AllTasks(ws, asOf) {
		if t.Kind == KindPolicy && t.ID == id {
			d.People = append(d.People, t)
		}
	}
	return d, true
}

// Row is one person on the people board: where they stand with every
// policy and training on a date.
type Row struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status string `json:"status"` // employed | left | not started
	// Start, End and Clearance as recorded.
	Start     date.Date `json:"start"`
	End       date.Date `json:"end"`
	Clearance date.Date `json:"clearance"`
	// Tasks by policy or training id ("policy:sanctions",
	// "training:hipaa-awareness"); an absent key is nothing owed.
	Tasks map[string]Task `json:"tasks"`
	// Open and Overdue count the person's tasks not done.
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
	// Access lists the PHI systems a leaver still reaches past the
	// deadline (workforce.termination-open).
	AccessOpen []string `json:"access_open"`
}

// Column is one policy or training of the board.
type Column struct {
	Key     string `json:"key"` // policy:ID or training:ID
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version int    `json:"version,omitempty"`
}

// Board is the people page: one row per person, one column per policy in
// force and per training, and the reminder list.
type Board struct {
	AsOf    date.Date `json:"as_of"`
	Columns []Column  `json:"columns"`
	Rows    []Row     `json:"rows"`
	// Remind are the people with something open or overdue, with what,
	// for the one-click reminder list.
	Remind []Reminder `json:"remind"`
}

// Reminder is one person to remind, and of what.
type Reminder struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Items []string `json:"items"` // "Sanctions policy v2 (overdue since 2026-12-02)"
}

// People builds the board on asOf. filter keeps people with an open
// ("open") or overdue ("overdue") task, or of one policy or training
// (a column key); "" keeps everyone.
func People(ws *workspace.Workspace, asOf date.Date, filter string) Board {
	b := Board{AsOf: asOf, Columns: []Column{}, Rows: []Row{}, Remind: []Reminder{}}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		if v := p.InForce(asOf); v != nil {
			b.Columns = append(b.Columns, Column{Key: KindPolicy + ":" + p.ID, Kind: KindPolicy, ID: p.ID, Title: p.Title, Version: v.Version})
		}
	}
	for _, t := range ws.Trainings {
		b.Columns = append(b.Columns, Column{Key: KindTraining + ":" + t.ID, Kind: KindTraining, ID: t.ID, Title: t.Title})
	}
	leavers := map[string][]string{}
	for _, l := range OpenTerminations(ws, asOf) {
		leavers[l.Person] = l.Systems
	}
	for _, p := range ws.People {
		r := Row{Email: p.Email, Name: p.Name, Role: p.Role, Start: p.Start, End: p.End, Clearance: p.Clearance, Tasks: map[string]Task{}, AccessOpen: leavers[p.Email]}
		switch {
		case !p.Start.IsZero() && p.Start.After(asOf):
			r.Status = "not started"
		case !p.End.IsZero() && p.End.Before(asOf):
			r.Status = "left"
		default:
			r.Status = "employed"
		}
		if r.AccessOpen == nil {
			r.AccessOpen = []string{}
		}
		var items []string
		for _, t := range Tasks(ws, p, asOf) {
			r.Tasks[t.Kind+":"+t.ID] = t
			switch t.Status {
			case Open:
				r.Open++
				items = append(items, reminderItem(t, "due "+t.Due.String()))
			case Overdue:
				r.Overdue++
				items = append(items, reminderItem(t, "overdue since "+t.Due.String()))
			}
		}
		if !keep(r, filter) {
			continue
		}
		b.Rows = append(b.Rows, r)
		if len(items) > 0 {
			b.Remind = append(b.Remind, Reminder{Email: p.Email, Name: p.Name, Items: items})
		}
	}
	sort.SliceStable(b.Remind, func(i, j int) bool { return b.Remind[i].Email < b.Remind[j].Email })
	return b
}

func reminderItem(t Task, when string) string {
	var what string
	if t.Kind == KindPolicy {
		what = fmt.Sprintf("acknowledge %s version %d", t.Title, t.Version)
	} else {
		what = "complete " + t.Title
	}
	return what + " (" + when + ")"
}

// Filters the board accepts besides a column key.
const (
	FilterOpen    = "open"    // something open or overdue
	FilterOverdue = "overdue" // something overdue, or a leaver's access
)

func keep(r Row, filter string) bool {
	switch {
	case filter == "":
		return true
	case filter == FilterOpen:
		return r.Open+r.Overdue > 0 || len(r.AccessOpen) > 0
	case filter == FilterOverdue:
		return r.Overdue > 0 || len(r.AccessOpen) > 0
	}
	t, ok := r.Tasks[filter]
	return ok && t.Status != Done
}

// ReminderText is the reminder list as a message a lead can paste into
// an e-mail: one paragraph per person.
func ReminderText(b Board, org string) string {
	var s strings.Builder
	for i, r := range b.Remind {
		if i > 0 {
			s.WriteString("\n")
		}
		name := r.Name
		if name == "" {
			name = r.Email
		}
		fmt.Fprintf(&s, "To: %s <%s>\n%s: as of %s you have %s at %s:\n", name, r.Email, name, b.AsOf, plural(len(r.Items), "task"), org)
		for _, it := range r.Items {
			fmt.Fprintf(&s, "  - %s\n", it)
		}
	}
	return s.String()
}
