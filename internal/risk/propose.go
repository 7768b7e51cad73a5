package risk

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Proposal is one risk the questionnaire proposes for an analysis: the
// risk ready to store (id, analysis, owner and due date filled in), its
// inherent level, and the questions and Security Rule citations behind it.
type Proposal struct {
	Risk     workspace.Risk `json:"risk"`
	Inherent Level          `json:"inherent"`
	// ThreatTitle and VulnerabilityTitle are the library titles.
	ThreatTitle        string   `json:"threat_title"`
	VulnerabilityTitle string   `json:"vulnerability_title"`
	Questions          []string `json:"questions"`
	Citations          []string `json:"citations"`
	// Existing is the id of a risk of the analysis with the same asset,
	// threat and vulnerability: the proposal is already in the register
	// and is not created again.
	Existing string `json:"existing,omitempty"`
}

// ProposalOptions say where proposals go.
type ProposalOptions struct {
	Asset    string // system id
	Analysis string // analysis id
	Owner    string // optional: a person's email
	Due      date.Date
}

// Propose turns questionnaire answers into proposals for one asset in one
// analysis. Questions that point at the same threat and vulnerability
// become one proposal with the higher likelihood and impact and every
// citation, because a register keyed by asset, threat and vulnerability
// (see Key and Diff) must not hold the same risk twice. Ids are "q-" +
// the first question's id + "-" + asset, made unique in ws with a number.
func Propose(ws *workspace.Workspace, answers map[string]Answer, opt ProposalOptions) []Proposal {
	m, err := MatrixFor(ws)
	if err != nil {
		m = DefaultMatrix
	}
	byQuestion := map[string]Question{}
	for _, q := range questions {
		byQuestion[q.ID] = q
	}
	existing := map[string]string{}
	for _, r := range RisksOf(ws, opt.Analysis) {
		existing[Key(r)] = r.ID
	}
	taken := map[string]bool{}
	for _, r := range ws.Risks {
		taken[r.ID] = true
	}
	var out []Proposal
	index := map[string]int{}
	for _, r := range ProposeRisks(answers, opt.Asset) {
		q := byQuestion[strings.TrimPrefix(r.ID, "q-")]
		k := Key(r)
		if i, ok := index[k]; ok {
			p := &out[i]
			p.Risk.Likelihood = max(p.Risk.Likelihood, r.Likelihood)
			p.Risk.Impact = max(p.Risk.Impact, r.Impact)
			p.Risk.Notes += " " + r.Notes
			p.Questions = append(p.Questions, q.ID)
			if !slices.Contains(p.Citations, q.Citation) {
				p.Citations = append(p.Citations, q.Citation)
			}
			p.Inherent = m.Level(p.Risk.Likelihood, p.Risk.Impact)
			continue
		}
		r.Analysis, r.Owner, r.Due = opt.Analysis, opt.Owner, opt.Due
		base := fmt.Sprintf("q-%s-%s", q.ID, opt.Asset)
		r.ID = base
		for n := 2; taken[r.ID]; n++ {
			r.ID = fmt.Sprintf("%s-%d", base, n)
		}
		p := Proposal{Risk: r, Inherent: m.Level(r.Likelihood, r.Impact), ThreatTitle: ThreatTitle(r.Threat), VulnerabilityTitle: VulnerabilityTitle(r.Vulnerability),
			Questions: []string{q.ID}, Citations: []string{q.Citation}, Existing: existing[k]}
		if p.Existing == "" {
			taken[r.ID] = true
		}
		index[k] = len(out)
		out = append(out, p)
	}
	return out
}

// ParseAnswer reads a person's answer: yes, no, or don't know (and their
// short forms). ok is false for anything else, so the caller asks again.
func ParseAnswer(s string) (a Answer, ok bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!")) {
	case "y", "yes":
		return Yes, true
	case "n", "no":
		return No, true
	case "?", "d", "dk", "don't know", "dont know", "do not know", "unknown", "u", "not sure":
		return Unknown, true
	}
	return "", false
}
