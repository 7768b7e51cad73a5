package oscal

import (
	"fmt"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/workspace"
)

// APDocument is an OSCAL assessment plan file.
type APDocument struct {
	AP AssessmentPlanModel `json:"assessment-plan"`
}

type AssessmentPlanModel struct {
	UUID               string              `json:"uuid"`
	Metadata           Metadata            `json:"metadata"`
	ImportSSP          ImportSSP           `json:"import-ssp"`
	TermsAndConditions *TermsAndConditions `json:"terms-and-conditions,omitempty"`
	ReviewedControls   ReviewedControls    `json:"reviewed-controls"`
	AssessmentSubjects []AssessmentSubject `json:"assessment-subjects,omitempty"`
	BackMatter         *BackMatter         `json:"back-matter,omitempty"`
}

type ImportSSP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type TermsAndConditions struct {
	Parts []AssessmentPart `json:"parts,omitempty"`
}

type AssessmentPart struct {
	UUID  string           `json:"uuid,omitempty"`
	Name  string           `json:"name"`
	Title string           `json:"title,omitempty"`
	Prose string           `json:"prose,omitempty"`
	Parts []AssessmentPart `json:"parts,omitempty"`
}

type AssessmentSubject struct {
	Type        string    `json:"type"`
	Description string    `json:"description,omitempty"`
	IncludeAll  *struct{} `json:"include-all,omitempty"`
}

// AssessmentPlan builds the plan the assessment results carry out: ward's
// readiness evaluation of the controls the SSP implements, over every
// component of the system, by the method it states.
func AssessmentPlan(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*APDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, fw := range sc.frameworks {
		names = append(names, cat.Framework(fw).Name)
	}
	return &APDocument{AP: AssessmentPlanModel{
		UUID:      b.id("assessment-plan"),
		Metadata:  b.metadata(b.orgName() + " assessment plan: ward readiness evaluation"),
		ImportSSP: ImportSSP{Href: FileSSP, Remarks: "The system security plan this evaluation assesses."},
		TermsAndConditions: &TermsAndConditions{Parts: []AssessmentPart{{
			UUID: b.id("assessment-part", "method"), Name: "method", Title: "ward readiness evaluation",
			Prose: fmt.Sprintf("For %s, each requirement is judged from the controls the organization adopted for it: met when every one operates (implemented, with evidence current for its frequency and no open failing finding of an imported scan), partly met when some do, not met otherwise. "+
				"Each control is examined from its status and its dated, hashed evidence; for a SOC 2 Type II window, every scheduled occurrence must have evidence. The results record the evidence as observations and every requirement not met as a finding.",
				strings.Join(names, " and ")),
		}}},
		ReviewedControls:   b.reviewedControls(sc),
		AssessmentSubjects: []AssessmentSubject{{Type: "component", Description: "Every component of the system security plan: the program as a whole, the systems of the inventory and the vendors.", IncludeAll: &struct{}{}}},
		BackMatter:         &BackMatter{Resources: []Resource{b.catalogResource()}},
	}}, nil
}

// reviewedControls selects the controls the SSP implements.
func (b *builder) reviewedControls(sc *scope) ReviewedControls {
	var ids []SelectControl
	for _, id := range sc.controls {
		ids = append(ids, SelectControl{ControlID: token(id)})
	}
	if len(ids) == 0 {
		return ReviewedControls{ControlSelections: []ControlSelection{{IncludeAll: &struct{}{}}}}
	}
	return ReviewedControls{ControlSelections: []ControlSelection{{Description: "The controls the system security plan implements.", IncludeControls: ids}}}
}
