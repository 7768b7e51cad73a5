package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ward/internal/store/accounts"
)

// The notifier's tables (migration 049): the outbox, people's
// preferences, what the notifier remembers between runs, webhooks and
// calendar feed tokens. internal/notify explains the delivery.

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // gave up after the last retry
)

// Outbound is one outbox row: one message on one channel.
type Outbound struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Channel   string    `json:"channel"` // "email" or "webhook:ID"
	Key       string    `json:"key"`
	Recipient string    `json:"recipient"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"-"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error,omitempty"`
	Created   time.Time `json:"created"`
	Sent      time.Time `json:"sent,omitzero"`
	// LeaseOwner is who holds the row while delivering it.
	LeaseOwner string `json:"-"`
}

// Enqueue adds a message to the outbox unless one with its channel and
// key is there already (whatever its status); it reports whether it
// added it. Two servers planning the same day race on the unique key and
// one wins.
func (s *Store) Enqueue(ctx context.Context, m Outbound) (bool, error) {
	now := fmtTime(s.now())
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO notify_outbox
		(org_id, channel, key, recipient, kind, subject, body, status, attempts, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (org_id, channel, key) DO NOTHING`),
		m.OrgID, m.Channel, m.Key, m.Recipient, m.Kind, m.Subject, m.Body, OutboxPending, now, now)
	if err != nil {
		if s.eng.IsBusy(err) {
			return false, ErrBusy
		}
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const outboxCols = "id, org_id, channel, key, recipient, kind, subject, body, status, attempts, next_at, last_error, created_at, COALESCE(sent_at, ''), lease_owner"

func scanOutbound(r scanner) (Outbound, error) {
	var m Outbound
	var next, created, sent string
	if err := r.Scan(&m.ID, &m.OrgID, &m.Channel, &m.Key, &m.Recipient, &m.Kind, &m.Subject, &m.Body, &m.Status, &m.Attempts, &next, &m.LastError, &created, &sent, &m.LeaseOwner); err != nil {
		return m, err
	}
	m.NextAt, _ = parseTime(next)
	m.Created, _ = parseTime(created)
	if sent != "" {
		m.Sent, _ = parseTime(sent)
	}
	return m, nil
}

// Claim takes the next pending message that is due and not held by
// another runner, holding it for lease: a conditional UPDATE that only
// one runner's can match, on either engine (SQLite serializes writers,
// PostgreSQL re-checks the WHERE on the row it locks). nil when nothing
// is due.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration) (*Outbound, error) {
	for range 20 {
		now := s.now()
		var id int64
		err := s.db.QueryRowContext(ctx, s.q(`SELECT id FROM notify_outbox
			WHERE status = ? AND next_at <= ? AND lease_until < ? ORDER BY next_at, id LIMIT 1`),
			OutboxPending, fmtTime(now), fmtTime(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE notify_outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
			WHERE id = ? AND status = ? AND lease_until < ?`),
			owner, fmtTime(now.Add(lease)), id, OutboxPending, fmtTime(now))
		if err != nil {
			if s.eng.IsBusy(err) {
				continue
			}
			return nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another runner took it first
		}
		m, err := scanOutbound(s.db.QueryRowContext(ctx, s.q("SELECT "+outboxCols+" FROM notify_outbox WHERE id = ?"), id))
		if err != nil {
			return nil, err
		}
		return &m, nil
	}
	return nil, nil
}

// MarkSent records a claimed message as delivered. It fails when the
// lease passed to another runner meanwhile.
func (s *Store) MarkSent(ctx context.Context, id int64, owner string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE notify_outbox SET status = ?, sent_at = ?, lease_until = '', last_error = ''
		WHERE id = ? AND lease_owner = ? AND status = ?`), OutboxSent, fmtTime(s.now()), id, owner, OutboxPending)
	if err != nil {
		return err
	}
	return mustAffect(res, "outbox message")
}

// MarkRetry records a failed delivery: due again at next, or failed for
// good when giveUp.
func (s *Store) MarkRetry(ctx context.Context, id int64, owner, why string, next time.Time, giveUp bool) error {
	status := OutboxPending
	if giveUp {
		status = OutboxFailed
	}
	if len(why) > 1000 {
		why = why[:1000]
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE notify_outbox SET status = ?, next_at = ?, lease_until = '', last_error = ?
		WHERE id = ? AND lease_owner = ? AND status = ?`), status, fmtTime(next), why, id, owner, OutboxPending)
	return err
}

