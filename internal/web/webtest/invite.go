package webtest

import (
	"context"
)

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
