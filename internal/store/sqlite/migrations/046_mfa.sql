-- Two-step login for local accounts (issue 15): an authenticator app's
-- TOTP secret (RFC 6238) per account, its recovery codes (only their
-- SHA-256 is kept; each is 80 random bits, so the hash cannot be
-- searched), and the half-finished logins waiting for the second step.
-- Nothing is deleted: turning the app off sets disabled_at, replacing
-- the codes sets retired_at, a used code keeps used_at.
CREATE TABLE mfa_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id),
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    disabled_at  TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE mfa_recovery (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    code_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    retired_at TEXT
);
CREATE INDEX mfa_recovery_user ON mfa_recovery(user_id);
CREATE TABLE mfa_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    ended_at   TEXT
);
-- A session of an account that an organization requires to use a second
-- step, and that has none yet: it may only enrol (or log out).
ALTER TABLE sessions ADD COLUMN mfa_enrol INTEGER NOT NULL DEFAULT 0;
