// Package notify tells people what they owe: a daily digest per person by
// e-mail (what is overdue and what falls due within DigestDays, that the
// person owns or watches), immediate alerts (a new incident that may be a
// breach, a breach-notice deadline 10 and then 3 days out, an expired
// BAA, a control an imported scan turned from met to not met), and the
// same messages as signed JSON to an organization's webhooks.
//
// Plan computes the messages of a day from the records alone (the same
// rules as `ward todo`, internal/todo, and the records' own dates), so
// `ward notify --dry-run` shows exactly what would go out.
//
// # Exactly once: an outbox, not a job queue
//
// Every message is queued as a row of the notify_outbox table with a
// unique key (recipient, kind, subject, period; per channel): planning
// the same day twice, or on two servers, queues it once, because the
// second INSERT meets the unique constraint (ON CONFLICT DO NOTHING,
// which both SQLite and PostgreSQL speak). Runners claim a row with a
// lease: one conditional UPDATE (still pending, lease lapsed) that only
// one claimant can match on either engine; they mark it sent after the
// SMTP server or the webhook accepted it, or schedule a retry with
// exponential backoff, and give up after MaxAttempts (status failed, on
// the delivery log). A runner killed between messages leaves nothing
// behind: the sent ones are marked, the rest are pending and the next
// runner sends them. A runner killed after the server accepted a message
// and before it was marked leaves that one message to be sent again when
// its lease lapses; the e-mail's Message-ID and the webhook's
// X-Ward-Delivery header are derived from the key, so a receiver can
// tell a repeat. No protocol gives more than that without the
// receiver's help.
//
// We chose a table of our own over github.com/riverqueue/river: river's
// SQLite driver is young, river brings its own migrations and a dozen
// tables to keep in step with ward's migration and backup code on two
// engines, and the uniqueness a notification needs (one message per
// person, subject and period) is a unique key of ours in any case. The
// runner is a loop of a few statements that the store's contract runs on
// both engines.
package notify
