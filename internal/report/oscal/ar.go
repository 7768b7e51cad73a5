package oscal

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/posture"
	"ward/internal/workspace"
)

// ARDocument is an OSCAL assessment results file.
type ARDocument struct {
	AR AssessmentResultsModel `json:"assessment-results"`
}

type AssessmentResultsModel struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	ImportAP   ImportAP    `json:"import-ap"`
	Results    []Result    `json:"results"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

type ImportAP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type Result struct {
	UUID             string           `json:"uuid"`
	Title            string           `json:"title"`
	Description      string           `json:"description"`
	Start            string           `json:"start"`
	End              string           `json:"end,omitempty"`
	Props            []Property       `json:"props,omitempty"`
	ReviewedControls ReviewedControls `json:"reviewed-controls"`
	Observations     []Observation    `json:"observations,omitempty"`
	Findings         []Finding        `json:"findings,omitempty"`
	Remarks          string           `json:"remarks,omitempty"`
}

type ReviewedControls struct {
	Description       string             `json:"description,omitempty"`
	ControlSelections []ControlSelection `json:"control-selections"`
}

type ControlSelection struct {
	Description     string          `json:"description,omitempty"`
	IncludeAll      *struct{}       `json:"include-all,omitempty"`
	IncludeControls []SelectControl `json:"include-controls,omitempty"`
}

type SelectControl struct {
	ControlID string `json:"control-id"`
}

type Observation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []Property         `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	RelevantEvidence []RelevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
	Remarks          string             `json:"remarks,omitempty"`
}

type RelevantEvidence struct {
	Href        string     `json:"href,omitempty"`
	Description string     `json:"description"`
	Props       []Property `json:"props,omitempty"`
}

