// Package riskreport writes the Security Rule risk-analysis report
// (`ward report risk-analysis -o FILE`) as Markdown, HTML, PDF and XLSX
// (the register). BuildReport gathers everything from the workspace and
// the risk package; the writers only lay it out, so every format carries
// the same sections in the same order (Sections).
//
// It depends on workspace and risk; the PHI scope and control titles come
// from the caller so that it does not import the PHI graph or the catalog.
package riskreport

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// Sections are the report's section titles, in order, in every format.
var Sections = []string{
	"Scope and inventory",
	"Methodology and scales",
	"Threats and vulnerabilities considered",
	"Current controls",
	"Risk register",
	"Risk heat map before and after treatment",
	"Treatment plan",
	"Change since the previous analysis",
	"Sign-off",
}

// Report is everything the document shows.
type Report struct {
	Organization string                 `json:"organization"`
	Analysis     workspace.RiskAnalysis `json:"analysis"`
	AsOf         date.Date              `json:"as_of"`
	Scope        []ScopeSystem          `json:"scope"`
	Matrix       risk.Matrix            `json:"matrix"`
	Methodology  string                 `json:"methodology"`
	Threats      []Considered           `json:"threats"`
	Vulns        []Considered           `json:"vulnerabilities"`
	Controls     []ControlRow           `json:"controls"`
	Register     []risk.Scored          `json:"register"`
	Plan         []PlanRow              `json:"plan"`
	Previous     string                 `json:"previous,omitempty"`
	Changes      *risk.Changes          `json:"changes,omitempty"`
	Findings     []finding.Finding      `json:"findings"`
	PerformedBy  string                 `json:"performed_by"`
	ApprovedBy   string                 `json:"approved_by"`
	// Names are the people of the workspace by email, for documents that
	// name an owner rather than print an address.
	Names map[string]string `json:"-"`
}

// Name is the person's name for an email, or the email.
func (r Report) Name(email string) string {
	if n := r.Names[email]; n != "" {
		return n
	}
	return email
}

// ScopeSystem is one system in scope.
type ScopeSystem struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Vendor          string `json:"vendor"`
	EncryptedAtRest bool   `json:"encrypted_at_rest"`
	Risks           int    `json:"risks"`
}

// Considered is a threat or vulnerability considered: library entries and
// the organization's own (free text), with how many risks use it.
type Considered struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Sources  string `json:"sources"`
	Risks    int    `json:"risks"`
}

// ControlRow is a control that reduces at least one risk.
type ControlRow struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Status string   `json:"status"`
	Risks  []string `json:"risks"`
}

// PlanRow is one treatment.
type PlanRow struct {
	RiskID    string `json:"risk_id"`
	Level     string `json:"level"`
	Treatment string `json:"treatment"`
	Measure   string `json:"measure"`
	Owner     string `json:"owner"`
	Due       string `json:"due"`
	Status    string `json:"status"`
}

// DefaultMethodology describes the method when the analysis names none.
const DefaultMethodology = "NIST SP 800-30 Rev. 1, Guide for Conducting Risk Assessments: each system that creates, receives, maintains or transmits ePHI is an asset; for each asset the plausible threat events (from the threat library below and the organization's own) and the vulnerabilities they would exploit are identified; the current security measures are recorded; likelihood and impact are rated on the written 1–5 scales below; the level of risk follows from the likelihood × impact matrix. Residual risk is rated after treatment; where no residual rating is recorded the residual equals the inherent risk, because the treatment has not yet been shown to work. The analysis is reviewed at least every 12 months and after significant changes (45 CFR 164.308(a)(1)(ii)(A)-(B), 164.316(b)(2)(iii))."

