package policy

import (
	"ward/internal/date"
	"ward/internal/workspace"
)

// Records is what the workforce records of one workspace give that
// several rules read: the evidence they derive (Derived) and everyone's
// tasks on a date (AllTasks). A caller that runs those rules together
// (an overview row: readiness, the checks, the to-do list) makes one and
// hands it to each, so that each is computed once, not once per rule.
// Each is made on first use. Records holds on to the workspace, which
// must not change while they are used, and is not safe for concurrent
// use.
type Records struct {
	ws        *workspace.Workspace
	derived   []workspace.Evidence
	hasDerive bool
	asOf      date.Date
	tasks     []Task
	hasTasks  bool
}

// NewRecords makes the records of ws.
func NewRecords(ws *workspace.Workspace) *Records { return &Records{ws: ws} }

// Derived is Derived(ws), made once.
func (r *Records) Derived() []workspace.Evidence {
	if !r.hasDerive {
		r.derived, r.hasDerive = Derived(r.ws), true
	}
	return r.derived
}

// Tasks is AllTasks(ws, asOf), made once for the last date asked.
// Callers read the slice and do not change it.
func (r *Records) Tasks(asOf date.Date) []Task {
	if !r.hasTasks || r.asOf != asOf {
		r.tasks, r.asOf, r.hasTasks = AllTasks(r.ws, asOf), asOf, true
	}
	return r.tasks
}
