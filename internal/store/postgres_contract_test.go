package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ward/internal/store"
	"ward/internal/store/storetest"
)

// The PostgreSQL contract runs against WARD_TEST_POSTGRES (default: the
// local server, trust auth). Each store gets a fresh database, dropped at
// the end. An unreachable server fails the test: set
// WARD_TEST_POSTGRES=skip to skip it on purpose.
var freshPostgres = storetest.FreshPostgres

// openPostgres opens a store on a fresh PostgreSQL database.
var openPostgres = storetest.OpenPostgres

func TestPostgresContract(t *testing.T) { storetest.Run(t, openPostgres) }

// Several processes opening one fresh database at once all succeed, and
// each migration runs once: they are serialized by an advisory lock.
func TestPostgresConcurrentOpen(t *testing.T) {
	url := freshPostgres(t)
	ctx := context.Background()
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := store.Open(ctx, url, store.Options{BlobDir: t.TempDir()})
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs, distinct int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&runs, &distinct); err != nil {
		t.Fatal(err)
	}
	if runs != distinct || runs == 0 {
		t.Errorf("schema_migrations: %d rows for %d versions", runs, distinct)
	}
}

// A server's first burst of concurrent requests finds its connections
// open: after WarmConnections(n) PostgreSQL itself counts n sessions on
// the database, and n concurrent statements open no more.
func TestPostgresWarmConnections(t *testing.T) {
	url := freshPostgres(t)
	ctx := context.Background()
	s, err := store.Open(ctx, url, store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 6
	got, err := s.WarmConnections(ctx, n)
	if err != nil || got != n {
		t.Fatalf("WarmConnections(%d) = %d, %v", n, got, err)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sessions := func() int {
		t.Helper()
		var k int
		// The count excludes this test's own connection.
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if k := sessions(); k != n {
		t.Fatalf("PostgreSQL counts %d sessions of the store after warming %d", k, n)
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := s.Ready(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if k := sessions(); k != n {
		t.Errorf("after %d concurrent statements PostgreSQL counts %d sessions, want the %d warmed", n, k, n)
	}
}
