package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ward/internal/date"
	"ward/internal/trust"
	"ward/internal/workspace"
)

// The trust center's records (issue 16). Like the questionnaire's, they
// are records (audited, retired never deleted, in backups) outside the
// workspace files: apply neither writes nor retires them.
const (
	// KindTrustSnapshot is the subprocessor list last announced (key
	// "subprocessors"), which the next change is compared with.
	KindTrustSnapshot = "trust_snapshot"
	// KindTrustChange is an announced subprocessor change (trust.Change).
	KindTrustChange = "trust_change"
	// KindTrustSubscriber is an address that asked for subprocessor
	// notices, keyed by the address.
	KindTrustSubscriber = "trust_subscriber"
	// KindTrustRequest is a document request (trust.Request).
	KindTrustRequest = "trust_request"
)

const snapshotKey = "subprocessors"

// Snapshot is the announced subprocessor list.
type Snapshot struct {
	Key           string               `json:"key"`
	Since         date.Date            `json:"since"`
	Subprocessors []trust.Subprocessor `json:"subprocessors"`
}

// Subscriber is an address that asked for subprocessor notices. A new
// subscription is Unconfirmed until the address's owner opens the link
// mailed to it (double opt-in), then Confirmed. A subscription made
// before confirmation existed carries neither field and keeps receiving
// notices: it was taken under the rules of its day, and an organization
// that promised notices to its customers must not stop them silently on
// an upgrade.
type Subscriber struct {
	Email       string    `json:"email"`
	Since       time.Time `json:"since"`
	Unconfirmed bool      `json:"unconfirmed,omitempty"`
	Confirmed   time.Time `json:"confirmed,omitzero"`
}

// Pending reports whether the subscription awaits its confirmation.
func (s Subscriber) Pending() bool { return s.Unconfirmed && s.Confirmed.IsZero() }

// SubscriptionTTL is how long a confirmation link works.
const SubscriptionTTL = 48 * time.Hour

// Why a confirmation link cannot be used (ConfirmSubscription).
var (
	ErrConfirmUsed    = errors.New("this confirmation link was already used")
	ErrConfirmExpired = errors.New("this confirmation link has expired")
)

func init() {
	kinds[KindTrustSnapshot] = kindOf{strict[Snapshot], func(v any) string { return v.(*Snapshot).Key }}
	kinds[KindTrustChange] = kindOf{strict[trust.Change], func(v any) string { return v.(*trust.Change).ID }}
	kinds[KindTrustSubscriber] = kindOf{strict[Subscriber], func(v any) string { return v.(*Subscriber).Email }}
	kinds[KindTrustRequest] = kindOf{strict[trust.Request], func(v any) string { return v.(*trust.Request).ID }}
}

// subprocessorKinds are the workspace kinds the subprocessor list is
// derived from: a write that touches one compares the list again.
var subprocessorKinds = map[string]bool{KindOrganization: true, KindVendor: true, KindSystem: true, KindAgreement: true}

// announce runs at the end of a write that touched what the
// subprocessor list is derived from: when the organization's trust
// center is enabled and the list differs from the one last announced, it
// records each change (effective after the promised notice), queues one
// notice per change for each subscriber, and keeps the new list. The
// first list of a trust center is its baseline: nothing to announce.
func (w *writer) announce() error {
	rows, err := w.o.rows(w.ctx, w.tx, true)
	if err != nil {
		return err
	}
	ws, err := decodeRows(rows, w.o.org)
	if err != nil {
		return err
	}
	if !trust.Enabled(ws) {
		return nil
	}
	today := date.Of(w.o.s.now().UTC())
	list := trust.Subprocessors(ws, today)
	old, exists, err := w.load(KindTrustSnapshot, snapshotKey)
	if err != nil {
		return err
	}
	var prev Snapshot
	if exists && !old.retired {
		v, err := kinds[KindTrustSnapshot].decode(old.body)
		if err != nil {
			return fmt.Errorf("stored subprocessor list: %w", err)
		}
		prev = *v.(*Snapshot)
		if trust.Same(prev.Subprocessors, list) {
			return nil
		}
		var subs []Subscriber
		for _, r := range rows {
			if r.kind != KindTrustSubscriber {
				continue
			}
			v, err := kinds[KindTrustSubscriber].decode(r.body)
			if err != nil {
				return err
			}
			if v.(*Subscriber).Pending() {
				continue // double opt-in: only confirmed addresses
			}
			subs = append(subs, *v.(*Subscriber))
		}
		for _, c := range trust.Diff(prev.Subprocessors, list, today, ws.Organization.Trust.SubprocessorNoticeDays) {
			// The same vendor changed twice in a day: the second gets -2.
			base := c.ID
			for n := 2; ; n++ {
				_, taken, err := w.load(KindTrustChange, c.ID)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
				c.ID = base + "-" + strconv.Itoa(n)
			}
			if _, err := w.putNew(KindTrustChange, c); err != nil {
				return err
			}
			stop := "To stop these notices, write to the organization"
			if ct := ws.Organization.Trust.Contact; ct != "" {
				stop += " at " + ct
			}
			for _, s := range subs {
				body := c.Text(ws.Organization.Name) + "\n\nThe current list: /trust/" + w.o.org.Slug + "#subprocessors\n\n" + stop + ".\n"
				if err := w.queue("notice:"+c.ID+":"+s.Email, "subprocessor-notice", s.Email,
					ws.Organization.Name+": "+c.Title(), body); err != nil {
					return err
				}
			}
		}
	}
	_, err = w.putNew(KindTrustSnapshot, Snapshot{Key: snapshotKey, Since: today, Subprocessors: list})
	return err
}

