package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"ward/internal/store"
)

// The trust center's mails (table trust_outbox: a subprocessor notice to
// each subscriber, a download link to an approved requester) go out
// through this runner's outbox: each unsent one is queued once under the
// key "trust:" + its id, claimed and sent like any other e-mail, and then
// marked sent in trust_outbox (audited, once).
const trustKeyPrefix = "trust:"

// TrustActor is who marks a trust center mail sent on the audit trail.
const TrustActor = "ward notify"

// errMarkedByHand: the trust center mail was marked sent by someone
// else after it was queued here.
var errMarkedByHand = errors.New("already marked sent")

// trustMail is a trust center mail as queued in the outbox.
type trustMail struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// QueueTrust adds the organization's unsent trust center mails to the
// outbox (each once, whatever becomes of it). Without a mailer nothing.
func (r *Runner) QueueTrust(ctx context.Context, org store.Org) (int, error) {
	if r.Mail == nil {
		return 0, nil
	}
	mails, err := r.Store.Org(org).Outbox(ctx, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range mails {
		b, err := json.Marshal(trustMail{ID: m.ID, Kind: m.Kind, To: m.To, Subject: m.Subject, Body: m.Body})
		if err != nil {
			return n, err
		}
		ok, err := r.Store.Enqueue(ctx, store.Outbound{OrgID: org.ID, Channel: ChannelEmail, Key: trustKeyPrefix + m.ID,
			Recipient: m.To, Kind: m.Kind, Subject: m.Subject, Body: string(b)})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (r *Runner) deliverTrust(ctx context.Context, o store.Outbound) error {
	var m trustMail
	if err := json.Unmarshal([]byte(o.Body), &m); err != nil {
		return fmt.Errorf("outbox %d: %v", o.ID, err)
	}
	if r.Mail == nil {
		return errors.New("no SMTP server configured (--smtp-url)")
	}
	org, err := r.Store.OrgByID(ctx, o.OrgID)
	if err != nil {
		return err
	}
	pending, err := r.Store.Org(org).Outbox(ctx, false)
	if err != nil {
		return err
	}
	still := false
	for _, p := range pending {
		still = still || p.ID == m.ID
	}
	if !still {
		return errMarkedByHand
	}
	return r.Mail.Send(ctx, o.Recipient, composeText(r.Mail.From, m.To, m.Subject, m.Kind, MessageID(o.OrgID, o.Key),
		Absolute(m.Body, r.BaseURL), r.now()))
}

func (r *Runner) markTrustSent(ctx context.Context, orgID int64, id string) error {
	org, err := r.Store.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	err = r.Store.Org(org).MarkSent(ctx, TrustActor, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // marked by hand meanwhile: sent once all the same
	}
	return err
}

var relativeLink = regexp.MustCompile(`(^|\s)/([A-Za-z0-9])`)

// Absolute makes the links of a text that begin with "/" (at the start of
// a line or after a space) absolute under base; unchanged when base is
// empty.
func Absolute(text, base string) string {
	base = strings.TrimRight(base, "/")
	if base == "" {
		return text
	}
	return relativeLink.ReplaceAllString(text, "${1}"+base+"/${2}")
}
