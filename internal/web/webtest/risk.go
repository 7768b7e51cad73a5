package webtest

import (
	"context"

	"ward/internal/store"
	"ward/internal/workspace"
)

func (e *TestEnv) StoredRisk(id string) (workspace.Risk, error) {
	var r workspace.Risk
	err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindRisk, id, &r)
	return r, err
}

func (e *TestEnv) LastAudit() store.AuditEntry {
	e.T.Helper()
	log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if err != nil || len(log) == 0 {
		e.T.Fatalf("audit log: %v", err)
	}
	return log[0]
}
