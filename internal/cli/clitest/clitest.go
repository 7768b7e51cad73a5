// Package clitest holds what the tests of ward's command-line packages
// share: running ward in-process against a SQLite file, the demo
// workspace, and the blob folder every test binary sets up. A test that
// runs commands of other packages imports them for their registration.
package clitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"ward/internal/cli"
)

// DemoDir is examples/acme-health, the demo workspace, whatever the
// package whose tests run.
var DemoDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "acme-health")
}()

// Main gives a package's tests a blob folder of their own. A test on
// PostgreSQL that sets no WARD_BLOBS would otherwise store evidence files
// in ./ward-blobs, the default beside the working directory, which is the
// package's source folder. A package's TestMain calls it.
func Main(m *testing.M) {
	if os.Getenv("WARD_BLOBS") == "" {
		dir, err := os.MkdirTemp("", "ward-cli-blobs-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("WARD_BLOBS", dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// Ward runs the command line in-process against db and returns the exit
// code, stdout and stderr.
func Ward(t testing.TB, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--db", "sqlite:" + db}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// MustWard is Ward that fails the test on a non-zero exit and returns
// stdout.
func MustWard(t testing.TB, db string, args ...string) string {
	t.Helper()
	code, out, errs := Ward(t, db, args...)
	if code != 0 {
		t.Fatalf("ward %v: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

// FileHash is the SHA-256 of a SQLite file with its write-ahead log.
func FileHash(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + "-wal"); err == nil {
		w, _ := os.ReadFile(p + "-wal")
		b = append(b, w...)
	}
	return sha256.Sum256(b)
}

// TreeHash is one hash of every file under dir, names and contents.
func TreeHash(t *testing.T, dir string) [32]byte {
	t.Helper()
	h := sha256.New()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		h.Write([]byte(rel))
		h.Write(b)
		return nil
	})
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

// DemoDB applies the demo workspace to a new database and returns its
// file.
func DemoDB(t *testing.T) string {
	t.Helper()
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	MustWard(t, db, "apply", "-f", DemoDir)
	return db
}
