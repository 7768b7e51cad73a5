// Package catalog is ward's regulatory content and the engine over it: the
// HIPAA Security Rule and Breach Notification Rule, the SOC 2 Trust
// Services Criteria (identifiers with our own titles), NIST CSF 2.0,
// HITRUST CSF by name, the business associate agreement checklist, and the
// unified control set that maps one control to every framework at once.
//
// The content is YAML embedded in the binary (data/*.yaml); each file
// states its source, version and date. Load parses and validates it — every
// mapping must name an existing requirement — and builds the reverse index
// from requirements to controls. Crosswalk and Reuse answer "how does one
// framework map to another" through the shared controls.
//
// The package depends on nothing in ward: no workspace, storage or HTTP.
// It never reads the clock.
package catalog

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Framework ids.
const (
	HIPAA       = "hipaa"        // Security Rule, 45 CFR 164.308-316
	HIPAABreach = "hipaa-breach" // Breach Notification Rule, 45 CFR 164.400-414
	SOC2        = "soc2"
	CSF         = "csf"
	HITRUST     = "hitrust"
	// HIPAANPRM is the proposed Security Rule of January 2025 (90 FR 898),
	// an overlay marked proposed: never part of the HIPAA score.
	HIPAANPRM = "hipaa-nprm"
)

// StatusProposed marks a framework that is not law yet.
const StatusProposed = "proposed"

// Requirement kinds, by framework.
const (
	KindStandard      = "standard"      // hipaa
	KindSpecification = "specification" // hipaa
	KindSection       = "section"       // hipaa-breach
	KindProvision     = "provision"     // hipaa-breach
	KindSeries        = "series"        // soc2: CC1 ... CC9, A1, C1, PI1, P1 ... P8
	KindCriterion     = "criterion"     // soc2
	KindFunction      = "function"      // csf
	KindCategory      = "category"      // csf
	KindSubcategory   = "subcategory"   // csf
	// hipaa-nprm uses section and provision, as hipaa-breach does.
)

// SOC2Categories are the Trust Services categories, in report order.
// Security is always in scope.
var SOC2Categories = []string{"security", "availability", "confidentiality", "processing-integrity", "privacy"}

// Frequencies a control can run at, the same as the workspace's.
var Frequencies = []string{"continuous", "daily", "weekly", "monthly", "quarterly", "semi-annual", "annual", "on-event"}

// Provenance of a control-to-requirement mapping (see Catalog.Source).
const (
	SourceNIST = "nist-sp-800-66r2" // NIST SP 800-66r2's HIPAA-to-CSF mapping backs it
	SourceWard = "ward"             // our own editorial judgement
)

// Catalog is the whole embedded content. It is read-only once loaded.
type Catalog struct {
	Frameworks []*Framework `json:"frameworks"`
	Controls   []*Control   `json:"controls"`
	// BAA is the checklist of what a business associate agreement must
	// contain (164.504(e)(2), 164.314(a)(2)).
	BAA *Checklist `json:"baa"`
	// NIST is NIST SP 800-66r2's mapping of HIPAA standards to CSF 2.0.
	NIST *Mapping `json:"nist"`

	frameworks map[string]*Framework
	controls   map[string]*Control
}

// Framework is one body of requirements with its provenance.
type Framework struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Source    string `json:"source"`
	Published string `json:"published"` // date of the version used, YYYY-MM-DD
	Notes     string `json:"notes,omitempty"`
	// Status is "" for a framework in force, StatusProposed for one that
	// is not law yet; StatusChecked is the date ward last confirmed the
	// status against sources, StatusNote what was found and what is
	// ward's assumption since.
	Status        string `json:"status,omitempty"`
	StatusChecked string `json:"status_checked,omitempty"`
	StatusNote    string `json:"status_note,omitempty"`
	// Sections in display order (HIPAA safeguard families, SOC 2 series,
	// CSF functions).
	Sections []string `json:"sections,omitempty"`
	// Assessments are HITRUST's assessment types; empty elsewhere.
	Assessments  []Assessment   `json:"assessments,omitempty"`
	Requirements []*Requirement `json:"requirements"` // regulation order

	index      map[string]*Requirement
	order      map[string]int
	assessable []*Requirement
}

// Assessment is a HITRUST assessment type (e1, i1, r2).
type Assessment struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description" yaml:"description"`
}

