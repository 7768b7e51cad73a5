package accounts

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
// token_hash is tokenHash, joined to its account, the organization slug
// with its head and, with memberships, every organization the account
// holds a role in with its head, as one JSON value.
func (a *Accounts) readCaller(ctx context.Context, c *Caller, from, cols, live, tokenHash, slug string, memberships bool, first func(rowValues) error) error {
	nFirst := strings.Count(cols, ",") + 1
	q := `SELECT ` + cols + `, ` + prefixCols("u.", userCols) + `, o.id, o.slug, o.name, o.created_at, m.role, h.seq, h.hash`
	extra := 7
	if memberships {
		// The account's organizations as one value: one row of 300
		// organizations' columns cost the request more than the rest
		// of an MSP's cached overview (issue 21).
		agg := `json_group_array(json_array(mo.id, mo.slug, mo.name, mo.created_at, mm.role, mh.seq, mh.hash))`
		if a.eng.Name() == "postgres" {
			agg = `coalesce(json_agg(json_build_array(mo.id, mo.slug, mo.name, mo.created_at, mm.role, mh.seq, mh.hash) ORDER BY mo.slug), '[]')`
		}
		q += `, (SELECT ` + agg + ` FROM memberships mm JOIN orgs mo ON mo.id = mm.org_id
			LEFT JOIN audit_head mh ON mh.org_id = mo.id
			WHERE mm.user_id = u.id AND mm.revoked_at IS NULL)`
		extra++
	}
	q += `
		FROM ` + from + ` JOIN users u ON u.id = x.user_id
		LEFT JOIN orgs o ON o.slug = ?
		LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = o.id AND m.revoked_at IS NULL
		LEFT JOIN audit_head h ON h.org_id = o.id
		WHERE x.token_hash = ?` + live
	args := []any{slug, tokenHash}
	rs, err := a.db.QueryContext(ctx, a.q(q), args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	nUser := strings.Count(userCols, ",") + 1
	vals := make([]any, nFirst+nUser+extra)
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
		if err := (rowValues(vals[nFirst+nUser : nFirst+nUser+7])).Scan(&id, &oslug, &name, &created, &role, &seq, &hash); err != nil {
			return err
		}
		if memberships {
			if c.Memberships, err = a.parseMemberships(vals[len(vals)-1]); err != nil {
				return err
			}
		}
		if !id.Valid || !role.Valid {
			continue // no organization of that slug, or no role in it
		}
		m := Membership{Org: Org{ID: id.Int64, Slug: oslug.String, Name: name.String}, Role: role.String}
		if m.Org.Created, err = parseTime(created.String); err != nil {
			return err
		}
		if m.Org.Slug == slug && slug != "" {
			c.Org, c.Role = m.Org, m.Role
			c.Head, c.HasHead = audit.Head{Seq: seq.Int64, Hash: hash.String}, seq.Valid
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

// parseMemberships reads the JSON array of [id, slug, name, created,
// role, seq, hash] arrays readCaller asks for, by slug.
func (a *Accounts) parseMemberships(v any) ([]Membership, error) {
	var b []byte
	switch v := v.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("memberships: a JSON value, got %T", v)
	}
	out, err := parseMembershipArrays(b)
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	if a.eng.Name() != "postgres" {
		// SQLite's aggregate keeps no order; by slug, as Memberships
		// (byte order, SQLite's).
		slices.SortFunc(out, func(a, b Membership) int { return strings.Compare(a.Org.Slug, b.Org.Slug) })
	}
	return out, nil
}

// parseMembershipArrays reads [[id, "slug", "name", "created", "role",
// seq or null, "hash" or null], ...] by hand: encoding/json's generic
// decoding of an MSP's 300 took a third of a cached overview's time. A
// string with an escape in it is handed to encoding/json.
func parseMembershipArrays(b []byte) ([]Membership, error) {
	p := jsonArrays{b: b}
	out := []Membership{}
	p.space()
	if !p.eat('[') {
		return nil, p.fail()
	}
	for p.space(); !p.eat(']'); p.space() {
		if len(out) > 0 && !p.eat(',') {
			return nil, p.fail()
		}
		p.space()
		if !p.eat('[') {
			return nil, p.fail()
		}
		var m Membership
		var created string
		var seq int64
		var hasSeq bool
		var err error
		for i := range 7 {
			p.space()
			if i > 0 && !p.eat(',') {
				return nil, p.fail()
			}
			p.space()
			switch i {
			case 0:
				m.Org.ID, _, err = p.int()
			case 1:
				m.Org.Slug, err = p.str()
			case 2:
				m.Org.Name, err = p.str()
			case 3:
				created, err = p.str()
			case 4:
				m.Role, err = p.str()
			case 5:
				seq, hasSeq, err = p.int()
			case 6:
				if p.null() {
					break
				}
				m.Head.Hash, err = p.str()
			}
			if err != nil {
				return nil, err
			}
		}
		p.space()
		if !p.eat(']') {
			return nil, p.fail()
		}
		if hasSeq {
			m.Head.Seq = seq
		} else {
			m.Head.Hash = ""
		}
		if m.Org.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	p.space()
	if p.i != len(b) {
		return nil, p.fail()
	}
	return out, nil
}

type jsonArrays struct {
	b []byte
	i int
}

func (p *jsonArrays) fail() error { return fmt.Errorf("bad JSON at byte %d", p.i) }

func (p *jsonArrays) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonArrays) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonArrays) null() bool {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// int reads an integer, or null (ok false).
func (p *jsonArrays) int() (v int64, ok bool, err error) {
	if p.null() {
		return 0, false, nil
	}
	j := p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	v, err = strconv.ParseInt(string(p.b[p.i:j]), 10, 64)
	if err != nil {
		return 0, false, p.fail()
	}
	p.i = j
	return v, true, nil
}

// str reads a string; null reads as "".
func (p *jsonArrays) str() (string, error) {
	if p.null() {
		return "", nil
	}
	if !p.eat('"') {
		return "", p.fail()
	}
	start, escaped := p.i, false
	for p.i < len(p.b) && p.b[p.i] != '"' {
		if p.b[p.i] == '\\' {
			escaped = true
			p.i++
		}
		p.i++
	}
	if p.i >= len(p.b) {
		return "", p.fail()
	}
	p.i++
	if !escaped {
		return string(p.b[start : p.i-1]), nil
	}
	var v string
	if err := json.Unmarshal(p.b[start-1:p.i], &v); err != nil {
		return "", fmt.Errorf("bad JSON string at byte %d: %w", start, err)
	}
	return v, nil
}
