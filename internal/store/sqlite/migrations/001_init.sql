-- Times are TEXT in UTC, fixed-width RFC 3339 with nanoseconds, so text
-- order is time order and both engines hold the same bytes.
CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One row per workspace record; body is the canonical JSON of the
-- workspace struct. Retired rows are kept (retired_at set), never deleted.
CREATE TABLE records (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    retired_at TEXT,
    UNIQUE (org_id, kind, key)
);

CREATE TABLE audit (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    seq    INTEGER NOT NULL,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    data   TEXT NOT NULL,
    prev   TEXT NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);

-- The chain's checkpoint, kept apart from the entries so that cutting
-- entries off the end is caught; every writer locks this row first.
CREATE TABLE audit_head (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

CREATE TABLE memberships (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    role       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (user_id, org_id)
);

-- Only the SHA-256 of a session cookie or API token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
