package evidence

import (
	"fmt"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

// Check is the `evidence.missing` rule (DESIGN.md): an implemented control
// with a schedule and no evidence in its current period. It is a warning:
// the period is still open, and the gate is for PHI, not for paperwork
// that is merely due.
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	return CheckWith(ws, nil, asOf)
}

// CheckWith is Check with more evidence items after the workspace's (the
// ones the workforce records derive: policy.Derived), without copying
// the workspace's list to append them.
func CheckWith(ws *workspace.Workspace, more []workspace.Evidence, asOf date.Date) []finding.Finding {
	idx := IndexRefsWith(ws.Evidence, more)
	var out []finding.Finding
	for _, c := range ws.Controls {
		if c.Status != "implemented" || !Scheduled(c.Frequency) {
			continue
		}
		start, end := PeriodOf(c.Frequency, asOf)
		occ := OccurrencesOf(c.Frequency, start, end, asOf, idx[c.ID])
		if len(occ) == 1 && occ[0].Status == Covered {
			continue
		}
		msg := fmt.Sprintf("No evidence for %s (%s) yet: attach it by %s.", Label(c.Frequency, start), c.Frequency, end)
		// Say so when the previous period was missed too: that one is
		// already an exception an auditor will find.
		ps, pe := PeriodOf(c.Frequency, start.AddDays(-1))
		if prev := OccurrencesOf(c.Frequency, ps, pe, asOf, idx[c.ID]); len(prev) == 1 && prev[0].Status == Exception {
			msg = fmt.Sprintf("No evidence for %s (%s) yet, due by %s; %s was missed as well.", Label(c.Frequency, start), c.Frequency, end, Label(c.Frequency, ps))
		}
		out = append(out, finding.Finding{Rule: "evidence.missing", Severity: finding.Warning, Subject: c.ID, Message: msg})
	}
	finding.Sort(out)
	return out
}
