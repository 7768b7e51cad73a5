package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// file is any one of the data files; each uses one pair of top-level keys.
type file struct {
	Framework    *header          `yaml:"framework"`
	Requirements []requirementDoc `yaml:"requirements"`
	Checklist    *header          `yaml:"checklist"`
	Clauses      []Clause         `yaml:"clauses"`
	Crosswalk    *header          `yaml:"crosswalk"`
	Standards    []nistDoc        `yaml:"standards"`
	Disagree     *disagreeDoc     `yaml:"disagreements"`
	Catalog      *header          `yaml:"catalog"`
	Controls     []controlDoc     `yaml:"controls"`
}

// header states a file's provenance; frameworks add notes, sections and
// (HITRUST) assessments, the crosswalk its pair count.
type header struct {
	ID          string       `yaml:"id"`
	Name        string       `yaml:"name"`
	Version     string       `yaml:"version"`
	Source      string       `yaml:"source"`
	Published   string       `yaml:"published"`
	Notes       string       `yaml:"notes"`
	Sections    []string     `yaml:"sections"`
	Assessments []Assessment `yaml:"assessments"`
	Pairs       int          `yaml:"pairs"`
	// A framework that is not law yet (hipaa-nprm).
	Status        string `yaml:"status"`
	StatusChecked string `yaml:"status_checked"`
	StatusNote    string `yaml:"status_note"`
}

type requirementDoc struct {
	ID         string `yaml:"id"`
	Kind       string `yaml:"kind"`
	Parent     string `yaml:"parent"`
	Title      string `yaml:"title"`
	Section    string `yaml:"section"`
	Category   string `yaml:"category"`
	Required   bool   `yaml:"required"`
	Excerpt    string `yaml:"excerpt"`
	Days       int    `yaml:"days"`
	Threshold  string `yaml:"threshold"`
	HIPAAScope string `yaml:"hipaa_scope"`
	Cadence    string `yaml:"cadence"`
}

type disagreeDoc struct {
	Adds  []Disagreement `yaml:"adds"`
	Omits []Disagreement `yaml:"omits"`
}

type nistDoc struct {
	Standard string   `yaml:"standard"`
	Key      string   `yaml:"key"`
	CSF      []string `yaml:"csf"`
}

// serveDoc is one entry of a control's serves: HIPAA standards the
// control serves, the CSF outcomes through which it serves each of them,
// and why. A control serving several standards through different
// outcomes gives one entry per group (each standard in one entry only).
type serveDoc struct {
	HIPAA []string `yaml:"hipaa"`
	CSF   []string `yaml:"csf"`
	Why   string   `yaml:"why"`
}

type controlDoc struct {
	ID          string              `yaml:"id"`
	Title       string              `yaml:"title"`
	Family      string              `yaml:"family"`
	Frequency   string              `yaml:"frequency"`
	Description string              `yaml:"description"`
	Evidence    string              `yaml:"evidence"`
	References  []string            `yaml:"references"`
	Mappings    map[string][]string `yaml:"mappings"`
	Serves      []serveDoc          `yaml:"serves"`
	Judgement   []string            `yaml:"judgement"`
	Rationale   map[string]string   `yaml:"rationale"`
}

// kinds lists the requirement kinds each framework may use, parent kind
// first.
var kinds = map[string][]string{
	HIPAA:       {KindStandard, KindSpecification},
	HIPAABreach: {KindSection, KindProvision},
	SOC2:        {KindSeries, KindCriterion},
	CSF:         {KindFunction, KindCategory, KindSubcategory},
	HITRUST:     {},
	HIPAANPRM:   {KindSection, KindProvision},
}

// frameworkOrder is the order of Catalog.Frameworks.
var frameworkOrder = []string{HIPAA, HIPAABreach, SOC2, CSF, HITRUST, HIPAANPRM}

