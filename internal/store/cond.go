package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"ward/internal/workspace"
)

// ErrStale: a write based on a version of a record that is no longer the
// current one (someone else changed it since it was loaded). Nothing was
// written; a *StaleError says what the write would have overwritten.
var ErrStale = errors.New("the record was changed since it was loaded")

// Cond makes a write conditional. Writes are optimistic: nothing is
// locked while a person edits; the condition is checked inside the
// write's transaction, after every write committed before it, so of two
// writes in flight that cannot both hold, the second is refused.
type Cond struct {
	// Version is the record's version the write is based on (what the
	// editor loaded, the API's If-Match): the write is refused with a
	// *StaleError when the record has moved on. 0: no version condition.
	Version int64
	// Create: the record must not be live; a create that would overwrite
	// another's record is refused with ErrConflict.
	Create bool
	// Update: the record must be live (ErrNotFound when it is not), so an
	// edit cannot bring back a record retired meanwhile.
	Update bool
	// Check validates the write against the organization as it is inside
	// the transaction, before the write: references to records retired
	// meanwhile, a retire of a record named meanwhile. An error refuses
	// the write and is returned as is.
	Check func(current *workspace.Workspace) error
}

// StaleError is ErrStale with the changes the write would have lost.
type StaleError struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	// Want is the version the write was based on, Have the current one.
	Want int64 `json:"based_on_version"`
	Have int64 `json:"current_version"`
	// Changes since Want, newest first: who, when, which fields.
	Changes []HistoryEntry `json:"changes"`
}

func (e *StaleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q was changed since version %d was loaded (it is at version %d)", e.Kind, e.Key, e.Want, e.Have)
	for i, c := range e.Changes {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s by %s at %s", c.Action, c.Actor, c.At.UTC().Format("2006-01-02 15:04:05 UTC"))
		if len(c.Fields) > 0 {
			b.WriteString(" (" + strings.Join(c.Fields, ", ") + ")")
		}
	}
	b.WriteString("; the write would overwrite that: load the record again and redo the edit")
	return b.String()
}

func (e *StaleError) Is(target error) bool { return target == ErrStale }

// check applies c to the stored row (ok: it exists, live or retired).
func (w *writer) check(c Cond, kind, key string, r row, ok bool) error {
	live := ok && !r.retired
	switch {
	case c.Create && live:
		return fmt.Errorf("%s %q: %w", kind, key, ErrConflict)
	case c.Update && !live:
		return fmt.Errorf("%s %q: %w", kind, key, ErrNotFound)
	}
	if c.Version != 0 && (!ok || r.version != c.Version) {
		e := &StaleError{Kind: kind, Key: key, Want: c.Version, Have: r.version}
		if n := r.version - c.Version; ok && n > 0 {
			es, err := w.o.changes(w.ctx, w.tx, kind, key, int(min(n, 20)))
			if err != nil {
				return err
			}
			e.Changes = historyOf(es)
		}
		return e
	}
	if c.Check != nil {
		rows, err := w.o.rows(w.ctx, w.tx, true)
		if err != nil {
			return err
		}
		cur, err := decodeRows(rows, w.o.org)
		if err != nil {
			return err
		}
		if err := c.Check(cur); err != nil {
			return err
		}
	}
	return nil
}

