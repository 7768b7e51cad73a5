package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Channels of the outbox.
const (
	ChannelEmail   = "email"
	channelWebhook = "webhook:" // + the webhook's id
)

// Webhook headers: the signature is HMAC-SHA256 under the webhook's
// secret of the timestamp, a dot and the body, in hex after "sha256=".
const (
	HeaderSignature = "X-Ward-Signature"
	HeaderTimestamp = "X-Ward-Timestamp"
	HeaderDelivery  = "X-Ward-Delivery"
)

// Sign is the X-Ward-Signature of body sent at timestamp (Unix seconds).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Runner queues each day's messages in the outbox and delivers them.
// Several runners (servers, `ward notify send`) may work on one database
// at once: each message is claimed by one.
type Runner struct {
	Store *store.Store
	// Mail sends e-mail; nil: no e-mail is queued.
	Mail *Mailer
	// HTTP posts webhooks (http.DefaultClient with a timeout when nil).
	HTTP *http.Client
	// BaseURL makes the links absolute.
	BaseURL string
	// ID names this runner in the leases; random when empty.
	ID string
	// Lease is how long a claimed message is this runner's (2 minutes).
	Lease time.Duration
	// Backoff is the wait before attempt n+1 after n failed ones
	// (30 s, doubling, at most an hour).
	Backoff func(n int) time.Duration
	// MaxAttempts before a message is marked failed (8).
	MaxAttempts int
	// Log, when set, hears each delivery and failure (never a password).
	Log func(format string, args ...any)
	// Now is the clock (time.Now).
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

func (r *Runner) id() string {
	if r.ID == "" {
		b := make([]byte, 6)
		rand.Read(b)
		host, _ := os.Hostname()
		r.ID = host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b)
	}
	return r.ID
}

