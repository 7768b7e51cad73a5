package webtest

import (
	"context"

	"ward/internal/store"
	"ward/internal/workspace"
)

func (e *TestEnv) StoredIncident(id string) workspace.Incident {
	e.T.Helper()
	var inc workspace.Incident
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindIncident, id, &inc); err != nil {
		e.T.Fatal(err)
	}
	return inc
}

func (e *TestEnv) StoredRisk(id string) (workspace.Risk, error) {
	var r workspace.Risk
	err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindRisk, id, &r)
	return r, err
}
