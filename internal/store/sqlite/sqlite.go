// Package sqlite is the store's SQLite engine: the pure-Go driver
// (modernc.org/sqlite, no cgo), the connection settings that make a local
// file durable and safe for concurrent use, and the SQLite migrations.
//
// It must not import ward/internal/store (the store imports it); it
// satisfies store.Engine structurally.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ward/internal/store/stmtcount"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine is SQLite.
type Engine struct {
	// BusyTimeout is how long a write waits for another connection's
	// write lock before it fails with SQLITE_BUSY (the store answers
	// ErrBusy). Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// DefaultBusyTimeout bounds a write's wait for the lock. An import holds
// it only in short slices, so a write waits a fraction of a second.
const DefaultBusyTimeout = 15 * time.Second

func (Engine) Name() string { return "sqlite" }

// PageSize is the page size of a database file ward creates. SQLite's
// default, 4096, made reading a long table (the audit verify) cost a
// page read and a page's work four times as often; small write
// transactions cost the same at 4096 and 16384 and more from 32768
// (docs/performance.md, "Audit verify"). A database file made with
// another page size keeps it: SQLite cannot change the page size of a
// file in WAL mode. ward backup and ward restore into a new file give it
// this one.
const PageSize = 16384

// Open opens (creating if needed) the database file at path.
//
//   - page_size: PageSize, for a new file (an existing one keeps its own).
//   - WAL: readers do not block the writer nor each other.
//   - synchronous=FULL: a commit is on disk before it is acknowledged, so
//     a kill -9 or power cut loses no acknowledged write.
//   - foreign_keys=ON: SQLite leaves them off unless asked, per connection.
//   - busy_timeout: a writer waits for another instead of failing at once.
//   - _txlock=immediate: every write transaction takes the write lock at
//     BEGIN, so two transactions cannot both read the audit head and then
//     collide on upgrading; they queue. (Read-only transactions stay
//     deferred and see a snapshot.)
func (e Engine) Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: no database path")
	}
	if path != ":memory:" {
		if dir := filepath.Dir(path); dir != "" {
			if _, err := os.Stat(dir); err != nil {
				return nil, fmt.Errorf("sqlite: folder of %s: %w", path, err)
			}
		}
		// A new database file is readable by its owner only (0600): it
		// holds PHI-adjacent records and password hashes. SQLite gives its
		// -wal and -shm files the database file's mode. An existing file
		// keeps the mode its administrator chose.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
		} else if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
		}
	}
	q := url.Values{}
	busy := e.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	// The page size first: it takes effect only on a new, empty file, and
	// the switch to WAL writes the file's first page. The driver runs the
	// _pragma list before its _journal_mode and _synchronous keys.
	q.Add("_pragma", fmt.Sprintf("page_size(%d)", PageSize))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals (one per multi-row INSERT, as imports and apply
	// write in batches) and temporary sort tables stay in memory instead
	// of temporary files: a statement journal touched the disk with a
	// write system call per page.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	c, err := sqlite.NewConnector("file:" + path + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(stmtcount.Connector(c))
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

func (Engine) Rebind(query string) string { return query }

func (Engine) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// LockHead is empty: BEGIN IMMEDIATE already holds the database's write
// lock for the whole transaction.
func (Engine) LockHead() string { return "" }

// LockMigrations is empty for the same reason.
func (Engine) LockMigrations() string { return "" }

// ReadTx is a deferred read-only transaction: one consistent snapshot.
func (Engine) ReadTx() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

// IsConflict reports a UNIQUE or PRIMARY KEY violation.
func (Engine) IsConflict(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// IsBusy reports SQLITE_BUSY or SQLITE_LOCKED (any extended code): the
// busy timeout ran out while another connection held the lock.
func (Engine) IsBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code() & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// Backup writes a consistent copy of the live database to w: VACUUM INTO
// a temporary file (a snapshot taken inside one read transaction, while
// writers carry on), then copies it.
func (Engine) Backup(ctx context.Context, db *sql.DB, w io.Writer) error {
	dir, err := os.MkdirTemp("", "ward-backup-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "backup.db")
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
