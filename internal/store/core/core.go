// Package core is what package store and its parts (packages accounts,
// scans and backup) share: the database handle with its engine and
// clock, the transaction helpers, the error values, the audit trail's
// rows and the types every part speaks of (organizations, accounts,
// memberships, sessions, roles).
//
// Package store re-exports all of it under its own names (aliases, so
// that an error from any part matches store.ErrNotFound with errors.Is),
// and callers outside internal/store never import core. It must not
// import store or any of its parts.
package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"ward/internal/audit"
)

// Engine is what differs between SQLite and PostgreSQL. The SQL itself is
// written once, with ? placeholders.
type Engine interface {
	Name() string
	// Open connects and applies the engine's connection settings.
	Open(ctx context.Context, dsn string) (*sql.DB, error)
	// Rebind rewrites ? placeholders into the engine's own.
	Rebind(query string) string
	// Migrations holds NNN_name.sql files, applied in number order.
	Migrations() fs.FS
	// LockHead is appended to the query that reads an organization's audit
	// head inside a write transaction, to lock that row until commit.
	LockHead() string
	// LockMigrations is a statement run first in the migration
	// transaction, or "".
	LockMigrations() string
	// ReadTx is the options of a read-only, snapshot-consistent transaction.
	ReadTx() *sql.TxOptions
	// IsConflict reports a unique-constraint violation.
	IsConflict(err error) bool
	// IsBusy reports a write that gave up waiting for a lock.
	IsBusy(err error) bool
}

// DB is one database as every part of the store uses it.
type DB struct {
	SQL *sql.DB
	Eng Engine
	// Now is the clock for timestamps.
	Now func() time.Time
}

// Q rebinds a query for the engine.
func (d *DB) Q(query string) string { return d.Eng.Rebind(query) }

// InTx runs f in a write transaction and commits, or rolls back on error.
func (d *DB) InTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// InReadTx runs f in a read-only snapshot.
func (d *DB) InReadTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := d.SQL.BeginTx(ctx, d.Eng.ReadTx())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return f(tx)
}

// Busy marks an engine's lock-wait failure as ErrBusy (keeping the
// engine's error in the message); other errors pass unchanged.
func (d *DB) Busy(err error) error {
	if err != nil && !errors.Is(err, ErrBusy) && d.Eng.IsBusy(err) {
		return fmt.Errorf("%w (%v)", ErrBusy, err)
	}
	return err
}

// FmtTime is how every time is stored: UTC, the audit trail's layout.
func FmtTime(t time.Time) string { return t.UTC().Format(audit.TimeLayout) }

// ParseTime reads a stored time.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// Querier is what runs a query: *sql.DB, *sql.Tx, *sql.Conn.
type Querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// Scanner is a row: *sql.Row, *sql.Rows, or values already read.
type Scanner interface{ Scan(...any) error }

// MustAffect is ErrNotFound (naming what) when a write changed no row.
func MustAffect(res sql.Result, what string) error {
	return AffectedOr(res, fmt.Errorf("%s: %w", what, ErrNotFound))
}

// AffectedOr is none when a conditional write changed no row (its
// condition no longer held: used, removed or ended meanwhile), nil when it
// changed one or more.
func AffectedOr(res sql.Result, none error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}

// NormEmail is an e-mail address as stored and compared: without case or
// surrounding space.
func NormEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
