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
	checks     map[string]map[Target]bool // check -> requirements
	cache      map[Requirement]mapped
}

type mapped struct {
	ts []Target
	ok bool
}

func NewTally(m *Mapper) *Tally {
	return &Tally{m: m, ByStatus: map[string]int{}, BySeverity: map[string]int{}, accounts: map[string]bool{},
		reqs: map[Target]bool{}, unmapped: map[Requirement]int{}, checks: map[string]map[Target]bool{}, cache: map[Requirement]mapped{}}
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
	rs := t.checks[f.Check]
	if rs == nil {
		rs = map[Target]bool{}
		t.checks[f.Check] = rs
	}
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
			rs[tg] = true
		}
	}
}

// Controls is check id -> the controls its failing findings are open
// items on. When the check's id says what it tests (hints.yaml: an MFA
// check, an encryption check), those of the hinted controls that its
// requirements map to. Otherwise, of the controls mapped to the check's
// requirements, those two or more of them share (all of them when the
// check lists one; the most shared when none is shared). A broad
// requirement (SOC 2 CC6.1 maps to twenty controls) beside specific ones
// (164.312(a)(2)(iv) encryption) would otherwise make an S3 encryption
// failure an open item on multi-factor authentication. Checks that touch
// no control are left out.
func (t *Tally) Controls() map[string][]string {
	out := map[string][]string{}
	for check, rs := range t.checks {
		n := map[string]int{}
		most := 0
		for tg := range rs {
			for _, c := range t.m.Controls(tg) {
				n[c]++
				most = max(most, n[c])
			}
		}
		var hinted []string
		for _, c := range CheckHints(check) {
			if n[c] > 0 {
				hinted = append(hinted, c)
			}
		}
		if len(hinted) > 0 {
			slices.Sort(hinted)
			out[check] = hinted
			continue
		}
		need := min(2, len(rs), most)
		var l []string
		for c, k := range n {
			if k >= need {
				l = append(l, c)
			}
		}
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		out[check] = l
	}
	return out
}

// AllControls is every control of Controls, sorted: the controls the
// imported file is evidence for. A control that only a broad requirement
// links to the file (the scan of S3 encryption and "onboarding", through
// risk management) does not get the scan as its evidence: it would count
// as that control operating.
func (t *Tally) AllControls() []string {
	set := map[string]bool{}
	for _, cs := range t.Controls() {
		for _, c := range cs {
			set[c] = true
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