// PutIf creates or updates one record if c holds (an edit from the web or
// the API). key must be the record's own key (its id, e-mail, or flow
// key; for evidence an empty key takes the assigned id). Unchanged:
// Change{}; otherwise the change with the record's new version.
func (o *OrgStore) PutIf(ctx context.Context, actor, kind, key string, rec any, c Cond) (Change, error) {
	if kind == KindEvidence {
		if e, ok := rec.(workspace.Evidence); ok {
			if e.AddedBy == "" {
				e.AddedBy = actor
			}
			rec = e
		}
	}
	body, k, v, err := canonical(kind, rec)
	if err != nil {
		return Change{}, err
	}
	if kind == KindOrganization {
		org := v.(*workspace.Organization)
		if org.Slug != o.org.Slug {
			org.Slug = o.org.Slug
			if body, err = json.Marshal(org); err != nil {
				return Change{}, err
			}
		}
	}
	if key == "" && (kind == KindEvidence || kind == KindOrganization) {
		key = k
	}
	if key != k {
		return Change{}, fmt.Errorf("%s %q: the record's own key is %q; keys cannot be changed by an edit (retire it and add a new one)", kind, key, k)
	}
	var ch Change
	err = o.write(ctx, actor, false, func(w *writer) error {
		if evidenceSource(kind, body) == workspace.SourceImporter {
			w.origin = OriginImport
		}
		old, exists, err := w.load(kind, key)
		if err != nil {
			return err
		}
		if err := w.check(c, kind, key, old, exists); err != nil {
			return err
		}
		pos := old.pos
		if !exists {
			if err := w.tx.QueryRowContext(ctx, o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
				o.org.ID, kind).Scan(&pos); err != nil {
				return err
			}
		}
		ch, err = w.put(desired{kind: kind, key: key, body: body, pos: pos, v: v}, old, exists)
		if ch.Action == "" {
			ch.Version = old.version
		}
		return err
	})
	if err != nil {
		return Change{}, err
	}
	return ch, nil
}

// RetireIf retires one live record if c holds (c.Create is ignored); it
// is kept, and listed by Retired.
func (o *OrgStore) RetireIf(ctx context.Context, actor, kind, key string, c Cond) (Change, error) {
	if kind == KindOrganization {
		return Change{}, errors.New("the organization record cannot be retired")
	}
	var ch Change
	err := o.write(ctx, actor, false, func(w *writer) error {
		r, exists, err := w.load(kind, key)
		if err != nil {
			return err
		}
		if !exists || r.retired {
			return fmt.Errorf("%s %q: %w", kind, key, ErrNotFound)
		}
		c.Create = false
		if err := w.check(c, kind, key, r, exists); err != nil {
			return err
		}
		ch, err = w.retire(r)
		return err
	})
	return ch, err
}

// GetVersion decodes one live record into into and returns its version
// (the API's ETag; what a form carries). ErrNotFound also for a retired
// record.
func (o *OrgStore) GetVersion(ctx context.Context, kind, key string, into any) (int64, error) {
	var body string
	var v int64
	err := o.s.db.QueryRowContext(ctx, o.s.q("SELECT body, version FROM records WHERE org_id = ? AND kind = ? AND key = ? AND retired_at IS NULL"),
		o.org.ID, kind, key).Scan(&body, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s %q: %w", kind, key, ErrNotFound)
	}
	if err != nil {
		return 0, err
	}
	if into == nil {
		return v, nil
	}
	return v, json.Unmarshal([]byte(body), into)
}

// Version is one live record's version; ErrNotFound when it is not live.
func (o *OrgStore) Version(ctx context.Context, kind, key string) (int64, error) {
	return o.GetVersion(ctx, kind, key, nil)
}

// Origin says where one record (live or retired) is managed, and whether
// it has drifted: changed outside the files since the last apply.
func (o *OrgStore) Origin(ctx context.Context, kind, key string) (origin string, drifted bool, err error) {
	var version, synced int64
	err = o.s.db.QueryRowContext(ctx, o.s.q("SELECT origin, version, synced FROM records WHERE org_id = ? AND kind = ? AND key = ?"),
		o.org.ID, kind, key).Scan(&origin, &version, &synced)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("%s %q: %w", kind, key, ErrNotFound)
	}
	return origin, origin == OriginFiles && version != synced, err
}

// historyOf turns record changes (audit entries) into history entries.
func historyOf(es []AuditEntry) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(es))
	for _, e := range es {
		h := HistoryEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action}
		if e.Action == "update" {
			var d struct{ Before, After json.RawMessage }
			if json.Unmarshal(e.Data, &d) == nil {
				h.Fields = changedFields(d.Before, d.After)
			}
		}
		out = append(out, h)
	}
	return out
}
