package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Scope narrows SOC 2 to the Trust Services categories in a report.
// Security is always in scope; the zero Scope is security alone. It has no
// effect on the other frameworks.
type Scope struct {
	SOC2Categories []string `json:"soc2_categories,omitempty"`
}

// AllCategories is a scope with every SOC 2 category.
func AllCategories() Scope { return Scope{SOC2Categories: slices.Clone(SOC2Categories)} }

// Categories returns the SOC 2 categories in scope, security first, in
// report order.
func (s Scope) Categories() []string {
	out := []string{"security"}
	for _, c := range SOC2Categories[1:] {
		if slices.Contains(s.SOC2Categories, c) {
			out = append(out, c)
		}
	}
	return out
}

func (s Scope) validate() error {
	for _, c := range s.SOC2Categories {
		if !slices.Contains(SOC2Categories, c) {
			return fmt.Errorf("unknown SOC 2 category %q (one of %s)", c, strings.Join(SOC2Categories, ", "))
		}
	}
	return nil
}

func (s Scope) includes(f *Framework, r *Requirement) bool {
	if f.ID != SOC2 {
		return true
	}
	return r.Category == "security" || slices.Contains(s.SOC2Categories, r.Category)
}

// Crosswalk maps one framework's requirements to another's through the
// controls they share.
type Crosswalk struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Pairs    []Pair   `json:"pairs"`
	Coverage Coverage `json:"coverage"`
}

// Pair says that requirement From and requirement To are met, at least in
// part, by the same controls (Via).
type Pair struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Via  []string `json:"via"`
}

// Coverage counts the target framework's assessable requirements in scope
// that at least one pair reaches.
type Coverage struct {
	ToCovered int      `json:"to_covered"`
	ToTotal   int      `json:"to_total"`
	Uncovered []string `json:"uncovered"`
}

// Crosswalk pairs every assessable requirement of from with every
// assessable requirement of to that shares a control with it, in
// regulation order of from, then of to. Scope limits SOC 2 on either side.
func (c *Catalog) Crosswalk(from, to string, scope Scope) (Crosswalk, error) {
	ff, err := c.framework(from)
	if err != nil {
		return Crosswalk{}, err
	}
	tf, err := c.framework(to)
	if err != nil {
		return Crosswalk{}, err
	}
	if err := scope.validate(); err != nil {
		return Crosswalk{}, err
	}
	cw := Crosswalk{From: from, To: to, Pairs: []Pair{}, Coverage: Coverage{Uncovered: []string{}}}
	reached := map[string]bool{}
	for _, fr := range ff.assessable {
		if !scope.includes(ff, fr) {
			continue
		}
		via := map[string][]string{}
		for _, ctl := range fr.Controls {
			for _, id := range c.controls[ctl].Mappings[to] {
				if scope.includes(tf, tf.index[id]) {
					via[id] = append(via[id], ctl)
				}
			}
		}
		targets := make([]string, 0, len(via))
		for id := range via {
			targets = append(targets, id)
		}
		tf.Sort(targets)
		for _, id := range targets {
			v := via[id]
			slices.Sort(v)
			cw.Pairs = append(cw.Pairs, Pair{From: fr.ID, To: id, Via: v})
			reached[id] = true
		}
	}
	for _, r := range tf.assessable {
		if !scope.includes(tf, r) {
			continue
		}
		cw.Coverage.ToTotal++
		if reached[r.ID] {
			cw.Coverage.ToCovered++
		} else {
			cw.Coverage.Uncovered = append(cw.Coverage.Uncovered, r.ID)
		}
	}
	return cw, nil
}

// Reuse answers "we operate these controls for one framework: how far do
// they get us in another, and what is still missing?".
type Reuse struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Scope []string `json:"scope"` // SOC 2 categories in scope
	// Have is the set of controls considered, sorted.
	Have []string `json:"have"`
	// Reused are the controls in Have that the target framework also maps.
	Reused []string `json:"reused"`
	// Coverage counts the target's assessable requirements in scope that
	// some control in Have addresses; Uncovered lists the others.
	Coverage Coverage `json:"coverage"`
	Percent  float64  `json:"percent"` // covered / total, one decimal
	// Needed are the catalog controls mapped to the target (in scope) that
	// are not in Have: the work the target framework adds.
	Needed []string `json:"needed"`
}

// Reuse measures how much of framework to the controls in have already
// address. When have is nil it is every catalog control mapped to from (in
// scope): "we have done HIPAA; what does SOC 2 add?", and the reverse,
// Reuse("soc2", "hipaa", nil, scope): what HIPAA needs that SOC 2 does not
// (business associate agreements, six-year retention, ...). Unknown
// control ids in have are ignored; an organization's own controls are the
// caller's to add.
func (c *Catalog) Reuse(from, to string, have []string, scope Scope) (Reuse, error) {
	ff, err := c.framework(from)
	if err != nil {
		return Reuse{}, err
	}
	tf, err := c.framework(to)
	if err != nil {
		return Reuse{}, err
	}
	if err := scope.validate(); err != nil {
		return Reuse{}, err
	}
	var set []string
	if have == nil {
		set = c.controlsFor(ff, scope)
	} else {
		for _, id := range have {
			if c.controls[id] != nil && !slices.Contains(set, id) {
				set = append(set, id)
			}
		}
		slices.Sort(set)
	}
	ru := Reuse{
		From: from, To: to, Scope: scope.Categories(), Have: nonNil(set),
		Reused: []string{}, Needed: []string{}, Coverage: Coverage{Uncovered: []string{}},
	}
	for _, r := range tf.assessable {
		if !scope.includes(tf, r) {
			continue
		}
		ru.Coverage.ToTotal++
		covered := false
		for _, id := range r.Controls {
			if slices.Contains(set, id) {
				covered = true
				if !slices.Contains(ru.Reused, id) {
					ru.Reused = append(ru.Reused, id)
				}
			} else if !slices.Contains(ru.Needed, id) {
				ru.Needed = append(ru.Needed, id)
			}
		}
		if covered {
			ru.Coverage.ToCovered++
		} else {
			ru.Coverage.Uncovered = append(ru.Coverage.Uncovered, r.ID)
		}
	}
	slices.Sort(ru.Reused)
	slices.Sort(ru.Needed)
	if ru.Coverage.ToTotal > 0 {
		ru.Percent = float64(int(float64(ru.Coverage.ToCovered)/float64(ru.Coverage.ToTotal)*1000+0.5)) / 10
	}
	return ru, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
