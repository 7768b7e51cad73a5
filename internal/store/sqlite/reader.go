package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"ward/internal/audit"
)

// Reader is a read-only connection of ward's own to a database file,
// opened through SQLite's C API as modernc translated it to Go
// (modernc.org/sqlite/lib), not through database/sql. The driver's
// connections and a Reader run the same SQLite in the same process, so
// they share its locks and the WAL index: a Reader's read transaction is
// a snapshot like any other connection's.
//
// The audit verify reads the trail through it: the driver boxes each
// value of each row (an allocation a value, and a copy in database/sql's
// rows), where a Reader hands the verifier views of SQLite's own memory
// (docs/performance.md, "Audit verify").
//
// A Reader is used by one goroutine at a time.
type Reader struct {
	tls *libc.TLS
	db  uintptr
	tx  bool
}

// OpenReader opens a read-only connection to the database file at path,
// which must exist. busy is how long it waits for a lock (as the
// driver's connections do); zero means DefaultBusyTimeout.
func OpenReader(path string, busy time.Duration) (*Reader, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: a reader needs a database file, not %q", path)
	}
	r := &Reader{tls: libc.NewTLS()}
	name, err := libc.CString(path)
	if err != nil {
		r.Close()
		return nil, err
	}
	pdb := libc.Xmalloc(r.tls, 8)
	if pdb == 0 {
		libc.Xfree(r.tls, name)
		r.Close()
		return nil, errors.New("sqlite: out of memory")
	}
	*(*uintptr)(cptr(pdb)) = 0
	rc := sqlite3.Xsqlite3_open_v2(r.tls, name, pdb, sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_EXRESCODE, 0)
	r.db = *(*uintptr)(cptr(pdb)) // set even on failure, to be closed
	libc.Xfree(r.tls, pdb)
	libc.Xfree(r.tls, name)
	if rc != sqlite3.SQLITE_OK {
		err := r.err(rc)
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	sqlite3.Xsqlite3_busy_timeout(r.tls, r.db, int32(busy.Milliseconds()))
	// A reader steps through the rows once, in order: a few pages of
	// cache hold the path from the root. The default cache (2 MB) cost
	// more than it saved: each page is allocated when first read and
	// freed (one madvise system call each) when the connection closes.
	if err := r.exec("PRAGMA cache_size = 16"); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close ends the connection (and a transaction left open).
func (r *Reader) Close() error {
	if r.db != 0 {
		sqlite3.Xsqlite3_close_v2(r.tls, r.db)
		r.db = 0
	}
	if r.tls != nil {
		r.tls.Close()
		r.tls = nil
	}
	return nil
}

// Begin starts a read transaction: its snapshot is taken by the first
// read in it, and every read until End sees that snapshot.
func (r *Reader) Begin() error {
	if err := r.exec("BEGIN"); err != nil {
		return err
	}
	r.tx = true
	return nil
}

// End ends the read transaction.
func (r *Reader) End() error {
	if !r.tx {
		return nil
	}
	r.tx = false
	return r.exec("COMMIT")
}

func (r *Reader) exec(query string) error {
	return r.query(query, nil, func(uintptr) error { return nil })
}

// err is the connection's error for result code rc.
func (r *Reader) err(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(r.tls, rc))
	if r.db != 0 {
		if m := libc.GoString(sqlite3.Xsqlite3_errmsg(r.tls, r.db)); m != "" && m != msg {
			msg += ": " + m
		}
	}
	return fmt.Errorf("sqlite: %s (%d)", msg, rc)
}

