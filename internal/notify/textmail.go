package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"ward/internal/store"
)

// One-off e-mails the web app writes (an invitation to an organization)
// go out through the same outbox as the digests: queued once under the
// key "mail:" + the caller's key, claimed with the lease, sent as written
// (links beginning with "/" made absolute with the base URL), retried
// with backoff. Queue them only when a mailer is configured: without
// one, nothing would send them.
const textKeyPrefix = "mail:"

// textMail is such an e-mail as queued in the outbox.
type textMail struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// QueueMail adds a plain-text e-mail to the outbox of organization orgID,
// once per key; it reports whether it added it.
func QueueMail(ctx context.Context, s *store.Store, orgID int64, key, to, kind, subject, text string) (bool, error) {
	b, err := json.Marshal(textMail{Subject: subject, Text: text})
	if err != nil {
		return false, err
	}
	return s.Enqueue(ctx, store.Outbound{OrgID: orgID, Channel: ChannelEmail, Key: textKeyPrefix + key,
		Recipient: to, Kind: kind, Subject: subject, Body: string(b)})
}

func (r *Runner) deliverText(ctx context.Context, o store.Outbound) error {
	var m textMail
	if err := json.Unmarshal([]byte(o.Body), &m); err != nil {
		return fmt.Errorf("outbox %d: %v", o.ID, err)
	}
	if r.Mail == nil {
		return errors.New("no SMTP server configured (--smtp-url)")
	}
	return r.Mail.Send(ctx, o.Recipient, composeText(r.Mail.From, o.Recipient, m.Subject, o.Kind, MessageID(o.OrgID, o.Key),
		Absolute(m.Text, r.BaseURL), r.now()))
}
