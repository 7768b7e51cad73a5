package oscal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// CatalogDocument is an OSCAL catalog file.
type CatalogDocument struct {
	Catalog CatalogModel `json:"catalog"`
}

type CatalogModel struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Groups     []Group     `json:"groups,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

type Group struct {
	ID       string     `json:"id,omitempty"`
	Class    string     `json:"class,omitempty"`
	Title    string     `json:"title"`
	Props    []Property `json:"props,omitempty"`
	Parts    []Part     `json:"parts,omitempty"`
	Groups   []Group    `json:"groups,omitempty"`
	Controls []Control  `json:"controls,omitempty"`
}

type Control struct {
	ID    string     `json:"id"`
	Class string     `json:"class,omitempty"`
	Title string     `json:"title"`
	Props []Property `json:"props,omitempty"`
	Links []Link     `json:"links,omitempty"`
	Parts []Part     `json:"parts,omitempty"`
}

type Part struct {
	ID    string     `json:"id,omitempty"`
	Name  string     `json:"name"`
	Title string     `json:"title,omitempty"`
	Props []Property `json:"props,omitempty"`
	Prose string     `json:"prose,omitempty"`
	Parts []Part     `json:"parts,omitempty"`
}

// ProfileDocument is an OSCAL profile file.
type ProfileDocument struct {
	Profile ProfileModel `json:"profile"`
}

type ProfileModel struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Imports    []Import    `json:"imports"`
	Merge      *Merge      `json:"merge,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

type Import struct {
	Href            string              `json:"href"`
	IncludeAll      *struct{}           `json:"include-all,omitempty"`
	IncludeControls []SelectControlByID `json:"include-controls,omitempty"`
}

type SelectControlByID struct {
	WithIDs []string `json:"with-ids"`
}

type Merge struct {
	Combine *Combine `json:"combine,omitempty"`
	AsIs    *bool    `json:"as-is,omitempty"`
}

type Combine struct {
	Method string `json:"method"`
}

// mappedFrameworks are the frameworks whose requirements the catalog
// lists and each control's mappings name, in report order.
var mappedFrameworks = []string{catalog.HIPAA, catalog.SOC2, catalog.CSF}

// requirementObjective is the id of the objective part of a framework
// requirement in the catalog: what an assessment result's finding on the
// requirement targets.
func requirementObjective(framework, id string) string {
	return requirementToken(framework, id) + "_obj"
}

// statementID is the id of a control's statement part in the catalog.
func statementID(control string) string { return token(control) + "_smt" }

