package webtest

import (
	"context"

	"ward/internal/store"
	"ward/internal/workspace"
)

// CoveredEntity makes alpha a covered entity, so that its incidents owe
// notice to individuals, the media and HHS (164.404-164.408).
func (e *TestEnv) CoveredEntity() {
	e.T.Helper()
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "test", store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleCoveredEntity}}); err != nil {
		e.T.Fatal(err)
	}
}

func (e *TestEnv) AuditCount() int {
	e.T.Helper()
	l, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 0, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	return len(l)
}

func (e *TestEnv) StoredIncident(id string) workspace.Incident {
	e.T.Helper()
	var inc workspace.Incident
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindIncident, id, &inc); err != nil {
		e.T.Fatal(err)
	}
	return inc
}
