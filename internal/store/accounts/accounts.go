package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ward/internal/audit"
	"ward/internal/bounds"
	"ward/internal/store/core"
)

// Accounts are global: one person may hold roles in several organizations
// (an MSP's staff across client practices). A role change is audited in
// the chain of the organization it grants access to; everything else that
// happens to an account (created, disabled, enabled, password changed,
// token issued or revoked, session ended, logins and failed logins) is
// audited in the accounts' own chain (trail.go).

// Why a session ended, kept on its row.
const (
	EndLogout   = "logout"
	EndIdle     = "idle"
	EndExpired  = "expired"
	EndRevoked  = "revoked"
	EndPassword = "password changed"
	EndDisabled = "account disabled"
	EndReplaced = "new login"
)

// CreateUser adds an account, on the accounts' trail as created by actor.
// E-mail addresses are compared without case. ErrConflict when the
// address is taken.
func (a *Accounts) CreateUser(ctx context.Context, actor, email, name, passwordHash string) (User, error) {
	email = normEmail(email)
	if err := bounds.Email(email); err != nil {
		return User{}, fmt.Errorf("user e-mail: %w", err)
	}
	if err := bounds.Line(name, bounds.MaxName); err != nil {
		return User{}, fmt.Errorf("user %s: name %w", email, err)
	}
	now := a.now()
	u := User{Email: email, Name: name, PasswordHash: passwordHash}
	err := a.accountWrite(ctx, actor, func(w *Writer) error {
		err := w.tx.QueryRowContext(ctx, a.q("INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
			email, name, passwordHash, fmtTime(now)).Scan(&u.ID)
		if err != nil {
			if a.eng.IsConflict(err) {
				return fmt.Errorf("user %s: %w", email, ErrConflict)
			}
			return err
		}
		return w.Audit("user.create", email, map[string]string{"name": name})
	})
	if err != nil {
		return User{}, err
	}
	u.Created, _ = parseTime(fmtTime(now))
	return u, nil
}

// SetPassword stores a new hash of the same password (the login upgrades
// an old hash with today's parameters). It is not a password change and
// is not audited: ChangePassword is.
func (a *Accounts) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	res, err := a.db.ExecContext(ctx, a.q("UPDATE users SET password_hash = ? WHERE id = ?"), passwordHash, userID)
	if err != nil {
		return err
	}
	return mustAffect(res, fmt.Sprintf("user %d", userID))
}

// ChangePassword sets a new password and ends every live session of the
// account except keepSession (the token hash of the session that made the
// change, or "" to end them all): whoever knew the old password is out.
func (a *Accounts) ChangePassword(ctx context.Context, actor string, userID int64, passwordHash, keepSession string) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if err := w.Exec("UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, userID); err != nil {
			return err
		}
		n, err := w.endSessions(userID, keepSession, EndPassword)
		if err != nil {
			return err
		}
		return w.Audit("password.change", u.Email, map[string]any{"sessions_ended": n})
	})
}

// DisableUser stops an account at once: it can no longer log in, every
// live session ends and every token is revoked. The account is kept, with
// its history, never deleted. ErrNoChange when it is already disabled.
func (a *Accounts) DisableUser(ctx context.Context, actor string, userID int64) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("account %s is disabled: %w", u.Email, ErrNoChange)
		}
		if err := w.Exec("UPDATE users SET disabled_at = ? WHERE id = ?", w.now, userID); err != nil {
			return err
		}
		sessions, err := w.endSessions(userID, "", EndDisabled)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE user_id = ? AND revoked_at IS NULL"), w.now, actor, userID)
		if err != nil {
			return err
		}
		tokens, _ := res.RowsAffected()
		return w.Audit("user.disable", u.Email, map[string]any{"sessions_ended": sessions, "tokens_revoked": tokens})
	})
}

// EnableUser lets a disabled account log in again. Its old sessions and
// tokens stay ended: it starts afresh. ErrNoChange when it is enabled.
func (a *Accounts) EnableUser(ctx context.Context, actor string, userID int64) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if !u.Disabled {
			return fmt.Errorf("account %s is enabled: %w", u.Email, ErrNoChange)
		}
		if err := w.Exec("UPDATE users SET disabled_at = NULL WHERE id = ?", userID); err != nil {
			return err
		}
		return w.Audit("user.enable", u.Email, nil)
	})
}

