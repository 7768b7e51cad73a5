package policy

import (
	"slices"
	"strconv"
	"strings"

	"ward/internal/date"
	"ward/internal/plan"
	"ward/internal/workspace"
)

// Task states: what a person owes for one policy or training on a date.
const (
	Done    = "done"    // acknowledged, or the training is current
	Open    = "open"    // owed, not yet due
	Overdue = "overdue" // owed, past its due date
)

// Task kinds.
const (
	KindPolicy   = "policy"
	KindTraining = "training"
)

// Task is one thing one person owes: acknowledging the version of a
// policy in force, or completing a training.
type Task struct {
	Person  string    `json:"person"`
	Kind    string    `json:"kind"` // policy | training
	ID      string    `json:"id"`   // the policy or training id
	Title   string    `json:"title"`
	Version int       `json:"version,omitempty"` // the policy version to acknowledge
	Status  string    `json:"status"`            // done | open | overdue
	Due     date.Date `json:"due"`               // when it is (or was) owed; for a current training, when it is next owed
	On      date.Date `json:"on"`                // the acknowledgement or the latest completion; zero when none
	// Why says where the due date comes from, in words.
	Why string `json:"why"`
}

// Tasks lists what a person owes on asOf: an acknowledgement of the
// version in force of every policy whose audience includes them, and
// every training whose audience includes them. A person not employed on
// asOf (not started yet, or past their last day) owes nothing.
func Tasks(ws *workspace.Workspace, p workspace.Person, asOf date.Date) []Task {
	if !p.Employed(asOf) {
		return nil
	}
	acks := ackIndex(ws, asOf)
	done := completions(ws, asOf)
	var out []Task
	for i := range ws.Policies {
		pol := &ws.Policies[i]
		if t, ok := ackTask(ws, pol, p, acks, asOf); ok {
			out = append(out, t)
		}
	}
	for _, tr := range ws.Trainings {
		if t, ok := trainingTask(ws, tr, p, done[p.Email+"|"+tr.ID], asOf); ok {
			out = append(out, t)
		}
	}
	return out
}

// AllTasks is Tasks for everyone in the workspace, person by person in
// workspace order.
func AllTasks(ws *workspace.Workspace, asOf date.Date) []Task {
	acks := ackIndex(ws, asOf)
	done := completions(ws, asOf)
	var out []Task
	for _, p := range ws.People {
		if !p.Employed(asOf) {
			continue
		}
		for i := range ws.Policies {
			if t, ok := ackTask(ws, &ws.Policies[i], p, acks, asOf); ok {
				out = append(out, t)
			}
		}
		for _, tr := range ws.Trainings {
			if t, ok := trainingTask(ws, tr, p, done[p.Email+"|"+tr.ID], asOf); ok {
				out = append(out, t)
			}
		}
	}
	return out
}

// ackIndex maps person|policy|version to the acknowledgement date (the
// earliest on or before asOf).
func ackIndex(ws *workspace.Workspace, asOf date.Date) map[string]date.Date {
	m := map[string]date.Date{}
	for _, a := range ws.Acknowledgements {
		if a.On.After(asOf) {
			continue
		}
		if d, ok := m[a.Key()]; !ok || a.On.Before(d) {
			m[a.Key()] = a.On
		}
	}
	return m
}

// completions maps person|training to the completion dates on or before
// asOf, oldest first.
func completions(ws *workspace.Workspace, asOf date.Date) map[string][]date.Date {
	m := map[string][]date.Date{}
	for _, r := range ws.TrainingRecords {
		if r.Completed.After(asOf) {
			continue
		}
		k := r.Person + "|" + r.Training
		m[k] = append(m[k], r.Completed)
	}
	for _, ds := range m {
		slices.SortFunc(ds, date.Date.Compare)
	}
	return m
}

// AckDue is the day a person must have acknowledged an approved version
// by: N days (organization.workforce.ack_within_days, 30 by default)
// after its approval, or after the person's start date when they joined
// later.
func AckDue(ws *workspace.Workspace, v workspace.PolicyVersion, p workspace.Person) (due date.Date, why string) {
	n := ws.Organization.Workforce.AckDays()
	if !p.Start.IsZero() && p.Start.After(v.ApprovedOn) {
		return p.Start.AddDays(n), plural(n, "day") + " after the start on " + p.Start.String()
	}
	return v.ApprovedOn.AddDays(n), plural(n, "day") + " after approval on " + v.ApprovedOn.String()
}

func ackTask(ws *workspace.Workspace, pol *workspace.Policy, p workspace.Person, acks map[string]date.Date, asOf date.Date) (Task, bool) {
	v := pol.InForce(asOf)
	if v == nil || !pol.Audience.Includes(p) {
		return Task{}, false
	}
	t := Task{Person: p.Email, Kind: KindPolicy, ID: pol.ID, Title: pol.Title, Version: v.Version}
	t.Due, t.Why = AckDue(ws, *v, p)
	key := workspace.Acknowledgement{Person: p.Email, Policy: pol.ID, Version: v.Version}.Key()
	switch on, ok := acks[key]; {
	case ok:
		t.Status, t.On = Done, on
	case asOf.After(t.Due):
		t.Status = Overdue
	default:
		t.Status = Open
	}
	return t, true
}

