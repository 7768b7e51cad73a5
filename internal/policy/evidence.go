package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Controls that the workforce records speak for whatever a policy or
// training lists: every approval or review of a policy is a policy review,
// every acknowledgement shows policies published and acknowledged, every
// reminder is a security reminder, every clearance a background check.
const (
	ControlPolicyReview  = "policy-review"
	ControlAcknowledged  = "policy-acknowledgment"
	ControlReminders     = "security-reminders"
	ControlClearance     = "background-checks"
	ControlTermination   = "offboarding"
	derivedBy            = "ward"
	derivedIDPrefix      = "derived:"
	acknowledgementsNote = "acknowledgement"
)

// Derived is the evidence the workforce records give the controls they
// cover, computed rather than stored, so that it follows the records and
// lapses with them:
//
//   - an approved policy version speaks for its controls from the day it
//     takes effect until it is superseded, retired or due for review
//     (stated as the item's period);
//   - each approval and each recorded review is a dated policy review;
//   - acknowledgements and training completions, grouped by policy
//     version (or training) and calendar month, speak for the months they
//     were given in;
//   - security reminders and clearances are dated items.
//
// Every item has Source "derived", an id starting "derived:", and a note
// naming the records it comes from. Items come in a stable order.
func Derived(ws *workspace.Workspace) []workspace.Evidence {
	var out []workspace.Evidence
	add := func(e workspace.Evidence) {
		e.Source, e.AddedBy = workspace.SourceDerived, derivedBy
		out = append(out, e)
	}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		for _, v := range p.Versions {
			if !v.Approved() {
				continue
			}
			// The version's own period: from effect to its end, cut at
			// the first review it missed.
			start, end := v.EffectiveOn(), p.EndOf(v.Version)
			lapse := reviewLapse(p, v.ApprovedOn, end)
			if end.IsZero() || lapse.Before(end) {
				end = lapse
			}
			if len(p.Controls) > 0 && !end.Before(start) {
				add(workspace.Evidence{
					ID: fmt.Sprintf("%spolicy:%s:v%d", derivedIDPrefix, p.ID, v.Version), Controls: slices.Clone(p.Controls),
					Collected: v.ApprovedOn, PeriodStart: start, PeriodEnd: end,
					Note: fmt.Sprintf("%s version %d, approved by %s on %s, in effect %s to %s", p.Title, v.Version, v.ApprovedBy, v.ApprovedOn, start, end),
				})
			}
			add(workspace.Evidence{
				ID: fmt.Sprintf("%sreview:%s:v%d", derivedIDPrefix, p.ID, v.Version), Controls: []string{ControlPolicyReview},
				Collected: v.ApprovedOn,
				Note:      fmt.Sprintf("%s version %d approved by %s on %s", p.Title, v.Version, v.ApprovedBy, v.ApprovedOn),
			})
		}
		for _, r := range p.Reviews {
			if r.On.IsZero() {
				continue
			}
			add(workspace.Evidence{
				ID: fmt.Sprintf("%sreview:%s:%s", derivedIDPrefix, p.ID, r.On), Controls: []string{ControlPolicyReview},
				Collected: r.On,
				Note:      fmt.Sprintf("%s reviewed by %s on %s, text kept%s", p.Title, r.By, r.On, suffix(r.Note)),
			})
		}
	}

	// Acknowledgements by policy version and month.
	type group struct {
		controls []string
		title    string
		dates    []date.Date
		people   []string
	}
	months := func(groups map[string]*group, idOf func(k string) string, what string) {
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g := groups[k]
			slices.SortFunc(g.dates, date.Date.Compare)
			first, last := g.dates[0], g.dates[len(g.dates)-1]
			add(workspace.Evidence{
				ID: idOf(k), Controls: g.controls, Collected: first, PeriodStart: first, PeriodEnd: last,
				Note: fmt.Sprintf("%s: %s in %s (%s)", g.title, plural(len(g.dates), what), first.Time().Format("2006-01"), strings.Join(g.people, ", ")),
			})
		}
	}
	acks := map[string]*group{}
	for _, a := range ws.Acknowledgements {
		p := ws.Policy(a.Policy)
		if p == nil || a.On.IsZero() {
			continue
		}
		k := fmt.Sprintf("%s:v%d:%s", a.Policy, a.Version, a.On.Time().Format("2006-01"))
		g := acks[k]
		if g == nil {
			g = &group{controls: union(p.Controls, ControlAcknowledged), title: fmt.Sprintf("%s version %d", p.Title, a.Version)}
			acks[k] = g
		}
		g.dates = append(g.dates, a.On)
		g.people = append(g.people, a.Person)
	}
	months(acks, func(k string) string { return derivedIDPrefix + "ack:" + k }, acknowledgementsNote)

	done := map[string]*group{}
	for _, r := range ws.TrainingRecords {
		t := ws.Training(r.Training)
		if t == nil || r.Completed.IsZero() || len(t.Controls) == 0 {
			continue
		}
		k := fmt.Sprintf("%s:%s", r.Training, r.Completed.Time().Format("2006-01"))
		g := done[k]
		if g == nil {
			g = &group{controls: slices.Clone(t.Controls), title: t.Title}
			done[k] = g
		}
		g.dates = append(g.dates, r.Completed)
		g.people = append(g.people, r.Person)
	}
	months(done, func(k string) string { return derivedIDPrefix + "training:" + k }, "completion")

	for _, r := range ws.SecurityReminders {
		add(workspace.Evidence{
			ID: derivedIDPrefix + "reminder:" + r.On.String() + ":" + slug(r.Title), Controls: []string{ControlReminders},
			Collected: r.On, Link: r.Link, Note: "Security reminder: " + r.Title + suffix(r.Note),
		})
	}
	cleared := map[string]*group{}
	for _, p := range ws.People {
		if p.Clearance.IsZero() {
			continue
		}
		k := p.Clearance.Time().Format("2006-01")
		g := cleared[k]
		if g == nil {
			g = &group{controls: []string{ControlClearance}, title: "Workforce clearance"}
			cleared[k] = g
		}
		g.dates = append(g.dates, p.Clearance)
		g.people = append(g.people, p.Email)
	}
	months(cleared, func(k string) string { return derivedIDPrefix + "clearance:" + k }, "clearance")
	return out
}

