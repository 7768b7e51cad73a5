package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"ward/internal/audit"
)

// The accounts' trail is a hash chain like an organization's (package
// audit), kept in account_audit with its head in account_audit_head (one
// row, id 1). Every account change appends to it in the same transaction
// as the change; logins, logouts and failed logins are appended by the
// web app through RecordAccount.

// KindAccount is the kind of every entry on the accounts' trail; its key
// is the account's e-mail address ("" for a failed login that named no
// account: what was typed is never kept, as it is sometimes a password).
const KindAccount = "account"

type accountWriter struct {
	s     *Store
	ctx   context.Context
	tx    *sql.Tx
	head  audit.Head
	actor string
	now   string
}

// accountWrite runs f in one write transaction holding the accounts'
// trail head, and commits with the head moved past f's entries.
func (s *Store) accountWrite(ctx context.Context, actor string, f func(w *accountWriter) error) error {
	if actor == "" {
		return errors.New("every account change needs an actor (who made it) for the audit trail")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The head row is made by the first write (a restore into a new
	// database must find the table empty); ON CONFLICT lets two first
	// writers race safely on both engines.
	if _, err := tx.ExecContext(ctx, "INSERT INTO account_audit_head (id, seq, hash) VALUES (1, 0, '') ON CONFLICT (id) DO NOTHING"); err != nil {
		return err
	}
	w := &accountWriter{s: s, ctx: ctx, tx: tx, actor: actor, now: fmtTime(s.now())}
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1"+s.eng.LockHead()).Scan(&w.head.Seq, &w.head.Hash); err != nil {
		return err
	}
	if err := f(w); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE account_audit_head SET seq = ?, hash = ? WHERE id = 1"), w.head.Seq, w.head.Hash); err != nil {
		return err
	}
	return tx.Commit()
}

func (w *accountWriter) exec(query string, args ...any) error {
	_, err := w.tx.ExecContext(w.ctx, w.s.q(query), args...)
	return err
}

func (w *accountWriter) user(id int64) (User, error) {
	u, err := scanUser(w.tx.QueryRowContext(w.ctx, w.s.q("SELECT "+userCols+" FROM users WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// endSessions ends every live session of userID but keep (a token hash,
// or ""), and says how many.
func (w *accountWriter) endSessions(userID int64, keep, why string) (int64, error) {
	res, err := w.tx.ExecContext(w.ctx, w.s.q("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_id = ? AND ended_at IS NULL AND token_hash <> ?"),
		w.now, why, userID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (w *accountWriter) audit(action, key string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	e := audit.Entry{Seq: w.head.Seq + 1, At: w.s.now().UTC(), Actor: w.actor, Action: action, Kind: KindAccount, Key: key, Data: raw}
	w.head = audit.Link(w.head, &e)
	return w.exec(`INSERT INTO account_audit (seq, at, actor, action, kind, key, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, fmtTime(e.At), e.Actor, e.Action, e.Kind, e.Key, string(e.Data), e.Prev, e.Hash)
}

// Account events the web app records.
const (
	EventLogin       = "login"
	EventLogout      = "logout"
	EventLoginFailed = "login.failed"
)

// RecordAccount appends an event that changes no account (a login, a
// logout, a failed login) to the accounts' trail. key is the account's
// e-mail, or "" when the event names no account.
func (s *Store) RecordAccount(ctx context.Context, actor, action, key string, data any) error {
	if action == "" {
		return errors.New("an audit event needs an action")
	}
	return s.accountWrite(ctx, actor, func(w *accountWriter) error { return w.audit(action, key, data) })
}

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
	rs, err := tx.QueryContext(ctx, "SELECT "+auditCols+" FROM account_audit ORDER BY seq")
	if err != nil {
		return nil, audit.Head{}, err
	}
	entries, err := scanAudit(rs)
	if err != nil {
		return nil, audit.Head{}, err
	}
	var h audit.Head
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1").Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, audit.Head{}, err
	}
	return entries, h, nil
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
