package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ward/internal/bounds"
)

// Drafts of long web forms (issue 19 item 11). A person typing into the
// risk questionnaire or an incident's breach assessment keeps a draft,
// saved as they type, that survives the idle log-off (HIPAA
// 164.312(a)(2)(iii) stays: the session ends; the typing does not) and
// comes back after their next login, on any browser.
//
// Drafts rest here, in the database, rather than in the browser: the
// breach form may hold PHI, and browser storage would leave it on a
// possibly shared workstation after the log-off, readable by the next
// person at that screen. Here a draft is held to the database's own
// protection, keyed to one account and organization, shown only to that
// account, and removed when the form is saved or discarded, when the
// account's role there is gone (not found again), and DraftLifetime after
// it was last saved. A draft is scratch, not a record of the program: it
// is not on the audit trail and its removal is a real delete.

// DraftLifetime is how long an untouched draft is kept.
const DraftLifetime = 14 * 24 * time.Hour

// MaxDraft is the largest draft body kept (a form's fields, URL-encoded).
const MaxDraft = 512 << 10

// Draft is one saved draft.
type Draft struct {
	Form  string    `json:"form"`
	Body  string    `json:"body"`
	Saved time.Time `json:"saved"`
}

// SaveDraft keeps body as userID's draft of form in org, replacing the
// one before, and removes every draft older than DraftLifetime.
func (s *Store) SaveDraft(ctx context.Context, userID, orgID int64, form, body string) error {
	switch {
	case userID == 0 || orgID == 0:
		return errors.New("a draft needs an account and an organization")
	case form == "" || len(form) > bounds.MaxName:
		return fmt.Errorf("draft: the form's address is empty or longer than %d bytes", bounds.MaxName)
	case len(body) > MaxDraft:
		return fmt.Errorf("draft: %d bytes, more than the %d kept", len(body), MaxDraft)
	case bounds.InvalidUTF8(body) >= 0 || bounds.InvalidUTF8(form) >= 0:
		return errors.New("draft: not valid UTF-8")
	}
	now := s.now()
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM drafts WHERE saved_at < ?"), fmtTime(now.Add(-DraftLifetime))); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO drafts (user_id, org_id, form, body, saved_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, org_id, form) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at`),
		userID, orgID, form, body, fmtTime(now))
	return err
}

// DraftOf is userID's draft of form in org; ErrNotFound when there is
// none, or it is older than DraftLifetime.
func (s *Store) DraftOf(ctx context.Context, userID, orgID int64, form string) (Draft, error) {
	var d Draft
	var saved string
	err := s.db.QueryRowContext(ctx, s.q("SELECT form, body, saved_at FROM drafts WHERE user_id = ? AND org_id = ? AND form = ?"), userID, orgID, form).
		Scan(&d.Form, &d.Body, &saved)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("draft: %w", ErrNotFound)
	}
	if err != nil {
		return Draft{}, err
	}
	if d.Saved, err = parseTime(saved); err != nil {
		return Draft{}, err
	}
	if s.now().Sub(d.Saved) > DraftLifetime {
		return Draft{}, fmt.Errorf("draft: %w", ErrNotFound)
	}
	return d, nil
}

// DeleteDraft removes userID's draft of form in org, if any.
func (s *Store) DeleteDraft(ctx context.Context, userID, orgID int64, form string) error {
	_, err := s.db.ExecContext(ctx, s.q("DELETE FROM drafts WHERE user_id = ? AND org_id = ? AND form = ?"), userID, orgID, form)
	return err
}