// Outbox lists an organization's messages, newest first: the delivery
// log.
func (s *Store) Outbox(ctx context.Context, orgID int64, limit int) ([]Outbound, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+outboxCols+" FROM notify_outbox WHERE org_id = ? ORDER BY id DESC LIMIT ?"), orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Outbound{}
	for rows.Next() {
		m, err := scanOutbound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// NotifyPrefs is a person's preferences as stored (JSON), "" when none.
func (s *Store) NotifyPrefs(ctx context.Context, email string) (string, error) {
	var body string
	err := s.db.QueryRowContext(ctx, s.q("SELECT body FROM notify_prefs WHERE email = ?"), normEmail(email)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return body, err
}

// AllNotifyPrefs is everyone's preferences by e-mail.
func (s *Store) AllNotifyPrefs(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT email, body FROM notify_prefs")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var e, b string
		if err := rows.Scan(&e, &b); err != nil {
			return nil, err
		}
		out[e] = b
	}
	return out, rows.Err()
}

// SetNotifyPrefs stores a person's preferences, on the accounts' trail.
func (s *Store) SetNotifyPrefs(ctx context.Context, actor, email, body string) error {
	email = normEmail(email)
	return accounts.Write(s.Accounts, ctx, actor, func(w *accounts.Writer) error {
		if err := w.Exec(`INSERT INTO notify_prefs (email, body, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, email, body, fmtTime(s.now())); err != nil {
			return err
		}
		return w.Audit("notify.prefs", email, map[string]any{"prefs": body})
	})
}

// NotifyState is what the notifier remembered under name, "" when
// nothing.
func (s *Store) NotifyState(ctx context.Context, orgID int64, name string) (string, error) {
	var body string
	err := s.db.QueryRowContext(ctx, s.q("SELECT body FROM notify_state WHERE org_id = ? AND name = ?"), orgID, name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return body, err
}

// SetNotifyState remembers body under name.
func (s *Store) SetNotifyState(ctx context.Context, orgID int64, name, body string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO notify_state (org_id, name, body, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`), orgID, name, body, fmtTime(s.now()))
	return err
}

// Webhook is an organization's webhook.
type Webhook struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
	Retired   time.Time `json:"retired,omitzero"`
}

// AddWebhook adds a webhook, on the organization's trail.
func (o *OrgStore) AddWebhook(ctx context.Context, actor, url, secret string) (Webhook, error) {
	s := o.s
	now := s.now()
	h := Webhook{OrgID: o.org.ID, URL: url, Secret: secret, CreatedBy: actor, Created: now}
	err := o.write(ctx, actor, false, func(w *writer) error {
		err := w.tx.QueryRowContext(ctx, s.q(`INSERT INTO notify_webhooks (org_id, url, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			o.org.ID, url, secret, actor, fmtTime(now)).Scan(&h.ID)
		if err != nil {
			return err
		}
		return w.audit("notify.webhook.add", "webhook", url, map[string]any{"id": h.ID, "url": url})
	})
	return h, err
}

// RetireWebhook stops deliveries to a webhook, on the organization's
// trail.
func (o *OrgStore) RetireWebhook(ctx context.Context, actor string, id int64) error {
	s := o.s
	return o.write(ctx, actor, false, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, s.q("UPDATE notify_webhooks SET retired_at = ? WHERE id = ? AND org_id = ? AND retired_at IS NULL"), fmtTime(s.now()), id, o.org.ID)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "webhook"); err != nil {
			return err
		}
		return w.audit("notify.webhook.retire", "webhook", "", map[string]any{"id": id})
	})
}

// Webhooks lists the organization's webhooks, live ones only unless all.
func (o *OrgStore) Webhooks(ctx context.Context, all bool) ([]Webhook, error) {
	s := o.s
	q := "SELECT id, org_id, url, secret, created_by, created_at, COALESCE(retired_at, '') FROM notify_webhooks WHERE org_id = ?"
	if !all {
		q += " AND retired_at IS NULL"
	}
	rows, err := s.db.QueryContext(ctx, s.q(q+" ORDER BY id"), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		var h Webhook
		var c, r string
		if err := rows.Scan(&h.ID, &h.OrgID, &h.URL, &h.Secret, &h.CreatedBy, &c, &r); err != nil {
			return nil, err
		}
		h.Created, _ = parseTime(c)
		if r != "" {
			h.Retired, _ = parseTime(r)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Webhook is one webhook by id, retired or not, of any organization
// (the runner's look-up for an outbox row).
func (s *Store) Webhook(ctx context.Context, id int64) (Webhook, error) {
	var h Webhook
	var c, r string
	err := s.db.QueryRowContext(ctx, s.q("SELECT id, org_id, url, secret, created_by, created_at, COALESCE(retired_at, '') FROM notify_webhooks WHERE id = ?"), id).
		Scan(&h.ID, &h.OrgID, &h.URL, &h.Secret, &h.CreatedBy, &c, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrNotFound
	}
	h.Created, _ = parseTime(c)
	if r != "" {
		h.Retired, _ = parseTime(r)
	}
	return h, err
}

// CalToken is a calendar feed token.
type CalToken struct {
	ID      int64     `json:"id"`
	OrgID   int64     `json:"org_id"`
	UserID  int64     `json:"user_id,omitempty"` // 0: the organization's feed
	By      string    `json:"created_by"`
	Created time.Time `json:"created"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// CreateCalToken stores a feed token's hash, on the organization's
// trail.
func (o *OrgStore) CreateCalToken(ctx context.Context, actor string, userID int64, tokenHash string) (CalToken, error) {
	s := o.s
	now := s.now()
	t := CalToken{OrgID: o.org.ID, UserID: userID, By: actor, Created: now}
	var uid any
	if userID != 0 {
		uid = userID
	}
	err := o.write(ctx, actor, false, func(w *writer) error {
		err := w.tx.QueryRowContext(ctx, s.q("INSERT INTO cal_tokens (token_hash, org_id, user_id, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id"),
			tokenHash, o.org.ID, uid, actor, fmtTime(now)).Scan(&t.ID)
		if err != nil {
			return err
		}
		return w.audit("calendar.token.create", "calendar", "", map[string]any{"id": t.ID, "user_id": userID})
	})
	return t, err
}

// CalTokens lists the organization's feed tokens: the person's (userID)
// or, with 0, the organization's.
func (o *OrgStore) CalTokens(ctx context.Context, userID int64) ([]CalToken, error) {
	s := o.s
	q := "SELECT id, org_id, COALESCE(user_id, 0), created_by, created_at, COALESCE(revoked_at, '') FROM cal_tokens WHERE org_id = ? AND "
	args := []any{o.org.ID}
	if userID == 0 {
		q += "user_id IS NULL"
	} else {
		q += "user_id = ?"
		args = append(args, userID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q+" ORDER BY id"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CalToken{}
	for rows.Next() {
		t, err := scanCalToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanCalToken(r scanner) (CalToken, error) {
	var t CalToken
	var c, rv string
	if err := r.Scan(&t.ID, &t.OrgID, &t.UserID, &t.By, &c, &rv); err != nil {
		return t, err
	}
	t.Created, _ = parseTime(c)
	if rv != "" {
		t.Revoked, _ = parseTime(rv)
	}
	return t, nil
}

// RevokeCalToken revokes a feed token of the organization (of the person
// userID, or the organization's with 0), on the organization's trail.
func (o *OrgStore) RevokeCalToken(ctx context.Context, actor string, userID, id int64) error {
	s := o.s
	q := "UPDATE cal_tokens SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at IS NULL AND "
	args := []any{fmtTime(s.now()), id, o.org.ID}
	if userID == 0 {
		q += "user_id IS NULL"
	} else {
		q += "user_id = ?"
		args = append(args, userID)
	}
	return o.write(ctx, actor, false, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, s.q(q), args...)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "calendar token"); err != nil {
			return err
		}
		return w.audit("calendar.token.revoke", "calendar", "", map[string]any{"id": id, "user_id": userID})
	})
}

// CalTokenByHash finds a live feed token. A revoked or unknown one is
// ErrNotFound.
func (s *Store) CalTokenByHash(ctx context.Context, tokenHash string) (CalToken, error) {
	t, err := scanCalToken(s.db.QueryRowContext(ctx, s.q("SELECT id, org_id, COALESCE(user_id, 0), created_by, created_at, COALESCE(revoked_at, '') FROM cal_tokens WHERE token_hash = ?"), tokenHash))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !t.Revoked.IsZero()) {
		return CalToken{}, ErrNotFound
	}
	return t, err
}

// OutboxTotals counts the outbox's messages by state, across every
// organization: what /metrics reports.
type OutboxTotals struct {
	// Pending are waiting to be delivered; Retrying are those of them
	// that failed at least once.
	Pending, Retrying int64
	Sent, Failed      int64
}

// OutboxCounts counts the outbox's messages by state.
func (s *Store) OutboxCounts(ctx context.Context) (OutboxTotals, error) {
	var t OutboxTotals
	rows, err := s.db.QueryContext(ctx, "SELECT status, attempts > 0, COUNT(*) FROM notify_outbox GROUP BY status, attempts > 0")
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var retried bool
		var n int64
		if err := rows.Scan(&status, &retried, &n); err != nil {
			return t, err
		}
		switch status {
		case OutboxPending:
			t.Pending += n
			if retried {
				t.Retrying += n
			}
		case OutboxSent:
			t.Sent += n
		case OutboxFailed:
			t.Failed += n
		}
	}
	return t, rows.Err()
}