// putNew writes one record of the store's own kinds, created or
// updated, at the end of its kind.
func (w *writer) putNew(kind string, rec any) (Change, error) {
	body, key, v, err := canonical(kind, rec)
	if err != nil {
		return Change{}, err
	}
	old, exists, err := w.load(kind, key)
	if err != nil {
		return Change{}, err
	}
	pos := old.pos
	if !exists {
		if err := w.tx.QueryRowContext(w.ctx, w.o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
			w.o.org.ID, kind).Scan(&pos); err != nil {
			return Change{}, err
		}
	}
	return w.put(desired{kind: kind, key: key, body: body, pos: pos, v: v}, old, exists)
}

// queue adds a mail to the outbox once: the same id again is left alone.
func (w *writer) queue(id, kind, to, subject, body string) error {
	var n int
	if err := w.tx.QueryRowContext(w.ctx, w.o.s.q("SELECT COUNT(*) FROM trust_outbox WHERE org_id = ? AND id = ?"), w.o.org.ID, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return w.exec("INSERT INTO trust_outbox (org_id, id, kind, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		w.o.org.ID, id, kind, to, subject, body, w.now)
}

// Mail is one message in the trust center's outbox.
type Mail struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // subprocessor-notice | document-link
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
	Sent    time.Time `json:"sent,omitzero"`
}

// Outbox lists the queued mails, oldest first; pending only unless all.
func (o *OrgStore) Outbox(ctx context.Context, all bool) ([]Mail, error) {
	q := "SELECT id, kind, recipient, subject, body, created_at, sent_at FROM trust_outbox WHERE org_id = ?"
	if !all {
		q += " AND sent_at IS NULL"
	}
	rs, err := o.s.db.QueryContext(ctx, o.s.q(q+" ORDER BY created_at, id"), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []Mail{}
	for rs.Next() {
		var m Mail
		var created string
		var sent sql.NullString
		if err := rs.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &created, &sent); err != nil {
			return nil, err
		}
		m.Created, _ = time.Parse(time.RFC3339Nano, created)
		if sent.Valid {
			m.Sent, _ = time.Parse(time.RFC3339Nano, sent.String)
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

// MarkSent records that a sender delivered the mail (audited).
func (o *OrgStore) MarkSent(ctx context.Context, actor, id string) error {
	return o.write(ctx, actor, false, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, o.s.q("UPDATE trust_outbox SET sent_at = ? WHERE org_id = ? AND id = ? AND sent_at IS NULL"), w.now, o.org.ID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox mail %q: %w (or already sent)", id, ErrNotFound)
		}
		return w.audit("sent", "trust_outbox", id, map[string]string{"id": id})
	})
}

// SubprocessorChanges lists the announced changes.
func (o *OrgStore) SubprocessorChanges(ctx context.Context) ([]trust.Change, error) {
	out := []trust.Change{}
	err := o.live(ctx, KindTrustChange, func(body []byte) error {
		v, err := kinds[KindTrustChange].decode(body)
		if err != nil {
			return fmt.Errorf("stored subprocessor change: %w", err)
		}
		out = append(out, *v.(*trust.Change))
		return nil
	})
	return out, err
}

// Subscribe records that email asked for subprocessor notices: a pending
// subscription (kept pending if it was), and a confirmation link whose
// token has the SHA-256 tokenHash, usable once until expires; the caller
// mails the link. Audited (trust.subscribe, with actor naming the
// subscriber). An address confirmed already gets ErrNoChange, and no
// link: nothing to mail.
func (o *OrgStore) Subscribe(ctx context.Context, actor, email, tokenHash string, expires time.Time) (Subscriber, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if tokenHash == "" || expires.IsZero() {
		return Subscriber{}, errors.New("a subscription needs its confirmation link's hash and expiry")
	}
	var sub Subscriber
	err := o.write(ctx, actor, false, func(w *writer) error {
		old, exists, err := w.load(KindTrustSubscriber, email)
		if err != nil {
			return err
		}
		if exists && !old.retired {
			v, err := kinds[KindTrustSubscriber].decode(old.body)
			if err != nil {
				return err
			}
			sub = *v.(*Subscriber)
			if !sub.Pending() {
				return fmt.Errorf("%s is subscribed already: %w", email, ErrNoChange)
			}
		} else {
			sub = Subscriber{Email: email, Since: o.s.now().UTC(), Unconfirmed: true}
			if _, err := w.putNew(KindTrustSubscriber, sub); err != nil {
				return err
			}
		}
		if err := w.exec("INSERT INTO trust_confirmations (token_hash, org_id, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			tokenHash, o.org.ID, email, w.now, fmtTime(expires)); err != nil {
			return err
		}
		return w.audit("trust.subscribe", KindTrustSubscriber, email, map[string]string{"expires": fmtTime(expires), "status": "pending"})
	})
	return sub, err
}

// SubscriptionLink is the address of the confirmation link with this
// token hash, or why it cannot be used: ErrNotFound (never issued here),
// ErrConfirmUsed, ErrConfirmExpired.
func (o *OrgStore) SubscriptionLink(ctx context.Context, tokenHash string) (string, error) {
	var email, expires string
	var used sql.NullString
	err := o.s.db.QueryRowContext(ctx, o.s.q("SELECT email, expires_at, used_at FROM trust_confirmations WHERE token_hash = ? AND org_id = ?"), tokenHash, o.org.ID).
		Scan(&email, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("confirmation link: %w", ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	if used.Valid {
		return email, ErrConfirmUsed
	}
	if exp, err := parseTime(expires); err != nil {
		return "", err
	} else if !o.s.now().Before(exp) {
		return email, ErrConfirmExpired
	}
	return email, nil
}

// ConfirmSubscription uses the confirmation link with this token hash:
// once (a second use, even a concurrent one, gets ErrConfirmUsed), before
// it expires, it confirms the address's subscription (audited as
// trust.confirm by the subscriber). ErrNotFound when the link was never
// issued here, or the subscription was retired since.
func (o *OrgStore) ConfirmSubscription(ctx context.Context, tokenHash string) (Subscriber, error) {
	email, err := o.SubscriptionLink(ctx, tokenHash)
	if err != nil {
		return Subscriber{}, err
	}
	var sub Subscriber
	err = o.write(ctx, "subscriber:"+email, false, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, o.s.q("UPDATE trust_confirmations SET used_at = ? WHERE token_hash = ? AND org_id = ? AND used_at IS NULL"), w.now, tokenHash, o.org.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConfirmUsed
		}
		old, exists, err := w.load(KindTrustSubscriber, email)
		if err != nil {
			return err
		}
		if !exists || old.retired {
			return fmt.Errorf("the subscription of %s was ended: %w", email, ErrNotFound)
		}
		v, err := kinds[KindTrustSubscriber].decode(old.body)
		if err != nil {
			return err
		}
		sub = *v.(*Subscriber)
		if !sub.Pending() {
			return nil // confirmed by another link meanwhile
		}
		sub.Confirmed = o.s.now().UTC()
		sub.Unconfirmed = false
		if _, err := w.putNew(KindTrustSubscriber, sub); err != nil {
			return err
		}
		return w.audit("trust.confirm", KindTrustSubscriber, email, map[string]string{"status": "confirmed"})
	})
	return sub, err
}

// Unsubscribe retires a subscription (kept, audited); ErrNotFound when
// the address is not subscribed.
func (o *OrgStore) Unsubscribe(ctx context.Context, actor, email string) error {
	_, err := o.RetireIf(ctx, actor, KindTrustSubscriber, strings.ToLower(strings.TrimSpace(email)), Cond{})
	return err
}

// Subscribers lists the subscribed addresses, confirmed or pending
// (Subscriber.Pending): only the confirmed receive notices.
func (o *OrgStore) Subscribers(ctx context.Context) ([]Subscriber, error) {
	out := []Subscriber{}
	err := o.live(ctx, KindTrustSubscriber, func(body []byte) error {
		v, err := kinds[KindTrustSubscriber].decode(body)
		if err != nil {
			return err
		}
		out = append(out, *v.(*Subscriber))
		return nil
	})
	return out, err
}

// AddTrustRequest stores a new document request.
func (o *OrgStore) AddTrustRequest(ctx context.Context, actor string, r trust.Request) error {
	return o.write(ctx, actor, false, func(w *writer) error {
		_, exists, err := w.load(KindTrustRequest, r.ID)
		if err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("trust request %q: %w", r.ID, ErrConflict)
		}
		_, err = w.putNew(KindTrustRequest, r)
		return err
	})
}

// TrustRequests lists the document requests, oldest first.
func (o *OrgStore) TrustRequests(ctx context.Context) ([]trust.Request, error) {
	out := []trust.Request{}
	err := o.live(ctx, KindTrustRequest, func(body []byte) error {
		v, err := kinds[KindTrustRequest].decode(body)
		if err != nil {
			return fmt.Errorf("stored trust request: %w", err)
		}
		out = append(out, *v.(*trust.Request))
		return nil
	})
	return out, err
}

// TrustRequest is one request and its version.
func (o *OrgStore) TrustRequest(ctx context.Context, id string) (trust.Request, int64, error) {
	var r trust.Request
	v, err := o.GetVersion(ctx, KindTrustRequest, id, &r)
	return r, v, err
}

// ErrNotPending: the request was decided already.
var ErrNotPending = errors.New("the request was already decided")

// DecideTrustRequest records an admin's decision on a pending request
// (version: what the admin saw; 0 for none). An approval carries the
// link's token hash and expiry; mail, when given, is queued for the
// requester in the same transaction.
func (o *OrgStore) DecideTrustRequest(ctx context.Context, actor string, r trust.Request, version int64, mail *Mail) error {
	return o.write(ctx, actor, false, func(w *writer) error {
		old, exists, err := w.load(KindTrustRequest, r.ID)
		if err != nil {
			return err
		}
		if err := w.check(Cond{Version: version, Update: true}, KindTrustRequest, r.ID, old, exists); err != nil {
			return err
		}
		v, err := kinds[KindTrustRequest].decode(old.body)
		if err != nil {
			return err
		}
		if v.(*trust.Request).Status != trust.RequestPending {
			return ErrNotPending
		}
		if _, err := w.putNew(KindTrustRequest, r); err != nil {
			return err
		}
		if mail != nil {
			return w.queue(mail.ID, mail.Kind, mail.To, mail.Subject, mail.Body)
		}
		return nil
	})
}

// Link errors: the link was used, or has expired, or never was.
var (
	ErrLinkUsed    = errors.New("this download link was already used")
	ErrLinkExpired = errors.New("this download link has expired")
)

// UseTrustLink spends a download link: inside one write, the request
// must be approved, unexpired and its token's hash must match; it is then
// marked downloaded (audited, actor naming the requester), so of two
// downloads in flight one succeeds. ErrNotFound for a wrong token or id.
// now is the caller's clock (the web server's), which decides expiry.
func (o *OrgStore) UseTrustLink(ctx context.Context, id, token string, now time.Time) (trust.Request, error) {
	var out trust.Request
	err := o.write(ctx, "trust-link:"+id, false, func(w *writer) error {
		old, exists, err := w.load(KindTrustRequest, id)
		if err != nil {
			return err
		}
		if !exists || old.retired {
			return ErrNotFound
		}
		v, err := kinds[KindTrustRequest].decode(old.body)
		if err != nil {
			return err
		}
		r := *v.(*trust.Request)
		if r.TokenHash == "" || subtle.ConstantTimeCompare([]byte(r.TokenHash), []byte(trust.TokenHash(token))) != 1 {
			return ErrNotFound
		}
		now := now.UTC()
		switch r.State(now) {
		case trust.RequestDownloaded:
			return ErrLinkUsed
		case trust.RequestExpired:
			return ErrLinkExpired
		case trust.RequestApproved:
		default:
			return ErrNotFound
		}
		r.Status, r.Downloaded = trust.RequestDownloaded, now
		w.actor = "requester:" + r.Email
		if _, err := w.putNew(KindTrustRequest, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// TrustWorkspace is the organization's workspace when its trust center
// is enabled; ErrNotFound otherwise (an address that does not exist).
func (s *Store) TrustWorkspace(ctx context.Context, slug string) (*OrgStore, *workspace.Workspace, error) {
	org, err := s.OrgBySlug(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	o := s.Org(org)
	ws, err := o.Workspace(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !trust.Enabled(ws) {
		return nil, nil, ErrNotFound
	}
	return o, ws, nil
}
