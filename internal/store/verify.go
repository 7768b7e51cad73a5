package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"runtime"
	"time"

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
	err := o.inAuditSnapshot(ctx, func(snap auditSnapshot) error {
		var err error
		if head, err = snap.head(ctx); err != nil {
			return err
		}
		n = int(min(int64(n), head.Seq/max(verifyRangeMin, 1)))
		if n < 2 {
			return verifyWhole(ctx, snap, head)
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
	return o.inAuditSnapshot(ctx, func(snap auditSnapshot) error {
		head, err := snap.head(ctx)
		if err != nil {
			return err
		}
		return verifyWhole(ctx, snap, head)
	})
}

// verifyWhole checks the whole chain in snap against head.
func verifyWhole(ctx context.Context, snap auditSnapshot, head audit.Head) error {
	v := audit.NewVerifier()
	if err := snap.verify(ctx, v, 1, 0); err != nil {
		return err
	}
	return v.End(head)
}

// auditSnapshot is one organization's audit trail as one read-only
// snapshot of the database holds it.
type auditSnapshot interface {
	// head is the audit head (sequence number 0 when there is none).
	head(ctx context.Context) (audit.Head, error)
	// past reports whether there are entries numbered after seq.
	past(ctx context.Context, seq int64) (bool, error)
	// verify passes the entries numbered from..to (to 0: to the end),
	// by sequence number, to v; it returns v's first error or the
	// database's.
	verify(ctx context.Context, v *audit.Verifier, from, to int64) error
}

// inAuditSnapshot runs f in a read-only snapshot of its own: on a SQLite
// file, on a connection of the verify's own (sqlite.Reader, which hands
// the verifier views of SQLite's memory instead of copies); otherwise in
// a read-only transaction on a connection from the pool.
func (o *OrgStore) inAuditSnapshot(ctx context.Context, f func(auditSnapshot) error) error {
	if o.s.file != "" {
		r, err := o.s.reader()
		if err != nil {
			return err
		}
		if err := r.Begin(); err != nil {
			r.Close()
			return err
		}
		err = f(readerSnapshot{r, o.org.ID})
		if endErr := r.End(); endErr != nil {
			r.Close()
			return cmp.Or(err, endErr)
		}
		o.s.putReader(r)
		return err
	}
	return o.s.inReadConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		return f(txSnapshot{o, conn, tx})
	})
}

// maxIdleReaders is how many of the verify's connections the store
// keeps for the next verify: as many as it has ranges at most.
const maxIdleReaders = 4

// reader is an idle connection of the verify's own to the SQLite file,
// or a new one.
func (s *Store) reader() (*sqlitedb.Reader, error) {
	s.readersMu.Lock()
	if n := len(s.readers); n > 0 {
		r := s.readers[n-1]
		s.readers = s.readers[:n-1]
		s.readersMu.Unlock()
		return r, nil
	}
	s.readersMu.Unlock()
	busy := time.Duration(0)
	if e, ok := s.eng.(sqlitedb.Engine); ok {
		busy = e.BusyTimeout
	}
	return sqlitedb.OpenReader(s.file, busy)
}

// putReader keeps r, out of any transaction, for the next verify, or
// closes it.
func (s *Store) putReader(r *sqlitedb.Reader) {
	s.readersMu.Lock()
	defer s.readersMu.Unlock()
	if s.closed || len(s.readers) >= maxIdleReaders {
		r.Close()
		return
	}
	s.readers = append(s.readers, r)
}

// readerSnapshot is a snapshot on a sqlite.Reader.
type readerSnapshot struct {
	r   *sqlitedb.Reader
	org int64
}

func (s readerSnapshot) head(context.Context) (audit.Head, error) { return s.r.AuditHead(s.org) }
func (s readerSnapshot) past(_ context.Context, seq int64) (bool, error) {
	return s.r.AuditPast(s.org, seq)
}
func (s readerSnapshot) verify(ctx context.Context, v *audit.Verifier, from, to int64) error {
	return s.r.VerifyAudit(ctx, s.org, v, from, to)
}

// txSnapshot is a snapshot in a read-only transaction tx, open on conn.
type txSnapshot struct {
	o    *OrgStore
	conn *sql.Conn
	tx   *sql.Tx
}

func (s txSnapshot) head(ctx context.Context) (audit.Head, error) { return s.o.auditHead(ctx, s.tx) }

func (s txSnapshot) past(ctx context.Context, seq int64) (bool, error) {
	var past bool
	err := s.tx.QueryRowContext(ctx, s.o.s.q("SELECT EXISTS (SELECT 1 FROM audit WHERE org_id = ? AND seq > ?)"), s.o.org.ID, seq).Scan(&past)
	return past, err
}

func (s txSnapshot) verify(ctx context.Context, v *audit.Verifier, from, to int64) error {
	o := s.o
	if o.s.eng.Name() == "postgres" {
		return pgdb.VerifyAudit(ctx, s.conn, o.org.ID, v, from, to)
	}
	query := "SELECT " + auditCols + " FROM audit WHERE org_id = ? AND seq >= ?"
	args := []any{o.org.ID, from}
	if to > 0 {
		query += " AND seq <= ?"
		args = append(args, to)
	}
	rs, err := s.tx.QueryContext(ctx, o.s.q(query+" ORDER BY seq"), args...)
	if err != nil {
		return err
	}
	return feedRows(rs, v)
}

func (o *OrgStore) auditHead(ctx context.Context, tx *sql.Tx) (audit.Head, error) {
	var h audit.Head
	err := tx.QueryRowContext(ctx, o.s.q("SELECT seq, hash FROM audit_head WHERE org_id = ?"), o.org.ID).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, err
	}
	return h, nil
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
			errs <- o.inAuditSnapshot(ctx, func(snap auditSnapshot) error {
				if i == n-1 {
					// Nothing past the head, in this snapshot.
					past, err := snap.past(ctx, head.Seq)
					if err != nil {
						return err
					}
					if past {
						return errPastHead
					}
				}
				return snap.verify(ctx, vs[i], bounds[i]+1, bounds[i+1])
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