func (a *Accounts) userWhere(ctx context.Context, what, query string, args ...any) (User, error) {
	u, err := scanUser(a.db.QueryRowContext(ctx, a.q(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return u, err
}

func (a *Accounts) UserByEmail(ctx context.Context, email string) (User, error) {
	return a.userWhere(ctx, "user "+normEmail(email), "SELECT "+userCols+" FROM users WHERE email = ?", normEmail(email))
}

func (a *Accounts) UserByID(ctx context.Context, id int64) (User, error) {
	return a.userWhere(ctx, fmt.Sprintf("user %d", id), "SELECT "+userCols+" FROM users WHERE id = ?", id)
}

func (a *Accounts) Users(ctx context.Context) ([]User, error) {
	rs, err := a.db.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY email")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []User
	for rs.Next() {
		u, err := scanUser(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rs.Err()
}

// Memberships lists the organizations userID holds a role in, by slug.
func (a *Accounts) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rs, err := a.db.QueryContext(ctx, a.q(`SELECT o.id, o.slug, o.name, o.created_at, m.role, h.seq, h.hash
		FROM memberships m JOIN orgs o ON o.id = m.org_id
		LEFT JOIN audit_head h ON h.org_id = o.id
		WHERE m.user_id = ? AND m.revoked_at IS NULL ORDER BY o.slug`), userID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Membership
	for rs.Next() {
		var m Membership
		var created string
		var seq sql.NullInt64
		var hash sql.NullString
		if err := rs.Scan(&m.Org.ID, &m.Org.Slug, &m.Org.Name, &created, &m.Role, &seq, &hash); err != nil {
			return nil, err
		}
		if seq.Valid {
			m.Head = audit.Head{Seq: seq.Int64, Hash: hash.String}
		}
		if m.Org.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

// Member is an account holding a role in an organization, for the
// organization's accounts page.
type Member struct {
	User User   `json:"user"`
	Role string `json:"role"`
	// Since is when the role was last set.
	Since time.Time `json:"since"`
	// LastLogin is the account's last successful login (zero if never).
	LastLogin time.Time `json:"last_login,omitzero"`
	// MFA: the account logs in with an authenticator app's code or a
	// passkey too.
	MFA bool `json:"mfa"`
}

// Members lists the accounts with a live role in org, by e-mail.
func (a *Accounts) Members(ctx context.Context, org Org) ([]Member, error) {
	rs, err := a.db.QueryContext(ctx, a.q(`SELECT u.id, u.email, u.name, u.password_hash, u.created_at, u.disabled_at, m.role, m.updated_at,
		(SELECT MAX(a.at) FROM account_audit a WHERE a.key = u.email AND a.action = 'login'),
		(SELECT COUNT(*) FROM mfa_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL AND t.disabled_at IS NULL)
			+ (SELECT COUNT(*) FROM passkeys k WHERE k.user_id = u.id AND k.retired_at IS NULL)
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND m.revoked_at IS NULL ORDER BY u.email`), org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Member
	for rs.Next() {
		var m Member
		var created, since string
		var disabled, login sql.NullString
		var mfa int64
		if err := rs.Scan(&m.User.ID, &m.User.Email, &m.User.Name, &m.User.PasswordHash, &created, &disabled, &m.Role, &since, &login, &mfa); err != nil {
			return nil, err
		}
		m.MFA = mfa > 0
		m.User.Disabled = disabled.Valid
		if m.User.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if m.Since, err = parseTime(since); err != nil {
			return nil, err
		}
		if login.Valid {
			if m.LastLogin, err = parseTime(login.String); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

// RoleIn is userID's role in orgID, "" when none.
func (a *Accounts) RoleIn(ctx context.Context, userID int64, orgID int64) (string, error) {
	var role string
	err := a.db.QueryRowContext(ctx, a.q("SELECT role FROM memberships WHERE user_id = ? AND org_id = ? AND revoked_at IS NULL"), userID, orgID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return role, err
}

// Sessions

func (a *Accounts) CreateSession(ctx context.Context, sess Session) error {
	if sess.TokenHash == "" || sess.UserID == 0 {
		return errors.New("a session needs a token hash and a user")
	}
	if sess.Created.IsZero() {
		sess.Created = a.now()
	}
	if sess.LastSeen.IsZero() {
		sess.LastSeen = sess.Created
	}
	_, err := a.db.ExecContext(ctx, a.q("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, ip, agent, mfa_enrol) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
		sess.TokenHash, sess.UserID, sess.CSRF, fmtTime(sess.Created), fmtTime(sess.LastSeen), bounds.Clip(sess.IP, 64), bounds.Clip(sess.Agent, 200), boolInt(sess.MFAEnrol))
	if a.eng.IsConflict(err) {
		return fmt.Errorf("session: %w", ErrConflict)
	}
	return err
}

const sessionCols = "token_hash, user_id, csrf, created_at, last_seen, ip, agent, ended_at, ended_why, mfa_enrol"

func scanSession(r scanner) (Session, error) {
	var sess Session
	var created, seen string
	var ended sql.NullString
	var enrol int64
	if err := r.Scan(&sess.TokenHash, &sess.UserID, &sess.CSRF, &created, &seen, &sess.IP, &sess.Agent, &ended, &sess.EndedWhy, &enrol); err != nil {
		return Session{}, err
	}
	sess.MFAEnrol = enrol != 0
	var err error
	if sess.Created, err = parseTime(created); err != nil {
		return Session{}, err
	}
	if sess.LastSeen, err = parseTime(seen); err != nil {
		return Session{}, err
	}
	if ended.Valid {
		sess.Ended, err = parseTime(ended.String)
	}
	return sess, err
}

// SessionByHash finds a live session; ErrNotFound when unknown or ended.
func (a *Accounts) SessionByHash(ctx context.Context, tokenHash string) (Session, error) {
	sess, err := scanSession(a.db.QueryRowContext(ctx, a.q("SELECT "+sessionCols+" FROM sessions WHERE token_hash = ? AND ended_at IS NULL"), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	return sess, err
}

// Sessions lists an account's sessions that have not ended, newest
// first. (Whether one has gone idle is the web app's to judge.)
func (a *Accounts) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	rs, err := a.db.QueryContext(ctx, a.q("SELECT "+sessionCols+" FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY created_at DESC"), userID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Session
	for rs.Next() {
		sess, err := scanSession(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, rs.Err()
}

// TouchSession records activity on a live session; ErrNotFound when it is
// unknown or ended.
func (a *Accounts) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := a.db.ExecContext(ctx, a.q("UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(at), tokenHash)
	if err != nil {
		return err
	}
	return mustAffect(res, "session")
}

// EndSession ends a session (logout, idle log-off) and says why. The row
// is kept; ending an ended or unknown session is not an error.
func (a *Accounts) EndSession(ctx context.Context, tokenHash string, at time.Time, why string) error {
	_, err := a.db.ExecContext(ctx, a.q("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(at), why, tokenHash)
	return err
}

// RevokeSession ends one of userID's live sessions, named by its ID (the
// start of its token hash), on the accounts' trail. ErrNotFound when the
// account has no such live session.
func (a *Accounts) RevokeSession(ctx context.Context, actor string, userID int64, id string) error {
	if len(id) != core.SessionIDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return fmt.Errorf("session %q: %w", id, ErrNotFound)
	}
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		res, err := w.tx.ExecContext(ctx, a.q("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_id = ? AND token_hash LIKE ? AND ended_at IS NULL"),
			w.now, EndRevoked, userID, id+"%")
		if err != nil {
			return err
		}
		if err := mustAffect(res, "session "+id); err != nil {
			return err
		}
		return w.Audit("session.revoke", u.Email, map[string]string{"session": id})
	})
}

// API tokens

// Token is an API token's record (never the token itself, which is shown
// once when it is made).
type Token struct {
	ID       int64     `json:"id"`
	UserID   int64     `json:"user_id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastUsed time.Time `json:"last_used,omitzero"`
	Revoked  time.Time `json:"revoked,omitzero"`
}

// LegacyTokenLifetime is how long a token made before tokens carried an
// expiry date stays good, counted from when it was made: the default of
// ward user token.
const LegacyTokenLifetime = 90 * 24 * time.Hour

// Live reports whether the token works at now: not revoked, not expired.
func (t Token) Live(now time.Time) bool { return t.Revoked.IsZero() && now.Before(t.Expires) }

// Status is "live", "revoked" or "expired" at now.
func (t Token) Status(now time.Time) string {
	switch {
	case !t.Revoked.IsZero():
		return "revoked"
	case !now.Before(t.Expires):
		return "expired"
	}
	return "live"
}

// CreateToken stores a new API token's hash for userID, good until
// expires, on the accounts' trail.
func (a *Accounts) CreateToken(ctx context.Context, actor string, userID int64, name, tokenHash string, expires time.Time) (Token, error) {
	if tokenHash == "" {
		return Token{}, errors.New("an API token needs its hash")
	}
	if expires.IsZero() {
		return Token{}, errors.New("an API token needs an expiry date")
	}
	if err := bounds.Line(name, bounds.MaxName); err != nil {
		return Token{}, fmt.Errorf("token name %w", err)
	}
	t := Token{UserID: userID, Name: name, Expires: expires.UTC()}
	err := a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("account %s is disabled: enable it before giving it a token", u.Email)
		}
		err = w.tx.QueryRowContext(ctx, a.q("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id"),
			userID, name, tokenHash, w.now, fmtTime(expires)).Scan(&t.ID)
		if a.eng.IsConflict(err) {
			return fmt.Errorf("API token: %w", ErrConflict)
		}
		if err != nil {
			return err
		}
		return w.Audit("token.create", u.Email, map[string]any{"token": t.ID, "name": name, "expires": fmtTime(expires)})
	})
	if err != nil {
		return Token{}, err
	}
	t.Created, _ = parseTime(fmtTime(a.now()))
	t.Expires, _ = parseTime(fmtTime(expires))
	return t, nil
}

const tokenCols = "id, user_id, name, created_at, expires_at, last_used_at, revoked_at"

func scanToken(r scanner) (Token, error) {
	var t Token
	var created string
	var expires, used, revoked sql.NullString
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &created, &expires, &used, &revoked); err != nil {
		return Token{}, err
	}
	var err error
	if t.Created, err = parseTime(created); err != nil {
		return Token{}, err
	}
	if expires.Valid {
		t.Expires, err = parseTime(expires.String)
	} else {
		t.Expires = t.Created.Add(LegacyTokenLifetime)
	}
	if err == nil && used.Valid {
		t.LastUsed, err = parseTime(used.String)
	}
	if err == nil && revoked.Valid {
		t.Revoked, err = parseTime(revoked.String)
	}
	return t, err
}

// Tokens lists every token of userID, live or not, newest first.
func (a *Accounts) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rs, err := a.db.QueryContext(ctx, a.q("SELECT "+tokenCols+" FROM api_tokens WHERE user_id = ? ORDER BY id DESC"), userID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Token
	for rs.Next() {
		t, err := scanToken(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rs.Err()
}

// RevokeToken stops one of userID's tokens at once; the row is kept.
// ErrNotFound when userID has no such token, ErrNoChange when it is
// already revoked.
func (a *Accounts) RevokeToken(ctx context.Context, actor string, userID, tokenID int64) error {
	return a.accountWrite(ctx, actor, func(w *Writer) error {
		u, err := w.user(userID)
		if err != nil {
			return err
		}
		t, err := scanToken(w.tx.QueryRowContext(ctx, a.q("SELECT "+tokenCols+" FROM api_tokens WHERE id = ? AND user_id = ?"), tokenID, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("API token %d of %s: %w", tokenID, u.Email, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !t.Revoked.IsZero() {
			return fmt.Errorf("API token %d is revoked: %w", tokenID, ErrNoChange)
		}
		if err := w.Exec("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?", w.now, actor, tokenID); err != nil {
			return err
		}
		return w.Audit("token.revoke", u.Email, map[string]any{"token": tokenID, "name": t.Name})
	})
}

// tokenTouchEvery bounds the writes that keep last_used_at: at most one
// per token per minute, however many requests it makes.
const tokenTouchEvery = time.Minute

// UserByToken is the owner of a live API token; ErrNotFound when the
// token is unknown, revoked or expired, or its account disabled. It notes
// when the token was last used.
func (a *Accounts) UserByToken(ctx context.Context, tokenHash string) (User, error) {
	t, err := scanToken(a.db.QueryRowContext(ctx, a.q("SELECT "+tokenCols+" FROM api_tokens WHERE token_hash = ?"), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("API token: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, err
	}
	now := a.now()
	if !t.Live(now) {
		return User{}, fmt.Errorf("API token: %w", ErrNotFound)
	}
	u, err := a.UserByID(ctx, t.UserID)
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, fmt.Errorf("API token: %w", ErrNotFound)
	}
	if t.LastUsed.IsZero() || now.Sub(t.LastUsed) >= tokenTouchEvery {
		// Best effort: a request is not refused because this write failed.
		a.db.ExecContext(ctx, a.q("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"), fmtTime(now), t.ID)
	}
	return u, nil
}
