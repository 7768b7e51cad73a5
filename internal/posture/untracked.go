package posture

import (
	"fmt"
	"slices"
	"strings"

	"ward/internal/finding"
	"ward/internal/workspace"
)

// Untracked lists the checks of imported scans with open failing findings
// that count in no readiness: every control they land on is one the
// organization has not adopted. Without this list they would vanish from
// posture and the gate while the import says they touched requirements.
func Untracked(ws *workspace.Workspace) []workspace.ScanCheck {
	adopted := map[string]bool{}
	for _, c := range ws.Controls {
		adopted[c.ID] = true
	}
	out := []workspace.ScanCheck{}
	for _, c := range ws.ScanChecks {
		if len(c.Controls) > 0 && !slices.ContainsFunc(c.Controls, func(id string) bool { return adopted[id] }) {
			out = append(out, c)
		}
	}
	return out
}

// UntrackedMessage says what to do about one untracked check.
func UntrackedMessage(c workspace.ScanCheck) string {
	return fmt.Sprintf("%s of scanner check %s %s open and land%s only on %s, which %s not adopted: adopt %s to track %s",
		count(c.Failing, "failing finding"), c.Check, isAre(c.Failing), verbS(c.Failing), strings.Join(c.Controls, ", "),
		isAre(len(c.Controls)), c.Controls[0], itThem(c.Failing))
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// CheckUntracked is the scan.untracked gate rule (a warning): one finding
// per untracked check.
func CheckUntracked(ws *workspace.Workspace) []finding.Finding {
	var out []finding.Finding
	for _, c := range Untracked(ws) {
		out = append(out, finding.Finding{Rule: "scan.untracked", Severity: finding.Warning, Subject: c.Check, Message: UntrackedMessage(c)})
	}
	return out
}
