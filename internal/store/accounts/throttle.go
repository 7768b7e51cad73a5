package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Failed logins are counted in the database (table login_failures), so
// that every server on it counts the same failures: five wrong passwords
// split between two servers behind a proxy block the account on both.

// RecentFailures returns the times of each key's failures after since,
// newest first, by key, in one statement (a login checks the account's
// and the address's at once). Every failure in the window is read: there
// are few, since a key stops collecting them once it is blocked.
func (a *Accounts) RecentFailures(ctx context.Context, keys []string, since time.Time) (map[string][]time.Time, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, fmtTime(since))
	rows, err := a.db.QueryContext(ctx, a.q("SELECT key, at FROM login_failures WHERE key IN (?"+strings.Repeat(", ?", len(keys)-1)+") AND at > ? ORDER BY key, at DESC"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]time.Time{}
	for rows.Next() {
		var key, at string
		if err := rows.Scan(&key, &at); err != nil {
			return nil, err
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		out[key] = append(out[key], t)
	}
	return out, rows.Err()
}

// AddFailures records a failure at now under each key, and forgets every
// failure at or before prune (they no longer count), in one transaction.
func (a *Accounts) AddFailures(ctx context.Context, now, prune time.Time, keys ...string) error {
	return a.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, a.q("DELETE FROM login_failures WHERE at <= ?"), fmtTime(prune)); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, a.q("INSERT INTO login_failures (key, at) VALUES (?, ?)"), k, fmtTime(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearFailures forgets key's failures (a right password).
func (a *Accounts) ClearFailures(ctx context.Context, key string) error {
	_, err := a.db.ExecContext(ctx, a.q("DELETE FROM login_failures WHERE key = ?"), key)
	return err
}

// ServerSecret returns the secret called name that every server on this
// database shares, making it (32 random bytes, hex) when none exists: the
// first server to ask makes it, the others read it.
func (a *Accounts) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := a.db.ExecContext(ctx, a.q("INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"), name, hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	var v string
	if err := a.db.QueryRowContext(ctx, a.q("SELECT value FROM server_secrets WHERE name = ?"), name).Scan(&v); err != nil {
		return nil, err
	}
	out, err := hex.DecodeString(v)
	if err == nil && len(out) < 16 {
		err = errors.New("too short")
	}
	if err != nil {
		return nil, errors.New("server secret " + name + ": the stored value is not a key: " + err.Error())
	}
	return out, nil
}
