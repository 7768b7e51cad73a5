package trust

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Subprocessor is one vendor as the trust center lists it, derived from
// the vendor register, the systems it runs and the agreements with it.
type Subprocessor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Purpose  string `json:"purpose"`
	Location string `json:"location,omitempty"`
	// PHI: a system the vendor runs stores or processes PHI.
	PHI bool `json:"phi"`
	// BAA: a downstream BAA with the vendor is in force.
	BAA bool `json:"baa"`
	// From is when an announced addition takes effect (only while it is
	// in the future).
	From date.Date `json:"effective_from,omitzero"`
}

// Subprocessors lists the vendors the organization names as
// subprocessors (every vendor unless subprocessor: false), by name.
func Subprocessors(ws *workspace.Workspace, asOf date.Date) []Subprocessor {
	phi := map[string]bool{}
	for _, s := range ws.Systems {
		if s.Vendor != "" && s.PHI {
			phi[s.Vendor] = true
		}
	}
	out := []Subprocessor{}
	for _, v := range ws.Vendors {
		if !v.IsSubprocessor() {
			continue
		}
		sp := Subprocessor{ID: v.ID, Name: v.Name, Purpose: strings.Join(v.Services, ", "), Location: v.Location, PHI: phi[v.ID]}
		if sp.Name == "" {
			sp.Name = v.ID
		}
		for _, a := range ws.AgreementsWith(v.ID) {
			if a.Kind == "baa" && a.Direction == "downstream" && a.InForce(asOf) {
				sp.BAA = true
			}
		}
		out = append(out, sp)
	}
	slices.SortFunc(out, func(a, b Subprocessor) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Change actions.
const (
	ActionAdded   = "added"
	ActionRemoved = "removed"
	ActionChanged = "changed"
)

// Change is one announced change to the subprocessor list. It is kept
// (never edited) once recorded; its ID is stable, so a feed reader sees
// each change once.
type Change struct {
	ID        string    `json:"id"`
	Vendor    string    `json:"vendor"`
	Name      string    `json:"name"`
	Action    string    `json:"action"`
	Purpose   string    `json:"purpose,omitempty"`
	Location  string    `json:"location,omitempty"`
	PHI       bool      `json:"phi"`
	Fields    []string  `json:"fields,omitempty"` // for changed: what changed
	Announced date.Date `json:"announced"`
	// Effective is Announced plus the notice period promised when it was
	// announced.
	Effective  date.Date `json:"effective"`
	NoticeDays int       `json:"notice_days"`
}

// Title is the change in one line.
func (c Change) Title() string {
	switch c.Action {
	case ActionAdded:
		return fmt.Sprintf("New subprocessor: %s", c.Name)
	case ActionRemoved:
		return fmt.Sprintf("Subprocessor removed: %s", c.Name)
	}
	return fmt.Sprintf("Subprocessor changed: %s (%s)", c.Name, strings.Join(c.Fields, ", "))
}

// Text is the change in a few sentences, for the feed and the notices.
func (c Change) Text(org string) string {
	var b strings.Builder
	switch c.Action {
	case ActionAdded:
		fmt.Fprintf(&b, "%s will use %s as a subprocessor", org, c.Name)
		if c.Purpose != "" {
			fmt.Fprintf(&b, " for %s", c.Purpose)
		}
		if c.Location != "" {
			fmt.Fprintf(&b, ", processing data in %s", c.Location)
		}
		b.WriteString(".")
		if c.PHI {
			b.WriteString(" It will handle protected health information.")
		}
	case ActionRemoved:
		fmt.Fprintf(&b, "%s will no longer use %s as a subprocessor.", org, c.Name)
	default:
		fmt.Fprintf(&b, "%s changed what it records about its subprocessor %s: %s.", org, c.Name, strings.Join(c.Fields, ", "))
		if c.PHI {
			b.WriteString(" It handles protected health information.")
		}
	}
	fmt.Fprintf(&b, " Announced %s; effective %s", c.Announced, c.Effective)
	if c.NoticeDays > 0 {
		fmt.Fprintf(&b, " (%d days' notice)", c.NoticeDays)
	}
	b.WriteString(".")
	return b.String()
}

// Diff is what changed between two lists: additions, removals, and
// changes to what the list shows (name, purpose, location, PHI). Whether
// a BAA is in force is not a change to announce. Announced on `on` with
// noticeDays of notice; ids are ID(on, action, vendor).
func Diff(before, after []Subprocessor, on date.Date, noticeDays int) []Change {
	old := map[string]Subprocessor{}
	for _, s := range before {
		old[s.ID] = s
	}
	now := map[string]bool{}
	var out []Change
	mk := func(s Subprocessor, action string) Change {
		return Change{ID: ChangeID(on, action, s.ID), Vendor: s.ID, Name: s.Name, Action: action, Purpose: s.Purpose,
			Location: s.Location, PHI: s.PHI, Announced: on, Effective: on.AddDays(noticeDays), NoticeDays: noticeDays}
	}
	for _, s := range after {
		now[s.ID] = true
		o, ok := old[s.ID]
		if !ok {
			out = append(out, mk(s, ActionAdded))
			continue
		}
		var fields []string
		if o.Name != s.Name {
			fields = append(fields, "name")
		}
		if o.Purpose != s.Purpose {
			fields = append(fields, "purpose")
		}
		if o.Location != s.Location {
			fields = append(fields, "location")
		}
		if o.PHI != s.PHI {
			fields = append(fields, "PHI")
		}
		if len(fields) > 0 {
			c := mk(s, ActionChanged)
			c.Fields = fields
			out = append(out, c)
		}
	}
	for _, s := range before {
		if !now[s.ID] {
			out = append(out, mk(s, ActionRemoved))
		}
	}
	return out
}

// Same reports whether two lists show the same thing (Diff finds nothing).
func Same(a, b []Subprocessor) bool { return len(Diff(a, b, date.Date{}, 0)) == 0 }

// ChangeID is a change's stable id.
func ChangeID(on date.Date, action, vendor string) string {
	return "spc-" + on.String() + "-" + action + "-" + vendor
}

// Announced sorts changes newest first (then by id).
func Announced(cs []Change) []Change {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b Change) int {
		if c := b.Announced.Compare(a.Announced); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