var (
	kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	day   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// Load parses and validates the embedded data. Every reference is
// checked: parents, mappings, the NIST crosswalk, the provenance marks.
func Load() (*Catalog, error) { return load(dataFS) }

// LoadFrom is Load over the same files (data/*.yaml) from fsys: for tests
// that compare the catalog with a variant of it, such as one without the
// proposed-rule overlay.
func LoadFrom(fsys fs.FS) (*Catalog, error) { return load(fsys) }

// optional frameworks may be left out of the data: overlays of proposed
// rules, which nothing else depends on.
var optional = map[string]bool{HIPAANPRM: true}

func load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	c := &Catalog{frameworks: map[string]*Framework{}, controls: map[string]*Control{}}
	var controls []controlDoc
	var controlsFile string
	var nist []nistDoc
	var nistFile string
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, err := parseFile(name, data)
		if err != nil {
			return nil, err
		}
		switch {
		case f.Framework != nil:
			fw, err := buildFramework(f.Framework, f.Requirements)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			if c.frameworks[fw.ID] != nil {
				errs = append(errs, fmt.Errorf("%s: framework %q defined twice", name, fw.ID))
				continue
			}
			c.frameworks[fw.ID] = fw
		case f.Checklist != nil:
			cl, err := buildChecklist(f.Checklist, f.Clauses)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			c.BAA = cl
		case f.Crosswalk != nil:
			if err := checkHeader(*f.Crosswalk); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			h := f.Crosswalk
			c.NIST = &Mapping{ID: h.ID, Name: h.Name, Version: h.Version, Source: h.Source, Published: h.Published, Standards: map[string][]string{},
				Adds: []Disagreement{}, Omits: []Disagreement{}}
			if f.Disagree != nil {
				c.NIST.Adds, c.NIST.Omits = f.Disagree.Adds, f.Disagree.Omits
			}
			nist, nistFile = f.Standards, name
			n := 0
			for _, s := range nist {
				n += len(s.CSF)
			}
			if n != f.Crosswalk.Pairs {
				errs = append(errs, fmt.Errorf("%s: %d pairs, header says %d", name, n, f.Crosswalk.Pairs))
			}
		case f.Catalog != nil:
			if err := checkHeader(*f.Catalog); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			controls, controlsFile = f.Controls, name
		default:
			errs = append(errs, fmt.Errorf("%s: no framework, checklist, crosswalk or catalog header", name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, id := range frameworkOrder {
		f := c.frameworks[id]
		if f == nil && optional[id] {
			continue
		}
		if f == nil {
			return nil, fmt.Errorf("data: framework %q is missing", id)
		}
		c.Frameworks = append(c.Frameworks, f)
	}
	if len(c.frameworks) != len(c.Frameworks) {
		return nil, fmt.Errorf("data: unexpected frameworks (want %s)", strings.Join(frameworkOrder, ", "))
	}
	if c.BAA == nil || c.NIST == nil || controls == nil {
		return nil, errors.New("data: the BAA checklist, the NIST crosswalk and the controls are all required")
	}
	if err := c.loadNIST(nist); err != nil {
		return nil, fmt.Errorf("%s: %w", nistFile, err)
	}
	if err := c.loadControls(controls); err != nil {
		return nil, fmt.Errorf("%s: %w", controlsFile, err)
	}
	// Every pair ward's controls add to NIST's is recorded with why.
	if err := c.disagreementsCheck(); err != nil {
		return nil, fmt.Errorf("%s: %w", nistFile, err)
	}
	return c, nil
}

// parseFile is the data file name as it parses: from compiled.json when
// it holds this content, else from its YAML.
func parseFile(name string, data []byte) (file, error) {
	if f, ok := compiledOf(name, data); ok {
		return f, nil
	}
	return parseYAML(name, data)
}

// parseYAML parses the data file name from its YAML alone.
func parseYAML(name string, data []byte) (file, error) {
	var f file
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict()).Decode(&f); err != nil {
		return file{}, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

func checkHeader(h header) error {
	switch {
	case h.ID == "" || h.Name == "" || h.Version == "" || h.Source == "":
		return fmt.Errorf("header: id, name, version and source are required")
	case !day.MatchString(h.Published):
		return fmt.Errorf("header: published %q is not a YYYY-MM-DD date", h.Published)
	}
	return nil
}

func buildFramework(h *header, docs []requirementDoc) (*Framework, error) {
	if err := checkHeader(*h); err != nil {
		return nil, err
	}
	allowed, ok := kinds[h.ID]
	if !ok {
		return nil, fmt.Errorf("unknown framework id %q", h.ID)
	}
	switch {
	case h.Status != "" && h.Status != StatusProposed:
		return nil, fmt.Errorf("header: status %q: leave it out for a framework in force, or write %s", h.Status, StatusProposed)
	case h.Status == StatusProposed && (!day.MatchString(h.StatusChecked) || strings.TrimSpace(h.StatusNote) == ""):
		return nil, fmt.Errorf("header: a proposed framework needs status_checked (YYYY-MM-DD, when ward last confirmed it is still proposed) and status_note")
	case h.Status == "" && (h.StatusChecked != "" || h.StatusNote != ""):
		return nil, fmt.Errorf("header: status_checked and status_note belong to a proposed framework")
	}
	f := &Framework{
		ID: h.ID, Name: h.Name, Version: h.Version, Source: h.Source, Published: h.Published,
		Notes: h.Notes, Sections: h.Sections, Assessments: h.Assessments,
		Status: h.Status, StatusChecked: h.StatusChecked, StatusNote: strings.TrimSpace(h.StatusNote),
		Requirements: []*Requirement{},
		index:        map[string]*Requirement{}, order: map[string]int{},
	}
	for i, d := range docs {
		where := fmt.Sprintf("requirements[%d] (%s)", i, d.ID)
		if d.ID == "" || d.Title == "" {
			return nil, fmt.Errorf("%s: id and title are required", where)
		}
		if f.index[d.ID] != nil {
			return nil, fmt.Errorf("%s: duplicate id", where)
		}
		level := slices.Index(allowed, d.Kind)
		if level < 0 {
			return nil, fmt.Errorf("%s: kind %q is not one of %s", where, d.Kind, strings.Join(allowed, ", "))
		}
		r := &Requirement{
			ID: d.ID, Title: d.Title, Kind: d.Kind, Parent: d.Parent, Section: d.Section,
			Category: d.Category, Required: d.Required, Excerpt: strings.TrimSpace(d.Excerpt),
			Days: d.Days, Threshold: d.Threshold, Cadence: d.Cadence, Controls: []string{}, HIPAAScope: strings.TrimSpace(d.HIPAAScope),
		}
		if d.Cadence != "" && (!slices.Contains(Frequencies, d.Cadence) || d.Cadence == "on-event") {
			return nil, fmt.Errorf("%s: cadence %q is not a schedule (one of %s but on-event)", where, d.Cadence, strings.Join(Frequencies, ", "))
		}
		if r.HIPAAScope != "" && (f.ID != CSF || r.Kind != KindSubcategory) {
			return nil, fmt.Errorf("%s: hipaa_scope: only CSF subcategories have one", where)
		}
		if d.Parent == "" {
			if level != 0 {
				return nil, fmt.Errorf("%s: a %s needs a parent", where, d.Kind)
			}
		} else {
			p := f.index[d.Parent]
			if p == nil {
				return nil, fmt.Errorf("%s: parent %q is not defined before it", where, d.Parent)
			}
			if slices.Index(allowed, p.Kind) != level-1 {
				return nil, fmt.Errorf("%s: a %s cannot be the parent of a %s", where, p.Kind, d.Kind)
			}
			p.Children = append(p.Children, d.ID)
			if r.Section == "" {
				r.Section = p.Section
			}
			if r.Category == "" {
				r.Category = p.Category
			}
		}
		if r.Kind == KindStandard {
			r.Required = true // every standard must be met; R/A is about specifications
		}
		if r.Section == "" || (len(f.Sections) > 0 && !slices.Contains(f.Sections, r.Section)) {
			return nil, fmt.Errorf("%s: section %q is not one of the framework's sections", where, r.Section)
		}
		if (f.ID == SOC2) != (r.Category != "") || (r.Category != "" && !slices.Contains(SOC2Categories, r.Category)) {
			return nil, fmt.Errorf("%s: category %q: only SOC 2 requirements have one, from %s", where, r.Category, strings.Join(SOC2Categories, ", "))
		}
		f.order[r.ID] = len(f.Requirements)
		f.index[r.ID] = r
		f.Requirements = append(f.Requirements, r)
	}
	if f.ID == HIPAA || f.ID == HIPAABreach {
		// The file must list citations in the regulation's own order.
		for i := 1; i < len(f.Requirements); i++ {
			a, b := f.Requirements[i-1].ID, f.Requirements[i].ID
			if CompareCitations(a, b) >= 0 {
				return nil, fmt.Errorf("requirements: %s is listed before %s, out of regulation order", a, b)
			}
		}
	}
	for _, r := range f.Requirements {
		if r.Assessable() {
			if r.Kind != allowed[len(allowed)-1] && !(f.ID == HIPAA && r.Kind == KindStandard) {
				return nil, fmt.Errorf("requirement %s: a %s with nothing under it", r.ID, r.Kind)
			}
			f.assessable = append(f.assessable, r)
		}
	}
	return f, nil
}

func buildChecklist(h *header, clauses []Clause) (*Checklist, error) {
	if err := checkHeader(*h); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, cl := range clauses {
		where := fmt.Sprintf("clauses[%d] (%s)", i, cl.ID)
		switch {
		case !kebab.MatchString(cl.ID):
			return nil, fmt.Errorf("%s: id must be lower-case words joined by hyphens", where)
		case seen[cl.ID]:
			return nil, fmt.Errorf("%s: duplicate id", where)
		case cl.Citation == "" || cl.Title == "" || cl.Text == "":
			return nil, fmt.Errorf("%s: citation, title and text are required", where)
		}
		seen[cl.ID] = true
	}
	return &Checklist{ID: h.ID, Name: h.Name, Version: h.Version, Source: h.Source, Published: h.Published, Clauses: clauses}, nil
}

func (c *Catalog) loadNIST(docs []nistDoc) error {
	hipaa, csf := c.frameworks[HIPAA], c.frameworks[CSF]
	for i, d := range docs {
		where := fmt.Sprintf("standards[%d] (%s)", i, d.Standard)
		r := hipaa.Requirement(d.Standard)
		if r == nil || r.Kind != KindStandard {
			return fmt.Errorf("%s: not a HIPAA standard", where)
		}
		if _, dup := c.NIST.Standards[d.Standard]; dup {
			return fmt.Errorf("%s: duplicate standard", where)
		}
		for _, id := range d.CSF {
			s := csf.Requirement(id)
			if s == nil || s.Kind != KindSubcategory {
				return fmt.Errorf("%s: %q is not a CSF 2.0 subcategory", where, id)
			}
		}
		ids := slices.Clone(d.CSF)
		csf.Sort(ids)
		c.NIST.Standards[d.Standard] = ids
	}
	for _, set := range []struct {
		name string
		ds   []Disagreement
	}{{"adds", c.NIST.Adds}, {"omits", c.NIST.Omits}} {
		for i, d := range set.ds {
			where := fmt.Sprintf("disagreements.%s[%d] (%s)", set.name, i, d.Standard)
			if r := hipaa.Requirement(d.Standard); r == nil || r.Kind != KindStandard {
				return fmt.Errorf("%s: not a HIPAA standard", where)
			}
			if strings.TrimSpace(d.Why) == "" || len(d.CSF) == 0 {
				return fmt.Errorf("%s: csf and why are required", where)
			}
			for _, id := range d.CSF {
				if s := csf.Requirement(id); s == nil || s.Kind != KindSubcategory {
					return fmt.Errorf("%s: %q is not a CSF 2.0 subcategory", where, id)
				}
			}
		}
	}
	return nil
}

func (c *Catalog) loadControls(docs []controlDoc) error {
	hipaa := c.frameworks[HIPAA]
	var errs []error // provenance marks: report them all at once
	for i, d := range docs {
		where := fmt.Sprintf("controls[%d] (%s)", i, d.ID)
		switch {
		case !kebab.MatchString(d.ID):
			return fmt.Errorf("%s: id must be lower-case words joined by hyphens", where)
		case c.controls[d.ID] != nil:
			return fmt.Errorf("%s: duplicate id", where)
		case d.Title == "" || d.Description == "" || d.Evidence == "" || d.Family == "":
			return fmt.Errorf("%s: title, family, description and evidence are required", where)
		case !slices.Contains(Frequencies, d.Frequency):
			return fmt.Errorf("%s: frequency %q is not one of %s", where, d.Frequency, strings.Join(Frequencies, ", "))
		}
		ctl := &Control{
			ID: d.ID, Title: d.Title, Description: strings.TrimSpace(d.Description), Family: d.Family,
			Frequency: d.Frequency, Evidence: strings.TrimSpace(d.Evidence), References: d.References,
			Mappings: map[string][]string{}, Judgement: d.Judgement, nistCSF: map[string]bool{},
		}
		for fid, ids := range d.Mappings {
			f := c.frameworks[fid]
			if f == nil || len(f.Requirements) == 0 {
				return fmt.Errorf("%s: mappings.%s: no such framework with requirements", where, fid)
			}
			if len(ids) == 0 {
				return fmt.Errorf("%s: mappings.%s: empty", where, fid)
			}
			for _, id := range ids {
				r := f.Requirement(id)
				switch {
				case r == nil:
					return fmt.Errorf("%s: mappings.%s: unknown requirement %q", where, fid, id)
				case !r.Assessable():
					return fmt.Errorf("%s: mappings.%s: %q has requirements under it; map to those", where, fid, id)
				}
			}
			sorted := slices.Clone(ids)
			f.Sort(sorted)
			if len(slices.Compact(slices.Clone(sorted))) != len(sorted) {
				return fmt.Errorf("%s: mappings.%s: duplicate id", where, fid)
			}
			ctl.Mappings[fid] = sorted
		}
		if len(ctl.Mappings) == 0 {
			return fmt.Errorf("%s: maps to nothing", where)
		}
		// serves: HIPAA standards the control delivers part of without
		// being mapped to them (readiness does not count it), each with
		// the CSF outcomes through which the control serves that standard
		// and why. They are ward's claim, pair by pair: the standard-level
		// crosswalk counts each served standard with its own outcomes.
		mappedStd := map[string]bool{}
		for _, id := range ctl.Mappings[HIPAA] {
			mappedStd[hipaa.standardOf(id)] = true
		}
		why := map[string]string{}
		for j, s := range d.Serves {
			at := fmt.Sprintf("%s: serves[%d]", where, j)
			w := strings.Join(strings.Fields(s.Why), " ")
			switch {
			case len(s.HIPAA) == 0:
				return fmt.Errorf("%s: hipaa: name the HIPAA standards served", at)
			case len(s.CSF) == 0:
				return fmt.Errorf("%s: csf: name the CSF outcomes through which the control serves %s", at, strings.Join(s.HIPAA, ", "))
			case w == "":
				return fmt.Errorf("%s: why: say how the control serves %s", at, strings.Join(s.HIPAA, ", "))
			}
			for _, id := range s.HIPAA {
				switch r := hipaa.Requirement(id); {
				case r == nil || r.Kind != KindStandard:
					return fmt.Errorf("%s: hipaa: %q is not a HIPAA standard", at, id)
				case mappedStd[id]:
					return fmt.Errorf("%s: hipaa: %s: the control maps to it already", at, id)
				case why[id] != "":
					return fmt.Errorf("%s: hipaa: %s is served by an earlier entry: one entry per standard", at, id)
				}
				why[id] = w
			}
			outcomes := slices.Clone(s.CSF)
			c.frameworks[CSF].Sort(outcomes)
			if len(slices.Compact(slices.Clone(outcomes))) != len(outcomes) {
				return fmt.Errorf("%s: csf: duplicate id", at)
			}
			for _, x := range outcomes {
				switch {
				case !slices.Contains(ctl.Mappings[CSF], x):
					return fmt.Errorf("%s: csf: %s is not one of the control's csf mappings", at, x)
				case !strings.Contains(w, x):
					return fmt.Errorf("%s: why does not name %s: say how the control delivers it for %s", at, x, strings.Join(s.HIPAA, ", "))
				}
			}
			if ctl.Serves == nil {
				ctl.Serves, ctl.ServesWith = map[string][]string{}, map[string][]string{}
			}
			for _, id := range s.HIPAA {
				ctl.Serves[HIPAA] = append(ctl.Serves[HIPAA], id)
				ctl.ServesWith[id] = outcomes
			}
		}
		if ctl.Serves != nil {
			hipaa.Sort(ctl.Serves[HIPAA])
		}
		// rationale: why, for a mapping that needs saying (ward's
		// judgement where a reader might expect otherwise). A served
		// standard's why is its serves entry's.
		for id, w := range d.Rationale {
			found := false
			for _, ids := range ctl.Mappings {
				found = found || slices.Contains(ids, id)
			}
			switch {
			case why[id] != "":
				return fmt.Errorf("%s: rationale.%s: the control serves %s: say why in its serves entry", where, id, id)
			case !found:
				return fmt.Errorf("%s: rationale.%s: the control does not map to %s", where, id, id)
			case strings.TrimSpace(w) == "":
				return fmt.Errorf("%s: rationale.%s: empty", where, id)
			}
		}
		if len(d.Rationale) > 0 || len(why) > 0 {
			ctl.Rationale = map[string]string{}
			for id, w := range d.Rationale {
				ctl.Rationale[id] = w
			}
			for id, w := range why {
				ctl.Rationale[id] = w
			}
		}
		// Provenance of CSF mappings: NIST-sourced when NIST SP 800-66r2
		// maps one of the control's HIPAA standards to the subcategory.
		nistSet := map[string]bool{}
		for _, id := range ctl.Mappings[HIPAA] {
			for _, s := range c.NIST.Standards[hipaa.standardOf(id)] {
				nistSet[s] = true
			}
		}
		judged := false
		for _, id := range ctl.Mappings[CSF] {
			if nistSet[id] {
				ctl.nistCSF[id] = true
			} else {
				judged = true
			}
		}
		for _, j := range ctl.Judgement {
			if j != CSF {
				return fmt.Errorf("%s: judgement: %q: only csf mappings have a NIST source to differ from (HIPAA and SOC 2 mappings are always ours)", where, j)
			}
		}
		marked := slices.Contains(ctl.Judgement, CSF)
		if judged && !marked {
			var own []string
			for _, id := range ctl.Mappings[CSF] {
				if !ctl.nistCSF[id] {
					own = append(own, id)
				}
			}
			errs = append(errs, fmt.Errorf("%s: csf %s not in NIST SP 800-66r2's mapping of its HIPAA standards: mark judgement: [csf]", where, strings.Join(own, ", ")))
		}
		if !judged && marked {
			errs = append(errs, fmt.Errorf("%s: judgement: [csf] but every csf mapping is NIST-sourced: remove it", where))
		}
		c.controls[ctl.ID] = ctl
		c.Controls = append(c.Controls, ctl)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// The reverse index, sorted.
	for _, ctl := range c.Controls {
		for fid, ids := range ctl.Mappings {
			f := c.frameworks[fid]
			for _, id := range ids {
				r := f.Requirement(id)
				r.Controls = append(r.Controls, ctl.ID)
			}
		}
		for _, id := range ctl.Serves[HIPAA] {
			r := hipaa.Requirement(id)
			r.ServedBy = append(r.ServedBy, ctl.ID)
		}
	}
	for _, f := range c.Frameworks {
		for _, r := range f.Requirements {
			slices.Sort(r.Controls)
			slices.Sort(r.ServedBy)
		}
	}
	return nil
}

// CompareCitations orders two CFR citations the way the regulation lists
// them: section numbers numerically, then paragraphs level by level —
// (a), (1), (i), (A) — with a paragraph before its subparagraphs, so
// 164.308(a)(1)(ii)(B) < 164.308(a)(2) < 164.308(a)(10) < 164.308(b)(1).
// Lower-case paragraphs at the third level are roman numerals.
func CompareCitations(a, b string) int {
	pa, pb := citationKey(a), citationKey(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(pa) < len(pb):
		return -1
	case len(pa) > len(pb):
		return 1
	}
	return strings.Compare(a, b)
}

func citationKey(s string) []int {
	var key []int
	head, rest, _ := strings.Cut(s, "(")
	for _, part := range strings.Split(head, ".") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			n = 1 << 30
		}
		key = append(key, n)
	}
	if rest == "" {
		return key
	}
	for level, p := range strings.Split(strings.TrimSuffix(rest, ")"), ")(") {
		key = append(key, paragraphValue(p, level))
	}
	return key
}

// paragraphValue converts one paragraph designation: digits are numbers,
// an upper-case letter counts from A=1, a lower-case designation is a
// roman numeral at the third level (and when it is not a single letter),
// otherwise a letter from a=1.
func paragraphValue(p string, level int) int {
	if n, err := strconv.Atoi(p); err == nil {
		return n
	}
	if len(p) == 1 && p[0] >= 'A' && p[0] <= 'Z' {
		return int(p[0]-'A') + 1
	}
	if len(p) == 1 && p[0] >= 'a' && p[0] <= 'z' && level != 2 {
		return int(p[0]-'a') + 1
	}
	if n := roman(p); n > 0 {
		return n
	}
	return 1 << 30
}

func roman(s string) int {
	vals := map[byte]int{'i': 1, 'v': 5, 'x': 10, 'l': 50, 'c': 100}
	n := 0
	for i := 0; i < len(s); i++ {
		v, ok := vals[s[i]]
		if !ok {
			return 0
		}
		if i+1 < len(s) && vals[s[i+1]] > v {
			n -= v
		} else {
			n += v
		}
	}
	return n
}
