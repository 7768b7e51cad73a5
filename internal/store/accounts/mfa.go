package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Two-step login (issue 15): an authenticator app (TOTP) per account and
// its one-time recovery codes. The web app generates and checks codes;
// the store keeps the secret, the last time step used (a code is never
// accepted twice), and the recovery codes' hashes, each usable once.
// Every change is on the accounts' trail in the same transaction.

// Events of the accounts' trail about the second step.
const (
	EventMFAStarted     = "mfa.totp.started"
	EventMFAEnrolled    = "mfa.totp.enrolled"
	EventMFADisabled    = "mfa.totp.disabled"
	EventMFAReset       = "mfa.totp.reset"
	EventMFARecoveryNew = "mfa.recovery.renewed"
	EventMFARecoveryUse = "mfa.recovery.used"
	EventMFAChallenge   = "mfa.challenge"
)

// MFAState is what an account has set up.
type MFAState struct {
	// TOTP: an authenticator app is confirmed and on.
	TOTP  bool      `json:"totp"`
	Since time.Time `json:"since,omitzero"`
	// Pending: a secret was made and awaits its first code.
	Pending bool `json:"pending"`
	// RecoveryLeft counts the recovery codes not yet used.
	RecoveryLeft int `json:"recovery_codes_left"`
	// Passkeys counts the passkeys registered and not removed (passkey.go).
	Passkeys int `json:"passkeys"`
}

// On says the account has a second step: an app, or a passkey.
func (st MFAState) On() bool { return st.TOTP || st.Passkeys > 0 }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// MFA says what second step userID has.
func (a *Accounts) MFA(ctx context.Context, userID int64) (MFAState, error) {
	var st MFAState
	if err := a.db.QueryRowContext(ctx, a.q("SELECT COUNT(*) FROM passkeys WHERE user_id = ? AND retired_at IS NULL"), userID).Scan(&st.Passkeys); err != nil {
		return st, err
	}
	// Recovery codes come with an app or a passkey.
	if err := a.db.QueryRowContext(ctx, a.q("SELECT COUNT(*) FROM mfa_recovery WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL"), userID).Scan(&st.RecoveryLeft); err != nil {
		return st, err
	}
	var confirmed, disabled sql.NullString
	err := a.db.QueryRowContext(ctx, a.q("SELECT confirmed_at, disabled_at FROM mfa_totp WHERE user_id = ?"), userID).Scan(&confirmed, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if !disabled.Valid && !confirmed.Valid {
		st.Pending = true
	}
	if !disabled.Valid && confirmed.Valid {
		st.TOTP = true
		if st.Since, err = parseTime(confirmed.String); err != nil {
			return st, err
		}
	}
	return st, nil
}

// StartTOTP keeps a new secret for userID, waiting for its first code.
// An app already on stays on until the new one is confirmed.
func (a *Accounts) StartTOTP(ctx context.Context, actor string, userID int64, secret string) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		var confirmed, disabled sql.NullString
		err = w.tx.QueryRowContext(ctx, a.q("SELECT confirmed_at, disabled_at FROM mfa_totp WHERE user_id = ?"), userID).Scan(&confirmed, &disabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = w.Exec("INSERT INTO mfa_totp (user_id, secret, created_at) VALUES (?, ?, ?)", userID, secret, w.now)
		case err != nil:
			return err
		case confirmed.Valid && !disabled.Valid:
			return fmt.Errorf("%s has an authenticator app already: turn it off first: %w", u.Email, ErrConflict)
		default:
			err = w.Exec("UPDATE mfa_totp SET secret = ?, created_at = ?, confirmed_at = NULL, disabled_at = NULL, last_step = 0 WHERE user_id = ?", secret, w.now, userID)
		}
		if err != nil {
			return err
		}
		return w.Audit(EventMFAStarted, u.Email, map[string]string{})
	})
}

// PendingTOTP is the secret waiting for its first code (ErrNotFound when
// none is).
func (a *Accounts) PendingTOTP(ctx context.Context, userID int64) (string, error) {
	var secret string
	err := a.db.QueryRowContext(ctx, a.q("SELECT secret FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NULL AND disabled_at IS NULL"), userID).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("authenticator app being set up: %w", ErrNotFound)
	}
	return secret, err
}

// ActiveTOTP is userID's confirmed secret and the last time step used
// (ErrNotFound when the account has no app on).
func (a *Accounts) ActiveTOTP(ctx context.Context, userID int64) (string, int64, error) {
	var secret string
	var step int64
	err := a.db.QueryRowContext(ctx, a.q("SELECT secret, last_step FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL AND disabled_at IS NULL"), userID).Scan(&secret, &step)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("authenticator app: %w", ErrNotFound)
	}
	return secret, step, err
}

// ConfirmTOTP turns the pending secret on after its first code (of time
// step step), replaces the recovery codes with codeHashes, and lifts the
// enrol-only state of the account's sessions.
func (a *Accounts) ConfirmTOTP(ctx context.Context, actor string, userID, step int64, codeHashes []string) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE mfa_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL AND disabled_at IS NULL"), w.now, step, userID)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "authenticator app being set up"); err != nil {
			return err
		}
		if err := w.newRecovery(userID, codeHashes); err != nil {
			return err
		}
		if err := w.Exec("UPDATE sessions SET mfa_enrol = 0 WHERE user_id = ? AND ended_at IS NULL", userID); err != nil {
			return err
		}
		return w.Audit(EventMFAEnrolled, u.Email, map[string]any{"recovery_codes": len(codeHashes)})
	})
}

