// Package workforce builds the acknowledgement and training report an
// auditor asks for (SOC 2 CC1.4, CC2.2; 45 CFR 164.308(a)(5),
// 164.316(b)(2)(ii), 164.308(a)(3)): where every person stands with every
// policy and training on a date, every acknowledgement and completion on
// record, joiners and leavers with their access, and the security
// reminders, as a spreadsheet. It knows nothing of storage or HTTP.
package workforce

import (
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// Summary is one policy in force or one training, counted.
type Summary struct {
	Kind     string `json:"kind"` // policy | training
	ID       string `json:"id"`
	Title    string `json:"title"`
	Version  int    `json:"version,omitempty"`
	Audience string `json:"audience"`
	// Done, Open and Overdue count the people who owe it on the date.
	Done    int `json:"done"`
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// Status is one thing one person owes on the date.
type Status struct {
	policy.Task
	Name string `json:"name"`
	Role string `json:"role"`
}

// Ack is one acknowledgement on record, with the day it was due.
type Ack struct {
	workspace.Acknowledgement
	Name  string    `json:"name"`
	Title string    `json:"title"`
	Due   date.Date `json:"due"`
	// OnTime: given on or before the day it was due.
	OnTime bool `json:"on_time"`
}

// Completion is one training completion on record.
type Completion struct {
	workspace.TrainingRecord
	Name  string `json:"name"`
	Title string `json:"title"`
}

// Person is one row of the joiners and leavers.
type Person struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Status    string    `json:"status"` // employed | left | not started
	Start     date.Date `json:"start"`
	End       date.Date `json:"end"`
	Clearance date.Date `json:"clearance"`
	Access    []string  `json:"access"`
	// AccessOpen are the PHI systems a leaver still reaches past the
	// deadline (164.308(a)(3)(ii)(C)); Deadline is that deadline.
	AccessOpen []string  `json:"access_open"`
	Deadline   date.Date `json:"deadline"`
	Open       int       `json:"open"`
	Overdue    int       `json:"overdue"`
}

// Report is the workforce report on a date.
type Report struct {
	Organization string               `json:"organization"`
	AsOf         date.Date            `json:"as_of"`
	Summary      []Summary            `json:"summary"`
	Status       []Status             `json:"status"`
	Acks         []Ack                `json:"acknowledgements"`
	Completions  []Completion         `json:"completions"`
	People       []Person             `json:"people"`
	Reminders    []workspace.Reminder `json:"security_reminders"`
}

// Build assembles the report on asOf. Records dated after asOf are left
// out, so a report for a past date reads as it would have then.
func Build(ws *workspace.Workspace, asOf date.Date) Report {
	r := Report{Organization: ws.Organization.Name, AsOf: asOf, Summary: []Summary{}, Status: []Status{}, Acks: []Ack{},
		Completions: []Completion{}, People: []Person{}, Reminders: []workspace.Reminder{}}
	tasks := policy.AllTasks(ws, asOf)
	count := func(s *Summary) {
		for _, t := range tasks {
			if t.Kind != s.Kind || t.ID != s.ID {
				continue
			}
			switch t.Status {
			case policy.Done:
				s.Done++
			case policy.Open:
				s.Open++
			case policy.Overdue:
				s.Overdue++
			}
		}
	}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		v := p.InForce(asOf)
		if v == nil {
			continue
		}
		s := Summary{Kind: policy.KindPolicy, ID: p.ID, Title: p.Title, Version: v.Version, Audience: audience(p.Audience)}
		count(&s)
		r.Summary = append(r.Summary, s)
	}
	for _, t := range ws.Trainings {
		s := Summary{Kind: policy.KindTraining, ID: t.ID, Title: t.Title, Audience: audience(t.Audience)}
		count(&s)
		r.Summary = append(r.Summary, s)
	}
	for _, t := range tasks {
		st := Status{Task: t}
		if p := ws.Person(t.Person); p != nil {
			st.Name, st.Role = p.Name, p.Role
		}
		r.Status = append(r.Status, st)
	}
	for _, a := range ws.Acknowledgements {
		if a.On.After(asOf) {
			continue
		}
		x := Ack{Acknowledgement: a, Name: personName(ws, a.Person)}
		if p := ws.Policy(a.Policy); p != nil {
			x.Title = p.Title
			if v := p.Version(a.Version); v != nil && v.Approved() {
				who := workspace.Person{Email: a.Person}
				if pp := ws.Person(a.Person); pp != nil {
					who = *pp
				}
				x.Due, _ = policy.AckDue(ws, *v, who)
				x.OnTime = !a.On.After(x.Due)
			}
		}
		r.Acks = append(r.Acks, x)
	}
	slices.SortStableFunc(r.Acks, func(a, b Ack) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		return strings.Compare(a.Key(), b.Key())
	})
	for _, c := range ws.TrainingRecords {
		if c.Completed.After(asOf) {
			continue
		}
		x := Completion{TrainingRecord: c, Name: personName(ws, c.Person)}
		if t := ws.Training(c.Training); t != nil {
			x.Title = t.Title
		}
		r.Completions = append(r.Completions, x)
	}
	slices.SortStableFunc(r.Completions, func(a, b Completion) int {
		if c := a.Completed.Compare(b.Completed); c != 0 {
			return c
		}
		return strings.Compare(a.Key(), b.Key())
	})
	open := map[string]policy.Leaver{}
	for _, l := range policy.OpenTerminations(ws, asOf) {
		open[l.Person] = l
	}
	board := policy.People(ws, asOf, "")
	for _, row := range board.Rows {
		p := ws.Person(row.Email)
		x := Person{Email: row.Email, Name: row.Name, Role: row.Role, Status: row.Status, Start: row.Start, End: row.End, Clearance: row.Clearance,
			Access: []string{}, AccessOpen: []string{}, Open: row.Open, Overdue: row.Overdue}
		if p != nil && p.Access != nil {
			x.Access = slices.Clone(p.Access)
		}
		if l, ok := open[row.Email]; ok {
			x.AccessOpen, x.Deadline = l.Systems, l.Deadline
		}
		r.People = append(r.People, x)
	}
	for _, m := range ws.SecurityReminders {
		if !m.On.After(asOf) {
			r.Reminders = append(r.Reminders, m)
		}
	}
	slices.SortStableFunc(r.Reminders, func(a, b workspace.Reminder) int { return a.On.Compare(b.On) })
	return r
}

func audience(a workspace.Audience) string {
	if a.Everyone() {
		return "everyone"
	}
	return strings.Join(a, ", ")
}

func personName(ws *workspace.Workspace, email string) string {
	if p := ws.Person(email); p != nil {
		return p.Name
	}
	return ""
}
