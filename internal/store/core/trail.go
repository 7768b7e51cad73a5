package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"ward/internal/audit"
)

// AuditCols are the columns of an audit row (an organization's trail,
// audit, and the accounts', account_audit), in ScanAudit's order.
const AuditCols = "seq, at, actor, action, kind, key, data, prev, hash"

// ScanAudit reads the audit rows rs (AuditCols) and closes rs.
func ScanAudit(rs *sql.Rows) ([]audit.Entry, error) {
	defer rs.Close()
	var out []audit.Entry
	for rs.Next() {
		var e audit.Entry
		var at, data string
		if err := rs.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Kind, &e.Key, &data, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		var err error
		if e.At, err = ParseTime(at); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, rs.Err()
}

// OrgTrail reads organization orgID's whole audit trail, oldest first,
// and its head, in tx (a backup's or a restore's transaction, or a
// snapshot).
func (d *DB) OrgTrail(ctx context.Context, tx *sql.Tx, orgID int64) ([]audit.Entry, audit.Head, error) {
	return readTrail(ctx, tx, d.Q("SELECT "+AuditCols+" FROM audit WHERE org_id = ? ORDER BY seq"), d.Q("SELECT seq, hash FROM audit_head WHERE org_id = ?"), orgID)
}

// AccountTrail reads the accounts' whole audit trail, oldest first, and
// its head (seq 0 before the first entry), in tx.
func AccountTrail(ctx context.Context, tx *sql.Tx) ([]audit.Entry, audit.Head, error) {
	return readTrail(ctx, tx, "SELECT "+AuditCols+" FROM account_audit ORDER BY seq", "SELECT seq, hash FROM account_audit_head WHERE id = 1")
}

// readTrail reads a trail's entries with query and its head with head
// (seq 0 when it has none), both given args, in tx.
func readTrail(ctx context.Context, tx *sql.Tx, query, head string, args ...any) ([]audit.Entry, audit.Head, error) {
	rs, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, audit.Head{}, err
	}
	entries, err := ScanAudit(rs)
	if err != nil {
		return nil, audit.Head{}, err
	}
	var h audit.Head
	err = tx.QueryRowContext(ctx, head, args...).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, audit.Head{}, err
	}
	return entries, h, nil
}

// SplitSQL splits a migration into statements at semicolons that end a
// line, dropping -- comments. Migrations keep to that shape.
func SplitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
