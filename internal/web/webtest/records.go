package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"ward/internal/store"
	"ward/internal/web/kit"
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

func (e *TestEnv) PostJSON(c *http.Client, method, path, csrf string, body any) Response {
	e.T.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.HTTP.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(kit.CSRFHeader, csrf)
	return e.Send(c, req)
}
