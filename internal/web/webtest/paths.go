package webtest

import (
	"path/filepath"
	"runtime"
)

// RepoRoot is the repository's folder, for test data (examples/,
// internal/importer/.../testdata) whichever package's tests run.
var RepoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}()
