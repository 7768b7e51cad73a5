package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"

	"ward/internal/audit"
	pgdb "ward/internal/store/postgres"
	sqlitedb "ward/internal/store/sqlite"
)

// How VerifyAudit splits a long trail: into as many ranges as there are
// processors (at most 4), none shorter than verifyRangeMin entries, each
// checked on its own connection. Variables, so that tests can split
// short trails and benchmarks can compare one range with several.
var (
	verifyRanges         = min(runtime.GOMAXPROCS(0), 4)
	verifyRangeMin int64 = 10000
)

// VerifyAudit recomputes the whole chain against the stored head: nil, or
// an *audit.BadEntry naming the first bad entry. It reads the entries row
// by row, in constant memory.
//
// A long trail is checked in ranges at once, one connection and one
// read-only snapshot each: entries up to the head, read in the first
// snapshot, are never rewritten by ward, so each range holds the same
// rows in every snapshot, and the ranges join where each one's last hash
// is the next one's first prev. Any finding at all (or an entry past the
// head) is checked again in one snapshot, from the first entry, so that
// the answer is the one a single pass gives.
func (o *OrgStore) VerifyAudit(ctx context.Context) error {
	n := verifyRanges
	var head audit.Head
	split := false
	err := o.s.inReadConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		var err error
		if head, err = o.auditHead(ctx, tx); err != nil {
			return err
		}
		n = int(min(int64(n), head.Seq/max(verifyRangeMin, 1)))
		if n < 2 {
			return o.verifyInTx(ctx, conn, tx, head)
		}
		split = true
		return nil
	})
	if err != nil || !split {
		return err
	}
	if o.verifyRanges(ctx, head, n) {
		return nil
	}
	return o.s.inReadConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		head, err := o.auditHead(ctx, tx)
		if err != nil {
			return err
		}
		return o.verifyInTx(ctx, conn, tx, head)
	})
}

func (o *OrgStore) auditHead(ctx context.Context, tx *sql.Tx) (audit.Head, error) {
	var h audit.Head
	err := tx.QueryRowContext(ctx, o.s.q("SELECT seq, hash FROM audit_head WHERE org_id = ?"), o.org.ID).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, err
	}
	return h, nil
}

// verifyInTx checks the whole chain in tx's snapshot (on conn).
func (o *OrgStore) verifyInTx(ctx context.Context, conn *sql.Conn, tx *sql.Tx, head audit.Head) error {
	v := audit.NewVerifier()
	if err := o.verifyRange(ctx, conn, tx, v, 1, 0); err != nil {
		return err
	}
	return v.End(head)
}

// verifyRange passes the entries numbered from..to (to 0: to the end) to
// v in tx's snapshot (tx is open on conn).
func (o *OrgStore) verifyRange(ctx context.Context, conn *sql.Conn, tx *sql.Tx, v *audit.Verifier, from, to int64) error {
	switch o.s.eng.Name() {
	case "sqlite":
		return sqlitedb.VerifyAudit(ctx, tx, o.org.ID, v, from, to)
	case "postgres":
		return pgdb.VerifyAudit(ctx, conn, o.org.ID, v, from, to)
	}
	query := "SELECT " + auditCols + " FROM audit WHERE org_id = ? AND seq >= ?"
	args := []any{o.org.ID, from}
	if to > 0 {
		query += " AND seq <= ?"
		args = append(args, to)
	}
	rs, err := tx.QueryContext(ctx, o.s.q(query+" ORDER BY seq"), args...)
	if err != nil {
		return err
	}
	return feedRows(rs, v)
}

// verifyRanges checks entries 1 to head.Seq in n ranges at once, and
// reports whether all of them verified and joined up, with nothing past
// the head; false for any finding or error, which the caller checks
// again in one pass.
func (o *OrgStore) verifyRanges(ctx context.Context, head audit.Head, n int) bool {
	bounds := make([]int64, n+1) // range i is bounds[i]+1 .. bounds[i+1]
	for i := range bounds {
		bounds[i] = head.Seq * int64(i) / int64(n)
	}
	vs := make([]*audit.Verifier, n)
	errs := make(chan error, n)
	for i := range n {
		vs[i] = audit.NewVerifierFrom(bounds[i] + 1)
		go func() {
			errs <- o.s.inReadConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
				if i == n-1 {
					// Nothing past the head, in this snapshot.
					var past bool
					err := tx.QueryRowContext(ctx, o.s.q("SELECT EXISTS (SELECT 1 FROM audit WHERE org_id = ? AND seq > ?)"), o.org.ID, head.Seq).Scan(&past)
					if err != nil {
						return err
					}
					if past {
						return errPastHead
					}
				}
				return o.verifyRange(ctx, conn, tx, vs[i], bounds[i]+1, bounds[i+1])
			})
		}()
	}
	ok := true
	for range n {
		if err := <-errs; err != nil {
			ok = false
		}
	}
	if !ok {
		return false
	}
	for i, v := range vs {
		seq, last := v.Last()
		if seq != bounds[i+1] {
			return false
		}
		if i+1 < n {
			first, checked := vs[i+1].FirstPrev()
			if !checked || string(first) != string(last) {
				return false
			}
		}
	}
	return vs[n-1].End(head) == nil
}

var errPastHead = errors.New("audit entries past the head")
