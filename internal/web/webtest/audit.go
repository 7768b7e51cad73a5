package webtest

import (
	"context"

	"ward/internal/store"
)

// AuditHead is the newest audit entry of alpha.
func (e *TestEnv) AuditHead() store.AuditEntry {
	e.T.Helper()
	log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if err != nil || len(log) == 0 {
		e.T.Fatalf("audit log: %v (%d entries)", err, len(log))
	}
	return log[0]
}

func (e *TestEnv) WantAudit(action, kind, key, actor string) {
	e.T.Helper()
	h := e.AuditHead()
	if h.Action != action || h.Kind != kind || h.Key != key || h.Actor != actor {
		e.T.Errorf("newest audit entry = %s %s %q by %s, want %s %s %q by %s", h.Action, h.Kind, h.Key, h.Actor, action, kind, key, actor)
	}
}

func (e *TestEnv) LastAudit() store.AuditEntry {
	e.T.Helper()
	log, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 1, 0)
	if err != nil || len(log) == 0 {
		e.T.Fatalf("audit log: %v", err)
	}
	return log[0]
}

// TrailHas reports whether alpha's trail has an entry action/kind/key by
// actor.
func (e *TestEnv) TrailHas(action, kind, key, actor string) bool {
	e.T.Helper()
	all, err := e.Store.Org(e.OrgA).AuditAll(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	for _, a := range all {
		if a.Action == action && a.Kind == kind && a.Key == key && a.Actor == actor {
			return true
		}
	}
	return false
}

func (e *TestEnv) AuditCount() int {
	e.T.Helper()
	l, err := e.Store.Org(e.OrgA).AuditLog(context.Background(), 0, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	return len(l)
}
