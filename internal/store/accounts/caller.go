package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"ward/internal/audit"
)

// Caller is what a request needs before its handler runs, read in one
// statement (one round trip on PostgreSQL, where each of the session, the
// account, the organization, the role and the audit head was one):
// who is asking, their role in the organization the address names, and
// that organization's audit head (the workspace cache's key).
type Caller struct {
	// Session is the browser's session (zero for an API token); Token
	// the API token (zero for a session).
	Session Session
	Token   Token
	User    User
	// Org and Role are the organization named by the slug asked for and
	// the caller's role in it, when the caller holds a role there; the
	// zero Org and "" otherwise, whether or not it exists.
	Org  Org
	Role string
	// Head is Org's audit head, when HasHead.
	Head    audit.Head
	HasHead bool
	// Memberships are every organization the caller holds a role in, by
	// slug, each with its audit head, when they were asked for
	// (HasMemberships).
	Memberships    []Membership
	HasMemberships bool
}

// CallerBySession reads the live session tokenHash (ErrNotFound when it is
// unknown or ended) with its account and, for slug (may be ""), the
// caller's role there and the organization's audit head; with
// memberships, the list of the account's organizations too. Whether the
// session is idle or too old, and whether the account is disabled, is the
// caller's to judge: nothing is written.
func (a *Accounts) CallerBySession(ctx context.Context, tokenHash, slug string, memberships bool) (Caller, error) {
	var c Caller
	err := a.readCaller(ctx, &c, "sessions x", prefixCols("x.", sessionCols), " AND x.ended_at IS NULL", tokenHash, slug, memberships, func(v rowValues) error {
		var err error
		c.Session, err = scanSession(v)
		return err
	})
	return c, err
}

// CallerByToken is CallerBySession for an API token: ErrNotFound when the
// token is unknown, revoked or expired, or its account disabled. It notes
// when the token was last used (at most one write a minute per token).
func (a *Accounts) CallerByToken(ctx context.Context, tokenHash, slug string, memberships bool) (Caller, error) {
	var c Caller
	err := a.readCaller(ctx, &c, "api_tokens x", prefixCols("x.", tokenCols), "", tokenHash, slug, memberships, func(v rowValues) error {
		var err error
		c.Token, err = scanToken(v)
		return err
	})
	if err != nil {
		return Caller{}, fmt.Errorf("API token: %w", err)
	}
	now := a.now()
	if !c.Token.Live(now) || c.User.Disabled {
		return Caller{}, fmt.Errorf("API token: %w", ErrNotFound)
	}
	if c.Token.LastUsed.IsZero() || now.Sub(c.Token.LastUsed) >= tokenTouchEvery {
		// Best effort: a request is not refused because this write failed.
		a.db.ExecContext(ctx, a.q("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"), fmtTime(now), c.Token.ID)
	}
	return c, nil
}

// readCaller runs the one statement: the row of from (aliased x) whose
// token_hash is tokenHash, joined to its account, and either the
// organization slug alone or every organization the account holds a
// role in (one row each, with its head).
func (a *Accounts) readCaller(ctx context.Context, c *Caller, from, cols, live, tokenHash, slug string, memberships bool, first func(rowValues) error) error {
	nFirst := strings.Count(cols, ",") + 1
	var q string
	args := []any{slug, tokenHash}
	if memberships {
		q = `SELECT ` + cols + `, ` + prefixCols("u.", userCols) + `, o.id, o.slug, o.name, o.created_at, m.role, h.seq, h.hash
			FROM ` + from + ` JOIN users u ON u.id = x.user_id
			LEFT JOIN memberships m ON m.user_id = u.id AND m.revoked_at IS NULL
			LEFT JOIN orgs o ON o.id = m.org_id
			LEFT JOIN audit_head h ON h.org_id = o.id
			WHERE x.token_hash = ?` + live + ` ORDER BY o.slug`
		args = []any{tokenHash}
	} else {
		q = `SELECT ` + cols + `, ` + prefixCols("u.", userCols) + `, o.id, o.slug, o.name, o.created_at, m.role, h.seq, h.hash
			FROM ` + from + ` JOIN users u ON u.id = x.user_id
			LEFT JOIN orgs o ON o.slug = ?
			LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = o.id AND m.revoked_at IS NULL
			LEFT JOIN audit_head h ON h.org_id = o.id
			WHERE x.token_hash = ?` + live
	}
	rs, err := a.db.QueryContext(ctx, a.q(q), args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	nUser := strings.Count(userCols, ",") + 1
	vals := make([]any, nFirst+nUser+7)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	found := false
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return err
		}
		if !found {
			found = true
			if err := first(rowValues(vals[:nFirst])); err != nil {
				return err
			}
			if c.User, err = scanUser(rowValues(vals[nFirst : nFirst+nUser])); err != nil {
				return err
			}
		}
		var (
			id            sql.NullInt64
			oslug, name   sql.NullString
			created, role sql.NullString
			seq           sql.NullInt64
			hash          sql.NullString
		)
		if err := (rowValues(vals[nFirst+nUser:])).Scan(&id, &oslug, &name, &created, &role, &seq, &hash); err != nil {
			return err
		}
		if !id.Valid || !role.Valid {
			continue // no organization of that slug, or no role in it
		}
		m := Membership{Org: Org{ID: id.Int64, Slug: oslug.String, Name: name.String}, Role: role.String}
		if m.Org.Created, err = parseTime(created.String); err != nil {
			return err
		}
		if seq.Valid {
			m.Head = audit.Head{Seq: seq.Int64, Hash: hash.String}
		}
		if m.Org.Slug == slug && slug != "" {
			c.Org, c.Role = m.Org, m.Role
			c.Head, c.HasHead = m.Head, seq.Valid
		}
		if memberships {
			c.Memberships = append(c.Memberships, m)
		}
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	c.HasMemberships = memberships
	return nil
}

// prefixCols qualifies each of a comma-separated column list.
func prefixCols(p, cols string) string {
	return p + strings.ReplaceAll(cols, ", ", ", "+p)
}

// rowValues are column values already read (into *any), scanned again
// into typed destinations, so that one row of a join feeds the scan
// functions of each table (scanSession, scanUser, ...) unchanged.
type rowValues []any

func (v rowValues) Scan(dest ...any) error {
	if len(dest) != len(v) {
		return fmt.Errorf("scan %d values into %d destinations", len(v), len(dest))
	}
	for i, d := range dest {
		switch d := d.(type) {
		case sql.Scanner:
			if err := d.Scan(v[i]); err != nil {
				return err
			}
		case *string:
			var n sql.NullString
			if err := n.Scan(v[i]); err != nil || !n.Valid {
				return fmt.Errorf("column %d: a text value, got %T", i, v[i])
			}
			*d = n.String
		case *int64:
			var n sql.NullInt64
			if err := n.Scan(v[i]); err != nil || !n.Valid {
				return fmt.Errorf("column %d: an integer value, got %T", i, v[i])
			}
			*d = n.Int64
		default:
			return fmt.Errorf("column %d: cannot scan into %T", i, d)
		}
	}
	return nil
}
