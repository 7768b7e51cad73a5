package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"ward/internal/store/stmtcount"
)

// BenchmarkVerifyAuditPostgresWays reads one organization's trail of
// 30,000 entries out of PostgreSQL in the ways tried for issue 21's
// target (a verify at half SHA-256's speed), each against SHA-256 over
// the bytes the entries' hashes cover, one hash per entry, measured in
// the same run:
//
//   - index-text: what ward audit verify reads (the rows in the primary
//     key's order, text format, pgx's RawValues), not hashed here;
//   - physical-text: the same rows in the table's physical order (a
//     sequential scan, which the verifier would accept only while the
//     rows lie in sequence order);
//   - copy-binary: COPY (SELECT ... ORDER BY seq) TO STDOUT (FORMAT
//     binary), each row's fields walked in place;
//   - server-hash: the server computes every entry's hash (pg_catalog's
//     sha256 over the encoding audit.Hash uses) and its link to the
//     entry before (lag), and sends only the count that match.
//
// Metrics, for each way: WAY-server-cpu-ratio, SHA-256's CPU time
// against the server process's (when the server runs on this machine:
// /proc/PID/schedstat); WAY-client-cpu-ratio, against this thread's;
// WAY-ratio, against the clock. The client only reads here: a verify
// adds SHA-256's own time to it (except for server-hash).
func BenchmarkVerifyAuditPostgresWays(b *testing.B) {
	ctx := context.Background()
	s := openEngine(b, "postgres")
	org, err := s.CreateOrg(ctx, "bench", "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	appendEntries(b, s, org.ID, 30000)
	inputs, covered := hashInputs(b, s.Org(org))
	conn, err := s.db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var c *pgx.Conn
	conn.Raw(func(dc any) error { c = stmtcount.Unwrap(dc).(*stdlib.Conn).Conn(); return nil })
	n := int64(len(inputs))
	ways := []struct {
		name  string
		setup string
		read  func(tx pgx.Tx) (int64, error)
	}{
		{"index-text", "SET LOCAL enable_sort = off", func(tx pgx.Tx) (int64, error) {
			rows, err := tx.Query(ctx, "SELECT "+auditCols+" FROM audit WHERE org_id = $1 AND seq >= $2 ORDER BY seq",
				pgx.QueryResultFormats{pgx.TextFormatCode}, org.ID, 1)
			if err != nil {
				return 0, err
			}
			return countTextRows(rows)
		}},
		{"physical-text", "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL synchronize_seqscans = off; SET LOCAL max_parallel_workers_per_gather = 0",
			func(tx pgx.Tx) (int64, error) {
				rows, err := tx.Query(ctx, "SELECT "+auditCols+" FROM audit WHERE org_id = $1 AND seq >= $2",
					pgx.QueryResultFormats{pgx.TextFormatCode}, org.ID, 1)
				if err != nil {
					return 0, err
				}
				return countTextRows(rows)
			}},
		{"copy-binary", "SET LOCAL enable_sort = off", func(tx pgx.Tx) (int64, error) {
			var w copyRows
			_, err := tx.Conn().PgConn().CopyTo(ctx, &w,
				fmt.Sprintf("COPY (SELECT %s FROM audit WHERE org_id = %d AND seq >= 1 ORDER BY seq) TO STDOUT (FORMAT binary)", auditCols, org.ID))
			if err == nil {
				err = w.err
			}
			return w.rows, err
		}},
		{"server-hash", "SET LOCAL enable_sort = off", func(tx pgx.Tx) (int64, error) {
			var ok int64
			err := tx.QueryRow(ctx, "SELECT pg_catalog.count(*) FILTER (WHERE ok AND prev OPERATOR(pg_catalog.=) COALESCE(before, '')) FROM (SELECT "+
				serverHash+" OPERATOR(pg_catalog.=) hash AS ok, prev, pg_catalog.lag(hash) OVER (ORDER BY seq) AS before FROM audit WHERE org_id = $1 AND seq >= $2) t",
				org.ID, 1).Scan(&ok)
			return ok, err
		}},
	}
	// The ways take turns within each iteration, so that a change in the
	// machine's load falls on all of them alike.
	b.SetBytes(covered * int64(len(ways)))
	runtime.LockOSThread() // threadCPU: this goroutine's thread
	defer runtime.UnlockOSThread()
	clock := make([]time.Duration, len(ways))
	client := make([]time.Duration, len(ways))
	server := make([]time.Duration, len(ways))
	var shaCPU, sha time.Duration
	local := true
	for b.Loop() {
		for i, way := range ways {
			before, ok := processSchedCPU(int(c.PgConn().PID()))
			local = local && ok
			start, cpu := time.Now(), threadCPU()
			tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(ctx, way.setup); err != nil {
				b.Fatal(err)
			}
			got, err := way.read(tx)
			if err != nil || got != n {
				b.Fatal(way.name, got, n, err)
			}
			if err := tx.Rollback(ctx); err != nil {
				b.Fatal(err)
			}
			clock[i] += time.Since(start)
			client[i] += threadCPU() - cpu
			after, ok := processSchedCPU(int(c.PgConn().PID()))
			local = local && ok
			server[i] += after - before
		}
		b.StopTimer()
		start, cpu := time.Now(), threadCPU()
		for _, in := range inputs {
			sha256.Sum256(in)
		}
		sha += time.Since(start)
		shaCPU += threadCPU() - cpu
		b.StartTimer()
	}
	for i, way := range ways {
		b.ReportMetric(sha.Seconds()/clock[i].Seconds(), way.name+"-ratio")
		b.ReportMetric(shaCPU.Seconds()/client[i].Seconds(), way.name+"-client-cpu-ratio")
		if local {
			b.ReportMetric(shaCPU.Seconds()/server[i].Seconds(), way.name+"-server-cpu-ratio")
		}
	}
}

// serverHash is audit.Hash's encoding of an audit row, hashed by the
// server: every function and operator named in pg_catalog, so that no
// object of the same name elsewhere on the search path is used instead.
var serverHash = func() string {
	field := func(col string) string {
		return "pg_catalog.octet_length(" + col + "), ':', " + col + ", ','"
	}
	parts := []string{"'13:ward-audit-v1,'", field("seq::text")}
	for _, col := range []string{"at", "actor", "action", "kind", "key", "data", "prev"} {
		parts = append(parts, field(col))
	}
	return "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.concat(" + strings.Join(parts, ", ") + "), 'UTF8')), 'hex')"
}()

func countTextRows(rows pgx.Rows) (int64, error) {
	defer rows.Close()
	var n, last int64
	for rows.Next() {
		vals := rows.RawValues()
		seq, err := strconv.ParseInt(string(vals[0]), 10, 64)
		if err != nil {
			return n, err
		}
		if seq != last+1 {
			return n, fmt.Errorf("entry %d after %d", seq, last)
		}
		last = seq
		n++
	}
	return n, rows.Err()
}

// copyRows walks COPY's binary format (a header, then per row a field
// count and each field's length and bytes, then -1), one CopyData
// message at a time: the server sends each row in one.
type copyRows struct {
	rows, last int64
	header     bool
	err        error
}

var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (w *copyRows) Write(p []byte) (int, error) {
	n := len(p)
	if !w.header {
		if len(p) < len(copySignature)+8 || string(p[:len(copySignature)]) != string(copySignature) {
			w.err = errors.New("copy: no binary header")
			return n, nil
		}
		w.header = true
		p = p[len(copySignature)+8+int(binary.BigEndian.Uint32(p[len(copySignature)+4:])):]
		if len(p) == 0 {
			return n, nil
		}
	}
	if len(p) < 2 {
		w.err = errors.New("copy: short row")
		return n, nil
	}
	fields := int16(binary.BigEndian.Uint16(p))
	if fields == -1 {
		return n, nil
	}
	p = p[2:]
	for i := range int(fields) {
		if len(p) < 4 {
			w.err = errors.New("copy: short field")
			return n, nil
		}
		l := int(int32(binary.BigEndian.Uint32(p)))
		p = p[4:]
		if l < 0 || l > len(p) {
			w.err = errors.New("copy: bad field length")
			return n, nil
		}
		if i == 0 {
			if seq := int64(binary.BigEndian.Uint64(p)); seq != w.last+1 {
				w.err = fmt.Errorf("copy: entry %d after %d", seq, w.last)
			} else {
				w.last = seq
			}
		}
		p = p[l:]
	}
	w.rows++
	return n, nil
}

// processSchedCPU is process pid's CPU time so far from
// /proc/PID/schedstat, if it is a postgres process on this machine.
func processSchedCPU(pid int) (time.Duration, bool) {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || !strings.HasPrefix(string(comm), "postgres") {
		return 0, false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		return 0, false
	}
	ns, err := strconv.ParseInt(strings.Fields(string(stat))[0], 10, 64)
	return time.Duration(ns), err == nil
}
