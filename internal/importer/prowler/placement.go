package prowler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
)

// MaxControls is the most controls a check lands on in one framework.
const MaxControls = 6

// Placement is where a check's findings land in one framework: the
// controls, each with the requirements that put it there and why.
type Placement struct {
	Framework string    `json:"framework"` // catalog framework id: hipaa or soc2
	Controls  []Landing `json:"controls"`
	// Unplaced says why a check that lists requirements of the framework
	// lands on none of its controls.
	Unplaced string `json:"unplaced,omitempty"`
}

// Landing is one control a check lands on.
type Landing struct {
	Control string `json:"control"`
	// Requirements are the check's requirements of the framework that the
	// catalog maps to the control.
	Requirements []string `json:"requirements"`
	Why          string   `json:"why"`
}

// IDs lists the controls of the placement.
func (p Placement) IDs() []string {
	out := make([]string, len(p.Controls))
	for i, l := range p.Controls {
		out[i] = l.Control
	}
	return out
}

// Place decides which controls a check's findings land on in one
// framework, from the requirements of that framework the findings list
// (catalog ids) and nothing else, so one framework's ids never move
// another's readiness:
//
//  1. the candidates are the controls the catalog maps to those
//     requirements (for a HIPAA standard, to its specifications);
//  2. when words of the check id name controls (hints.yaml) that are
//     candidates, the check lands on those: an S3 encryption check on
//     encryption at rest, not on every control of SOC 2 CC6.1;
//  3. when the id names controls and none is a candidate, it lands on
//     nothing in this framework, and Unplaced says why: another control
//     would be a guess (a TLS check Prowler files under SOC 2 CC6.6
//     would otherwise land on the firewall);
//  4. when the id names nothing, it lands on the technical candidates
//     that the most of its requirements share (hints.yaml, technical);
//     never on controls of people, documents or governance (workforce
//     clearance, onboarding, officers, training), which a configuration
//     check does not test; with none, on nothing (Unplaced says why);
//  5. never on more than MaxControls.
func (m *Mapper) Place(check, framework string, reqs []string) Placement {
	p := Placement{Framework: framework, Controls: []Landing{}}
	if len(reqs) == 0 {
		return p
	}
	cands := map[string][]string{}
	var order []string
	for _, r := range reqs {
		for _, c := range m.Controls(Target{framework, r}) {
			if _, ok := cands[c]; !ok {
				order = append(order, c)
			}
			if !slices.Contains(cands[c], r) {
				cands[c] = append(cands[c], r)
			}
		}
	}
	name := m.cat.Framework(framework).Name
	hs := CheckHints(check)
	for _, h := range hs {
		for _, c := range h.Controls {
			rs, ok := cands[c]
			if !ok || slices.ContainsFunc(p.Controls, func(l Landing) bool { return l.Control == c }) {
				continue
			}
			why := fmt.Sprintf("the check id says it tests %s (%q), and its %s %s map%s to it", c, matchedWord(h, check), name, strings.Join(rs, ", "), s1(len(rs)))
			if !Technical(c) {
				why += "; " + h.Reason
			}
			p.Controls = append(p.Controls, Landing{Control: c, Requirements: rs, Why: why})
		}
	}
	if len(p.Controls) > 0 {
		if len(p.Controls) > MaxControls {
			p.Controls = p.Controls[:MaxControls] // the table's order is its priority
		}
		slices.SortFunc(p.Controls, func(a, b Landing) int { return cmp.Compare(a.Control, b.Control) })
		return p
	}
	if len(hs) > 0 {
		// The id says what the check tests, and ward maps none of it to
		// these requirements: any other control would be a guess.
		p.Unplaced = fmt.Sprintf("the check id says it tests %s, and ward maps none of them to its %s %s", hinted(hs), name, strings.Join(reqs, ", "))
		if why := disagreement(check); why != "" {
			p.Unplaced += ": " + why
		}
		return p
	}
	var tech []string
	most := 0
	for _, c := range order {
		if Technical(c) {
			tech = append(tech, c)
			most = max(most, len(cands[c]))
		}
	}
	if len(tech) == 0 {
		slices.Sort(order)
		p.Unplaced = fmt.Sprintf("its %s %s map%s only to controls of people, documents or governance (%s), which a configuration check does not test",
			name, strings.Join(reqs, ", "), s1(len(reqs)), strings.Join(order, ", "))
		return p
	}
	tech = slices.DeleteFunc(tech, func(c string) bool { return len(cands[c]) < most })
	if len(tech) > MaxControls {
		// The most specific first: the controls mapped to the fewest
		// requirements in the catalog.
		slices.SortStableFunc(tech, func(a, b string) int {
			return cmp.Or(cmp.Compare(m.breadth(a), m.breadth(b)), cmp.Compare(a, b))
		})
		tech = tech[:MaxControls]
	}
	slices.Sort(tech)
	for _, c := range tech {
		rs := cands[c]
		why := fmt.Sprintf("no word of the check id names a control; %s is a technical control of %s %s", c, name, strings.Join(rs, ", "))
		if len(reqs) > 1 {
			why += fmt.Sprintf(" (%d of the check's %d requirements)", len(rs), len(reqs))
		}
		p.Controls = append(p.Controls, Landing{Control: c, Requirements: rs, Why: why})
	}
	return p
}

// hinted names the controls of hints, once each.
func hinted(hs []Hint) string {
	var named []string
	for _, h := range hs {
		for _, c := range h.Controls {
			if !slices.Contains(named, c) {
				named = append(named, c)
			}
		}
	}
	return strings.Join(named, ", ")
}

// breadth is how many requirements of any framework the control maps to.
func (m *Mapper) breadth(control string) int {
	c := m.cat.Control(control)
	if c == nil {
		return 0
	}
	n := 0
	for _, ids := range c.Mappings {
		n += len(ids)
	}
	return n
}

func s1(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// placeFrameworks are the frameworks a Prowler finding names requirements
// of, in report order.
var placeFrameworks = []string{catalog.HIPAA, catalog.SOC2}
