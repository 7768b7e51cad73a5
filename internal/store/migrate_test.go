package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"ward/internal/store"
)

// Options.Proceed can refuse the migrations of a new database after they
// ran: nothing of the schema stays, and the next Open creates it whole,
// every migration recorded once. On a database already up to date it is
// not asked.
func TestMigrationsProceed(t *testing.T) {
	for _, eng := range []struct {
		name  string
		fresh func(t *testing.T) (url, driver, dsn string)
	}{
		{"sqlite", func(t *testing.T) (string, string, string) {
			p := filepath.Join(t.TempDir(), "ward.db")
			return "sqlite:" + p, "sqlite", p
		}},
		{"postgres", func(t *testing.T) (string, string, string) {
			u := freshPostgres(t)
			return u, "pgx", u
		}},
	} {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			url, driver, dsn := eng.fresh(t)
			refused := errors.New("the files are not valid")
			asked := 0
			_, err := store.Open(ctx, url, store.Options{BlobDir: t.TempDir(), Proceed: func() error { asked++; return refused }})
			if !errors.Is(err, refused) || asked != 1 {
				t.Fatalf("Open with Proceed refusing = %v after %d calls, want the refusal after 1", err, asked)
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs").Scan(&n); err == nil {
				t.Fatal("the refused migrations left the orgs table behind")
			}

			s, err := store.Open(ctx, url, store.Options{BlobDir: t.TempDir(), Proceed: func() error { asked++; return nil }})
			if err != nil || asked != 2 {
				t.Fatalf("Open with Proceed agreeing = %v after %d calls", err, asked)
			}
			if _, err := s.CreateOrg(ctx, "tester", "acme", "Acme"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			var runs, distinct, files int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT version), COUNT(DISTINCT name) FROM schema_migrations").Scan(&runs, &distinct, &files); err != nil {
				t.Fatal(err)
			}
			if runs == 0 || runs != distinct || runs != files {
				t.Errorf("schema_migrations: %d rows, %d versions, %d names", runs, distinct, files)
			}

			s, err = store.Open(ctx, url, store.Options{BlobDir: t.TempDir(), Proceed: func() error { asked++; return refused }})
			if err != nil || asked != 2 {
				t.Fatalf("Open of an up-to-date database = %v, Proceed asked %d times (want 2: not again)", err, asked)
			}
			if _, err := s.OrgBySlug(ctx, "acme"); err != nil {
				t.Errorf("after reopening: %v", err)
			}
			s.Close()
		})
	}
}
