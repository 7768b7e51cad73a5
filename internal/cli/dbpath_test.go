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
	"ward/internal/store"
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

// TestRefusedRestoreRemovesTheFileItMade: ward restore of a damaged
// backup into a new SQLite path removes the database (and its -wal, -shm
// and evidence folder) that it created; into a database that was there
// before it leaves that file, and its records, in place.
func TestRefusedRestoreRemovesTheFileItMade(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	mustWard(t, src, "apply", "-f", cli.DemoDir)
	archive := filepath.Join(dir, "b.tar.gz")
	cp := filepath.Join(dir, "b.checkpoint")
	mustWard(t, src, "backup", "-o", archive, "--checkpoint", cp)
	body, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.tar.gz")
	if err := os.WriteFile(cut, body[:len(body)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	forged := filepath.Join(dir, "forged.tar.gz")
	if err := os.WriteFile(forged, craft(t, archive), 0o600); err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		what string
		args []string
	}{
		{"a truncated backup", []string{"restore", cut, "--unverified"}},
		{"a forged backup", []string{"restore", forged, "--checkpoint", cp}},
	}
	for _, c := range refusals {
		dst := filepath.Join(dir, "new.db")
		code, _, errs := ward(t, dst, c.args...)
		if code != 2 {
			t.Errorf("restore of %s: exit %d, %q; want 2", c.what, code, errs)
		}
		for _, p := range []string{dst, dst + "-wal", dst + "-shm", dst + ".blobs"} {
			gone(t, p, "a refused restore of "+c.what)
		}
		// The same path then takes the good backup.
		mustWard(t, dst, "restore", archive, "--checkpoint", cp)
		mustWard(t, dst, "audit", "verify")
		for _, p := range []string{dst, dst + "-wal", dst + "-shm"} {
			os.Remove(p)
		}
		os.RemoveAll(dst + ".blobs")
	}

	// A database that existed before, with an organization or empty
	// (ward's schema and nothing else): the refusal leaves the file.
	empty := filepath.Join(dir, "empty.db")
	st, err := store.Open(context.Background(), "sqlite:"+empty, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, c := range refusals {
		for _, db := range []string{src, empty} {
			code, _, errs := ward(t, db, c.args...)
			if code != 2 {
				t.Errorf("restore of %s into %s: exit %d, %q; want 2", c.what, filepath.Base(db), code, errs)
			}
			if _, err := os.Stat(db); err != nil {
				t.Fatalf("a refused restore of %s removed %s, which was there before: %v", c.what, filepath.Base(db), err)
			}
		}
		mustWard(t, src, "export", "-o", filepath.Join(dir, "export-"+strings.ReplaceAll(c.what, " ", "-")))
	}
	// The empty one still takes a good backup: the refusals wrote nothing.
	mustWard(t, empty, "restore", archive, "--checkpoint", cp)
}

// TestAsOfKeepsToTheWebsYears: --as-of takes the dates the web's ?as_of=
// takes (date.CheckYears, 1900 to 2199); a date outside them is bad input
// naming the flag, on report commands and on ward export tasks.
func TestAsOfKeepsToTheWebsYears(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	db := filepath.Join(t.TempDir(), "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	for _, c := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"plan", "--as-of", "9999-12-31"}, false},
		{[]string{"plan", "--as-of", "1899-12-31"}, false},
		{[]string{"export", "tasks", "--format", "github-json", "--as-of", "2200-01-01"}, false},
		{[]string{"plan", "--as-of", "2199-12-31"}, true},
		{[]string{"plan", "--as-of", "1900-01-01"}, true},
		{[]string{"export", "tasks", "--format", "github-json", "--as-of", "2199-12-31"}, true},
	} {
		code, _, errs := ward(t, db, c.args...)
		switch {
		case c.ok && code == 2:
			t.Errorf("ward %v: exit 2, %q; the date is inside the years", c.args, errs)
		case !c.ok && (code != 2 || !strings.Contains(errs, "--as-of") || !strings.Contains(errs, "outside the years 1900 to 2199")):
			t.Errorf("ward %v: exit %d, %q; want 2 naming --as-of and the years", c.args, code, errs)
		}
	}
}
