-- The notifier (issue 15). Its outbox: one row per message and channel,
-- unique on the message's key (recipient, kind, subject, period), so a
-- message is queued once however many times the day is planned, by
-- however many servers. A runner claims a row by setting a lease with a
-- conditional UPDATE (the row is still pending and its lease lapsed):
-- one claimant wins on either engine; it marks the row sent after the
-- delivery, or schedules a retry with backoff. Rows are never deleted:
-- the outbox is the delivery log.
CREATE TABLE notify_outbox (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    channel     TEXT NOT NULL,
    key         TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (org_id, channel, key)
);
CREATE INDEX notify_outbox_due ON notify_outbox(status, next_at);

-- A person's notification preferences (notify.Prefs as JSON), by e-mail:
-- accounts are global, so one choice holds in every organization.
CREATE TABLE notify_prefs (
    email      TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What the notifier remembers between runs of an organization (the
-- controls' states at the last send, to alert on met -> not met).
CREATE TABLE notify_state (
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
);

-- An organization's webhooks: every message is also POSTed to each, as
-- JSON signed with HMAC-SHA256 under the secret (which must be kept in
-- clear to sign). Retired, never deleted.
CREATE TABLE notify_webhooks (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

-- Calendar feed tokens (/cal/{token}.ics): a person's (user_id set) or
-- an organization's (user_id NULL). Only the SHA-256 of the token is
-- kept; revoked, never deleted.
CREATE TABLE cal_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    user_id    INTEGER REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
