// Package posture computes readiness per framework from one set of
// controls and their evidence: each requirement's status is derived from
// the controls mapped to it, so the same access review counts for HIPAA,
// SOC 2 and CSF at once. A requirement is judged by the controls the
// organization has in scope for it, not by every control the catalog
// could map to it (see requirementStatus). For SOC 2 Type II it lists every scheduled
// occurrence in the observation window that has no evidence: the
// exceptions an auditor would report, found while there is time to act.
//
// It depends on the workspace model, the catalog and the evidence
// schedules; never on storage or HTTP.
package posture

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/workspace"
)

// Requirement and control states.
const (
	Met           = "met"
	Partial       = "partial"
	NotMet        = "not-met"
	NotApplicable = "not-applicable"
)

type Score struct {
	Met           int     `json:"met"`
	Partial       int     `json:"partial"`
	NotMet        int     `json:"not_met"`
	NotApplicable int     `json:"not_applicable"`
	Total         int     `json:"total"`
	Percent       float64 `json:"percent"` // met / (total - not applicable), partial counting half
}

func (s *Score) add(status string) {
	s.Total++
	switch status {
	case Met:
		s.Met++
	case Partial:
		s.Partial++
	case NotMet:
		s.NotMet++
	case NotApplicable:
		s.NotApplicable++
	}
}

func (s *Score) finish() {
	if n := s.Total - s.NotApplicable; n > 0 {
		s.Percent = float64(int((float64(s.Met)+float64(s.Partial)/2)/float64(n)*1000+0.5)) / 10
	}
}

type Requirement struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Section string `json:"section"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	// Controls is every control that can address the requirement (the
	// catalog's mapping and the organization's own); InScope is those the
	// organization has adopted, the ones its status is derived from.
	Controls []string `json:"controls"`
	InScope  []string `json:"in_scope"`
	Missing  []string `json:"missing"`
}

// ControlState is one control's standing on the as-of date.
type ControlState struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Adopted   bool   `json:"adopted"` // listed in the workspace
	Status    string `json:"status"`  // the control's own status, or "" when not adopted
	Frequency string `json:"frequency"`
	Owner     string `json:"owner"`
	State     string `json:"state"` // met | partial | not-met | not-applicable
	Reason    string `json:"reason"`
	Evidence  int    `json:"evidence"`
	// Failing counts the open failing findings of imported scans (Prowler,
	// CSV) on the control: a control whose automated checks fail is not
	// operating, whatever its documents say.
	Failing int `json:"failing,omitempty"`
	// Workforce are the workforce rules the control fails (people overdue
	// on a policy or training it relies on, a policy overdue for review, a
	// leaver with access): its records say it operates, its people say
	// it does not.
	Workforce []string `json:"workforce,omitempty"`
}

// Exception is a scheduled occurrence in the Type II window with no
// evidence.
type Exception struct {
	Control string    `json:"control"`
	Period  string    `json:"period"`
	Start   date.Date `json:"start"`
	End     date.Date `json:"end"`
}

// Upcoming is an occurrence still to come in the window, with its due
// date: what must happen for the report to be clean.
type Upcoming struct {
	Control string    `json:"control"`
	Period  string    `json:"period"`
	Due     date.Date `json:"due"`
	Status  string    `json:"status"` // due | upcoming
}

// TypeI is the point-in-time test of a SOC 2 Type I report on the as-of
// date: every in-scope control (adopted, not not-applicable) is
// implemented and has at least one piece of evidence collected by then.
type TypeI struct {
	Ready    bool       `json:"ready"`
	Controls int        `json:"controls"` // in-scope controls tested
	Gaps     []TypeIGap `json:"gaps"`
}

// TypeIGap is an in-scope control a Type I report would find short.
type TypeIGap struct {
	Control string `json:"control"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
}

type Window struct {
	Type  string    `json:"type"` // type1 | type2
	Start date.Date `json:"start"`
	End   date.Date `json:"end"`
}

