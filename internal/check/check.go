// Package check is `ward check`: every gate rule of every domain package
// over one workspace, in one sorted list. The command line, the web pages
// and the roadmap all read the gate from here, so a new rule is added in
// one place.
package check

import (
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/finding"
	"ward/internal/incident"
	"ward/internal/phimap"
	"ward/internal/plan"
	"ward/internal/policy"
	"ward/internal/posture"
	"ward/internal/privacy"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// Run evaluates the PHI map and BAAs, risk treatment and coverage,
// evidence schedules, breach deadlines, the SOC 2 observation window,
// the Privacy Rule clocks, scanner checks that count in no readiness
// (posture.Untracked), and the policies, trainings and leavers of the
// workforce (policy.*, training.*, workforce.*) as of asOf.
func Run(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	fs, _ := Gate(ws, asOf)
	return fs
}

// Gate is Run with the systems and customers whose live PHI the PHI-path
// errors block (phimap's gate), computed once for both.
func Gate(ws *workspace.Workspace, asOf date.Date) ([]finding.Finding, []phimap.Blocked) {
	fs, g := GateWith(ws, FactsOf(ws), asOf)
	return fs, g.Blocked
}

// Facts is what several rules read of one workspace: its PHI map, which
// does not depend on the date, and its workforce records (the evidence
// they derive, everyone's tasks on a date: policy.Records). A caller that
// evaluates one workspace several ways (an overview row's to-do list and
// readiness) makes them once, with FactsOf, and passes them on. They are
// not safe for concurrent use.
type Facts struct {
	Graph   *phimap.Graph
	Records *policy.Records
}

// FactsOf makes the facts of ws. They hold on to ws, which must not
// change while they are used.
func FactsOf(ws *workspace.Workspace) Facts {
	return Facts{Graph: phimap.Build(ws), Records: policy.NewRecords(ws)}
}

// GateWith is Gate on facts made from ws (FactsOf), with phimap's whole
// result, which the to-do list reads too.
func GateWith(ws *workspace.Workspace, f Facts, asOf date.Date) ([]finding.Finding, phimap.Result) {
	g := phimap.GateWith(ws, f.Graph, asOf)
	var fs []finding.Finding
	fs = append(fs, g.Findings...)
	fs = append(fs, risk.Check(ws, asOf)...)
	fs = append(fs, coverage(ws, f.Graph, asOf)...)
	// Evidence the workforce records derive (approved policies,
	// acknowledgements, completions) counts as any other evidence.
	fs = append(fs, evidence.CheckWith(ws, f.Records.Derived(), asOf)...)
	fs = append(fs, incident.Check(ws, asOf)...)
	fs = append(fs, plan.Check(ws)...)
	fs = append(fs, privacy.Check(ws, asOf)...)
	fs = append(fs, posture.CheckUntracked(ws)...)
	fs = append(fs, policy.CheckWith(ws, f.Records, asOf)...)
	finding.Sort(fs)
	return fs, g
}

// coverage is risk.coverage: a system that holds or carries PHI with no
// risk in the latest analysis (a warning; 164.308(a)(1)(ii)(A) asks for
// an analysis of all ePHI). With no analysis at all there is nothing to
// cover: risk-analysis.missing already says so. A matrix the analysis
// cannot parse is reported by apply, not here.
func coverage(ws *workspace.Workspace, g *phimap.Graph, asOf date.Date) []finding.Finding {
	if risk.Latest(ws, asOf) == nil {
		return nil
	}
	a, err := risk.Analyze(ws, "", g.PHISystems(), asOf)
	if err != nil {
		return nil
	}
	return a.Findings
}
