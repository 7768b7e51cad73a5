package accounts

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

// Writer appends to the accounts' trail within one transaction (Write,
// WriterOn).
type Writer struct {
	a     *Accounts
	ctx   context.Context
	tx    *sql.Tx
	head  audit.Head
	actor string
	now   string
}

// Write runs f in one write transaction holding the accounts' trail
// head, and commits with the head moved past f's entries. It is a
// function, not a method, so that it is not one of the store's methods:
// package store uses it for what it keeps on the accounts' trail
// (notification preferences).
func Write(a *Accounts, ctx context.Context, actor string, f func(w *Writer) error) error {
	return a.accountWrite(ctx, actor, f)
}

func (a *Accounts) accountWrite(ctx context.Context, actor string, f func(w *Writer) error) error {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w, err := a.writerOn(ctx, tx, actor)
	if err != nil {
		return err
	}
	if err := f(w); err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	return tx.Commit()
}

// WriterOn writes to the accounts' trail within tx (a transaction that
// also holds an organization's head: that head is always locked first).
// Call Save before the transaction commits. Package store uses it to
// create an account in the transaction that accepts an invitation.
func WriterOn(a *Accounts, ctx context.Context, tx *sql.Tx, actor string) (*Writer, error) {
	return a.writerOn(ctx, tx, actor)
}

func (a *Accounts) writerOn(ctx context.Context, tx *sql.Tx, actor string) (*Writer, error) {
	if actor == "" {
		return nil, errors.New("every account change needs an actor (who made it) for the audit trail")
	}
	// The head row is made by the first write (a restore into a new
	// database must find the table empty); ON CONFLICT lets two first
	// writers race safely on both engines.
	if _, err := tx.ExecContext(ctx, "INSERT INTO account_audit_head (id, seq, hash) VALUES (1, 0, '') ON CONFLICT (id) DO NOTHING"); err != nil {
		return nil, err
	}
	w := &Writer{a: a, ctx: ctx, tx: tx, actor: actor, now: fmtTime(a.now())}
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1"+a.eng.LockHead()).Scan(&w.head.Seq, &w.head.Hash); err != nil {
		return nil, err
	}
	return w, nil
}

// Save moves the trail's head past the entries w appended.
func (w *Writer) Save() error {
	return w.Exec("UPDATE account_audit_head SET seq = ?, hash = ? WHERE id = 1", w.head.Seq, w.head.Hash)
}

// Now is the time of w's changes, as stored.
func (w *Writer) Now() string { return w.now }

func (w *Writer) Exec(query string, args ...any) error {
	_, err := w.tx.ExecContext(w.ctx, w.a.q(query), args...)
	return err
}

func (w *Writer) user(id int64) (User, error) {
	u, err := scanUser(w.tx.QueryRowContext(w.ctx, w.a.q("SELECT "+userCols+" FROM users WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// endSessions ends every live session of userID but keep (a token hash,
// or ""), and says how many.
func (w *Writer) endSessions(userID int64, keep, why string) (int64, error) {
	res, err := w.tx.ExecContext(w.ctx, w.a.q("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_id = ? AND ended_at IS NULL AND token_hash <> ?"),
		w.now, why, userID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (w *Writer) Audit(action, key string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	e := audit.Entry{Seq: w.head.Seq + 1, At: w.a.now().UTC(), Actor: w.actor, Action: action, Kind: KindAccount, Key: key, Data: raw}
	w.head = audit.Link(w.head, &e)
	return w.Exec(`INSERT INTO account_audit (seq, at, actor, action, kind, key, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
func (a *Accounts) RecordAccount(ctx context.Context, actor, action, key string, data any) error {
	if action == "" {
		return errors.New("an audit event needs an action")
	}
	return a.accountWrite(ctx, actor, func(w *Writer) error { return w.Audit(action, key, data) })
}
