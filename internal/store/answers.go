package store

import (
	"context"
	"fmt"

	"ward/internal/secq"
)

// The security questionnaire's records: approved answers, and the
// customers' questionnaires under review. They are records like the
// workspace's (kept in the records table, audited, retired never
// deleted, in backups) but not part of the workspace files: apply neither
// writes nor retires them, export does not list them.
const (
	KindAnswer      = "answer"       // a secq.Approved, keyed by its bank or own id
	KindAnswerSheet = "answer_sheet" // a secq.Review, keyed by its id
)

func init() {
	kinds[KindAnswer] = kindOf{strict[secq.Approved], func(v any) string { return v.(*secq.Approved).ID }}
	kinds[KindAnswerSheet] = kindOf{strict[secq.Review], func(v any) string { return v.(*secq.Review).ID }}
}

// live reads the live records of one kind in the order they were added.
func (o *OrgStore) live(ctx context.Context, kind string, each func(body []byte) error) error {
	rs, err := o.s.db.QueryContext(ctx, o.s.q("SELECT body FROM records WHERE org_id = ? AND kind = ? AND retired_at IS NULL ORDER BY position, key"), o.org.ID, kind)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var body []byte
		if err := rs.Scan(&body); err != nil {
			return err
		}
		if err := each(body); err != nil {
			return err
		}
	}
	return rs.Err()
}

// ApprovedAnswers lists the organization's live approved answers.
func (o *OrgStore) ApprovedAnswers(ctx context.Context) ([]secq.Approved, error) {
	out := []secq.Approved{}
	err := o.live(ctx, KindAnswer, func(body []byte) error {
		v, err := kinds[KindAnswer].decode(body)
		if err != nil {
			return fmt.Errorf("stored answer: %w", err)
		}
		out = append(out, *v.(*secq.Approved))
		return nil
	})
	return out, err
}

// AnswerSheets lists the questionnaires under review, oldest first.
func (o *OrgStore) AnswerSheets(ctx context.Context) ([]secq.Review, error) {
	out := []secq.Review{}
	err := o.live(ctx, KindAnswerSheet, func(body []byte) error {
		v, err := kinds[KindAnswerSheet].decode(body)
		if err != nil {
			return fmt.Errorf("stored questionnaire: %w", err)
		}
		out = append(out, *v.(*secq.Review))
		return nil
	})
	return out, err
}

// AnswerSheet is one questionnaire under review (ErrNotFound when none or
// retired).
func (o *OrgStore) AnswerSheet(ctx context.Context, id string) (secq.Review, error) {
	var r secq.Review
	err := o.Get(ctx, KindAnswerSheet, id, &r)
	return r, err
}

// Decide stores a reviewer's decision: the questionnaire record with the
// decision, and the approved answer it makes (nil for a rejection), in
// one transaction, each audited. Both are checked first; on any error
// nothing is written.
func (o *OrgStore) Decide(ctx context.Context, actor string, r secq.Review, ap *secq.Approved) ([]Change, error) {
	if err := r.Check(); err != nil {
		return nil, fmt.Errorf("questionnaire %s: %w", r.ID, err)
	}
	if ap != nil {
		if err := ap.Check(secq.Default()); err != nil {
			return nil, fmt.Errorf("approved answer %s: %w", ap.ID, err)
		}
	}
	edits := []Edit{{Kind: KindAnswerSheet, Value: r}}
	if ap != nil {
		edits = append(edits, Edit{Kind: KindAnswer, Value: *ap})
	}
	return o.upsert(ctx, actor, edits)
}

// SaveApproved creates or updates an approved answer.
func (o *OrgStore) SaveApproved(ctx context.Context, actor string, ap secq.Approved) (Change, error) {
	if err := ap.Check(secq.Default()); err != nil {
		return Change{}, fmt.Errorf("approved answer %s: %w", ap.ID, err)
	}
	cs, err := o.upsert(ctx, actor, []Edit{{Kind: KindAnswer, Value: ap}})
	if err != nil || len(cs) == 0 {
		return Change{}, err
	}
	return cs[0], nil
}

// AddAnswerSheet stores a new questionnaire under review; the same file
// (the same id) again is ErrConflict.
func (o *OrgStore) AddAnswerSheet(ctx context.Context, actor string, r secq.Review) (Change, error) {
	if err := r.Check(); err != nil {
		return Change{}, fmt.Errorf("questionnaire %s: %w", r.ID, err)
	}
	cs, err := o.Save(ctx, actor, Edit{Kind: KindAnswerSheet, Value: r})
	if err != nil {
		return Change{}, err
	}
	return cs[0], nil
}

// upsert writes each record, created or updated (a retired one comes
// back), in one transaction; unchanged records are left alone.
func (o *OrgStore) upsert(ctx context.Context, actor string, edits []Edit) ([]Change, error) {
	want := make([]desired, 0, len(edits))
	for _, e := range edits {
		body, key, v, err := canonical(e.Kind, e.Value)
		if err != nil {
			return nil, err
		}
		want = append(want, desired{kind: e.Kind, key: key, body: body, v: v})
	}
	var changes []Change
	err := o.write(ctx, actor, false, func(w *writer) error {
		for _, d := range want {
			old, exists, err := w.load(d.kind, d.key)
			if err != nil {
				return err
			}
			d.pos = old.pos
			if !exists {
				if err := w.tx.QueryRowContext(ctx, o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
					o.org.ID, d.kind).Scan(&d.pos); err != nil {
					return err
				}
			}
			c, err := w.put(d, old, exists)
			if err != nil {
				return err
			}
			if c.Action != "" {
				changes = append(changes, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}
