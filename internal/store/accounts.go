package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Accounts are global: one person may hold roles in several organizations
// (an MSP's staff across client practices). A role change is audited in
// the chain of the organization it grants access to.

func normEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser adds an account. E-mail addresses are compared without case.
// ErrConflict when the address is taken.
func (s *Store) CreateUser(ctx context.Context, email, name, passwordHash string) (User, error) {
	email = normEmail(email)
	if email == "" || !strings.Contains(email, "@") {
		return User{}, fmt.Errorf("user e-mail %q: an e-mail address is required", email)
	}
	now := s.now()
	u := User{Email: email, Name: name, PasswordHash: passwordHash}
	err := s.db.QueryRowContext(ctx, s.q("INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
		email, name, passwordHash, fmtTime(now)).Scan(&u.ID)
	if err != nil {
		if s.eng.IsConflict(err) {
			return User{}, fmt.Errorf("user %s: %w", email, ErrConflict)
		}
		return User{}, err
	}
	u.Created, _ = parseTime(fmtTime(now))
	return u, nil
}

func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE users SET password_hash = ? WHERE id = ?"), passwordHash, userID)
	if err != nil {
		return err
	}
	return mustAffect(res, fmt.Sprintf("user %d", userID))
}

// DisableUser stops an account from logging in or using its tokens; it is
// kept (with its history), never deleted.
func (s *Store) DisableUser(ctx context.Context, userID int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL"), fmtTime(at), userID)
	if err != nil {
		return err
	}
	return mustAffect(res, fmt.Sprintf("user %d", userID))
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

const userCols = "id, email, name, password_hash, created_at, disabled_at"

func scanUser(r scanner) (User, error) {
	var u User
	var created string
	var disabled sql.NullString
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &disabled); err != nil {
		return User{}, err
	}
	var err error
	u.Created, err = parseTime(created)
	u.Disabled = disabled.Valid
	return u, err
}

func (s *Store) userWhere(ctx context.Context, what, query string, args ...any) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return u, err
}

func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.userWhere(ctx, "user "+normEmail(email), "SELECT "+userCols+" FROM users WHERE email = ?", normEmail(email))
}

func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.userWhere(ctx, fmt.Sprintf("user %d", id), "SELECT "+userCols+" FROM users WHERE id = ?", id)
}

func (s *Store) Users(ctx context.Context) ([]User, error) {
	rs, err := s.db.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY email")
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

// SetRole grants userID role in org, replacing any role held; role ""
// revokes access (the membership row is kept with revoked_at). Audited in
// org's chain.
func (s *Store) SetRole(ctx context.Context, actor string, userID int64, org Org, role string) error {
	if role != "" && !slices.Contains(Roles, role) {
		return fmt.Errorf("role %q is not one of %s", role, strings.Join(Roles, ", "))
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.Org(org).write(ctx, actor, false, func(w *writer) error {
		var before string
		var revoked sql.NullString
		err := w.tx.QueryRowContext(ctx, s.q("SELECT role, revoked_at FROM memberships WHERE user_id = ? AND org_id = ?"), userID, org.ID).Scan(&before, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if role == "" {
				return nil
			}
			if err := w.exec("INSERT INTO memberships (user_id, org_id, role, updated_at) VALUES (?, ?, ?, ?)", userID, org.ID, role, w.now); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if revoked.Valid {
				before = ""
			}
			if before == role {
				return nil
			}
			if role == "" {
				err = w.exec("UPDATE memberships SET revoked_at = ?, updated_at = ? WHERE user_id = ? AND org_id = ?", w.now, w.now, userID, org.ID)
			} else {
				err = w.exec("UPDATE memberships SET role = ?, revoked_at = NULL, updated_at = ? WHERE user_id = ? AND org_id = ?", role, w.now, userID, org.ID)
			}
			if err != nil {
				return err
			}
		}
		return w.audit("role.set", "membership", u.Email, map[string]string{"before": before, "after": role})
	})
}

// Memberships lists the organizations userID holds a role in, by slug.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rs, err := s.db.QueryContext(ctx, s.q(`SELECT o.id, o.slug, o.name, o.created_at, m.role
		FROM memberships m JOIN orgs o ON o.id = m.org_id
		WHERE m.user_id = ? AND m.revoked_at IS NULL ORDER BY o.slug`), userID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Membership
	for rs.Next() {
		var m Membership
		var created string
		if err := rs.Scan(&m.Org.ID, &m.Org.Slug, &m.Org.Name, &created, &m.Role); err != nil {
			return nil, err
		}
		if m.Org.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

// RoleIn is userID's role in orgID, "" when none.
func (s *Store) RoleIn(ctx context.Context, userID int64, orgID int64) (string, error) {
	var role string
	err := s.db.QueryRowContext(ctx, s.q("SELECT role FROM memberships WHERE user_id = ? AND org_id = ? AND revoked_at IS NULL"), userID, orgID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return role, err
}

// Sessions

func (s *Store) CreateSession(ctx context.Context, sess Session) error {
	if sess.TokenHash == "" || sess.UserID == 0 {
		return errors.New("a session needs a token hash and a user")
	}
	if sess.Created.IsZero() {
		sess.Created = s.now()
	}
	if sess.LastSeen.IsZero() {
		sess.LastSeen = sess.Created
	}
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)"),
		sess.TokenHash, sess.UserID, sess.CSRF, fmtTime(sess.Created), fmtTime(sess.LastSeen))
	if s.eng.IsConflict(err) {
		return fmt.Errorf("session: %w", ErrConflict)
	}
	return err
}

// SessionByHash finds a live session; ErrNotFound when unknown or ended.
func (s *Store) SessionByHash(ctx context.Context, tokenHash string) (Session, error) {
	var sess Session
	var created, seen string
	err := s.db.QueryRowContext(ctx, s.q("SELECT token_hash, user_id, csrf, created_at, last_seen FROM sessions WHERE token_hash = ? AND ended_at IS NULL"),
		tokenHash).Scan(&sess.TokenHash, &sess.UserID, &sess.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, err
	}
	if sess.Created, err = parseTime(created); err != nil {
		return Session{}, err
	}
	sess.LastSeen, err = parseTime(seen)
	return sess, err
}

// TouchSession records activity on a live session; ErrNotFound when it is
// unknown or ended.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(at), tokenHash)
	if err != nil {
		return err
	}
	return mustAffect(res, "session")
}

// EndSession ends a session (logout, idle log-off). The row is kept;
// ending an ended or unknown session is not an error.
func (s *Store) EndSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q("UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL"), fmtTime(at), tokenHash)
	return err
}

// API tokens

func (s *Store) CreateToken(ctx context.Context, userID int64, name, tokenHash string) error {
	if tokenHash == "" {
		return errors.New("an API token needs its hash")
	}
	if _, err := s.UserByID(ctx, userID); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)"),
		userID, name, tokenHash, fmtTime(s.now()))
	if s.eng.IsConflict(err) {
		return fmt.Errorf("API token: %w", ErrConflict)
	}
	return err
}

// RevokeToken stops a token from working; the row is kept.
func (s *Store) RevokeToken(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"), fmtTime(at), tokenHash)
	if err != nil {
		return err
	}
	return mustAffect(res, "API token")
}

// UserByToken is the owner of a live API token; ErrNotFound when the
// token is unknown or revoked, or its account disabled.
func (s *Store) UserByToken(ctx context.Context, tokenHash string) (User, error) {
	return s.userWhere(ctx, "API token", `SELECT u.id, u.email, u.name, u.password_hash, u.created_at, u.disabled_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`, tokenHash)
}