type Finding struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Property           `json:"props,omitempty"`
	Target              FindingTarget        `json:"target"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	Remarks             string               `json:"remarks,omitempty"`
}

type FindingTarget struct {
	Type     string          `json:"type"` // objective-id | statement-id
	TargetID string          `json:"target-id"`
	Title    string          `json:"title,omitempty"`
	Status   ObjectiveStatus `json:"status"`
}

type ObjectiveStatus struct {
	State  string `json:"state"`            // satisfied | not-satisfied
	Reason string `json:"reason,omitempty"` // pass | fail | other
}

type RelatedObservation struct {
	ObservationUUID string `json:"observation-uuid"`
}

// AssessmentResults builds one result: ward's readiness evaluation as of
// the date. Each piece of evidence collected by then is an observation
// (its file's SHA-256 in back-matter); each requirement that is not met,
// and each SOC 2 Type II occurrence without evidence, is a finding.
func AssessmentResults(ws *workspace.Workspace, cat *catalog.Catalog, asOf date.Date) (*ARDocument, error) {
	b, err := newBuilder(ws, cat, asOf)
	if err != nil {
		return nil, err
	}
	sc, err := b.scope()
	if err != nil {
		return nil, err
	}
	res := Result{
		UUID:  b.id("result", asOf.String()),
		Title: "Readiness as of " + asOf.String(),
		End:   b.timestamp(asOf),
	}
	var parts []string
	for _, fw := range sc.frameworks {
		p := sc.postures[fw]
		parts = append(parts, fmt.Sprintf("%s %.1f%% (%d met, %d partial, %d not met, %d not applicable of %d)",
			p.Name, p.Score.Percent, p.Score.Met, p.Score.Partial, p.Score.NotMet, p.Score.NotApplicable, p.Score.Total))
		res.Props = append(res.Props, prop(fw+"-readiness", fmt.Sprintf("%.1f", p.Score.Percent))...)
	}
	res.Description = "Readiness computed by ward from the organization's controls and evidence: " + strings.Join(parts, "; ") + "."

	res.ReviewedControls = b.reviewedControls(sc)

	// Observations: the live evidence collected on or before the date.
	resources := []Resource{b.catalogResource()}
	start := asOf
	byControl := map[string][]string{}
	seen := map[string]int{}
	for _, e := range b.evidence() {
		if e.Collected.Before(start) {
			start = e.Collected
		}
		// Two items recorded alike (no id, same content) stay two
		// observations with their own UUIDs.
		key := evidenceKey(e)
		seen[key]++
		if n := seen[key]; n > 1 {
			key += fmt.Sprintf("#%d", n)
		}
		obs, file := b.observation(e, key)
		res.Observations = append(res.Observations, obs)
		if file != nil {
			resources = append(resources, *file)
		}
		for _, c := range e.ControlIDs() {
			byControl[c] = append(byControl[c], obs.UUID)
		}
	}
	res.Start = b.timestamp(start)

	for _, fw := range sc.frameworks {
		p := sc.postures[fw]
		for _, r := range p.Requirements {
			if r.Status != posture.NotMet && r.Status != posture.Partial {
				continue
			}
			f := Finding{
				UUID:        b.id("finding", fw, r.ID),
				Title:       fmt.Sprintf("%s %s %s: %s", p.Name, r.ID, r.Title, r.Status),
				Description: requirementDescription(r),
				Target: FindingTarget{Type: "objective-id", TargetID: requirementObjective(fw, r.ID), Title: clean(r.ID + " " + r.Title),
					Status: ObjectiveStatus{State: "not-satisfied", Reason: "fail"}},
			}
			f.Props = append(f.Props, prop("framework", fw)...)
			f.Props = append(f.Props, prop("requirement", r.ID)...)
			f.Props = append(f.Props, prop("readiness", r.Status)...)
			var seen []string
			for _, c := range r.Controls {
				for _, u := range byControl[c] {
					if !slices.Contains(seen, u) {
						seen = append(seen, u)
						f.RelatedObservations = append(f.RelatedObservations, RelatedObservation{ObservationUUID: u})
					}
				}
			}
			res.Findings = append(res.Findings, f)
		}
		if p.Window != nil && p.Window.Type == "type2" {
			for _, x := range p.Exceptions {
				res.Findings = append(res.Findings, b.exceptionFinding(p.Window, x))
			}
		}
	}
	return &ARDocument{AR: AssessmentResultsModel{
		UUID:       b.id("assessment-results", asOf.String()),
		Metadata:   b.metadata(b.orgName() + " assessment results, as of " + asOf.String()),
		ImportAP:   ImportAP{Href: FileAssessmentPlan, Remarks: "The assessment plan: ward's readiness evaluation of the controls the system security plan implements."},
		Results:    []Result{res},
		BackMatter: &BackMatter{Resources: resources},
	}}, nil
}

func requirementDescription(r posture.Requirement) string {
	s := r.Reason
	if len(r.Missing) > 0 {
		s += ". Missing: " + strings.Join(r.Missing, "; ")
	}
	return s + "."
}

func (b *builder) exceptionFinding(w *posture.Window, x posture.Exception) Finding {
	f := Finding{
		UUID:  b.id("finding", "soc2-type2", x.Control, x.Start.String()),
		Title: fmt.Sprintf("SOC 2 Type II exception: %s, %s", x.Control, x.Period),
		Description: fmt.Sprintf("No evidence of %s for %s (%s to %s), inside the observation window %s to %s.",
			x.Control, x.Period, x.Start, x.End, w.Start, w.End),
		Target: FindingTarget{Type: "statement-id", TargetID: statementID(x.Control),
			Status: ObjectiveStatus{State: "not-satisfied", Reason: "fail"}},
	}
	f.Props = append(f.Props, prop("framework", catalog.SOC2)...)
	f.Props = append(f.Props, prop("control", x.Control)...)
	f.Props = append(f.Props, prop("period", x.Period)...)
	f.Props = append(f.Props, prop("type2-exception", "yes")...)
	return f
}

// evidence is the live evidence collected on or before the date, oldest
// first (ties by id), so the document does not depend on storage order.
func (b *builder) evidence() []workspace.Evidence {
	var out []workspace.Evidence
	for _, e := range evidence.Live(b.ws.Evidence) {
		if !e.Collected.IsZero() && !e.Collected.After(b.asOf) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(x, y workspace.Evidence) int {
		if c := x.Collected.Compare(y.Collected); c != 0 {
			return c
		}
		return strings.Compare(evidenceKey(x), evidenceKey(y))
	})
	return out
}

// evidenceKey names an evidence item: its id, or what it is made of when
// it has none.
func evidenceKey(e workspace.Evidence) string {
	if e.ID != "" {
		return e.ID
	}
	return strings.Join([]string{strings.Join(e.ControlIDs(), ","), e.Collected.String(), e.File, e.Link, e.SHA256, e.Note}, "|")
}

// observation is one evidence item; a file becomes a back-matter resource
// whose link carries the SHA-256 ward recorded.
func (b *builder) observation(e workspace.Evidence, key string) (Observation, *Resource) {
	o := Observation{
		UUID:      b.id("observation", key),
		Title:     clean(e.ID),
		Methods:   []string{"EXAMINE"},
		Collected: b.timestamp(e.Collected),
	}
	ctrls := e.ControlIDs()
	o.Description = clean(e.Note)
	if o.Description == "" {
		o.Description = "Evidence for " + strings.Join(ctrls, ", ") + ", collected " + e.Collected.String() + "."
	}
	for _, c := range ctrls {
		o.Props = append(o.Props, prop("control", c)...)
	}
	o.Props = append(o.Props, prop("sha256", e.SHA256)...)
	o.Props = append(o.Props, prop("source", e.Source)...)
	o.Props = append(o.Props, prop("added-by", e.AddedBy)...)
	if !e.PeriodStart.IsZero() && !e.PeriodEnd.IsZero() {
		o.Props = append(o.Props, prop("period", e.PeriodStart.String()+" to "+e.PeriodEnd.String())...)
	}
	var file *Resource
	if e.File != "" {
		r := Resource{UUID: b.id("resource", "evidence", key), Title: clean(e.File), Description: "Evidence file " + clean(e.File) + "."}
		// The file itself, when ward holds it (by its SHA-256): ward
		// export oscal all writes it to this path beside the documents.
		if p := EvidencePath(e); p != "" {
			r.RLinks = []RLink{{Href: p, MediaType: clean(e.Type), Hashes: []Hash{{Algorithm: "SHA-256", Value: e.SHA256}}}}
		}
		file = &r
		o.RelevantEvidence = append(o.RelevantEvidence, RelevantEvidence{Href: "#" + r.UUID, Description: "File " + clean(e.File) + shaNote(e.SHA256) + ".", Props: prop("sha256", e.SHA256)})
	}
	if e.Link != "" {
		re := RelevantEvidence{Href: href(e.Link), Description: "Link " + clean(e.Link) + "."}
		o.RelevantEvidence = append(o.RelevantEvidence, re)
	}
	if len(o.RelevantEvidence) == 0 {
		o.RelevantEvidence = []RelevantEvidence{{Description: "Recorded in ward without a file or link: " + o.Description}}
	}
	return o, file
}

func shaNote(sha string) string {
	if sha == "" {
		return ""
	}
	return ", SHA-256 " + sha
}

// EvidencePath is where an evidence file sits beside the documents of a
// set (ward export oscal all writes it there): evidence/, the first 12
// hex digits of its SHA-256, and its base name made safe for a path. ""
// when ward holds no file for the item (no SHA-256).
func EvidencePath(e workspace.Evidence) string {
	if len(e.SHA256) < 12 || e.File == "" {
		return ""
	}
	base := e.File
	if i := strings.LastIndexAny(base, "/\\"); i >= 0 {
		base = base[i+1:]
	}
	var sb strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			sb.WriteRune(r)
		default:
			sb.WriteByte('-')
		}
	}
	name := strings.Trim(sb.String(), ".-")
	if name == "" {
		name = "file"
	}
	return "evidence/" + e.SHA256[:12] + "-" + name
}

// EvidenceFiles lists the evidence files the assessment results link to
// (EvidencePath -> SHA-256), for writing them beside the documents.
func EvidenceFiles(ws *workspace.Workspace, asOf date.Date) map[string]string {
	out := map[string]string{}
	b := &builder{ws: ws, asOf: asOf}
	for _, e := range b.evidence() {
		if p := EvidencePath(e); p != "" {
			out[p] = e.SHA256
		}
	}
	return out
}
