package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Passkeys (WebAuthn) as a second login step (issue 15), beside the
// authenticator app of mfa.go. The web app runs the ceremonies with
// github.com/go-webauthn/webauthn; the store keeps each account's user
// handle, the registered credentials (the library's record as JSON, with
// the columns a login looks them up by), and the challenges between a
// ceremony's begin and finish. Registering and removing a passkey is on
// the accounts' trail in the same transaction; nothing is deleted.

// Events of the accounts' trail about passkeys.
const (
	EventPasskeyRegistered = "mfa.passkey.registered"
	EventPasskeyRefused    = "mfa.passkey.refused"
	EventPasskeyRetired    = "mfa.passkey.retired"
	EventPasskeyReset      = "mfa.passkey.reset"
	EventPasskeyClone      = "mfa.passkey.clone-warning"
)

// Passkey is one registered credential.
type Passkey struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// RPID is the relying party (ward's host name) it was made for: a
	// browser offers it only there.
	RPID string `json:"rp_id"`
	// CredentialID is the authenticator's id for it, base64url.
	CredentialID string `json:"credential_id"`
	// Credential is the WebAuthn library's record (public key, flags,
	// attestation) as JSON; the web app reads and writes it.
	Credential []byte `json:"-"`
	// SignCount is the authenticator's signature counter at the last
	// login (0 for authenticators that keep none).
	SignCount uint32    `json:"sign_count"`
	Created   time.Time `json:"created"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	// CloneWarning is when its counter went backwards: two copies of
	// its key may exist. Such a passkey is refused from then on.
	CloneWarning time.Time `json:"clone_warning,omitzero"`
}

// PasskeyHandle is userID's WebAuthn user handle, made (32 random
// bytes) on first use. It is the same for all the account's passkeys
// and says nothing about the account.
func (a *Accounts) PasskeyHandle(ctx context.Context, userID int64) ([]byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	// Two servers may race to make it: the first one wins, both read it.
	if _, err := a.db.ExecContext(ctx, a.q("INSERT INTO passkey_users (user_id, handle, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING"),
		userID, base64.RawURLEncoding.EncodeToString(raw), fmtTime(a.now())); err != nil {
		return nil, err
	}
	var h string
	if err := a.db.QueryRowContext(ctx, a.q("SELECT handle FROM passkey_users WHERE user_id = ?"), userID).Scan(&h); err != nil {
		return nil, err
	}
	return base64.RawURLEncoding.DecodeString(h)
}

// UserByPasskeyHandle is the account whose user handle is handle
// (ErrNotFound when none is).
func (a *Accounts) UserByPasskeyHandle(ctx context.Context, handle []byte) (User, error) {
	var id int64
	err := a.db.QueryRowContext(ctx, a.q("SELECT user_id FROM passkey_users WHERE handle = ?"), base64.RawURLEncoding.EncodeToString(handle)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("passkey user handle: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, err
	}
	return a.UserByID(ctx, id)
}

const passkeyCols = "id, name, rp_id, credential_id, credential, sign_count, created_at, last_used_at, clone_warning_at"

// Passkeys lists userID's passkeys not removed, oldest first.
func (a *Accounts) Passkeys(ctx context.Context, userID int64) ([]Passkey, error) {
	rs, err := a.db.QueryContext(ctx, a.q("SELECT "+passkeyCols+" FROM passkeys WHERE user_id = ? AND retired_at IS NULL ORDER BY id"), userID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []Passkey{}
	for rs.Next() {
		var p Passkey
		var cred, created string
		var count int64
		var used, clone sql.NullString
		if err := rs.Scan(&p.ID, &p.Name, &p.RPID, &p.CredentialID, &cred, &count, &created, &used, &clone); err != nil {
			return nil, err
		}
		p.Credential, p.SignCount = []byte(cred), uint32(count)
		if p.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		for _, t := range []struct {
			v   sql.NullString
			out *time.Time
		}{{used, &p.LastUsed}, {clone, &p.CloneWarning}} {
			if t.v.Valid {
				if *t.out, err = parseTime(t.v.String); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, p)
	}
	return out, rs.Err()
}

// AddPasskey keeps a passkey registered by userID (p's ID, Created and
// use are set here) and lifts the enrol-only state of the account's
// sessions, as an authenticator app's confirmation does. A credential id
// registered before is refused with ErrConflict.
func (a *Accounts) AddPasskey(ctx context.Context, actor string, userID int64, p Passkey) (Passkey, error) {
	if p.Name == "" || p.RPID == "" || p.CredentialID == "" || len(p.Credential) == 0 {
		return p, errors.New("a passkey needs a name, a relying party, a credential id and its record")
	}
	err := a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		var n int
		if err := w.tx.QueryRowContext(ctx, a.q("SELECT COUNT(*) FROM passkeys WHERE credential_id = ?"), p.CredentialID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("this passkey is registered already: %w", ErrConflict)
		}
		p.Created, err = parseTime(w.now)
		if err != nil {
			return err
		}
		if err := w.tx.QueryRowContext(ctx, a.q("INSERT INTO passkeys (user_id, rp_id, credential_id, name, credential, sign_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
			userID, p.RPID, p.CredentialID, p.Name, string(p.Credential), int64(p.SignCount), w.now).Scan(&p.ID); err != nil {
			return err
		}
		if err := w.Exec("UPDATE sessions SET mfa_enrol = 0 WHERE user_id = ? AND ended_at IS NULL", userID); err != nil {
			return err
		}
		return w.Audit(EventPasskeyRegistered, u.Email, map[string]any{"passkey": p.ID, "name": p.Name, "rp_id": p.RPID})
	})
	return p, err
}

// RetirePasskey removes userID's passkey id: it no longer logs in, and
// its row is kept. ErrNotFound when the account has no such passkey.
func (a *Accounts) RetirePasskey(ctx context.Context, actor string, userID, id int64) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		var name string
		err = w.tx.QueryRowContext(ctx, a.q("SELECT name FROM passkeys WHERE id = ? AND user_id = ? AND retired_at IS NULL"), id, userID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("passkey %d of %s: %w", id, u.Email, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := w.Exec("UPDATE passkeys SET retired_at = ? WHERE id = ?", w.now, id); err != nil {
			return err
		}
		data := map[string]any{"passkey": id, "name": name}
		// The last second step gone, its recovery codes go too, as when
		// the app is turned off.
		var left int
		if err := w.tx.QueryRowContext(ctx, a.q(`SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = ? AND retired_at IS NULL)
			+ (SELECT COUNT(*) FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL AND disabled_at IS NULL)`), userID, userID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			if err := w.Exec("UPDATE mfa_recovery SET retired_at = ? WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL", w.now, userID); err != nil {
				return err
			}
			data["recovery_codes_retired"] = true
		}
		return w.Audit(EventPasskeyRetired, u.Email, data)
	})
}

// ResetPasskeys is an operator's removal of all userID's passkeys (a
// lost device), with the recovery codes; it says how many passkeys there
// were. ErrNoChange when none.
func (a *Accounts) ResetPasskeys(ctx context.Context, actor string, userID int64) (int64, error) {
	var n int64
	err := a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE passkeys SET retired_at = ? WHERE user_id = ? AND retired_at IS NULL"), w.now, userID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s has no passkey: %w", u.Email, ErrNoChange)
		}
		if err := w.Exec("UPDATE mfa_recovery SET retired_at = ? WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL", w.now, userID); err != nil {
			return err
		}
		return w.Audit(EventPasskeyReset, u.Email, map[string]any{"passkeys": n})
	})
	return n, err
}

// UsePasskey records a login with userID's passkey id: the new counter
// and record, and when. It holds only if the counter is still oldCount
// and the passkey was not removed meanwhile (ErrConflict otherwise), so
// two servers cannot both accept one counter value.
func (a *Accounts) UsePasskey(ctx context.Context, userID, id int64, oldCount, newCount uint32, credential []byte) error {
	res, err := a.db.ExecContext(ctx, a.q("UPDATE passkeys SET sign_count = ?, credential = ?, last_used_at = ? WHERE id = ? AND user_id = ? AND sign_count = ? AND retired_at IS NULL AND clone_warning_at IS NULL"),
		int64(newCount), string(credential), fmtTime(a.now()), id, userID, int64(oldCount))
	if err != nil {
		return err
	}
	return affectedOr(res, fmt.Errorf("the passkey was removed or used meanwhile: %w", ErrConflict))
}

// FlagPasskeyClone marks userID's passkey id as possibly cloned (its
// signature counter did not go up), on the accounts' trail; it is
// refused from then on.
func (a *Accounts) FlagPasskeyClone(ctx context.Context, actor string, userID, id int64, data map[string]any) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if err := w.Exec("UPDATE passkeys SET clone_warning_at = ? WHERE id = ? AND user_id = ? AND clone_warning_at IS NULL", w.now, id, userID); err != nil {
			return err
		}
		d := map[string]any{"passkey": id}
		for k, v := range data {
			d[k] = v
		}
		return w.Audit(EventPasskeyClone, u.Email, d)
	})
}

// PasskeyCeremony is a registration or a login between its begin and its
// finish.
type PasskeyCeremony struct {
	// Kind is "register" or "login".
	Kind   string
	UserID int64
	// BoundTo is the hash of what it belongs to (the session that began
	// a registration, the half-finished login): the finish must come from
	// the same.
	BoundTo string
	// Session is the library's SessionData (the challenge) as JSON.
	Session []byte
	Created time.Time
}

// PasskeyCeremonyTTL is how long a passkey challenge is kept: longer
// than the web app accepts one (six minutes), after which it is deleted.
const PasskeyCeremonyTTL = 10 * time.Minute

// CreatePasskeyCeremony keeps a ceremony named by the hash of the token
// the browser holds. at is the web app's clock, which judges its age.
// It deletes the ceremonies begun more than PasskeyCeremonyTTL before at:
// a challenge is transient protocol state, not a user record (the
// passkeys and their use are kept, and on the accounts' trail).
func (a *Accounts) CreatePasskeyCeremony(ctx context.Context, tokenHash string, c PasskeyCeremony, at time.Time) error {
	if c.Kind != "register" && c.Kind != "login" {
		return fmt.Errorf("passkey ceremony kind %q is not register or login", c.Kind)
	}
	return a.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, a.q("DELETE FROM passkey_ceremonies WHERE created_at < ?"), fmtTime(at.Add(-PasskeyCeremonyTTL))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, a.q("INSERT INTO passkey_ceremonies (token_hash, kind, user_id, bound_to, session, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
			tokenHash, c.Kind, c.UserID, c.BoundTo, string(c.Session), fmtTime(at))
		return err
	})
}

// TakePasskeyCeremony ends the ceremony of tokenHash and returns it: a
// challenge is used once, whichever server asks first. ErrNotFound when
// it is unknown or was taken already.
func (a *Accounts) TakePasskeyCeremony(ctx context.Context, tokenHash string) (PasskeyCeremony, error) {
	var c PasskeyCeremony
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, a.q("UPDATE passkey_ceremonies SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(a.now()), tokenHash)
	if err != nil {
		return c, err
	}
	if err := mustAffect(res, "passkey challenge"); err != nil {
		return c, err
	}
	var session, created string
	if err := tx.QueryRowContext(ctx, a.q("SELECT kind, user_id, bound_to, session, created_at FROM passkey_ceremonies WHERE token_hash = ?"), tokenHash).
		Scan(&c.Kind, &c.UserID, &c.BoundTo, &session, &created); err != nil {
		return c, err
	}
	c.Session = []byte(session)
	if c.Created, err = parseTime(created); err != nil {
		return c, err
	}
	return c, tx.Commit()
}
