package prowler

import (
	"slices"
	"sort"
	"time"

	"ward/internal/catalog"
)

// Tally accumulates what an import reports and stores about a file as its
// findings stream past: counts by status and severity, the catalog
// requirements and controls touched, the ids that map to nothing. Its
// size grows with the distinct checks and ids, not with the findings.
type Tally struct {
	m *Mapper

	Findings   int
	ByStatus   map[string]int
	BySeverity map[string]int
	Newest     time.Time
	accounts   map[string]bool
	reqs       map[Target]bool
	unmapped   map[Requirement]int
	checks     map[string]*checkTally
	cache      map[Requirement]mapped
	placed     []Check // Checks, once computed
}

type checkTally struct {
	status map[string]int
	reqs   map[Target]bool
}

type mapped struct {
	ts []Target
	ok bool
}

func NewTally(m *Mapper) *Tally {
	return &Tally{m: m, ByStatus: map[string]int{}, BySeverity: map[string]int{}, accounts: map[string]bool{},
		reqs: map[Target]bool{}, unmapped: map[Requirement]int{}, checks: map[string]*checkTally{}, cache: map[Requirement]mapped{}}
}

// Add counts one finding.
func (t *Tally) Add(f *Finding) {
	t.Findings++
	t.ByStatus[f.Status]++
	t.BySeverity[f.Severity]++
	if f.Time.After(t.Newest) {
		t.Newest = f.Time
	}
	if len(t.accounts) < 1000 {
		t.accounts[f.Account] = true
	}
	t.placed = nil
	ct := t.checks[f.Check]
	if ct == nil {
		ct = &checkTally{status: map[string]int{}, reqs: map[Target]bool{}}
		t.checks[f.Check] = ct
	}
	ct.status[f.Status]++
	for _, r := range f.Requirements {
		mp, ok := t.cache[r]
		if !ok {
			mp.ts, mp.ok = t.m.Map(r)
			t.cache[r] = mp
		}
		if !mp.ok {
			t.unmapped[r]++
			continue
		}
		for _, tg := range mp.ts {
			t.reqs[tg] = true
			ct.reqs[tg] = true
		}
	}
}

// Check is what one check did in the file and where its findings land.
type Check struct {
	Check string `json:"check"`
	// Status is the check's worst: FAIL when any finding fails, else
	// MUTED, MANUAL, PASS.
	Status   string         `json:"status"`
	Findings map[string]int `json:"findings"` // by status
	// Controls is every control the check lands on, in any framework.
	Controls []string `json:"controls"`
	// Requirements: catalog framework -> the check's requirement ids.
	Requirements map[string][]string `json:"requirements"`
	// Placements explain, per framework, each control it lands on.
	Placements []Placement `json:"placements"`
}

// Checks lists every check of the file with its placement, by check id.
func (t *Tally) Checks() []Check {
	if t.placed != nil {
		return t.placed
	}
	ids := make([]string, 0, len(t.checks))
	for id := range t.checks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Check, 0, len(ids))
	for _, id := range ids {
		cs := t.checks[id]
		c := Check{Check: id, Findings: cs.status, Requirements: map[string][]string{}, Controls: []string{}, Placements: []Placement{}}
		for _, s := range []string{StatusFail, StatusMuted, StatusManual, StatusPass} {
			if cs.status[s] > 0 {
				c.Status = s
				break
			}
		}
		for _, fw := range placeFrameworks {
			var reqs []string
			for tg := range cs.reqs {
				if tg.Framework == fw {
					reqs = append(reqs, tg.ID)
				}
			}
			t.m.cat.Framework(fw).Sort(reqs)
			c.Requirements[fw] = nonNil(reqs)
			if len(reqs) == 0 {
				continue
			}
			p := t.m.Place(id, fw, reqs)
			c.Placements = append(c.Placements, p)
			for _, l := range p.Controls {
				if !slices.Contains(c.Controls, l.Control) {
					c.Controls = append(c.Controls, l.Control)
				}
			}
		}
		slices.Sort(c.Controls)
		out = append(out, c)
	}
	t.placed = out
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Placements is framework -> check id -> the controls its findings land
// on in that framework (Checks). Checks that land on nothing are left
// out.
func (t *Tally) Placements() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, c := range t.Checks() {
		for _, p := range c.Placements {
			if len(p.Controls) == 0 {
				continue
			}
			if out[p.Framework] == nil {
				out[p.Framework] = map[string][]string{}
			}
			out[p.Framework][c.Check] = p.IDs()
		}
	}
	return out
}

// AllControls is every control some check lands on, sorted: the controls
// the imported file is evidence for. Placement keeps to technical
// controls, so a passing S3 check is never evidence that risk management
// or onboarding operates.
func (t *Tally) AllControls() []string {
	set := map[string]bool{}
	for _, c := range t.Checks() {
		for _, id := range c.Controls {
			set[id] = true
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Requirements is catalog framework -> the requirement ids touched, in
// regulation order.
func (t *Tally) Requirements() map[string][]string {
	out := map[string][]string{catalog.HIPAA: {}, catalog.SOC2: {}}
	for tg := range t.reqs {
		out[tg.Framework] = append(out[tg.Framework], tg.ID)
	}
	cat := t.m.cat
	for fw, ids := range out {
		cat.Framework(fw).Sort(ids)
	}
	return out
}

// Unmapped is one requirement id that names nothing in ward's catalog.
type Unmapped struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Findings  int    `json:"findings"` // how many findings list it
}

// Unmapped lists the ids that map to nothing, by framework and id.
func (t *Tally) Unmapped() []Unmapped {
	out := []Unmapped{}
	for r, n := range t.unmapped {
		out = append(out, Unmapped{r.Framework, r.ID, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Framework != out[j].Framework {
			return out[i].Framework < out[j].Framework
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Accounts lists the cloud accounts seen (the first thousand), sorted.
func (t *Tally) Accounts() []string {
	out := make([]string, 0, len(t.accounts))
	for a := range t.accounts {
		if a != "" {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}
