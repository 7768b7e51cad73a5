package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/audit"
	sqlitedb "ward/internal/store/sqlite"
	"ward/internal/workspace"
)

// TestSQLiteOlderFile: a database file made before ward chose its page
// size (SQLite's default, 4096) and before the audit table lost its rowid
// (migration 060) opens as it is: its pages stay 4096 bytes, 060 moves
// the audit rows into the new table in order, the trail verifies and an
// altered entry is still named. A
// backup of it restored into a new file has the new page size.
func TestSQLiteOlderFile(t *testing.T) {
	defer func(n int) { verifyRanges = n }(verifyRanges)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	// A file as SQLite makes it by default, in WAL mode as ward's are.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s, err := Open(ctx, "sqlite:"+path, Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.CreateOrg(ctx, "test", "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	appendEntries(t, s, org.ID, 1500)
	// The audit table as it was before 060: rows in a table with a rowid,
	// stored in no particular order.
	for _, q := range []string{
		`CREATE TABLE audit_old (org_id INTEGER NOT NULL REFERENCES orgs(id), seq INTEGER NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
			action TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (org_id, seq))`,
		`INSERT INTO audit_old SELECT * FROM audit ORDER BY seq % 7, seq`,
		`DROP TABLE audit`,
		`ALTER TABLE audit_old RENAME TO audit`,
		`CREATE INDEX audit_record ON audit (org_id, kind, key, seq)`,
		`DELETE FROM schema_migrations WHERE version = 60`,
	} {
		if _, err := s.RawExec(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	want, err := s.Org(org).AuditAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, "sqlite:"+path, Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pageSize int
	var ddl string
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if pageSize != 4096 {
		t.Errorf("the older file's page size is %d, want 4096 as it was", pageSize)
	}
	if err := s.db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE name = 'audit'").Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "WITHOUT ROWID") {
		t.Errorf("audit after migration 060: %s", ddl)
	}
	o := s.Org(org)
	got, err := o.AuditAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) < 1500 {
		t.Fatalf("%d entries after migration 060, %d before", len(got), len(want))
	}
	for i := range got {
		if got[i].Seq != want[i].Seq || got[i].Hash != want[i].Hash || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("entry %d after migration 060: %+v, before: %+v", i+1, got[i], want[i])
		}
	}
	verifyRanges = 1
	if err := o.VerifyAudit(ctx); err != nil {
		t.Errorf("verify: %v", err)
	}

	// A backup of it, restored into a new file, has the new page size.
	var backup bytes.Buffer
	if _, err := s.Dump(ctx, &backup, nil); err != nil {
		t.Fatal(err)
	}
	restored, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "new.db"), Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, err := restored.Restore(ctx, &backup, nil); err != nil {
		t.Fatal(err)
	}
	if err := restored.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if pageSize != sqlitedb.PageSize {
		t.Errorf("restored file's page size is %d, want %d", pageSize, sqlitedb.PageSize)
	}
	if err := restored.Org(org).VerifyAudit(ctx); err != nil {
		t.Errorf("restored trail: %v", err)
	}

	// An altered entry is still named.
	if _, err := s.RawExec(ctx, "UPDATE audit SET actor = 'mallory' WHERE org_id = ? AND seq = 700", org.ID); err != nil {
		t.Fatal(err)
	}
	var bad *audit.BadEntry
	if err := o.VerifyAudit(ctx); !errors.As(err, &bad) || bad.Seq != 700 {
		t.Errorf("verify of an altered entry: %v, want entry 700 named", err)
	}
}

// TestVerifyAuditWhileWriting: a verify on the verify's own SQLite
// connections, in one pass and in ranges, finds nothing wrong with a
// trail that another connection keeps appending to meanwhile: each reads
// one snapshot, and the ranges' entries up to the head are the same in
// all of them.
func TestVerifyAuditWhileWriting(t *testing.T) {
	defer func(n int, min int64) { verifyRanges, verifyRangeMin = n, min }(verifyRanges, verifyRangeMin)
	verifyRangeMin = 100
	ctx := context.Background()
	s := openEngine(t, "sqlite")
	org, err := s.CreateOrg(ctx, "test", "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	appendEntries(t, s, org.ID, 1000)
	o := s.Org(org)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := o.Put(ctx, "dana@acme.example", KindVendor, fmt.Sprintf("v-%d", i), workspace.Vendor{ID: fmt.Sprintf("v-%d", i), Name: "Vendor"}); err != nil {
				done <- err
				return
			}
		}
	}()
	for i := range 20 {
		verifyRanges = 1 + i%3
		if err := o.VerifyAudit(ctx); err != nil {
			t.Errorf("verify %d (%d ranges) while another connection writes: %v", i, verifyRanges, err)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	head, err := o.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq <= 1001 {
		t.Errorf("the writer added nothing while the verifies ran (head %d)", head.Seq)
	}
}
