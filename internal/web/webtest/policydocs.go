package webtest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// SeedDemoWithTexts applies the demo with its policies' texts in the
// blob store (as `ward apply` keeps them), plus a policy whose text
// carries raw HTML.
func (e *TestEnv) SeedDemoWithTexts() {
	e.T.Helper()
	dir := RepoRoot + "/examples/acme-health"
	l, err := workspace.Load(dir, workspace.Options{})
	if err != nil {
		e.T.Fatal(err)
	}
	ws := l.Workspace
	put := func(text []byte) string {
		sha, _, err := e.Store.Blobs().Put(bytes.NewReader(text))
		if err != nil {
			e.T.Fatal(err)
		}
		return sha
	}
	for i := range ws.Policies {
		for j := range ws.Policies[i].Versions {
			v := &ws.Policies[i].Versions[j]
			raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v.File)))
			if err != nil {
				e.T.Fatal(err)
			}
			v.SHA256 = put(raw)
		}
	}
	ws.Policies = append(ws.Policies, workspace.Policy{ID: "hostile", Title: "Hostile policy", Versions: []workspace.PolicyVersion{{
		Version: 1, File: "policies/hostile-v1.md", SHA256: put([]byte("# Hostile policy\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\nPlain text stays.\n")),
		ApprovedBy: "dana@acme-health.example", ApprovedOn: date.MustParse("2026-09-01")}}})
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", ws, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the demo: %v", err)
	}
}
