package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ward/internal/store"
)

// Engine is a database a test outside the store runs against: URL makes
// a fresh, empty one (dropped when the test ends) and returns what --db
// takes.
type Engine struct {
	Name string
	URL  func(t *testing.T) string
}

// Engines are SQLite and PostgreSQL, for tests that must hold on both
// (WARD_TEST_POSTGRES=skip leaves PostgreSQL out).
func Engines() []Engine {
	return []Engine{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "ward.db") }},
		{"postgres", FreshPostgres},
	}
}

// FreshPostgres creates an empty database on WARD_TEST_POSTGRES (default
// the local server, trust auth) and returns its URL; it is dropped at the
// end of the test. An unreachable server fails the test.
func FreshPostgres(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("WARD_TEST_POSTGRES")
	if admin == "skip" {
		t.Skip("WARD_TEST_POSTGRES=skip")
	}
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable (set WARD_TEST_POSTGRES, or WARD_TEST_POSTGRES=skip): %v", admin, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "ward_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// OpenSQLite opens a store on a new SQLite file, its evidence files
// beside it; it is closed when the test ends.
func OpenSQLite(t *testing.T) *store.Store {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "ward.db"), store.Options{})
}

// OpenPostgres opens a store on a fresh PostgreSQL database
// (FreshPostgres); it is closed when the test ends.
func OpenPostgres(t *testing.T) *store.Store {
	t.Helper()
	return open(t, FreshPostgres(t), store.Options{BlobDir: t.TempDir()})
}

func open(t *testing.T, url string, opt store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
