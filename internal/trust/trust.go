// Package trust is the public trust center of an organization (issue 16):
// what /trust/{slug} shows, derived from the workspace and never typed in
// twice (frameworks from the plan and the risk analyses, subprocessors
// from the vendor register, policies from the policies), the changes to
// the subprocessor list with the notice the organization promises, the
// Atom feed of those changes, document requests and their single-use
// links, and the stamp a downloaded PDF carries.
//
// It is pure: no storage, no HTTP, no clock. Callers pass the dates.
package trust

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/plan"
	"ward/internal/workspace"
)

// Page is what the trust center shows; a section that is not public is
// nil (and its Shown flag false), never filled and hidden.
type Page struct {
	Organization string    `json:"organization"`
	Slug         string    `json:"slug"`
	AsOf         date.Date `json:"as_of"`
	Contact      string    `json:"contact,omitempty"`
	NoticeDays   int       `json:"subprocessor_notice_days"`
	Shown        []string  `json:"sections"`

	Frameworks    []Framework    `json:"frameworks,omitempty"`
	Subprocessors []Subprocessor `json:"subprocessors,omitempty"`
	// Changes are the announced subprocessor changes, newest first.
	Changes   []Change   `json:"subprocessor_changes,omitempty"`
	Policies  []Policy   `json:"policies,omitempty"`
	Documents []Document `json:"documents,omitempty"`
}

// Shows reports whether a section is on the page.
func (p Page) Shows(section string) bool { return slices.Contains(p.Shown, section) }

// Framework is where one framework stands, in words a buyer reads.
type Framework struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"` // in-place | in-progress | report | planned | not-planned
	// Summary is one sentence; Facts the dated figures behind it.
	Summary string `json:"summary"`
	Facts   []Fact `json:"facts,omitempty"`
}

// Fact is one labelled figure.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Framework states.
const (
	StatusInPlace    = "in-place"
	StatusInProgress = "in-progress"
	StatusReport     = "report"
	StatusPlanned    = "planned"
	StatusNotPlanned = "not-planned"
)

// Policy is one approved policy as the page lists it.
type Policy struct {
	Title      string    `json:"title"`
	Version    int       `json:"version"`
	Effective  date.Date `json:"effective"`
	LastReview date.Date `json:"last_review"`
	NextReview date.Date `json:"next_review"`
}

// Document is one public document, offered on request.
type Document struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

// KindLabel names a document kind for people.
func KindLabel(kind string) string {
	switch kind {
	case "soc2-report":
		return "SOC 2 report"
	case "pen-test-summary":
		return "Penetration test summary"
	case "baa-template":
		return "BAA template"
	}
	return "Document"
}

// Enabled reports whether the organization serves a trust center.
func Enabled(ws *workspace.Workspace) bool {
	t := ws.Organization.Trust
	return t != nil && t.Enabled
}

// Build derives the page. p is the plan as of asOf; changes are the
// recorded subprocessor changes (any order).
func Build(ws *workspace.Workspace, p plan.Plan, changes []Change, asOf date.Date) Page {
	t := ws.Organization.Trust
	pg := Page{Organization: ws.Organization.Name, Slug: ws.Organization.Slug, AsOf: asOf}
	if t == nil || !t.Enabled {
		return pg
	}
	pg.Contact = t.Contact
	pg.NoticeDays = t.SubprocessorNoticeDays
	for _, s := range workspace.TrustSections {
		if t.Shows(s) {
			pg.Shown = append(pg.Shown, s)
		}
	}
	if t.Shows(workspace.TrustFrameworks) {
		pg.Frameworks = Frameworks(ws, p, asOf)
	}
	if t.Shows(workspace.TrustSubprocessors) {
		pg.Subprocessors = Subprocessors(ws, asOf)
		pg.Changes = Announced(changes)
		// A subprocessor whose addition is not yet effective says from when.
		for i := range pg.Subprocessors {
			for _, c := range pg.Changes {
				if c.Vendor == pg.Subprocessors[i].ID && c.Action == ActionAdded && c.Effective.After(asOf) {
					pg.Subprocessors[i].From = c.Effective
					break
				}
			}
		}
	}
	if t.Shows(workspace.TrustPolicies) {
		pg.Policies = Policies(ws, asOf)
	}
	if t.Shows(workspace.TrustDocuments) {
		for _, d := range t.Documents {
			if d.Public {
				pg.Documents = append(pg.Documents, Document{ID: d.ID, Kind: d.Kind, Title: d.Title})
			}
		}
	}
	return pg
}

