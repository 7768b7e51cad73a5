package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"ward/internal/audit"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,199}$`)

// CreateOrg adds an organization and starts its audit chain with the
// creation itself. ErrConflict when the slug is taken.
func (s *Store) CreateOrg(ctx context.Context, actor, slug, name string) (Org, error) {
	if !slugRE.MatchString(slug) {
		return Org{}, fmt.Errorf("organization slug %q: use lower-case letters, digits and dashes (it appears in URLs)", slug)
	}
	if name == "" {
		return Org{}, fmt.Errorf("organization %q: a name is required", slug)
	}
	now := s.now()
	org := Org{Slug: slug, Name: name, Created: now.UTC()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q("INSERT INTO orgs (slug, name, created_at) VALUES (?, ?, ?) RETURNING id"),
			slug, name, fmtTime(now)).Scan(&org.ID)
		if err != nil {
			if s.eng.IsConflict(err) {
				return fmt.Errorf("organization %q: %w", slug, ErrConflict)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO audit_head (org_id, seq, hash) VALUES (?, 0, '')"), org.ID); err != nil {
			return err
		}
		head := audit.Head{}
		if err := s.appendAudit(ctx, tx, org.ID, &head, actor, "org.create", "org", slug, map[string]string{"slug": slug, "name": name}); err != nil {
			return err
		}
		return s.saveHead(ctx, tx, org.ID, head)
	})
	if err != nil {
		return Org{}, err
	}
	org.Created, _ = parseTime(fmtTime(now))
	return org, nil
}

func (s *Store) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, slug, name, created_at FROM orgs ORDER BY slug")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) OrgBySlug(ctx context.Context, slug string) (Org, error) {
	return s.orgWhere(ctx, "slug = ?", slug)
}

func (s *Store) OrgByID(ctx context.Context, id int64) (Org, error) {
	return s.orgWhere(ctx, "id = ?", id)
}

func (s *Store) orgWhere(ctx context.Context, where string, arg any) (Org, error) {
	o, err := scanOrg(s.db.QueryRowContext(ctx, s.q("SELECT id, slug, name, created_at FROM orgs WHERE "+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, fmt.Errorf("organization %v: %w", arg, ErrNotFound)
	}
	return o, err
}

type scanner interface{ Scan(...any) error }

func scanOrg(r scanner) (Org, error) {
	var o Org
	var created string
	if err := r.Scan(&o.ID, &o.Slug, &o.Name, &created); err != nil {
		return Org{}, err
	}
	var err error
	o.Created, err = parseTime(created)
	return o, err
}

// lockHead reads an organization's audit head inside a write transaction
// and holds it until commit: every writer to one organization's chain
// goes through here first, so appends are serialized.
func (s *Store) lockHead(ctx context.Context, tx *sql.Tx, orgID int64) (audit.Head, error) {
	var h audit.Head
	err := tx.QueryRowContext(ctx, s.q("SELECT seq, hash FROM audit_head WHERE org_id = ?"+s.eng.LockHead()), orgID).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("organization %d has no audit head: %w", orgID, ErrNotFound)
	}
	return h, err
}

// appendAudit links one entry after *head and inserts it; the caller
// saves the head once, before commit.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, orgID int64, head *audit.Head, actor, action, kind, key string, data any) error {
	args, err := s.auditRow(orgID, head, actor, action, kind, key, data)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit (`+auditInsertCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), args...)
	return err
}

const auditInsertCols = "org_id, seq, at, actor, action, kind, key, data, prev, hash"

// auditRow links the next entry to the chain (head moves on) and returns
// the values of its row, in auditInsertCols' order.
func (s *Store) auditRow(orgID int64, head *audit.Head, actor, action, kind, key string, data any) ([]any, error) {
	// Data is kept compact, the form it is hashed in, so that verifying
	// hashes it as stored (json.Marshal's output is compact already).
	raw, ok := data.(json.RawMessage)
	if ok {
		raw = audit.Canonical(raw)
	} else {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return nil, fmt.Errorf("audit data: %w", err)
		}
	}
	e := audit.Entry{Seq: head.Seq + 1, At: s.now().UTC(), Actor: actor, Action: action, Kind: kind, Key: key, Data: raw}
	*head = audit.Link(*head, &e)
	return []any{orgID, e.Seq, fmtTime(e.At), e.Actor, e.Action, e.Kind, e.Key, string(e.Data), e.Prev, e.Hash}, nil
}

func (s *Store) saveHead(ctx context.Context, tx *sql.Tx, orgID int64, head audit.Head) error {
	_, err := tx.ExecContext(ctx, s.q("UPDATE audit_head SET seq = ?, hash = ? WHERE org_id = ?"), head.Seq, head.Hash, orgID)
	return err
}
