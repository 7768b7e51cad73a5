package check

import (
	"ward/internal/catalog"
	"ward/internal/policy"
	"ward/internal/risk"
	"ward/internal/workspace"
)

// WorkspaceOptions are the rules a workspace is held to beyond its own
// format, from the embedded content: control ids and BAA clauses of the
// catalog, the built-in policy templates, the HIPAA addressable specifications a control answers (45 CFR
// 164.306(d)(3)), and the risk libraries' ids. `ward apply` and every web
// edit validate with these, so neither can store what the other refuses.
func WorkspaceOptions() workspace.Options {
	cat := catalog.Default()
	return workspace.Options{
		KnownControl: func(id string) bool { return cat.Control(id) != nil },
		KnownClause:  func(id string) bool { return cat.BAA.Clause(id) != nil },
		Addressable: func(c workspace.Control) []string {
			return cat.Addressable(c.ID, c.Mappings[catalog.HIPAA])
		},
		LibraryThreat:        func(id string) bool { return risk.ThreatByID(id) != nil },
		LibraryVulnerability: func(id string) bool { return risk.VulnerabilityByID(id) != nil },
		KnownTemplate:        policy.KnownTemplate,
	}
}
