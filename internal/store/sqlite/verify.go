package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	sqlite "modernc.org/sqlite"

	"ward/internal/audit"
)

// VerifyAudit feeds the audit rows of organization org numbered from
// from to to (0: to the end), by sequence number, to v, inside SQLite: an
// aggregate function hands each row to v as SQLite holds it, without
// copying its values and without stepping through the rows in
// database/sql, which cost two and a half times SQLite's own reading of
// the rows, and seven times the hashing (docs/performance.md, "Audit verify"). It
// returns v's first error (an *audit.BadEntry), ErrRowOrder, or nil; the
// caller then checks v.End.
func VerifyAudit(ctx context.Context, tx *sql.Tx, org int64, v *audit.Verifier, from, to int64) error {
	run := &verifyRun{v: v}
	id := verifyRuns.add(run)
	defer verifyRuns.remove(id)
	// An aggregate takes its rows in the order the scan gives them: the
	// scan of the primary key's index, (org_id, seq), gives them by seq.
	// Step checks it, and stops rather than name an entry out of order.
	query := "SELECT ward_audit_verify(?, seq, at, actor, action, kind, key, data, prev, hash) FROM audit INDEXED BY sqlite_autoindex_audit_1 WHERE org_id = ? AND seq >= ?"
	args := []any{id, org, from}
	if to > 0 {
		query += " AND seq <= ?"
		args = append(args, to)
	}
	var rows int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&rows)
	if run.err != nil {
		return run.err
	}
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	return nil
}

// verifyRun is one VerifyAudit call as the aggregate sees it.
type verifyRun struct {
	v    *audit.Verifier
	seq  int64 // the last row's, to tell rows out of order
	rows int64
	err  error
}

// verifyRuns maps the id a query passes as the aggregate's first
// argument to its run: the driver makes the aggregate, not the caller.
var verifyRuns = runs{m: map[int64]*verifyRun{}}

type runs struct {
	mu sync.Mutex
	m  map[int64]*verifyRun
}

// add gives run the smallest id not in use: below 256 (as many runs as
// connections), boxing it as the aggregate's first argument, once a row,
// allocates nothing.
func (r *runs) add(run *verifyRun) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := int64(1)
	for r.m[id] != nil {
		id++
	}
	r.m[id] = run
	return id
}

func (r *runs) remove(id int64) {
	r.mu.Lock()
	delete(r.m, id)
	r.mu.Unlock()
}

func (r *runs) get(id int64) *verifyRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[id]
}

// errStop ends the query at the first bad entry; run.err says which.
var errStop = errors.New("audit verify stopped")

type verifyAgg struct {
	run *verifyRun
	e   audit.Stored
}

func (a *verifyAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.run == nil {
		id, _ := args[0].(int64)
		if a.run = verifyRuns.get(id); a.run == nil {
			return fmt.Errorf("ward_audit_verify: no verify %d under way", id)
		}
	}
	run := a.run
	seq, ok := args[1].(int64)
	if !ok {
		return fmt.Errorf("ward_audit_verify: seq is %T", args[1])
	}
	if run.rows > 0 && seq <= run.seq {
		run.err = fmt.Errorf("verify audit: SQLite handed over the rows out of sequence order (%d after %d)", seq, run.seq)
		return errStop
	}
	run.seq, run.rows = seq, run.rows+1
	e := &a.e
	e.Seq = seq
	e.At, e.Actor, e.Action, e.Kind, e.Key = view(args[2]), view(args[3]), view(args[4]), view(args[5]), view(args[6])
	e.Data, e.Prev, e.Hash = view(args[7]), view(args[8]), view(args[9])
	if err := run.v.Next(e); err != nil {
		run.err = err
		return errStop
	}
	return nil
}

// view is a text or blob value as bytes, without a copy: valid only until
// Step returns (the verifier keeps none of it).
func view(v driver.Value) []byte {
	switch v := v.(type) {
	case string:
		return unsafe.Slice(unsafe.StringData(v), len(v))
	case []byte:
		return v
	case int64:
		return fmt.Appendf(nil, "%d", v)
	case float64:
		return fmt.Appendf(nil, "%v", v)
	}
	return nil
}

func (a *verifyAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("ward_audit_verify is not a window function")
}

func (a *verifyAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if a.run == nil {
		return int64(0), nil
	}
	return a.run.rows, nil
}

func (a *verifyAgg) Final(*sqlite.FunctionContext) {}

func init() {
	sqlite.MustRegisterFunction("ward_audit_verify", &sqlite.FunctionImpl{
		NArgs:        10,
		VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &verifyAgg{}, nil
		},
	})
}