// PublicDocument is the document a request or download may name: one
// that is public on an enabled trust center whose documents section is
// public; nil for anything else, which the caller answers 404.
func PublicDocument(ws *workspace.Workspace, id string) *workspace.TrustDocument {
	t := ws.Organization.Trust
	if !t.Shows(workspace.TrustDocuments) {
		return nil
	}
	d := t.Document(id)
	if d == nil || !d.Public {
		return nil
	}
	return d
}

// Frameworks is where HIPAA, SOC 2 and HITRUST stand on asOf.
func Frameworks(ws *workspace.Workspace, p plan.Plan, asOf date.Date) []Framework {
	var out []Framework
	if f := p.Framework(plan.HIPAA); f != nil && f.Applies {
		out = append(out, hipaa(ws, asOf))
	}
	if f := p.Framework(plan.SOC2); f != nil && f.Applies && ws.Organization.SOC2.Type != "none" {
		out = append(out, soc2(ws, p, asOf))
	}
	h := Framework{ID: plan.HITRUST, Title: "HITRUST CSF", Status: StatusNotPlanned, Summary: "Not planned."}
	if f := p.Framework(plan.HITRUST); f != nil && f.Applies {
		h.Status = StatusPlanned
		h.Summary = "Planned, when enterprise contracts ask for it, reusing the HIPAA and SOC 2 evidence."
		if m := p.Milestone(plan.HITRUSTAssessment); m != nil && m.Start.After(asOf) {
			h.Facts = append(h.Facts, Fact{"Earliest start", monthYear(m.Start)})
		}
	}
	return append(out, h)
}

func hipaa(ws *workspace.Workspace, asOf date.Date) Framework {
	f := Framework{ID: plan.HIPAA, Title: "HIPAA"}
	role := "covered entity"
	switch {
	case ws.Organization.HasRole(workspace.RoleBusinessAssociate):
		role = "business associate"
	case ws.Organization.HasRole(workspace.RoleSubcontractor):
		role = "subcontractor (a business associate's business associate)"
	}
	ra := ws.LatestRiskAnalysis(asOf)
	officer := ws.Organization.Officers.Security != ""
	switch {
	case ra != nil && officer && !ra.Performed.Before(asOf.AddMonths(-12)):
		f.Status = StatusInPlace
		f.Summary = "A HIPAA Security Rule program is in place, as a " + role + "."
	case ra != nil && officer:
		f.Status = StatusInProgress
		f.Summary = "A HIPAA Security Rule program is in place, as a " + role + "; its yearly risk analysis is being renewed."
	default:
		f.Status = StatusInProgress
		f.Summary = "A HIPAA Security Rule program is being put in place, as a " + role + "."
	}
	if ra != nil {
		f.Facts = append(f.Facts, Fact{"Last risk analysis", ra.Performed.String()})
	} else {
		f.Facts = append(f.Facts, Fact{"Last risk analysis", "not yet performed"})
	}
	if officer {
		f.Facts = append(f.Facts, Fact{"Security Officer", "appointed"})
	}
	if ws.Organization.Officers.Privacy != "" {
		f.Facts = append(f.Facts, Fact{"Privacy Officer", "appointed"})
	}
	if !ws.Organization.ProgramStart.IsZero() && !ws.Organization.ProgramStart.After(asOf) {
		f.Facts = append(f.Facts, Fact{"Program since", ws.Organization.ProgramStart.String()})
	}
	return f
}