// LoadPrefs reads everyone's preferences from the database.
func LoadPrefs(ctx context.Context, s *store.Store) (map[string]Prefs, error) {
	raw, err := s.AllNotifyPrefs(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Prefs{}
	for e, b := range raw {
		var p Prefs
		if json.Unmarshal([]byte(b), &p) == nil {
			out[strings.ToLower(e)] = p
		}
	}
	return out, nil
}

// keepWatchOfReaders clears the watch list of everyone who may not read
// org: preferences are kept per e-mail address for every organization,
// and what a person watches beyond their own items is the organization's
// business only while their account is enabled and holds a role here
// that reads (viewer or above). A workforce member (role member) sees
// only their own tasks; a person whose role was removed, or whose account
// was disabled, sees nothing. Their own items still reach them, as their
// digest and alert choices say.
func keepWatchOfReaders(ctx context.Context, s *store.Store, org store.Org, prefs map[string]Prefs) error {
	ms, err := s.Members(ctx, org)
	if err != nil {
		return err
	}
	reads := map[string]bool{}
	for _, m := range ms {
		if !m.User.Disabled && m.Role != "" && m.Role != store.RoleMember {
			reads[strings.ToLower(m.User.Email)] = true
		}
	}
	for email, p := range prefs {
		if len(p.Watch) > 0 && !reads[email] {
			p.Watch = nil
			prefs[email] = p
		}
	}
	return nil
}

// Planned is Plan with the database's preferences and, when remember is
// set, the control alerts against the states the last run stored (which
// it then replaces).
func Planned(ctx context.Context, s *store.Store, org store.Org, ws *workspace.Workspace, asOf date.Date, baseURL string, remember bool) ([]Message, error) {
	prefs, err := LoadPrefs(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := keepWatchOfReaders(ctx, s, org, prefs); err != nil {
		return nil, err
	}
	opt := Options{BaseURL: baseURL, Prefs: prefs}
	var now map[string]ControlState
	if remember {
		now = ControlStates(ws, asOf)
		prev, err := s.NotifyState(ctx, org.ID, "controls")
		if err != nil {
			return nil, err
		}
		if prev != "" {
			var was map[string]string
			if json.Unmarshal([]byte(prev), &was) == nil {
				opt.Controls, opt.Now = was, now
			}
		}
	}
	msgs := Plan(ws, asOf, org.Slug, opt)
	if remember {
		states := map[string]string{}
		for id, st := range now {
			states[id] = st.State
		}
		b, _ := json.Marshal(states)
		if err := s.SetNotifyState(ctx, org.ID, "controls", string(b)); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// Queue plans the organization's messages on asOf and adds to the outbox
// those not queued before: by e-mail when a mailer is set, and to each of
// the organization's webhooks; with a mailer, also the trust center's
// unsent mails (QueueTrust). It returns how many it added.
func (r *Runner) Queue(ctx context.Context, org store.Org, ws *workspace.Workspace, asOf date.Date) (int, error) {
	n, err := r.QueueTrust(ctx, org) // the trust center's mails, by e-mail only
	if err != nil {
		return n, err
	}
	hooks, err := r.Store.Org(org).Webhooks(ctx, false)
	if err != nil {
		return n, err
	}
	if r.Mail == nil && len(hooks) == 0 {
		return n, nil // nowhere to send: nothing is planned or remembered
	}
	msgs, err := Planned(ctx, r.Store, org, ws, asOf, r.BaseURL, true)
	if err != nil {
		return n, err
	}
	for _, m := range msgs {
		body, err := json.Marshal(m)
		if err != nil {
			return n, err
		}
		row := store.Outbound{OrgID: org.ID, Key: m.Key, Recipient: m.To, Kind: m.Kind, Subject: m.Subject, Body: string(body)}
		if r.Mail != nil {
			row.Channel = ChannelEmail
			ok, err := r.Store.Enqueue(ctx, row)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
		for _, h := range hooks {
			row.Channel = channelWebhook + strconv.FormatInt(h.ID, 10)
			ok, err := r.Store.Enqueue(ctx, row)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
	}
	return n, nil
}

// Deliver sends every due message of the outbox, one at a time, until
// none is left or ctx ends. It returns how many went out and how many
// failed (to be retried, or given up).
func (r *Runner) Deliver(ctx context.Context) (sent, failed int, err error) {
	lease := r.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	for ctx.Err() == nil {
		m, err := r.Store.Claim(ctx, r.id(), lease)
		if err != nil {
			return sent, failed, err
		}
		if m == nil {
			return sent, failed, nil
		}
		derr := r.deliver(ctx, *m)
		if errors.Is(derr, errMarkedByHand) {
			// Recorded as sent by someone else (ward trust outbox
			// --mark-sent) after it was queued here: not sent again.
			if err := r.Store.MarkSent(ctx, m.ID, r.id()); err != nil {
				return sent, failed, err
			}
			r.logf("notify: %s was already marked sent; not sent again", m.Key)
			continue
		}
		if derr == nil {
			if err := r.Store.MarkSent(ctx, m.ID, r.id()); err != nil {
				return sent, failed, fmt.Errorf("outbox %d sent but not marked: %w", m.ID, err)
			}
			if id, ok := strings.CutPrefix(m.Key, trustKeyPrefix); ok {
				if err := r.markTrustSent(ctx, m.OrgID, id); err != nil {
					return sent, failed, fmt.Errorf("trust center mail %s sent but not marked: %w", id, err)
				}
			}
			sent++
			r.logf("notify: sent %s %s to %s (%s)", m.Kind, m.Key, m.Recipient, m.Channel)
			continue
		}
		failed++
		max := r.MaxAttempts
		if max <= 0 {
			max = 8
		}
		giveUp := m.Attempts >= max
		next := r.now().Add(r.backoff(m.Attempts))
		r.logf("notify: attempt %d of %s to %s (%s) failed: %v", m.Attempts, m.Key, m.Recipient, m.Channel, derr)
		if err := r.Store.MarkRetry(ctx, m.ID, r.id(), derr.Error(), next, giveUp); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, ctx.Err()
}

func (r *Runner) backoff(n int) time.Duration {
	if r.Backoff != nil {
		return r.Backoff(n)
	}
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func (r *Runner) deliver(ctx context.Context, o store.Outbound) error {
	if o.Channel == ChannelEmail && strings.HasPrefix(o.Key, trustKeyPrefix) {
		return r.deliverTrust(ctx, o)
	}
	if o.Channel == ChannelEmail && strings.HasPrefix(o.Key, textKeyPrefix) {
		return r.deliverText(ctx, o)
	}
	var m Message
	if err := json.Unmarshal([]byte(o.Body), &m); err != nil {
		return fmt.Errorf("outbox %d: %v", o.ID, err)
	}
	switch {
	case o.Channel == ChannelEmail:
		if r.Mail == nil {
			return errors.New("no SMTP server configured (--smtp-url)")
		}
		prefs := ""
		if r.BaseURL != "" {
			prefs = strings.TrimRight(r.BaseURL, "/") + "/account"
		}
		return r.Mail.Send(ctx, o.Recipient, Compose(r.Mail.From, m, MessageID(o.OrgID, o.Key), prefs, r.now()))
	case strings.HasPrefix(o.Channel, channelWebhook):
		id, err := strconv.ParseInt(strings.TrimPrefix(o.Channel, channelWebhook), 10, 64)
		if err != nil {
			return err
		}
		h, err := r.Store.Webhook(ctx, id)
		if err != nil {
			return err
		}
		if !h.Retired.IsZero() {
			return errors.New("the webhook was retired")
		}
		return r.post(ctx, h, o, m)
	}
	return fmt.Errorf("outbox %d: unknown channel %q", o.ID, o.Channel)
}

// WebhookBody is what a webhook receives: the message, its key, and a
// Slack-compatible text.
type WebhookBody struct {
	Message
	Text string `json:"text"`
}

func (r *Runner) post(ctx context.Context, h store.Webhook, o store.Outbound, m Message) error {
	body, err := json.Marshal(WebhookBody{Message: m, Text: m.Subject + "\n" + Text(m, "")})
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(r.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(h.Secret, ts, body))
	req.Header.Set(HeaderDelivery, MessageID(o.OrgID, o.Key))
	c := r.HTTP
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Tick queues asOf's messages of every organization and delivers what is
// due: what `ward notify send` does once and `ward serve` every few
// minutes.
func (r *Runner) Tick(ctx context.Context, asOf date.Date) (queued, sent, failed int, err error) {
	orgs, err := r.Store.Orgs(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, org := range orgs {
		if r.Mail == nil {
			hooks, err := r.Store.Org(org).Webhooks(ctx, false)
			if err != nil {
				return queued, 0, 0, err
			}
			if len(hooks) == 0 {
				continue // nowhere to send: no need to read the workspace
			}
		}
		ws, err := r.Store.Org(org).Workspace(ctx)
		if err != nil {
			return queued, 0, 0, fmt.Errorf("%s: %w", org.Slug, err)
		}
		n, err := r.Queue(ctx, org, ws, asOf)
		queued += n
		if err != nil {
			return queued, 0, 0, fmt.Errorf("%s: %w", org.Slug, err)
		}
	}
	sent, failed, err = r.Deliver(ctx)
	return queued, sent, failed, err
}

// Run ticks every interval until ctx ends, as of each day (UTC). Errors
// are logged and the next tick tries again.
func (r *Runner) Run(ctx context.Context, every time.Duration) {
	for {
		q, s, f, err := r.Tick(ctx, date.Of(r.now().UTC()))
		if err != nil && ctx.Err() == nil {
			r.logf("notify: %v", err)
		} else if q+s+f > 0 {
			r.logf("notify: queued %d, sent %d, failed %d", q, s, f)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
