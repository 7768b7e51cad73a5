package risk

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Analysis is one risk analysis with its risks scored.
type Analysis struct {
	Record workspace.RiskAnalysis `json:"analysis"`
	Matrix Matrix                 `json:"matrix"`
	// Risks sorted by residual level (critical first), then residual
	// score, then inherent score, then id.
	Risks []Scored `json:"risks"`
	// Scope is the systems that hold or carry PHI, as given by the caller.
	Scope []string `json:"scope"`
	// Uncovered are the scope systems with no risk in this analysis.
	Uncovered []string          `json:"uncovered"`
	Findings  []finding.Finding `json:"findings"`
}

// Latest is the most recent analysis performed on or before asOf, or nil.
func Latest(ws *workspace.Workspace, asOf date.Date) *workspace.RiskAnalysis {
	var best *workspace.RiskAnalysis
	for i := range ws.RiskAnalyses {
		a := &ws.RiskAnalyses[i]
		if a.Performed.After(asOf) {
			continue
		}
		if best == nil || a.Performed.After(best.Performed) || (a.Performed.Equal(best.Performed) && a.ID > best.ID) {
			best = a
		}
	}
	return best
}

// RisksOf is the workspace's risks that belong to analysis id. When the
// workspace records only one analysis, risks without an analysis field
// belong to it (a first analysis written by hand rarely names itself).
func RisksOf(ws *workspace.Workspace, id string) []workspace.Risk {
	var out []workspace.Risk
	for _, r := range ws.Risks {
		if r.Analysis == id || (r.Analysis == "" && len(ws.RiskAnalyses) <= 1) {
			out = append(out, r)
		}
	}
	return out
}

// Analyze scores the risks of analysis id (the latest on or before asOf
// when id is empty) and checks its coverage of phiSystems — the systems that
// hold or carry PHI, computed by the PHI graph. A scope system without a
// risk is a risk.coverage warning: 164.308(a)(1)(ii)(A) requires the
// analysis to cover all ePHI.
func Analyze(ws *workspace.Workspace, id string, phiSystems []string, asOf date.Date) (Analysis, error) {
	m, err := MatrixFor(ws)
	if err != nil {
		return Analysis{}, err
	}
	var rec *workspace.RiskAnalysis
	if id == "" {
		rec = Latest(ws, asOf)
		if rec == nil {
			return Analysis{}, fmt.Errorf("no risk analysis performed on or before %s: add one under risk_analyses", asOf)
		}
	} else if rec = ws.RiskAnalysis(id); rec == nil {
		return Analysis{}, fmt.Errorf("risk analysis %q not found: risk_analyses has no such id", id)
	}
	a := Analysis{Record: *rec, Matrix: m, Scope: slices.Clone(phiSystems)}
	slices.Sort(a.Scope)
	a.Scope = slices.Compact(a.Scope)
	covered := map[string]bool{}
	lib := LibraryFor(ws)
	for _, r := range RisksOf(ws, rec.ID) {
		a.Risks = append(a.Risks, Score(r, m, lib))
		covered[r.Asset] = true
	}
	SortScored(a.Risks)
	for _, s := range a.Scope {
		if covered[s] {
			continue
		}
		a.Uncovered = append(a.Uncovered, s)
		a.Findings = append(a.Findings, finding.Finding{
			Rule: "risk.coverage", Severity: finding.Warning, Subject: s,
			Message: fmt.Sprintf("system %s holds or carries PHI but risk analysis %s lists no risk for it; add at least one risk with asset: %s (164.308(a)(1)(ii)(A) covers all ePHI)", s, rec.ID, s),
		})
	}
	return a, nil
}

// SortScored orders risks by residual level, residual score, inherent
// score (all descending), then id.
func SortScored(rs []Scored) {
	slices.SortStableFunc(rs, func(a, b Scored) int {
		return cmp.Or(
			cmp.Compare(b.Residual.Rank(), a.Residual.Rank()),
			cmp.Compare(b.ResidualScore, a.ResidualScore),
			cmp.Compare(b.InherentScore, a.InherentScore),
			cmp.Compare(a.Risk.ID, b.Risk.ID))
	})
}