func (w *Writer) newRecovery(userID int64, hashes []string) error {
	if err := w.Exec("UPDATE mfa_recovery SET retired_at = ? WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL", w.now, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if err := w.Exec("INSERT INTO mfa_recovery (user_id, code_hash, created_at) VALUES (?, ?, ?)", userID, h, w.now); err != nil {
			return err
		}
	}
	return nil
}

// RenewRecovery replaces userID's unused recovery codes with codeHashes.
func (a *Accounts) RenewRecovery(ctx context.Context, actor string, userID int64, codeHashes []string) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if err := w.newRecovery(userID, codeHashes); err != nil {
			return err
		}
		return w.Audit(EventMFARecoveryNew, u.Email, map[string]any{"recovery_codes": len(codeHashes)})
	})
}

// DisableTOTP turns userID's app off and retires the recovery codes. An
// operator's reset (reset true) is recorded as such.
func (a *Accounts) DisableTOTP(ctx context.Context, actor string, userID int64, reset bool) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE mfa_totp SET disabled_at = ? WHERE user_id = ? AND disabled_at IS NULL"), w.now, userID)
		if err != nil {
			return err
		}
		if err := affectedOr(res, fmt.Errorf("%s has no authenticator app: %w", u.Email, ErrNoChange)); err != nil {
			return err
		}
		if err := w.Exec("UPDATE mfa_recovery SET retired_at = ? WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL", w.now, userID); err != nil {
			return err
		}
		ev := EventMFADisabled
		if reset {
			ev = EventMFAReset
		}
		return w.Audit(ev, u.Email, map[string]string{})
	})
}

// UseTOTPStep records that a code of time step step was accepted; a step
// not after the last one used is refused with ErrConflict (a code seen
// once, on the wire or over a shoulder, does not work again).
func (a *Accounts) UseTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := a.db.ExecContext(ctx, a.q("UPDATE mfa_totp SET last_step = ? WHERE user_id = ? AND last_step < ? AND confirmed_at IS NOT NULL AND disabled_at IS NULL"), step, userID, step)
	if err != nil {
		return err
	}
	return affectedOr(res, fmt.Errorf("that code was used already: %w", ErrConflict))
}

// UseRecoveryCode spends the recovery code of hash codeHash, once, on
// the accounts' trail, and says how many are left. ErrNotFound when the
// code is unknown, used or replaced.
func (a *Accounts) UseRecoveryCode(ctx context.Context, actor string, userID int64, codeHash, ip string) (int, error) {
	left := 0
	err := a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE mfa_recovery SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL AND retired_at IS NULL"), w.now, userID, codeHash)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "recovery code"); err != nil {
			return err
		}
		if err := w.tx.QueryRowContext(ctx, a.q("SELECT COUNT(*) FROM mfa_recovery WHERE user_id = ? AND used_at IS NULL AND retired_at IS NULL"), userID).Scan(&left); err != nil {
			return err
		}
		return w.Audit(EventMFARecoveryUse, u.Email, map[string]any{"left": left, "ip": ip})
	})
	return left, err
}

// MFAChallenge is a login waiting for its second step.
type MFAChallenge struct {
	UserID   int64
	Created  time.Time
	Attempts int
}

// CreateMFAChallenge keeps a login whose password was right, named by
// the hash of the token in the browser's cookie.
// at is the web app's clock, which judges its age.
func (a *Accounts) CreateMFAChallenge(ctx context.Context, tokenHash string, userID int64, at time.Time) error {
	_, err := a.db.ExecContext(ctx, a.q("INSERT INTO mfa_challenges (token_hash, user_id, created_at) VALUES (?, ?, ?)"), tokenHash, userID, fmtTime(at))
	return err
}

// MFAChallengeByHash finds a challenge not ended (ErrNotFound otherwise).
func (a *Accounts) MFAChallengeByHash(ctx context.Context, tokenHash string) (MFAChallenge, error) {
	var c MFAChallenge
	var created string
	err := a.db.QueryRowContext(ctx, a.q("SELECT user_id, created_at, attempts FROM mfa_challenges WHERE token_hash = ? AND ended_at IS NULL"), tokenHash).Scan(&c.UserID, &created, &c.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("login in progress: %w", ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	c.Created, err = parseTime(created)
	return c, err
}

// FailMFAChallenge counts a wrong code and says how many there were.
func (a *Accounts) FailMFAChallenge(ctx context.Context, tokenHash string) (int, error) {
	if _, err := a.db.ExecContext(ctx, a.q("UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = ? AND ended_at IS NULL"), tokenHash); err != nil {
		return 0, err
	}
	c, err := a.MFAChallengeByHash(ctx, tokenHash)
	return c.Attempts, err
}

// EndMFAChallenge ends a challenge (done, expired or too many wrong
// codes); the row is kept.
func (a *Accounts) EndMFAChallenge(ctx context.Context, tokenHash string) error {
	_, err := a.db.ExecContext(ctx, a.q("UPDATE mfa_challenges SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(a.now()), tokenHash)
	return err
}