// soc2Report is the SOC 2 report document's evidence item on or before
// asOf, the newest; nil when there is none.
func soc2Report(ws *workspace.Workspace, asOf date.Date) *workspace.Evidence {
	var best *workspace.Evidence
	for _, d := range ws.Organization.Trust.Documents {
		if d.Kind != "soc2-report" || d.Evidence == "" {
			continue
		}
		for i := range ws.Evidence {
			e := &ws.Evidence[i]
			if e.ID == d.Evidence && !e.Collected.After(asOf) && (best == nil || e.Collected.After(best.Collected)) {
				best = e
			}
		}
	}
	return best
}

func soc2(ws *workspace.Workspace, p plan.Plan, asOf date.Date) Framework {
	o := ws.Organization.SOC2
	f := Framework{ID: plan.SOC2, Title: "SOC 2"}
	want := "Type II"
	if o.Type == "type1" {
		want = "Type I"
	}
	f.Facts = append(f.Facts, Fact{"Target", want})
	if len(o.Categories) > 0 {
		cats := []string{"security"}
		for _, c := range o.Categories {
			cats = append(cats, strings.ReplaceAll(c, "-", " "))
		}
		f.Facts = append(f.Facts, Fact{"Trust Services categories", strings.Join(cats, ", ")})
	}
	if e := soc2Report(ws, asOf); e != nil {
		f.Status = StatusReport
		if !e.PeriodStart.IsZero() && !e.PeriodEnd.IsZero() {
			f.Summary = fmt.Sprintf("SOC 2 Type II report for %s to %s.", e.PeriodStart, e.PeriodEnd)
			f.Facts = append(f.Facts, Fact{"Report period", e.PeriodStart.String() + " to " + e.PeriodEnd.String()})
		} else {
			f.Summary = fmt.Sprintf("SOC 2 Type I report as of %s.", e.Collected)
		}
		f.Facts = append(f.Facts, Fact{"Report issued", e.Collected.String()})
		return f
	}
	obs := p.Milestone(plan.SOC2Type2Observation)
	rep := p.Milestone(plan.SOC2Type2Report)
	if o.Type == "type1" {
		rep = p.Milestone(plan.SOC2Type1)
	}
	switch {
	case o.Type != "type1" && obs != nil && !o.ObservationStart.IsZero() && !obs.Start.After(asOf) && !obs.Due.Before(asOf):
		f.Status = StatusInProgress
		f.Summary = fmt.Sprintf("SOC 2 Type II observation period under way, %s to %s.", obs.Start, obs.Due)
		f.Facts = append(f.Facts, Fact{"Observation period", obs.Start.String() + " to " + obs.Due.String()})
	default:
		f.Status = StatusPlanned
		f.Summary = "SOC 2 " + want + " report planned."
	}
	if rep != nil && rep.Due.After(asOf) {
		f.Facts = append(f.Facts, Fact{"Report planned by", rep.Due.String()})
	} else if rep != nil {
		f.Facts = append(f.Facts, Fact{"Report", "in preparation"})
	}
	return f
}

// Policies lists the policies approved and in force on asOf, by title,
// with their last review and the next one due.
func Policies(ws *workspace.Workspace, asOf date.Date) []Policy {
	var out []Policy
	for i := range ws.Policies {
		pol := &ws.Policies[i]
		v := pol.InForce(asOf)
		if v == nil {
			continue
		}
		out = append(out, Policy{Title: pol.Title, Version: v.Version, Effective: v.EffectiveOn(),
			LastReview: pol.LastReview(asOf), NextReview: pol.ReviewDue(asOf)})
	}
	slices.SortFunc(out, func(a, b Policy) int { return strings.Compare(a.Title, b.Title) })
	return out
}

func monthYear(d date.Date) string { return d.Time().Format("January 2006") }
