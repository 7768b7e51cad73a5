package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as a one-file workspace. It must
// never panic, and it must either load or return Errors in which every
// entry points at a file and a line (≥ 1), because that is what a user
// gets to fix. What loads must also survive Write and load back the same.
// The seed corpus (testdata/fuzz/FuzzLoad) holds real-shaped files: the
// demo's, the bad inputs of the load tests, syntax errors and aliases.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "ws.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Load(path, Options{})
		if err != nil {
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Load returned %T, not Errors: %v", err, err)
			}
			if len(es) == 0 {
				t.Fatal("Load returned empty Errors")
			}
			for _, e := range es {
				if e.File != path || e.Line < 1 || e.Msg == "" {
					t.Fatalf("error without a place or a message: %#v", e)
				}
			}
			return
		}
		if referencesFiles(l.Workspace) {
			return // Write copies files only from a blob store
		}
		out := filepath.Join(dir, "out")
		if err := Write(out, l.Workspace, WriteOptions{}); err != nil {
			t.Fatalf("Write of a loaded workspace: %v", err)
		}
		back, err := Load(out, Options{})
		if err != nil {
			t.Fatalf("the export of a loaded workspace does not load:\n%v", err)
		}
		if !reflect.DeepEqual(back.Workspace, l.Workspace) {
			t.Fatalf("round trip changed the workspace:\n%#v\n%#v", l.Workspace, back.Workspace)
		}
	})
}

func referencesFiles(ws *Workspace) bool {
	for _, e := range ws.Evidence {
		if e.File != "" {
			return true
		}
	}
	for _, a := range ws.Agreements {
		if a.File != "" {
			return true
		}
	}
	return false
}
