package records

import (
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// savedMessage confirms a record's create (i < 0) or update.
func savedMessage(k recordKind, ws *workspace.Workspace, i int, rec any) string {
	verb := "saved"
	if i < 0 {
		verb = "created"
	}
	title := k.keyOf(rec)
	tmp := &workspace.Workspace{}
	k.set(tmp, -1, rec)
	if t := k.titleAt(tmp, 0); t != "" {
		title = t
	}
	return kit.Capitalize(k.Meta().Singular) + " " + title + " " + verb + "."
}
