package store

import (
	"context"
	"database/sql"
	"errors"

	"ward/internal/audit"
	"ward/internal/store/core"
)

// The accounts' trail is written by package accounts (accounts.Write),
// in the transaction of each account change. Reading it, verifying it
// and carrying it through backups is here, beside an organization's
// trail, with which it shares its columns and its verifier.

// AccountLog lists the accounts' trail newest first; limit <= 0 means
// all. key, when not "", keeps one account's entries.
func (s *Store) AccountLog(ctx context.Context, key string, limit, offset int) ([]AuditEntry, error) {
	query := "SELECT " + auditCols + " FROM account_audit"
	var args []any
	if key != "" {
		query += " WHERE key = ?"
		args = append(args, normEmail(key))
	}
	query += " ORDER BY seq DESC"
	if limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, limit, max(offset, 0))
	}
	rs, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	return scanAudit(rs)
}

// AccountHead is the accounts' trail's current checkpoint (seq 0 before
// the first entry).
func (s *Store) AccountHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := s.db.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	return h, err
}

// AccountAuditAll lists the accounts' trail oldest first.
func (s *Store) AccountAuditAll(ctx context.Context) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = s.accountAuditWithHead(ctx, tx)
		return err
	})
	return out, err
}

func (s *Store) accountAuditWithHead(ctx context.Context, tx *sql.Tx) ([]AuditEntry, audit.Head, error) {
	return core.AccountTrail(ctx, tx)
}

// VerifyAccountAudit recomputes the accounts' trail against its head, in
// one snapshot: nil, or an *audit.BadEntry naming the first bad entry.
func (s *Store) VerifyAccountAudit(ctx context.Context) error {
	return s.inReadTx(ctx, func(tx *sql.Tx) error {
		var h audit.Head
		err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1").Scan(&h.Seq, &h.Hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		rs, err := tx.QueryContext(ctx, "SELECT "+auditCols+" FROM account_audit ORDER BY seq")
		if err != nil {
			return err
		}
		return verifyRows(rs, h) // row by row, in constant memory
	})
}
