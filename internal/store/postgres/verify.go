package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"ward/internal/audit"
	"ward/internal/store/stmtcount"
)

// VerifyAudit feeds the audit rows of organization org numbered from
// from to to (0: to the end), by sequence number, to v, on conn, inside
// the read-only transaction the caller holds open on it. It reads them
// through pgx itself, every value in text format as the server sends it
// (pgx's RawValues: no copy, no allocation a row): through database/sql,
// the driver made a string of each value and database/sql copied it
// again, which cost the client more CPU than the hashing and kept the
// server waiting (docs/performance.md, "Audit verify"). It returns v's first error
// (an *audit.BadEntry) or nil; the caller then checks v.End.
func VerifyAudit(ctx context.Context, conn *sql.Conn, org int64, v *audit.Verifier, from, to int64) error {
	query := "SELECT seq, at, actor, action, kind, key, data, prev, hash FROM audit WHERE org_id = $1 AND seq >= $2"
	args := []any{pgx.QueryResultFormats{pgx.TextFormatCode}, org, from}
	if to > 0 {
		query += " AND seq <= $3"
		args = append(args, to)
	}
	query += " ORDER BY seq"
	return withPgx(conn, "verify audit", func(c *pgx.Conn) error {
		// Rows in the primary key's order, streamed as the index gives
		// them, rather than gathered and sorted first: without statistics
		// (a trail just written, not yet analysed) the planner sorted
		// the whole trail before sending the first row.
		stmtcount.Add(ctx, 2)
		if _, err := c.Exec(ctx, "SET LOCAL enable_sort = off"); err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		defer rows.Close()
		var e audit.Stored
		for rows.Next() {
			vals := rows.RawValues()
			if len(vals) != 9 {
				return fmt.Errorf("verify audit: %d columns", len(vals))
			}
			if e.Seq, err = strconv.ParseInt(string(vals[0]), 10, 64); err != nil {
				return fmt.Errorf("verify audit: seq: %w", err)
			}
			e.At, e.Actor, e.Action, e.Kind, e.Key = vals[1], vals[2], vals[3], vals[4], vals[5]
			e.Data, e.Prev, e.Hash = vals[6], vals[7], vals[8]
			if err := v.Next(&e); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		return nil
	})
}
