package oscal

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// POAMDocument is an OSCAL plan of action and milestones file.
type POAMDocument struct {
	POAM PlanOfActionAndMilestones `json:"plan-of-action-and-milestones"`
}

type PlanOfActionAndMilestones struct {
	UUID         string        `json:"uuid"`
	Metadata     Metadata      `json:"metadata"`
	ImportSSP    *ImportSSP    `json:"import-ssp,omitempty"`
	SystemID     *SystemID     `json:"system-id,omitempty"`
	Observations []Observation `json:"observations,omitempty"`
	Risks        []Risk        `json:"risks,omitempty"`
	POAMItems    []POAMItem    `json:"poam-items"`
	BackMatter   *BackMatter   `json:"back-matter,omitempty"`
}

type Risk struct {
	UUID         string        `json:"uuid"`
	Title        string        `json:"title"`
	Description  string        `json:"description"`
	Statement    string        `json:"statement"`
	Props        []Property    `json:"props,omitempty"`
	Status       string        `json:"status"`
	Deadline     string        `json:"deadline,omitempty"`
	Remediations []Remediation `json:"remediations,omitempty"`
}

type Remediation struct {
	UUID        string     `json:"uuid"`
	Lifecycle   string     `json:"lifecycle"` // recommendation | planned | completed
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Props       []Property `json:"props,omitempty"`
}

