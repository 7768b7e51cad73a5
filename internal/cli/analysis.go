package cli

import (
	"context"

	"ward/internal/catalog"
	"ward/internal/phimap"
	"ward/internal/risk"
)

// Analyze loads the risk analysis id of the selected organization, or its
// latest when id is empty.
func Analyze(ctx context.Context, env *Env, id string) (risk.Analysis, error) {
	ws, err := env.Workspace(ctx)
	if err != nil {
		return risk.Analysis{}, err
	}
	a, err := risk.Analyze(ws, id, phimap.Build(ws).PHISystems(), env.AsOf)
	if err != nil {
		return risk.Analysis{}, BadInput("%v", err)
	}
	return a, nil
}

// ControlTitle is a unified control's title, or the id itself when the
// catalog has no such control.
func ControlTitle(id string) string {
	if c := catalog.Default().Control(id); c != nil {
		return c.Title
	}
	return id
}