// Requirement is one node of a framework: a HIPAA standard or
// implementation specification, a SOC 2 series or criterion, a CSF
// function, category or subcategory, a breach rule section or provision.
type Requirement struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Kind   string `json:"kind"`
	Parent string `json:"parent,omitempty"`
	// Section groups requirements for display: HIPAA "Administrative",
	// SOC 2 "CC6 Logical and physical access", CSF "Protect".
	Section string `json:"section"`
	// Required: HIPAA R (true) or A (false) for a specification; every
	// standard is required.
	Required bool `json:"required"`
	// Category is the SOC 2 Trust Services category (security,
	// availability, ...); empty for other frameworks.
	Category string `json:"category,omitempty"`
	Excerpt  string `json:"excerpt,omitempty"`
	// Days and Threshold carry breach notification deadlines (calendar
	// days) and size thresholds; zero elsewhere.
	Days      int    `json:"days,omitempty"`
	Threshold string `json:"threshold,omitempty"`
	// Cadence is the least often the requirement's activity may run
	// (a frequency: "semi-annual" is at least every 6 months); a control
	// scheduled less often only partly meets it. Empty elsewhere.
	Cadence  string   `json:"cadence,omitempty"`
	Children []string `json:"children,omitempty"`
	// Controls is the reverse index: the catalog controls mapped to this
	// requirement, sorted.
	Controls []string `json:"controls"`
	// ServedBy, for a HIPAA standard, lists the controls that serve it
	// (Control.Serves), sorted. Readiness never counts them.
	ServedBy []string `json:"served_by,omitempty"`
	// HIPAAScope, for a CSF subcategory no HIPAA standard reaches in the
	// crosswalk, says why (data/csf.yaml, hipaa_scope).
	HIPAAScope string `json:"hipaa_scope,omitempty"`
}

// Assessable reports whether posture is computed over the requirement: a
// leaf (a HIPAA specification or a standard without one, a SOC 2
// criterion, a CSF subcategory, a breach provision).
func (r *Requirement) Assessable() bool { return len(r.Children) == 0 }

// Control is one control of the unified set.
type Control struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Family      string `json:"family"`
	Frequency   string `json:"frequency"`
	Evidence    string `json:"evidence"` // what an auditor expects to see
	// References are citations outside the catalog's frameworks, such as
	// Privacy Rule sections.
	References []string `json:"references,omitempty"`
	// Mappings: framework id -> requirement ids, in regulation order.
	Mappings map[string][]string `json:"mappings"`
	// Serves: "hipaa" -> HIPAA standards the control delivers part of
	// without being mapped to them: a standard's own duty beyond its
	// implementation specifications (164.312(a)(1) asks that systems
	// allow access only to those granted it, which network restrictions
	// do, while none of its four specifications is about networks), or a
	// CSF outcome the control delivers for the standard (the legal
	// register, GV.OC-03, for every standard).
	// Readiness is computed over mappings and never counts it; the
	// standard-level crosswalk to CSF counts each served standard with
	// its own outcomes (ServesWith); scanner findings use it to place a
	// check Prowler files under the standard.
	Serves map[string][]string `json:"serves,omitempty"`
	// ServesWith: each served HIPAA standard -> the CSF outcomes (some of
	// the control's CSF mappings) through which the control serves that
	// standard, and only that one: ward's own claim, per standard, never
	// filtered by NIST SP 800-66r2's mapping. Rationale holds why, per
	// standard, naming each outcome.
	ServesWith map[string][]string `json:"serves_with,omitempty"`
	// Rationale: requirement id -> why the control maps to (or serves)
	// it, where ward's judgement needs saying.
	Rationale map[string]string `json:"rationale,omitempty"`
	// Judgement is ["csf"] when some of the control's CSF mappings are our
	// own judgement rather than NIST-sourced (the loader enforces it). CSF
	// is the only framework with a public source to differ from; HIPAA and
	// SOC 2 mappings are always ours. Catalog.Source answers per pair.
	Judgement []string `json:"judgement,omitempty"`

	nistCSF map[string]bool
}

// Checklist is the BAA content checklist.
type Checklist struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Source    string   `json:"source"`
	Published string   `json:"published"`
	Clauses   []Clause `json:"clauses"`
}

// Clause is the checklist's clause id, or nil.
func (c *Checklist) Clause(id string) *Clause {
	for i := range c.Clauses {
		if c.Clauses[i].ID == id {
			return &c.Clauses[i]
		}
	}
	return nil
}

// Clause is one thing a BAA must (Required) or may contain, so a reviewer
// can tick which clauses an agreement has.
type Clause struct {
	ID       string `json:"id" yaml:"id"`
	Citation string `json:"citation" yaml:"citation"`
	Title    string `json:"title" yaml:"title"`
	Required bool   `json:"required" yaml:"required"`
	Text     string `json:"text" yaml:"text"`
}

