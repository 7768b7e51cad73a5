package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ward/internal/workspace"
)

// Edit is one record for Save: a kind and a workspace struct (or its
// JSON), new unless Update.
type Edit struct {
	Kind  string
	Value any
	// Update changes a live record instead of creating one.
	Update bool
	// Version, for an update, is the version the edit is based on: a
	// record changed since is refused with a *StaleError. 0: none.
	Version int64
}

// Save writes several records in one transaction, each audited, all or
// nothing: `ward risk add`, the questionnaire's proposed risks, a new
// analysis with the risks it carries over. A new record never overwrites:
// a key already stored, live or retired (retired records are kept, so
// their keys stay taken), is ErrConflict naming it. An Update of a record
// that is not live is ErrNotFound. On any error nothing is written.
func (o *OrgStore) Save(ctx context.Context, actor string, recs ...Edit) ([]Change, error) {
	return o.SaveIf(ctx, actor, nil, recs...)
}

// SaveIf is Save with check run first inside the transaction, on the
// organization as it is then (see Cond.Check): an error refuses every
// record.
func (o *OrgStore) SaveIf(ctx context.Context, actor string, check func(current *workspace.Workspace) error, recs ...Edit) ([]Change, error) {
	want := make([]desired, 0, len(recs))
	var update []bool
	var versions []int64
	seen := map[string]bool{}
	for i, r := range recs {
		if r.Kind == KindOrganization {
			return nil, errors.New("the organization record exists already: use Put to change it")
		}
		body, key, v, err := canonical(r.Kind, r.Value)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if seen[r.Kind+"\x00"+key] {
			return nil, fmt.Errorf("%s %q is given twice: %w", r.Kind, key, ErrConflict)
		}
		seen[r.Kind+"\x00"+key] = true
		want = append(want, desired{kind: r.Kind, key: key, body: body, v: v})
		update = append(update, r.Update)
		versions = append(versions, r.Version)
	}
	var changes []Change
	err := o.write(ctx, actor, false, func(w *writer) error {
		if check != nil {
			if err := w.check(Cond{Check: check}, "", "", row{}, false); err != nil {
				return err
			}
		}
		next := map[string]int{}
		for i, d := range want {
			old, exists, err := w.load(d.kind, d.key)
			if err != nil {
				return err
			}
			if update[i] {
				if !exists || old.retired {
					return fmt.Errorf("%s %q: %w", d.kind, d.key, ErrNotFound)
				}
				if err := w.check(Cond{Version: versions[i]}, d.kind, d.key, old, exists); err != nil {
					return err
				}
				if d.kind == KindEvidence {
					return fmt.Errorf("evidence %q is immutable: add a new item instead", d.key)
				}
				d.pos = old.pos
				c, err := w.put(d, old, true)
				if err != nil {
					return err
				}
				if c.Action != "" {
					changes = append(changes, c)
				}
				continue
			}
			if exists {
				return fmt.Errorf("%s %q: %w (ids are never reused, even after a record is retired)", d.kind, d.key, ErrConflict)
			}
			pos, ok := next[d.kind]
			if !ok {
				if err := w.tx.QueryRowContext(ctx, o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
					o.org.ID, d.kind).Scan(&pos); err != nil {
					return err
				}
			}
			next[d.kind] = pos + 1
			d.pos = pos
			c, err := w.put(d, row{}, false)
			if err != nil {
				return err
			}
			changes = append(changes, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// HistoryEntry is one audited change of a record.
type HistoryEntry struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	// Fields are the top-level fields an update changed.
	Fields []string `json:"fields,omitempty"`
}

// History is the audit trail of one record, oldest first: who created,
// changed or retired it, when, and which fields an update touched.
func (o *OrgStore) History(ctx context.Context, kind, key string) ([]HistoryEntry, error) {
	rs, err := o.s.db.QueryContext(ctx, o.s.q("SELECT "+auditCols+" FROM audit WHERE org_id = ? AND kind = ? AND key = ? ORDER BY seq"), o.org.ID, kind, key)
	if err != nil {
		return nil, err
	}
	entries, err := scanAudit(rs)
	if err != nil {
		return nil, err
	}
	out := historyOf(entries)
	return out, nil
}