// query runs query with the integer arguments args (?1, ?2, ...) and
// calls row for each row with the statement, whose columns are valid
// until row returns. row's error stops the query and is returned.
func (r *Reader) query(query string, args []int64, row func(stmt uintptr) error) error {
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(r.tls, q)
	pstmt := libc.Xmalloc(r.tls, 8)
	if pstmt == 0 {
		return errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(r.tls, pstmt)
	*(*uintptr)(cptr(pstmt)) = 0
	if rc := sqlite3.Xsqlite3_prepare_v2(r.tls, r.db, q, -1, pstmt, 0); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("%w: %s", r.err(rc), query)
	}
	stmt := *(*uintptr)(cptr(pstmt))
	defer sqlite3.Xsqlite3_finalize(r.tls, stmt)
	for i, a := range args {
		if rc := sqlite3.Xsqlite3_bind_int64(r.tls, stmt, int32(i+1), a); rc != sqlite3.SQLITE_OK {
			return r.err(rc)
		}
	}
	for {
		switch rc := sqlite3.Xsqlite3_step(r.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			if err := row(stmt); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return r.err(rc)
		}
	}
}

// column is column i of the current row as bytes: a view of SQLite's
// memory, valid until the statement steps again (nil for NULL and for
// an empty value).
func (r *Reader) column(stmt uintptr, i int32) []byte {
	p := sqlite3.Xsqlite3_column_blob(r.tls, stmt, i)
	n := sqlite3.Xsqlite3_column_bytes(r.tls, stmt, i)
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(cptr(p)), n)
}

// AuditHead is organization org's audit head in the transaction's
// snapshot: sequence number 0 when it has none.
func (r *Reader) AuditHead(org int64) (audit.Head, error) {
	var h audit.Head
	err := r.query("SELECT seq, hash FROM audit_head WHERE org_id = ?1", []int64{org}, func(stmt uintptr) error {
		h.Seq = sqlite3.Xsqlite3_column_int64(r.tls, stmt, 0)
		h.Hash = string(r.column(stmt, 1))
		return nil
	})
	return h, err
}

// AuditPast reports whether organization org has audit entries numbered
// after seq in the transaction's snapshot.
func (r *Reader) AuditPast(org, seq int64) (bool, error) {
	past := false
	err := r.query("SELECT 1 FROM audit WHERE org_id = ?1 AND seq > ?2 LIMIT 1", []int64{org, seq}, func(uintptr) error {
		past = true
		return nil
	})
	return past, err
}

// VerifyAudit feeds organization org's audit entries numbered from..to
// (to 0: to the end), in sequence order, to v. It returns v's first
// error (an *audit.BadEntry), ctx's error or SQLite's, or nil; the caller
// then checks v.End.
func (r *Reader) VerifyAudit(ctx context.Context, org int64, v *audit.Verifier, from, to int64) error {
	return r.ReadAudit(ctx, org, from, to, v.Next)
}

// ReadAudit calls f with each of organization org's audit entries
// numbered from..to (to 0: to the end), in sequence order, each field a
// view of SQLite's memory valid until f returns. f's error stops it and
// is returned.
func (r *Reader) ReadAudit(ctx context.Context, org, from, to int64, f func(*audit.Stored) error) error {
	if to <= 0 {
		to = 1<<63 - 1
	}
	var e audit.Stored
	n := 0
	return r.query("SELECT seq, at, actor, action, kind, key, data, prev, hash FROM audit WHERE org_id = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq",
		[]int64{org, from, to}, func(stmt uintptr) error {
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e.Seq = sqlite3.Xsqlite3_column_int64(r.tls, stmt, 0)
			e.At, e.Actor, e.Action = r.column(stmt, 1), r.column(stmt, 2), r.column(stmt, 3)
			e.Kind, e.Key, e.Data = r.column(stmt, 4), r.column(stmt, 5), r.column(stmt, 6)
			e.Prev, e.Hash = r.column(stmt, 7), r.column(stmt, 8)
			return f(&e)
		})
}

// cptr is the address p in SQLite's memory as a pointer. That memory is
// modernc's C heap, outside Go's (the garbage collector neither moves
// nor frees it), so a pointer to it stays valid until SQLite frees it.
func cptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