// reviewLapse is the last day the policy was current after an approval
// (the day after, it was overdue for review), following the chain of recorded reviews; the
// version's end bounds the search (zero: still in effect).
func reviewLapse(p *workspace.Policy, approved, end date.Date) date.Date {
	due := approved.AddMonths(p.Months())
	reviews := slices.Clone(p.Reviews)
	slices.SortFunc(reviews, func(a, b workspace.PolicyReview) int { return a.On.Compare(b.On) })
	for _, r := range reviews {
		if r.On.Before(approved) || r.On.After(due) || (!end.IsZero() && r.On.After(end)) {
			continue
		}
		due = r.On.AddMonths(p.Months())
	}
	return due
}

// WithDerived is a shallow copy of ws whose evidence also holds the
// derived items, for readers (posture, the gate, control pages and
// reports) that judge controls by their evidence. Never store it.
func WithDerived(ws *workspace.Workspace) *workspace.Workspace {
	d := Derived(ws)
	if len(d) == 0 {
		return ws
	}
	cp := *ws
	cp.Evidence = make([]workspace.Evidence, 0, len(ws.Evidence)+len(d))
	cp.Evidence = append(append(cp.Evidence, ws.Evidence...), d...)
	return &cp
}

// IsDerived reports whether an evidence item was derived by ward.
func IsDerived(e workspace.Evidence) bool { return e.Source == workspace.SourceDerived }

// Gaps are, per control, the workforce rules it fails on asOf: a policy
// it relies on is overdue for review, people are overdue acknowledging
// it or completing a training, a leaver still has access. A control that
// is otherwise met with such a gap is only partly met: its records say
// it operates, its people say it does not.
func Gaps(ws *workspace.Workspace, asOf date.Date) map[string][]string {
	return GapsWith(ws, NewRecords(ws), asOf)
}

// GapsWith is Gaps with the workspace's records (NewRecords(ws)), which
// other rules read too.
func GapsWith(ws *workspace.Workspace, r *Records, asOf date.Date) map[string][]string {
	out := map[string][]string{}
	add := func(controls []string, reason string) {
		for _, c := range controls {
			if !slices.Contains(out[c], reason) {
				out[c] = append(out[c], reason)
			}
		}
	}
	for i := range ws.Policies {
		p := &ws.Policies[i]
		if p.InForce(asOf) != nil && asOf.After(p.ReviewDue(asOf)) {
			add(union(p.Controls, ControlPolicyReview), fmt.Sprintf("%s is overdue for review since %s", p.ID, p.ReviewDue(asOf)))
		}
	}
	late := map[string]map[string]bool{} // policy or training id -> people
	for _, t := range r.Tasks(asOf) {
		if t.Status != Overdue {
			continue
		}
		k := t.Kind + "\x00" + t.ID
		if late[k] == nil {
			late[k] = map[string]bool{}
		}
		late[k][t.Person] = true
	}
	keys := make([]string, 0, len(late))
	for k := range late {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kind, id, _ := strings.Cut(k, "\x00")
		n := len(late[k])
		switch kind {
		case KindPolicy:
			if p := ws.Policy(id); p != nil {
				add(union(p.Controls, ControlAcknowledged), fmt.Sprintf("%s overdue acknowledging %s", peopleCount(n), id))
			}
		case KindTraining:
			if t := ws.Training(id); t != nil {
				add(t.Controls, fmt.Sprintf("%s overdue on training %s", peopleCount(n), id))
			}
		}
	}
	if ls := OpenTerminations(ws, asOf); len(ls) > 0 {
		add([]string{ControlTermination}, fmt.Sprintf("%s past their last day still %s PHI systems", peopleCount(len(ls)), reach(len(ls))))
	}
	return out
}

func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

func reach(n int) string {
	if n == 1 {
		return "reaches"
	}
	return "reach"
}

func union(a []string, extra ...string) []string {
	out := slices.Clone(a)
	for _, e := range extra {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func suffix(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}

// slug makes a title safe inside an id.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