// Hire is the day a person's training clock starts: their start date, or
// the program's start for someone who was there before it; zero when
// neither is known.
func Hire(ws *workspace.Workspace, p workspace.Person) date.Date {
	if !p.Start.IsZero() {
		return p.Start
	}
	return ws.Organization.ProgramStart
}

// TrainingDue is when a person owes a training next, given their
// completions on or before the date asked about (oldest first): within
// the days allowed after hire when never completed, then every_months
// after the latest completion. ok is false for a training done once and
// completed.
func TrainingDue(ws *workspace.Workspace, t workspace.Training, p workspace.Person, done []date.Date) (due date.Date, why string, ok bool) {
	if len(done) > 0 {
		last := done[len(done)-1]
		m := t.Recurrence()
		if m == 0 {
			return date.Date{}, "done once, not repeated", false
		}
		return last.AddMonths(m), plural(m, "month") + " after the completion on " + last.String(), true
	}
	hire := Hire(ws, p)
	n := t.HireDays()
	if hire.IsZero() {
		return date.Date{}, "never completed (no start date or program start to count from)", true
	}
	if p.Start.IsZero() {
		return hire.AddDays(n), plural(n, "day") + " after the program start on " + hire.String(), true
	}
	return hire.AddDays(n), plural(n, "day") + " after the start on " + hire.String(), true
}

func trainingTask(ws *workspace.Workspace, tr workspace.Training, p workspace.Person, done []date.Date, asOf date.Date) (Task, bool) {
	if !tr.Audience.Includes(p) {
		return Task{}, false
	}
	t := Task{Person: p.Email, Kind: KindTraining, ID: tr.ID, Title: tr.Title}
	if len(done) > 0 {
		t.On = done[len(done)-1]
	}
	due, why, owed := TrainingDue(ws, tr, p, done)
	t.Due, t.Why = due, why
	switch {
	case !owed:
		t.Status = Done
	case len(done) > 0 && !asOf.After(due):
		t.Status = Done // current until due again
	case due.IsZero() || asOf.After(due):
		t.Status = Overdue
	default:
		t.Status = Open
	}
	return t, true
}

// Leaver is a person past their last day who can still reach PHI
// systems after the deadline to remove access.
type Leaver struct {
	Person   string    `json:"person"`
	End      date.Date `json:"end"`
	Deadline date.Date `json:"deadline"`
	Systems  []string  `json:"systems"` // the PHI systems still reachable
}

// OpenTerminations lists the leavers who, on asOf, still have access to a
// system that holds or carries PHI more than N days
// (organization.workforce.termination_within_days, 1 by default) after
// their last day: 164.308(a)(3)(ii)(C) asks that access end when
// employment does.
func OpenTerminations(ws *workspace.Workspace, asOf date.Date) []Leaver {
	n := ws.Organization.Workforce.TerminationDays()
	var out []Leaver
	for _, p := range ws.People {
		if p.End.IsZero() {
			continue
		}
		deadline := p.End.AddDays(n)
		if !asOf.After(deadline) {
			continue
		}
		var phi []string
		for _, id := range p.Access {
			if s := ws.System(id); s != nil && s.PHI {
				phi = append(phi, id)
			}
		}
		if len(phi) > 0 {
			out = append(out, Leaver{Person: p.Email, End: p.End, Deadline: deadline, Systems: phi})
		}
	}
	return out
}

// Frameworks reports whether HIPAA and SOC 2 apply to the organization
// (the plan's decision tree) and which SOC 2 categories are in scope.
func frameworks(ws *workspace.Workspace) (hipaa, soc2 bool, scope []string) {
	for _, f := range plan.Frameworks(ws) {
		switch f.ID {
		case plan.HIPAA:
			hipaa = f.Applies
		case plan.SOC2:
			soc2 = f.Applies
		}
	}
	if t := ws.Organization.SOC2.Type; t == "type1" || t == "type2" {
		soc2 = true
	}
	scope = append([]string{"security"}, ws.Organization.SOC2.Categories...)
	return hipaa, soc2, scope
}

// category is the SOC 2 category of a criterion id.
func category(id string) string {
	switch {
	case strings.HasPrefix(id, "CC"):
		return "security"
	case strings.HasPrefix(id, "A"):
		return "availability"
	case strings.HasPrefix(id, "C"):
		return "confidentiality"
	case strings.HasPrefix(id, "PI"):
		return "processing-integrity"
	case strings.HasPrefix(id, "P"):
		return "privacy"
	}
	return ""
}

// Required lists the templates the organization's frameworks ask for: as
// a HIPAA organization every template that answers a HIPAA section (the
// Privacy Rule ones for covered entities only, 164.530(i)); under SOC 2
// every template that answers a criterion in scope.
func Required(ws *workspace.Workspace) []*Template {
	hipaa, soc2, scope := frameworks(ws)
	ce := ws.Organization.HasRole(workspace.RoleCoveredEntity)
	var out []*Template
	for _, t := range Templates() {
		if t.CoveredEntity && !ce {
			continue
		}
		need := hipaa && len(t.HIPAA) > 0
		if soc2 && !need {
			for _, c := range t.SOC2 {
				if slices.Contains(scope, category(c)) {
					need = true
					break
				}
			}
		}
		if need {
			out = append(out, t)
		}
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

func itoa(n int) string { return strconv.Itoa(n) }
