package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Reader opens only a database file that exists, creates nothing, and
// cannot write; it sees what the driver's connections committed.
func TestReader(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if r, err := OpenReader(missing, 0); err == nil {
		r.Close()
		t.Errorf("OpenReader(%s): no error", missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("OpenReader made %s: %v", missing, err)
	}
	if _, err := OpenReader(":memory:", 0); err == nil {
		t.Error("OpenReader(:memory:): no error")
	}

	ctx := context.Background()
	path := filepath.Join(dir, "r.db")
	db, err := Engine{}.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE audit_head (org_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO audit_head VALUES (7, 42, 'abc')"); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Begin(); err != nil {
		t.Fatal(err)
	}
	h, err := r.AuditHead(7)
	if err != nil || h.Seq != 42 || h.Hash != "abc" {
		t.Errorf("AuditHead(7) = %+v, %v; want 42 abc", h, err)
	}
	if h, err := r.AuditHead(8); err != nil || h.Seq != 0 {
		t.Errorf("AuditHead(8) = %+v, %v; want none", h, err)
	}
	if err := r.End(); err != nil {
		t.Fatal(err)
	}
	err = r.exec("INSERT INTO audit_head VALUES (8, 1, 'x')")
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("a write on a Reader: %v, want SQLite's read-only error", err)
	}
}