type Posture struct {
	Framework string `json:"framework"`
	Name      string `json:"name"`
	// Status is "proposed" for an overlay of a rule that is not law yet
	// (the Security Rule NPRM), with the date ward last confirmed it and
	// the note saying what is ward's assumption since; "" otherwise.
	Status        string         `json:"status,omitempty"`
	StatusChecked string         `json:"status_checked,omitempty"`
	StatusNote    string         `json:"status_note,omitempty"`
	AsOf          date.Date      `json:"as_of"`
	Score         Score          `json:"score"`
	Sections      []Section      `json:"sections"`
	Requirements  []Requirement  `json:"requirements"`
	Exceptions    []Exception    `json:"exceptions"`
	Upcoming      []Upcoming     `json:"upcoming,omitempty"`
	Window        *Window        `json:"window,omitempty"`
	TypeI         *TypeI         `json:"type1,omitempty"` // SOC 2 Type I: the point-in-time test
	Controls      []ControlState `json:"controls"`
	Scope         []string       `json:"scope,omitempty"` // SOC 2 categories in scope
}

type Section struct {
	Name  string `json:"name"`
	Score Score  `json:"score"`
}

// Evaluate computes readiness for one framework ("hipaa", "soc2", "csf").
func Evaluate(ws *workspace.Workspace, cat *catalog.Catalog, framework string, asOf date.Date) (*Posture, error) {
	return newEvaluator(ws, cat, asOf).evaluate(framework)
}

// EvaluateAll computes readiness for several frameworks at once, in the
// order given. A control's standing does not depend on the framework, so
// the evidence is indexed and every control judged once for all of them:
// what a dashboard or an MSP overview of many organizations wants.
func EvaluateAll(ws *workspace.Workspace, cat *catalog.Catalog, frameworks []string, asOf date.Date) ([]*Posture, error) {
	return EvaluateAllWith(ws, cat, frameworks, asOf, policy.NewRecords(ws))
}

