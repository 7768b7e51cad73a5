package webtest

import (
	"context"
	"os"
	"path/filepath"

	"ward/internal/store"
	"ward/internal/workspace"
)

// SeedDemoWithFiles is seedDemo with the files the demo's records name
// (policy texts, evidence, signed agreements) in the blob store, as ward
// apply keeps them.
func (e *TestEnv) SeedDemoWithFiles() {
	e.T.Helper()
	l, err := workspace.Load(RepoRoot+"/examples/acme-health", workspace.Options{})
	if err != nil {
		e.T.Fatal(err)
	}
	for _, f := range l.Workspace.Files() {
		fh, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			e.T.Fatal(err)
		}
		sha, _, err := e.Store.Blobs().Put(fh)
		fh.Close()
		if err != nil {
			e.T.Fatal(err)
		}
		*f.SHA256 = sha
	}
	if _, err := e.Store.Org(e.OrgA).Apply(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
		e.T.Fatalf("apply the demo: %v", err)
	}
}
