// Package postgres is the store's PostgreSQL engine: pgx through its
// database/sql driver (and pgx itself for reading the audit trail to
// verify it, VerifyAudit), placeholder rebinding, row locks on the audit
// head and the PostgreSQL migrations.
//
// It must not import ward/internal/store (the store imports it); it
// satisfies store.Engine structurally.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"ward/internal/store/stmtcount"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine is PostgreSQL.
type Engine struct{}

func (Engine) Name() string { return "postgres" }

// Open connects with a postgres:// URL.
func (Engine) Open(ctx context.Context, url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := sql.OpenDB(stmtcount.Connector(stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(shouldPing))))
	db.SetMaxOpenConns(maxConns)
	// database/sql keeps 2 idle connections unless told: under
	// concurrency the others were closed after each statement and opened
	// again (a TCP and authentication handshake, and a fresh statement
	// cache) for the next.
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return db, nil
}

// maxConns bounds one server's connections to PostgreSQL.
const maxConns = 20

// shouldPing is pgx's own rule (ping a connection idle for over a second
// before reusing it, so a connection the server dropped is found before a
// statement is sent on it), with the ping counted as a round trip.
func shouldPing(ctx context.Context, p stdlib.ShouldPingParams) bool {
	if p.IdleDuration > time.Second {
		stmtcount.Add(ctx, 1)
		return true
	}
	return false
}

// CopyRows inserts rows into table's columns cols with COPY, on conn and
// in the transaction open on it: the server takes a batch of new records
// in about two thirds of the time of a multi-row INSERT. Two round trips:
// the columns' types, then the rows.
func (Engine) CopyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	return withPgx(conn, "COPY", func(c *pgx.Conn) error {
		stmtcount.Add(ctx, 2)
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// withPgx runs f on pgx's own connection under conn (sql.Conn.Raw), for
// what database/sql cannot say (what, in the error otherwise). What f
// sends goes around the statement counter: f counts it (stmtcount.Add).
func withPgx(conn *sql.Conn, what string, f func(c *pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := stmtcount.Unwrap(dc).(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: %s on a %T connection, not pgx's", what, dc)
		}
		return f(c.Conn())
	})
}

// Rebind turns the store's ? placeholders into $1, $2, ...; question marks
// inside single-quoted literals are left alone.
func (Engine) Rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (Engine) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// LockHead makes reading the audit head take a row lock, so appends to one
// organization's chain queue while other organizations write freely.
func (Engine) LockHead() string { return " FOR UPDATE" }

// LockMigrations serializes two processes migrating one database at once.
func (Engine) LockMigrations() string { return "SELECT pg_advisory_xact_lock(72616564)" }

// ReadTx is a read-only snapshot.
func (Engine) ReadTx() *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

// IsConflict reports a unique violation (SQLSTATE 23505).
func (Engine) IsConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// IsBusy reports a lock that could not be had: lock_not_available
// (55P03, lock_timeout), a deadlock (40P01) or a serialization failure
// (40001). Each leaves nothing written and can be retried.
func (Engine) IsBusy(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "55P03" || e.Code == "40P01" || e.Code == "40001")
}