// Mapping is NIST SP 800-66r2's HIPAA standard -> CSF 2.0 mapping.
type Mapping struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Source    string `json:"source"`
	Published string `json:"published"`
	// Standards: HIPAA standard id (this catalog's) -> CSF subcategories.
	Standards map[string][]string `json:"standards"`
	// Adds and Omits are where ward's controls and this mapping differ on
	// purpose, each with why: pairs ward relates and NIST does not (every
	// one), pairs NIST relates and ward leaves out on purpose (the other
	// NIST pairs no control relates are gaps).
	Adds  []Disagreement `json:"adds"`
	Omits []Disagreement `json:"omits"`
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the embedded catalog, loaded once. It panics when the
// embedded data is invalid, which TestLoad guards against.
func Default() *Catalog {
	defaultOnce.Do(func() { defaultCat, defaultErr = Load() })
	if defaultErr != nil {
		panic("catalog: embedded data: " + defaultErr.Error())
	}
	return defaultCat
}

// Framework returns the framework with the id ("hipaa", "hipaa-breach",
// "soc2", "csf", "hitrust"), or nil.
func (c *Catalog) Framework(id string) *Framework { return c.frameworks[id] }

// Control returns the control with the id, or nil.
func (c *Catalog) Control(id string) *Control { return c.controls[id] }

// Addressable lists, in regulation order, the HIPAA Security Rule
// addressable implementation specifications a control answers: those of
// own (an organization's own mapping of the control) when given, else the
// catalog's. Not implementing such a control needs a documented reason
// and an equivalent alternative measure, 45 CFR 164.306(d)(3).
func (c *Catalog) Addressable(control string, own []string) []string {
	ids := own
	if len(ids) == 0 {
		if ctl := c.Control(control); ctl != nil {
			ids = ctl.Mappings[HIPAA]
		}
	}
	fw := c.Framework(HIPAA)
	var out []string
	for _, id := range ids {
		if r := fw.Requirement(id); r != nil && r.Kind == KindSpecification && !r.Required && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	fw.Sort(out)
	return out
}

// Requirement returns the requirement with the id, or nil.
func (f *Framework) Requirement(id string) *Requirement { return f.index[id] }

// Proposed reports whether the framework is not law yet: its readiness is
// an overlay, shown apart and labelled so.
func (f *Framework) Proposed() bool { return f.Status == StatusProposed }

// Assessable returns the leaves a posture is computed over, in regulation
// order: HIPAA implementation specifications and the standards that have
// none, SOC 2 criteria, CSF subcategories, breach rule provisions.
func (f *Framework) Assessable() []*Requirement { return f.assessable }

// Compare orders two requirement ids of the framework in regulation order
// (164.308(a)(1)(ii)(A) before 164.308(a)(1)(ii)(B) before 164.308(a)(2);
// CC1.1 before A1.1; GV before ID). Unknown ids sort last, by string.
func (f *Framework) Compare(a, b string) int {
	ia, oka := f.order[a]
	ib, okb := f.order[b]
	switch {
	case oka && okb:
		return ia - ib
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

// Sort sorts requirement ids of the framework in regulation order.
func (f *Framework) Sort(ids []string) {
	slices.SortStableFunc(ids, f.Compare)
}

// Source tells where the mapping of a control to a requirement comes from:
// SourceNIST when it is a CSF subcategory that NIST SP 800-66r2 maps from
// one of the control's HIPAA standards, SourceWard otherwise (all HIPAA and
// SOC 2 mappings are our judgement). It returns "" when the control does
// not map to the requirement.
func (c *Catalog) Source(control, framework, requirement string) string {
	ctl := c.controls[control]
	if ctl == nil || !slices.Contains(ctl.Mappings[framework], requirement) {
		return ""
	}
	if framework == CSF && ctl.nistCSF[requirement] {
		return SourceNIST
	}
	return SourceWard
}

// standardOf returns the HIPAA standard a requirement belongs to (itself
// for a standard).
func (f *Framework) standardOf(id string) string {
	r := f.index[id]
	for r != nil && r.Parent != "" {
		r = f.index[r.Parent]
	}
	if r == nil {
		return ""
	}
	return r.ID
}

// controlsFor returns the catalog controls mapped to any of the
// framework's assessable requirements in scope, sorted.
func (c *Catalog) controlsFor(f *Framework, scope Scope) []string {
	var ids []string
	for _, r := range f.assessable {
		if !scope.includes(f, r) {
			continue
		}
		for _, id := range r.Controls {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func (c *Catalog) framework(id string) (*Framework, error) {
	f := c.frameworks[id]
	if f == nil {
		ids := make([]string, 0, len(c.Frameworks))
		for _, f := range c.Frameworks {
			ids = append(ids, f.ID)
		}
		return nil, fmt.Errorf("unknown framework %q (one of %s)", id, strings.Join(ids, ", "))
	}
	return f, nil
}