type POAMItem struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Property           `json:"props,omitempty"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	RelatedRisks        []RelatedRisk        `json:"related-risks,omitempty"`
	Remarks             string               `json:"remarks,omitempty"`
}

type RelatedRisk struct {
	RiskUUID string `json:"risk-uuid"`
}

// POAM builds the plan of action and milestones: the gates `ward check`
// fails, the risks whose mitigation is not done (with owner and due
// date), the requirements not yet met, and the SOC 2 Type II exceptions.
// Each item links to what it stands on: a risk of the register, or the
// observation ward made (the gate's finding, the requirement's standing,
// the missing occurrence).
func POAM(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*POAMDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	doc := &POAMDocument{POAM: PlanOfActionAndMilestones{
		UUID:       b.id("poam"),
		Metadata:   b.metadata(b.orgName() + " plan of action and milestones, as of " + asOf.String()),
		ImportSSP:  &ImportSSP{Href: FileSSP, Remarks: "The system security plan whose gaps these are."},
		SystemID:   &SystemID{ID: b.slug},
		BackMatter: &BackMatter{Resources: []Resource{b.catalogResource()}},
	}}
	p := &doc.POAM
	// observe records what ward saw for an item and links the item to it.
	// A gate that reports the same thing twice is still one UUID per item
	// (and per observation).
	seen := map[string]int{}
	observe := func(item *POAMItem, title, description string, props []Property) {
		seen[item.UUID]++
		if n := seen[item.UUID]; n > 1 {
			item.UUID = b.id("poam-item", item.UUID, fmt.Sprint(n))
		}
		o := Observation{UUID: b.id("observation", item.UUID), Title: clean(title), Description: clean(description),
			Props: props, Methods: []string{"EXAMINE"}, Collected: b.timestamp(asOf)}
		p.Observations = append(p.Observations, o)
		item.RelatedObservations = append(item.RelatedObservations, RelatedObservation{ObservationUUID: o.UUID})
	}

	// Failing gates. An overdue risk is carried by its risk item below,
	// with its deadline, so risk.overdue is not listed twice.
	for _, f := range check.Run(ws, asOf) {
		if f.Rule == "risk.overdue" {
			continue
		}
		item := POAMItem{
			UUID:        b.id("poam-item", "check", f.Rule, f.Subject, f.Message),
			Title:       fmt.Sprintf("%s: %s", f.Rule, f.Subject),
			Description: clean(f.Message),
		}
		item.Props = append(item.Props, prop("source", "ward check")...)
		item.Props = append(item.Props, prop("rule", f.Rule)...)
		item.Props = append(item.Props, prop("severity", f.Severity)...)
		item.Props = append(item.Props, prop("subject", f.Subject)...)
		observe(&item, "ward check: "+f.Rule+" "+f.Subject, f.Message, prop("rule", f.Rule))
		p.POAMItems = append(p.POAMItems, item)
	}

	// Risks under mitigation that is not done.
	m, err := risk.MatrixFor(ws)
	if err != nil {
		return nil, err
	}
	lib := risk.LibraryFor(ws)
	for _, r := range openRisks(ws, asOf) {
		s := risk.Score(r, m, lib)
		rk := Risk{
			UUID:        b.id("risk", r.ID),
			Title:       clean(fmt.Sprintf("%s on %s", s.ThreatTitle, r.Asset)),
			Description: clean("Vulnerability: " + s.VulnerabilityTitle + ". " + r.Notes),
			Statement: fmt.Sprintf("Likelihood %d × impact %d: %s inherent risk; residual %s (likelihood %d × impact %d) once the mitigation is done.",
				r.Likelihood, r.Impact, s.Inherent, s.Residual, s.ResidualLikelihood, s.ResidualImpact),
			Status: "remediating",
		}
		rk.Props = append(rk.Props, prop("risk-id", r.ID)...)
		rk.Props = append(rk.Props, prop("analysis", r.Analysis)...)
		rk.Props = append(rk.Props, prop("level", string(s.Inherent))...)
		rk.Props = append(rk.Props, prop("owner", r.Owner)...)
		if !r.Due.IsZero() {
			rk.Deadline = b.timestamp(r.Due)
		} else {
			rk.Status = "open"
		}
		plan := Remediation{UUID: b.id("remediation", r.ID), Lifecycle: "planned", Title: "Mitigate " + r.ID,
			Description: "Mitigate with controls: " + orNone(r.Controls) + "."}
		plan.Props = append(plan.Props, prop("owner", r.Owner)...)
		rk.Remediations = []Remediation{plan}
		p.Risks = append(p.Risks, rk)

		item := POAMItem{
			UUID:         b.id("poam-item", "risk", r.ID),
			Title:        "Risk " + r.ID + ": " + rk.Title,
			Description:  rk.Statement,
			RelatedRisks: []RelatedRisk{{RiskUUID: rk.UUID}},
		}
		item.Props = append(item.Props, prop("source", "risk register")...)
		item.Props = append(item.Props, prop("owner", r.Owner)...)
		if !r.Due.IsZero() {
			item.Props = append(item.Props, prop("due", r.Due.String())...)
		}
		item.Props = append(item.Props, prop("overdue", yesNo(risk.Overdue(r, asOf)))...)
		p.POAMItems = append(p.POAMItems, item)
	}

	// Requirements not met, then Type II exceptions.
	for _, fw := range sc.frameworks {
		ps := sc.postures[fw]
		for _, r := range ps.Requirements {
			if r.Status != posture.NotMet && r.Status != posture.Partial {
				continue
			}
			item := POAMItem{
				UUID:        b.id("poam-item", "gap", fw, r.ID),
				Title:       fmt.Sprintf("%s %s %s: %s", ps.Name, r.ID, r.Title, r.Status),
				Description: requirementDescription(r),
			}
			item.Props = append(item.Props, prop("source", "posture")...)
			item.Props = append(item.Props, prop("framework", fw)...)
			item.Props = append(item.Props, prop("requirement", r.ID)...)
			for _, c := range r.Controls {
				if st, ok := sc.state[c]; ok && st.State != posture.Met && st.State != posture.NotApplicable {
					item.Props = append(item.Props, prop("control", c)...)
				}
			}
			observe(&item, fmt.Sprintf("%s %s: %s", ps.Name, r.ID, r.Status), requirementDescription(r), prop("readiness", r.Status))
			p.POAMItems = append(p.POAMItems, item)
		}
		if ps.Window != nil && ps.Window.Type == "type2" {
			for _, x := range ps.Exceptions {
				f := b.exceptionFinding(ps.Window, x)
				item := POAMItem{UUID: b.id("poam-item", "soc2-type2", x.Control, x.Start.String()), Title: f.Title, Description: f.Description, Props: f.Props}
				if st, ok := sc.state[x.Control]; ok {
					item.Props = append(item.Props, prop("owner", st.Owner)...)
				}
				observe(&item, f.Title, f.Description, prop("type2-exception", "yes"))
				p.POAMItems = append(p.POAMItems, item)
			}
		}
	}
	if len(p.POAMItems) == 0 {
		// The schema needs one item; a clean program says so.
		p.POAMItems = []POAMItem{{UUID: b.id("poam-item", "none"), Title: "No open items",
			Description: "As of " + asOf.String() + " no gate fails, no mitigation is outstanding and every requirement in scope is met."}}
	}
	return doc, nil
}

// openRisks is the risks of the latest analysis (or, with none, those
// outside any analysis) whose treatment is mitigate and not completed,
// by id.
func openRisks(ws *workspace.Workspace, asOf date.Date) []workspace.Risk {
	var rs []workspace.Risk
	if a := risk.Latest(ws, asOf); a != nil {
		rs = risk.RisksOf(ws, a.ID)
	} else {
		for _, r := range ws.Risks {
			if r.Analysis == "" {
				rs = append(rs, r)
			}
		}
	}
	var out []workspace.Risk
	for _, r := range rs {
		if r.Treatment == "mitigate" && r.Completed.IsZero() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b workspace.Risk) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none named"
	}
	return strings.Join(ss, ", ")
}
