package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// gone fails the test unless nothing is at path.
func gone(t *testing.T, path, after string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after %s, %s exists (err %v): a command that only reads created it", after, filepath.Base(path), err)
	}
}

// TestReadCommandsDoNotCreateADatabase: a mistyped SQLite path given to a
// command that only reads or changes an existing organization is bad
// input (exit 2) naming the path and where it came from, and leaves no
// file there; the commands that start a database (ward apply here) still
// create it.
func TestReadCommandsDoNotCreateADatabase(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	t.Setenv("WARD_DB", "")
	dir := t.TempDir()
	missing := filepath.Join(dir, "acme-typo.db")
	for _, args := range [][]string{
		{"check"},
		{"plan"},
		{"export", "-o", filepath.Join(dir, "out")},
		{"audit", "verify"},
		{"backup", "-o", filepath.Join(dir, "b.tar.gz")},
		{"user", "list"},
	} {
		code, out, errs := ward(t, missing, args...)
		if code != 2 || !strings.Contains(errs, missing) || !strings.Contains(errs, "does not exist") || !strings.Contains(errs, "--db") {
			t.Errorf("ward %v on a missing file: exit %d, stdout %q, stderr %q; want 2 naming %s and --db", args, code, out, errs, missing)
		}
		gone(t, missing, strings.Join(args, " "))
	}

	// $WARD_DB names it, and the message says so; a bare PATH.db too.
	t.Setenv("WARD_DB", missing)
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), []string{"check"}, strings.NewReader(""), &out, &errb); code != 2 || !strings.Contains(errb.String(), "$WARD_DB") || !strings.Contains(errb.String(), missing) {
		t.Errorf("ward check with $WARD_DB=%s: exit %d, stderr %q; want 2 naming the path and $WARD_DB", missing, code, errb.String())
	}
	gone(t, missing, "ward check with $WARD_DB")
	t.Setenv("WARD_DB", "")

	// Every registered command that does not start a database, run with
	// no arguments against the missing file, leaves nothing there (some,
	// such as ward frameworks, need no database and succeed).
	for _, name := range cli.CommandNames() {
		if cli.Commands[name].Creates {
			continue
		}
		ward(t, missing, strings.Fields(name)...)
		gone(t, missing, "ward "+name)
	}

	// ward apply starts a database at a new path.
	mustWard(t, missing, "apply", "-f", cli.DemoDir)
	if _, err := os.Stat(missing); err != nil {
		t.Fatalf("ward apply did not create the database: %v", err)
	}
	if code, _, errs := ward(t, missing, "audit", "verify"); code != 0 {
		t.Errorf("ward audit verify on the applied database: exit %d, %s", code, errs)
	}
}
