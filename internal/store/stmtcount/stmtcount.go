// Package stmtcount counts the statements a piece of work sends to the
// database: every query, exec, BEGIN, COMMIT and ROLLBACK that goes
// through a connection wrapped by Connector, added to the Counter carried
// by the context the call was made with. On PostgreSQL each is a round
// trip, so the count of a request is its round trips; on SQLite it is the
// statements stepped.
//
// The web server puts a Counter on every request (its log line says how
// many statements it took) and the tests hold the hot paths to a number,
// so that a regression in round trips shows as a count, not as a time.
//
// It must not import the store (the engines use it).
package stmtcount

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// Counter is a number of statements, safe for concurrent use.
type Counter struct{ n atomic.Int64 }

// Load is the count so far.
func (c *Counter) Load() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

type key struct{}

// With returns ctx carrying a new Counter, and the Counter.
func With(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, key{}, c), c
}

// From is the Counter ctx carries, or nil.
func From(ctx context.Context) *Counter {
	c, _ := ctx.Value(key{}).(*Counter)
	return c
}

// Add counts n statements on ctx's Counter, if it has one.
func Add(ctx context.Context, n int64) {
	if c := From(ctx); c != nil {
		c.n.Add(n)
	}
}

// Connector wraps c so that what its connections send is counted.
func Connector(c driver.Connector) driver.Connector { return connector{c} }

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{dc}, nil
}

// conn passes every call on. Both engines' connections implement the
// context interfaces (pgx's stdlib.Conn, modernc's sqlite conn), so the
// old forms without a context are never reached through database/sql.
type conn struct{ driver.Conn }

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &stmt{st, c}, nil
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, driver.ErrSkip
	}
	Add(ctx, 1)
	t, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tx{t, ctx}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	Add(ctx, 1)
	return e.ExecContext(ctx, query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	Add(ctx, 1)
	return q.QueryContext(ctx, query, args)
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		Add(ctx, 1)
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type tx struct {
	driver.Tx
	ctx context.Context
}

func (t *tx) Commit() error {
	Add(t.ctx, 1)
	return t.Tx.Commit()
}

func (t *tx) Rollback() error {
	Add(t.ctx, 1)
	return t.Tx.Rollback()
}

type stmt struct {
	driver.Stmt
	c *conn
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	Add(ctx, 1)
	return e.ExecContext(ctx, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	Add(ctx, 1)
	return q.QueryContext(ctx, args)
}

func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	// database/sql asks the statement instead of the connection when
	// the statement has a checker: ask the connection's.
	return s.c.CheckNamedValue(nv)
}

// Unwrap is the driver's own connection under one of Connector's, for
// code that talks to the driver directly (sql.Conn.Raw); it must count
// what it sends itself (Add).
func Unwrap(dc any) any {
	if c, ok := dc.(*conn); ok {
		return c.Conn
	}
	return dc
}