// EvaluateAllWith is EvaluateAll with the workspace's workforce records
// (policy.NewRecords(ws)), for a caller whose other rules read them too
// (check.Facts).
func EvaluateAllWith(ws *workspace.Workspace, cat *catalog.Catalog, frameworks []string, asOf date.Date, r *policy.Records) ([]*Posture, error) {
	ev := newEvaluatorWith(ws, cat, asOf, r)
	out := make([]*Posture, 0, len(frameworks))
	for _, fw := range frameworks {
		p, err := ev.evaluate(fw)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Control is one control's standing on asOf, as every framework's
// evaluation judges it (a control page shows it beside the status).
func Control(ws *workspace.Workspace, cat *catalog.Catalog, id string, asOf date.Date) ControlState {
	return *newEvaluator(ws, cat, asOf).state("", id)
}

// evaluator holds what every framework's evaluation of one organization
// on one date shares: the evidence index and each control's standing.
type evaluator struct {
	ws   *workspace.Workspace
	cat  *catalog.Catalog
	asOf date.Date
	idx  map[string][]*workspace.Evidence
	own  map[string][]string // the organization's own mappings (ownMappings)
	// states are each control's standing by framework ("" for all of
	// them), and its standing before the framework's scans and the
	// workforce's gaps (base).
	states map[stateKey]*ControlState
	gaps   map[string][]string // policy.Gaps
}

// stateKey keys a standing without building a string per lookup: a
// framework's evaluation asks for each control once per requirement
// that maps to it.
type stateKey struct {
	framework, id string
	base          bool
}

// newEvaluator indexes the evidence, the derived items of the workforce
// records included (approved policies, acknowledgements, completions:
// policy.Derived), so that they count without an upload and lapse with
// the records.
//
// The derived items are indexed after the workspace's own
// (evidence.IndexRefsWith) instead of copying the evidence list to append
// them (policy.WithDerived): nothing else here reads ws.Evidence, and an
// MSP overview evaluates hundreds of organizations per date.
func newEvaluator(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) *evaluator {
	return newEvaluatorWith(ws, cat, asOf, policy.NewRecords(ws))
}

func newEvaluatorWith(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date, r *policy.Records) *evaluator {
	return &evaluator{ws: ws, cat: cat, asOf: asOf, idx: evidence.IndexRefsWith(ws.Evidence, r.Derived()), own: ownMappings(ws),
		states: map[stateKey]*ControlState{}, gaps: policy.GapsWith(ws, r, asOf)}
}

// state is the control's standing for a framework ("" for every
// framework at once, as a control's page shows it).
func (ev *evaluator) state(framework, id string) *ControlState {
	key := stateKey{framework: framework, id: id}
	if s, ok := ev.states[key]; ok {
		return s
	}
	base, ok := ev.states[stateKey{id: id, base: true}]
	if !ok {
		base = evaluateControl(ev.ws, ev.cat, id, ev.idx[id], ev.asOf)
		ev.states[stateKey{id: id, base: true}] = base
	}
	s := new(ControlState)
	*s = *base
	// A control whose automated checks fail is not operating, whatever
	// its documents say: open failing findings of imported scans make
	// an otherwise met control partly met, and with it every requirement
	// it is in scope for, until a newer scan passes. Which findings count
	// depends on the framework: a Prowler check moves HIPAA through its
	// HIPAA requirement ids and SOC 2 through its SOC 2 ids.
	n := ev.ws.ScanFailing[id]
	if framework != "" {
		n = ev.ws.ScanFailingFor(framework, id)
	}
	if n > 0 && s.Adopted {
		s.Failing = n
		if s.State == Met {
			s.State, s.Reason = Partial, fmt.Sprintf("%s; but %s from imported scans %s open", s.Reason, count(n, "failing finding"), isAre(n))
		}
	}
	if g := ev.gaps[id]; len(g) > 0 && s.Adopted {
		s.Workforce = g
		if s.State == Met {
			s.State, s.Reason = Partial, fmt.Sprintf("%s; but %s", s.Reason, strings.Join(g, "; "))
		}
	}
	ev.states[key] = s
	return s
}

func (ev *evaluator) evaluate(framework string) (*Posture, error) {
	ws, cat, asOf, idx := ev.ws, ev.cat, ev.asOf, ev.idx
	fw := cat.Framework(framework)
	if fw == nil || len(fw.Assessable()) == 0 {
		return nil, fmt.Errorf("no framework %q with requirements (hipaa, soc2, csf, hipaa-nprm)", framework)
	}
	p := &Posture{Framework: fw.ID, Name: fw.Name, AsOf: asOf, Exceptions: []Exception{},
		Status: fw.Status, StatusChecked: fw.StatusChecked, StatusNote: fw.StatusNote,
		Requirements: make([]Requirement, 0, len(fw.Assessable()))}
	// states are the controls this framework looks at (p.Controls).
	states := map[string]*ControlState{}
	state := func(id string) *ControlState {
		s := ev.state(framework, id)
		states[id] = s
		return s
	}
	inScope := soc2Scope(ws)
	if framework == "soc2" {
		p.Scope = inScope
	}
	sections := map[string]*Score{}
	var order []string
	for _, r := range fw.Assessable() {
		if framework == "soc2" && !slices.Contains(inScope, r.Category) {
			continue
		}
		ids := mappedControls(r, ev.own[framework+"\x00"+r.ID])
		req := requirementStatus(r, ids, ws, state)
		if fw.Proposed() {
			req = proposedStatus(r, req, state)
		}
		p.Score.add(req.Status)
		if _, ok := sections[r.Section]; !ok {
			sections[r.Section] = &Score{}
			order = append(order, r.Section)
		}
		sections[r.Section].add(req.Status)
		p.Requirements = append(p.Requirements, req)
	}
	p.Score.finish()
	for _, name := range order {
		s := sections[name]
		s.finish()
		p.Sections = append(p.Sections, Section{Name: name, Score: *s})
	}
	ids := make([]string, 0, len(states))
	for id := range states {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	p.Controls = make([]ControlState, 0, len(ids))
	for _, id := range ids {
		p.Controls = append(p.Controls, *states[id])
	}
	if framework == "soc2" {
		p.Window = soc2Window(ws)
		if p.Window != nil && p.Window.Type == "type2" {
			p.Exceptions, p.Upcoming = typeII(p.Controls, idx, *p.Window, asOf)
		}
		if p.Window != nil && p.Window.Type == "type1" {
			p.TypeI = typeI(p.Controls, idx, asOf)
		}
	}
	return p, nil
}

// requirementStatus derives a requirement's status from the controls the
// organization has in scope for it. The catalog maps every control that
// can address a requirement (CC6.1 lists twenty); an organization chooses
// the ones it runs, and that is what an auditor tests. So:
//
//   - met: at least one adopted control, and every adopted one that
//     applies is implemented with current evidence;
//   - partial: some adopted control is implemented or under way, but not
//     every one operates with current evidence;
//   - not met: no control adopted for it, or the adopted ones are only
//     planned;
//   - not applicable: every adopted control is not applicable.
//
// Catalog controls the organization did not adopt are listed (Controls)
// but never make a requirement fall short; a requirement with none adopted
// is not met, which is what keeps the rule honest.
func requirementStatus(r *catalog.Requirement, ids []string, ws *workspace.Workspace, state func(string) *ControlState) Requirement {
	req := Requirement{ID: r.ID, Title: r.Title, Section: r.Section, Controls: ids, InScope: []string{}, Missing: []string{}}
	var met, partial, na int
	for _, id := range ids {
		s := state(id)
		if !s.Adopted {
			continue
		}
		req.InScope = append(req.InScope, id)
		switch s.State {
		case Met:
			met++
		case NotApplicable:
			na++
		case Partial:
			partial++
			req.Missing = append(req.Missing, id+": "+s.Reason)
		default:
			req.Missing = append(req.Missing, id+": "+s.Reason)
		}
	}
	n := len(req.InScope)
	switch {
	case len(ids) == 0:
		req.Status, req.Reason = NotMet, "no control in the catalog or the workspace addresses it"
	case n == 0:
		req.Status, req.Reason = NotMet, "no control adopted for it"
		req.Missing = append(req.Missing, "adopt one of: "+strings.Join(ids, ", "))
	case na == n:
		req.Status, req.Reason = NotApplicable, "every control in scope for it is not applicable"
	case met+na == n:
		req.Status, req.Reason = Met, fmt.Sprintf("%s in scope operate%s with current evidence", count(n-na, "control"), verbS(n-na))
	case met+partial > 0:
		req.Status, req.Reason = Partial, fmt.Sprintf("%d of %s in scope operate%s with current evidence", met, count(n-na, "control"), verbS(met))
	default:
		req.Status, req.Reason = NotMet, "the controls in scope for it are only planned"
	}
	return req
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// verbS is the "s" of "operates" for a singular subject.
func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// soc2Scope is Security, always, plus the categories the organization
// chose.
func soc2Scope(ws *workspace.Workspace) []string {
	scope := []string{"security"}
	for _, c := range ws.Organization.SOC2.Categories {
		if !slices.Contains(scope, c) {
			scope = append(scope, c)
		}
	}
	return scope
}

func soc2Window(ws *workspace.Workspace) *Window {
	s := ws.Organization.SOC2
	switch s.Type {
	case "type2":
		if s.ObservationStart.IsZero() {
			return nil
		}
		months := s.Months()
		return &Window{Type: "type2", Start: s.ObservationStart, End: s.ObservationStart.AddMonths(months).AddDays(-1)}
	case "type1":
		return &Window{Type: "type1"}
	}
	return nil
}

// mappedControls is every control that addresses the requirement: the
// catalog's mapping plus an organization's own controls mapped to it.
func mappedControls(r *catalog.Requirement, own []string) []string {
	ids := slices.Clone(r.Controls)
	for _, id := range own {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// ownMappings indexes the organization's own mappings once:
// "framework\x00requirement" → the controls it maps there.
func ownMappings(ws *workspace.Workspace) map[string][]string {
	own := map[string][]string{}
	for _, c := range ws.Controls {
		for fw, reqs := range c.Mappings {
			for _, r := range reqs {
				own[fw+"\x00"+r] = append(own[fw+"\x00"+r], c.ID)
			}
		}
	}
	return own
}

// evaluateControl decides whether a control operates on asOf: adopted,
// implemented, and with evidence for its latest completed period (or the
// current one) when it runs on a schedule.
func evaluateControl(ws *workspace.Workspace, cat *catalog.Catalog, id string, items []*workspace.Evidence, asOf date.Date) *ControlState {
	s := &ControlState{ID: id, Evidence: len(items)}
	if cc := cat.Control(id); cc != nil {
		s.Title, s.Frequency = cc.Title, cc.Frequency
	}
	c := ws.Control(id)
	if c == nil {
		s.State, s.Reason = NotMet, "not adopted: add it to the workspace's controls"
		return s
	}
	s.Adopted, s.Status, s.Owner = true, c.Status, c.Owner
	if c.Title != "" {
		s.Title = c.Title
	}
	if c.Frequency != "" {
		s.Frequency = c.Frequency
	}
	switch c.Status {
	case "not-applicable":
		s.State, s.Reason = NotApplicable, "not applicable: "+c.Justification
		return s
	case "planned":
		s.State, s.Reason = NotMet, "planned, not yet in place"
		return s
	case "in-progress":
		s.State, s.Reason = Partial, "being put in place"
		return s
	}
	if len(items) == 0 {
		s.State, s.Reason = Partial, "implemented, but no evidence is attached"
		return s
	}
	if !evidence.Scheduled(s.Frequency) {
		s.State, s.Reason = Met, "implemented, with evidence"
		return s
	}
	// The current period's evidence is due by its last day, so the
	// standing rests on the last period that is over, and says where the
	// current one is, as the control's calendar does.
	cs, ce := evidence.PeriodOf(s.Frequency, asOf)
	ps, pe := evidence.PeriodOf(s.Frequency, cs.AddDays(-1))
	cur, prev := evidence.Label(s.Frequency, cs), evidence.Label(s.Frequency, ps)
	switch {
	case covers(items, cs, ce):
		s.State, s.Reason = Met, fmt.Sprintf("implemented, with evidence for %s, the current %s", cur, periodNoun(s.Frequency))
		return s
	case covers(items, ps, pe):
		s.State, s.Reason = Met, fmt.Sprintf("implemented, with evidence for %s; %s's is due now, by %s", prev, cur, ce)
		return s
	}
	s.State, s.Reason = Partial, fmt.Sprintf("no evidence for %s: the %s evidence is out of date", evidence.Label(s.Frequency, ps), s.Frequency)
	return s
}

// periodNoun names a frequency's calendar period: quarter, month, ISO
// week, half-year, year, day.
func periodNoun(freq string) string {
	switch freq {
	case "daily":
		return "day"
	case "weekly":
		return "week"
	case "monthly", "continuous":
		return "month"
	case "quarterly":
		return "quarter"
	case "semi-annual":
		return "half-year"
	case "annual":
		return "year"
	}
	return "period"
}

// covers reports whether any item speaks for [from, to].
func covers(items []*workspace.Evidence, from, to date.Date) bool {
	for _, e := range items {
		if e.Covers(from, to) {
			return true
		}
	}
	return false
}

// typeI is the Type I test on asOf over the controls the SOC 2 scope
// maps to: an adopted control that is not implemented, or has no live
// evidence collected on or before asOf, is a gap. Not-applicable controls
// are out of it (their justification is what the auditor reads).
func typeI(controls []ControlState, idx map[string][]*workspace.Evidence, asOf date.Date) *TypeI {
	t := &TypeI{Gaps: []TypeIGap{}}
	for _, c := range controls {
		if !c.Adopted || c.Status == "not-applicable" {
			continue
		}
		t.Controls++
		if c.Status != "implemented" {
			t.Gaps = append(t.Gaps, TypeIGap{Control: c.ID, Status: c.Status, Reason: fmt.Sprintf("%s, not implemented on %s", c.Status, asOf)})
			continue
		}
		held := false
		for _, e := range idx[c.ID] {
			if !e.Collected.After(asOf) {
				held = true
				break
			}
		}
		if !held {
			t.Gaps = append(t.Gaps, TypeIGap{Control: c.ID, Status: c.Status, Reason: fmt.Sprintf("implemented, but no evidence collected by %s", asOf)})
		}
	}
	t.Ready = len(t.Gaps) == 0
	return t
}

// typeII lists the exceptions and the occurrences still coming in the
// observation window, for every implemented, scheduled control that the
// SOC 2 scope maps to.
func typeII(controls []ControlState, idx map[string][]*workspace.Evidence, w Window, asOf date.Date) ([]Exception, []Upcoming) {
	exc := []Exception{}
	var up []Upcoming
	for _, c := range controls {
		if c.Status != "implemented" || !evidence.Scheduled(c.Frequency) {
			continue
		}
		for _, o := range evidence.OccurrencesOf(c.Frequency, w.Start, w.End, asOf, idx[c.ID]) {
			switch o.Status {
			case evidence.Exception:
				exc = append(exc, Exception{Control: c.ID, Period: evidence.Label(c.Frequency, o.Start), Start: o.Start, End: o.End})
			case evidence.Due, evidence.Upcoming:
				up = append(up, Upcoming{Control: c.ID, Period: evidence.Label(c.Frequency, o.Start), Due: o.End, Status: o.Status})
			}
		}
	}
	sort.SliceStable(up, func(i, j int) bool { return up[i].Due.Before(up[j].Due) })
	return exc, up
}