// BuildReport gathers the report for analysis analysisID (the latest on or
// before asOf when empty). phiSystems is the PHI scope from the PHI graph;
// controlTitle names a unified control (nil or "" falls back to the id).
func BuildReport(ws *workspace.Workspace, analysisID string, phiSystems []string, controlTitle func(id string) string, asOf date.Date) (Report, error) {
	a, err := risk.Analyze(ws, analysisID, phiSystems, asOf)
	if err != nil {
		return Report{}, err
	}
	rep := Report{
		Organization: ws.Organization.Name, Analysis: a.Record, AsOf: asOf, Matrix: a.Matrix,
		Methodology: a.Record.Methodology, Register: a.Risks, Findings: a.Findings,
		PerformedBy: person(ws, a.Record.PerformedBy), ApprovedBy: person(ws, a.Record.ApprovedBy),
		Names: map[string]string{},
	}
	for _, p := range ws.People {
		rep.Names[p.Email] = p.Name
	}
	// The workspace names the method in a word ("NIST SP 800-30 Rev. 1",
	// "nist-800-30"); the report spells it out.
	if m := strings.ToLower(strings.TrimSpace(rep.Methodology)); m == "" || strings.HasPrefix(m, "nist-800-30") || strings.HasPrefix(m, "nist sp 800-30") {
		rep.Methodology = DefaultMethodology
	}
	perAsset := map[string]int{}
	for _, s := range a.Risks {
		perAsset[s.Risk.Asset]++
	}
	scopeRow := func(id string) ScopeSystem {
		row := ScopeSystem{ID: id, Risks: perAsset[id]}
		if s := ws.System(id); s != nil {
			row.Name, row.Kind, row.EncryptedAtRest = s.Name, s.Kind, s.EncryptedAtRest
			row.Vendor = s.Vendor
			if v := ws.Vendor(s.Vendor); v != nil && v.Name != "" {
				row.Vendor = v.Name
			}
		}
		return row
	}
	for _, id := range a.Scope {
		rep.Scope = append(rep.Scope, scopeRow(id))
	}
	// Assets with risks but outside the PHI scope are still listed.
	for asset := range perAsset {
		if !slices.Contains(a.Scope, asset) {
			rep.Scope = append(rep.Scope, scopeRow(asset))
		}
	}
	slices.SortFunc(rep.Scope, func(x, y ScopeSystem) int { return strings.Compare(x.ID, y.ID) })

	tCount, vCount := map[string]int{}, map[string]int{}
	ctl := map[string][]string{}
	for _, s := range a.Risks {
		tCount[s.Risk.Threat]++
		vCount[s.Risk.Vulnerability]++
		for _, c := range s.Risk.Controls {
			ctl[c] = append(ctl[c], s.Risk.ID)
		}
	}
	lib := risk.LibraryFor(ws)
	for _, t := range lib.Threats {
		rep.Threats = append(rep.Threats, Considered{ID: t.ID, Title: t.Title, Category: t.Category, Sources: sources(t.Sources, t.Own), Risks: tCount[t.ID]})
		delete(tCount, t.ID)
	}
	for _, id := range sortedKeys(tCount) {
		rep.Threats = append(rep.Threats, Considered{Title: id, Category: "organization", Sources: "organization", Risks: tCount[id]})
	}
	for _, v := range lib.Vulnerabilities {
		rep.Vulns = append(rep.Vulns, Considered{ID: v.ID, Title: v.Title, Sources: sources(v.Sources, v.Own), Risks: vCount[v.ID]})
		delete(vCount, v.ID)
	}
	for _, id := range sortedKeys(vCount) {
		rep.Vulns = append(rep.Vulns, Considered{Title: id, Category: "organization", Sources: "organization", Risks: vCount[id]})
	}
	for _, id := range sortedKeys(ctl) {
		row := ControlRow{ID: id, Title: id, Status: "not recorded", Risks: ctl[id]}
		if controlTitle != nil && controlTitle(id) != "" {
			row.Title = controlTitle(id)
		}
		if c := ws.Control(id); c != nil {
			row.Status = c.Status
			if c.Title != "" && row.Title == id {
				row.Title = c.Title
			}
		}
		rep.Controls = append(rep.Controls, row)
	}
	for _, s := range a.Risks {
		r := s.Risk
		row := PlanRow{RiskID: r.ID, Level: string(s.Residual), Treatment: r.Treatment, Owner: r.Owner, Measure: measure(r, lib)}
		if !r.Due.IsZero() {
			row.Due = r.Due.String()
		}
		switch {
		case r.Treatment == "accept":
			row.Status = "accepted"
			if r.AcceptedBy != "" {
				row.Status += " by " + name(ws, r.AcceptedBy)
			}
			if !r.AcceptedOn.IsZero() {
				row.Status += " on " + r.AcceptedOn.String()
			}
		case !r.Completed.IsZero():
			row.Status = "completed " + r.Completed.String()
		case risk.Overdue(r, asOf):
			row.Status = "OVERDUE"
		default:
			row.Status = "open"
		}
		rep.Plan = append(rep.Plan, row)
	}
	if prev := a.Record.Previous; prev != "" && ws.RiskAnalysis(prev) != nil {
		if pa, err := risk.Analyze(ws, prev, nil, asOf); err == nil {
			c := risk.Diff(pa, a)
			rep.Previous, rep.Changes = prev, &c
		}
	}
	return rep, nil
}

// sources is what the report says a library entry comes from: the
// documents the embedded library cites, or the organization itself.
func sources(ids []string, own bool) string {
	if own {
		return "organization"
	}
	return strings.Join(ids, ", ")
}

func measure(r workspace.Risk, lib *risk.Library) string {
	switch r.Treatment {
	case "accept":
		return r.AcceptanceReason
	case "transfer":
		return "Transfer (insurance or contract). " + r.Notes
	}
	if r.Notes != "" {
		return r.Notes
	}
	if sc := lib.SuggestedControls(r.Threat, r.Vulnerability); len(sc) > 0 {
		missing := []string{}
		for _, c := range sc {
			if !slices.Contains(r.Controls, c) {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return "Implement " + strings.Join(missing, ", ")
		}
	}
	return ""
}

func person(ws *workspace.Workspace, email string) string {
	if p := ws.Person(email); p != nil && p.Name != "" {
		s := p.Name
		if p.Role != "" {
			s += ", " + p.Role
		}
		return s + " <" + email + ">"
	}
	return email
}

// name is a person's name, or the e-mail when the workspace has none.
func name(ws *workspace.Workspace, email string) string {
	if p := ws.Person(email); p != nil && p.Name != "" {
		return p.Name
	}
	return email
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// WriteReport writes rep in format: md, html, pdf or xlsx (a file
// extension, with or without the dot).
func WriteReport(w io.Writer, format string, rep Report) error {
	switch strings.TrimPrefix(strings.ToLower(format), ".") {
	case "md", "markdown":
		return writeMarkdown(w, rep)
	case "html", "htm":
		return writeHTML(w, rep)
	case "pdf":
		return writePDF(w, rep)
	case "xlsx":
		return writeXLSX(w, rep)
	}
	return fmt.Errorf("report format %q: use .md, .html, .pdf or .xlsx", format)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func levelCounts(rs []risk.Scored, residual bool) map[risk.Level]int {
	m := map[risk.Level]int{}
	for _, s := range rs {
		if residual {
			m[s.Residual]++
		} else {
			m[s.Inherent]++
		}
	}
	return m
}
