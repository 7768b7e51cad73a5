package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupRestore: ward backup of the demo, then ward restore into a new
// database gives the same export, a verified audit trail, and refuses a
// second restore into the now-used database without changing it.
func TestBackupRestore(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	archive := filepath.Join(dir, "ward-backup.tar.gz")
	out := mustWard(t, db, "backup", "-o", archive)
	if !strings.Contains(out, "backed up") || !strings.Contains(out, "acme-health: audit head") {
		t.Fatalf("backup said: %s", out)
	}
	// The backup is itself in the trail.
	if out := mustWard(t, db, "audit", "log"); !strings.Contains(out, "backup") {
		t.Errorf("audit log has no backup entry:\n%s", out)
	}

	restored := filepath.Join(dir, "restored.db")
	out = mustWard(t, restored, "restore", archive)
	if !strings.Contains(out, "restored") {
		t.Fatalf("restore said: %s", out)
	}
	mustWard(t, restored, "audit", "verify")
	mustWard(t, db, "export", "-o", filepath.Join(dir, "a"))
	mustWard(t, restored, "export", "-o", filepath.Join(dir, "b"))
	if treeHash(t, filepath.Join(dir, "a")) != treeHash(t, filepath.Join(dir, "b")) {
		t.Error("the restored database exports differently from the original")
	}

	before := fileHash(t, restored)
	code, _, errs := ward(t, restored, "restore", archive)
	if code != 2 || !strings.Contains(errs, "not empty") {
		t.Errorf("restore into a used database: exit %d, stderr %q; want 2 and 'not empty'", code, errs)
	}
	if fileHash(t, restored) != before {
		t.Error("a refused restore changed the database file")
	}

	// A truncated archive is refused and the new database stays empty.
	body, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.tar.gz")
	os.WriteFile(cut, body[:len(body)*2/3], 0o600)
	empty := filepath.Join(dir, "empty.db")
	code, _, errs = ward(t, empty, "restore", cut)
	if code != 2 || !strings.Contains(errs, "cut.tar.gz") {
		t.Errorf("restore of a truncated archive: exit %d, stderr %q; want 2 naming the file", code, errs)
	}
	if code, _, _ := ward(t, empty, "export", "-o", filepath.Join(dir, "c")); code != 2 {
		t.Errorf("after a refused restore the database should hold no organization (export exit %d, want 2)", code)
	}
}
