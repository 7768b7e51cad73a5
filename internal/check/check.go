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
	"ward/internal/risk"
	"ward/internal/workspace"
)

// Run evaluates the PHI map and BAAs, risk treatment, evidence schedules
// and breach deadlines as of asOf.
func Run(ws *workspace.Workspace, asOf date.Date) []finding.Finding {
	var fs []finding.Finding
	fs = append(fs, phimap.Gate(ws, asOf).Findings...)
	fs = append(fs, risk.Check(ws, asOf)...)
	fs = append(fs, evidence.Check(ws, asOf)...)
	fs = append(fs, incident.Check(ws, asOf)...)
	finding.Sort(fs)
	return fs
}