// CarryOver starts analysis newID from analysis fromID: every open risk of
// fromID is copied with Analysis set to newID, so the yearly review edits
// last year's register instead of rewriting it, and Diff shows what moved.
//
// Ids: risk ids are unique across the workspace, so a copy gets a new id —
// the old id with its "fromID-" prefix replaced by "newID-", else
// "newID-" + old id. Diff matches risks by asset, threat and vulnerability,
// not by id, so renaming loses nothing.
//
// Closed risks are not carried: an "avoid" treatment that was completed
// (the activity was stopped). Everything else — including mitigated risks,
// whose residual level still needs review — is. Completion dates of
// treatments are kept; the notes record where the risk came from.
func CarryOver(ws *workspace.Workspace, fromID, newID string, performed date.Date) []workspace.Risk {
	var out []workspace.Risk
	for _, r := range RisksOf(ws, fromID) {
		if r.Treatment == "avoid" && !r.Completed.IsZero() {
			continue
		}
		c := r
		c.Controls = slices.Clone(r.Controls)
		c.Analysis = newID
		if rest, ok := strings.CutPrefix(r.ID, fromID+"-"); ok {
			c.ID = newID + "-" + rest
		} else {
			c.ID = newID + "-" + r.ID
		}
		note := fmt.Sprintf("Carried over from %s (%s) on %s.", fromID, r.ID, performed)
		if c.Notes != "" {
			c.Notes = note + " " + c.Notes
		} else {
			c.Notes = note
		}
		out = append(out, c)
	}
	return out
}

// Change is one risk whose level moved between two analyses.
type Change struct {
	Key          string `json:"key"`
	PreviousID   string `json:"previous_id"`
	CurrentID    string `json:"current_id"`
	FromInherent Level  `json:"from_inherent"`
	ToInherent   Level  `json:"to_inherent"`
	FromResidual Level  `json:"from_residual"`
	ToResidual   Level  `json:"to_residual"`
}

// Changes is the difference between two analyses.
type Changes struct {
	Added     []Scored `json:"added"`
	Removed   []Scored `json:"removed"`
	Changed   []Change `json:"changed"`
	Unchanged int      `json:"unchanged"`
}

// Key identifies a risk across analyses: asset, threat and vulnerability.
func Key(r workspace.Risk) string {
	return r.Asset + " | " + r.Threat + " | " + r.Vulnerability
}

// Diff compares two analyses: risks added, removed, and those whose
// inherent or residual level changed.
func Diff(prev, cur Analysis) Changes {
	c := Changes{Added: []Scored{}, Removed: []Scored{}, Changed: []Change{}} // empty lists, not null, in JSON
	old := map[string]Scored{}
	for _, s := range prev.Risks {
		old[Key(s.Risk)] = s
	}
	seen := map[string]bool{}
	for _, s := range cur.Risks {
		k := Key(s.Risk)
		seen[k] = true
		p, ok := old[k]
		switch {
		case !ok:
			c.Added = append(c.Added, s)
		case p.Inherent != s.Inherent || p.Residual != s.Residual:
			c.Changed = append(c.Changed, Change{Key: k, PreviousID: p.Risk.ID, CurrentID: s.Risk.ID,
				FromInherent: p.Inherent, ToInherent: s.Inherent, FromResidual: p.Residual, ToResidual: s.Residual})
		default:
			c.Unchanged++
		}
	}
	for _, s := range prev.Risks {
		if !seen[Key(s.Risk)] {
			c.Removed = append(c.Removed, s)
		}
	}
	return c
}

// Overdue reports whether a risk's treatment is past due on asOf: a due
// date before asOf (the due date itself is still on time), no completion,
// and a treatment other than accept (an accepted risk has nothing to do).
func Overdue(r workspace.Risk, asOf date.Date) bool {
	return r.Treatment != "accept" && !r.Due.IsZero() && r.Completed.IsZero() && r.Due.Before(asOf)
}

// Check is the risk gate rule risk.overdue, over the latest analysis on or
// before asOf (older analyses' risks were carried over or closed, so
// checking them too would report the same work twice). It is an error, not
// a warning: a risk-management plan whose measures slip is the failure
// 164.308(a)(1)(ii)(B) describes, and DESIGN.md lists it as a gate rule.
// risk-analysis.stale belongs to the PHI-map package and is not repeated.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	var rs []workspace.Risk
	if a := Latest(ws, asOf); a != nil {
		rs = RisksOf(ws, a.ID)
	} else {
		for _, r := range ws.Risks {
			if r.Analysis == "" {
				rs = append(rs, r)
			}
		}
	}
	var fs []finding.Finding
	lib := LibraryFor(ws)
	for _, r := range rs {
		if !Overdue(r, asOf) {
			continue
		}
		owner := r.Owner
		if owner == "" {
			owner = "no owner"
		}
		fs = append(fs, finding.Finding{
			Rule: "risk.overdue", Severity: finding.Error, Subject: r.ID,
			Message: fmt.Sprintf("risk %s (%s on %s): %s treatment was due %s (%d days ago, %s); record completed: when done, or set a new due date", r.ID, lib.ThreatTitle(r.Threat), r.Asset, r.Treatment, r.Due, r.Due.DaysUntil(asOf), owner),
		})
	}
	finding.Sort(fs)
	return fs
}