// Catalog builds ward's unified control set as an OSCAL catalog: one
// group per control family, each control with its statement, the evidence
// an auditor expects, and its mappings (props in ward's namespace, and
// links to the framework requirements, which the catalog lists too, each
// with the objective an assessment finding targets). An organization's
// own controls are a group of their own.
func Catalog(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*CatalogDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	doc := &CatalogDocument{Catalog: CatalogModel{UUID: b.id("catalog"), Metadata: b.metadata("ward unified control set, with " + b.orgName() + "'s own controls")}}
	c := &doc.Catalog

	families := map[string][]Control{}
	var order []string
	for _, ctl := range cat.Controls {
		if _, ok := families[ctl.Family]; !ok {
			order = append(order, ctl.Family)
		}
		families[ctl.Family] = append(families[ctl.Family], b.unifiedControl(ctl))
	}
	wardGroup := Group{ID: "ward-controls", Class: "control-set", Title: "ward unified control set",
		Parts: []Part{{ID: "ward-controls_ovw", Name: "overview", Prose: "Controls a healthtech company operates once for every framework. Titles, descriptions and mappings are ward's own (the HIPAA and SOC 2 mappings are ward's judgement; a CSF mapping is sourced from NIST SP 800-66r2 where NIST maps one of the control's HIPAA standards to it)."}}}
	for _, f := range order {
		wardGroup.Groups = append(wardGroup.Groups, Group{ID: "family-" + token(f), Class: "family", Title: titleCase(f), Controls: families[f]})
	}
	c.Groups = append(c.Groups, wardGroup)

	var own []Control
	for _, wc := range ws.Controls {
		if cat.Control(wc.ID) != nil {
			continue
		}
		own = append(own, b.ownControl(wc))
	}
	if len(own) > 0 {
		slices.SortFunc(own, func(a, b Control) int { return cmp.Compare(a.ID, b.ID) })
		c.Groups = append(c.Groups, Group{ID: "organization-controls", Class: "control-set", Title: b.orgName() + "'s own controls", Controls: own})
	}

	fwGroup := Group{ID: "frameworks", Class: "frameworks", Title: "Framework requirements the controls map to",
		Parts: []Part{{ID: "frameworks_ovw", Name: "overview", Prose: "Each requirement is listed by its identifier and title so that the controls can link to it and assessment findings can target it; the requirements' own text is the framework's (45 CFR Part 164 for HIPAA; the AICPA's Trust Services Criteria for SOC 2, not reproduced; NIST CSF 2.0)."}}}
	for _, fw := range mappedFrameworks {
		f := cat.Framework(fw)
		g := Group{ID: token(fw), Class: "framework", Title: clean(f.Name + " " + f.Version)}
		g.Props = append(g.Props, prop("source", f.Source)...)
		for _, r := range f.Assessable() {
			g.Controls = append(g.Controls, b.requirementControl(fw, f, r))
		}
		fwGroup.Groups = append(fwGroup.Groups, g)
	}
	c.Groups = append(c.Groups, fwGroup)
	return doc, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// unifiedControl is one control of the catalog with its mappings.
func (b *builder) unifiedControl(ctl *catalog.Control) Control {
	c := Control{ID: token(ctl.ID), Class: "ward-control", Title: clean(ctl.Title)}
	c.Props = append(c.Props, Property{Name: "label", Value: ctl.ID})
	c.Props = append(c.Props, prop("family", ctl.Family)...)
	c.Props = append(c.Props, prop("frequency", ctl.Frequency)...)
	for _, fw := range mappedFrameworks {
		for _, id := range ctl.Mappings[fw] {
			p := Property{Name: fw, NS: NS, Value: id, Class: b.cat.Source(ctl.ID, fw, id)}
			if why := ctl.Rationale[id]; why != "" {
				p.Remarks = clean(why)
			}
			c.Props = append(c.Props, p)
			c.Links = append(c.Links, Link{Href: "#" + requirementToken(fw, id), Rel: "maps-to"})
		}
	}
	for _, id := range ctl.Serves[catalog.HIPAA] {
		c.Props = append(c.Props, Property{Name: "serves-hipaa-standard", NS: NS, Value: id, Remarks: clean(ctl.Rationale[id])})
	}
	for _, ref := range ctl.References {
		c.Props = append(c.Props, prop("reference", ref)...)
	}
	c.Parts = []Part{
		{ID: statementID(ctl.ID), Name: "statement", Prose: clean(ctl.Description)},
		{ID: token(ctl.ID) + "_gdn", Name: "guidance", Prose: "Evidence an auditor expects: " + clean(ctl.Evidence)},
	}
	return c
}

// ownControl is an organization's own control, with its own mappings.
func (b *builder) ownControl(wc workspace.Control) Control {
	title := clean(wc.Title)
	if title == "" {
		title = clean(wc.ID)
	}
	c := Control{ID: token(wc.ID), Class: "organization-control", Title: title}
	c.Props = append(c.Props, Property{Name: "label", Value: clean(wc.ID)})
	c.Props = append(c.Props, prop("frequency", wc.Frequency)...)
	for _, fw := range mappedFrameworks {
		f := b.cat.Framework(fw)
		for _, id := range wc.Mappings[fw] {
			c.Props = append(c.Props, prop(fw, id)...)
			if r := f.Requirement(id); r != nil && r.Assessable() {
				c.Links = append(c.Links, Link{Href: "#" + requirementToken(fw, id), Rel: "maps-to"})
			}
		}
	}
	prose := clean(wc.Description)
	if prose == "" {
		prose = title
	}
	c.Parts = []Part{{ID: statementID(wc.ID), Name: "statement", Prose: prose}}
	return c
}

// requirementControl lists one framework requirement, with the objective
// part an assessment finding on it targets.
func (b *builder) requirementControl(fw string, f *catalog.Framework, r *catalog.Requirement) Control {
	c := Control{ID: requirementToken(fw, r.ID), Class: fw + "-requirement", Title: clean(r.ID + " " + r.Title)}
	c.Props = append(c.Props, Property{Name: "label", Value: r.ID})
	c.Props = append(c.Props, prop("section", r.Section)...)
	if fw == catalog.HIPAA && r.Kind == catalog.KindSpecification {
		ra := "addressable"
		if r.Required {
			ra = "required"
		}
		c.Props = append(c.Props, prop("implementation-specification", ra)...)
	}
	if r.Category != "" {
		c.Props = append(c.Props, prop("trust-services-category", r.Category)...)
	}
	c.Parts = []Part{{ID: requirementObjective(fw, r.ID), Name: "assessment-objective",
		Prose: fmt.Sprintf("%s %s (%s) is met by the controls in scope for it: %s.", f.Name, r.ID, clean(r.Title), orNone(r.Controls))}}
	return c
}

// frameworkControls are the controls a framework's posture looks at (the
// catalog's mapped to its requirements in scope, and the organization's
// own mapped to them), as catalog ids.
func (b *builder) frameworkControls(sc *scope, fw string) []string {
	var out []string
	for _, c := range sc.postures[fw].Controls {
		out = append(out, token(c.ID))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// frameworkProfile selects from the catalog the controls of one framework
// in scope.
func (b *builder) frameworkProfile(sc *scope, fw string) *ProfileDocument {
	f := b.cat.Framework(fw)
	asIs := true
	p := &ProfileDocument{Profile: ProfileModel{
		UUID:     b.id("profile", fw),
		Metadata: b.metadata(b.orgName() + " " + f.Name + " baseline"),
		Imports:  []Import{{Href: FileCatalog, IncludeControls: []SelectControlByID{{WithIDs: b.frameworkControls(sc, fw)}}}},
		Merge:    &Merge{AsIs: &asIs},
	}}
	p.Profile.Metadata.Props = append(p.Profile.Metadata.Props, prop("framework", fw)...)
	if fw == catalog.SOC2 {
		p.Profile.Metadata.Props = append(p.Profile.Metadata.Props, prop("trust-services-categories", strings.Join(sc.postures[fw].Scope, ", "))...)
	}
	return p
}

// Baseline builds profile.json: the SSP's baseline, joining the profile of
// each framework in scope and the organization's adopted controls that
// map to none of them.
func Baseline(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*ProfileDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	return b.baseline(sc), nil
}

func (b *builder) baseline(sc *scope) *ProfileDocument {
	p := &ProfileDocument{Profile: ProfileModel{
		UUID:     b.id("profile", "baseline"),
		Metadata: b.metadata(b.orgName() + " baseline"),
		Merge:    &Merge{Combine: &Combine{Method: "use-first"}},
	}}
	covered := map[string]bool{}
	for _, fw := range sc.frameworks {
		p.Profile.Imports = append(p.Profile.Imports, Import{Href: FrameworkProfile(fw), IncludeAll: &struct{}{}})
		for _, id := range b.frameworkControls(sc, fw) {
			covered[id] = true
		}
	}
	var rest []string
	for _, id := range sc.controls {
		if t := token(id); !covered[t] {
			rest = append(rest, t)
		}
	}
	if len(rest) > 0 {
		slices.Sort(rest)
		p.Profile.Imports = append(p.Profile.Imports, Import{Href: FileCatalog, IncludeControls: []SelectControlByID{{WithIDs: slices.Compact(rest)}}})
	}
	return p
}
