-- Account lifecycle (issue 20): API tokens expire and record when they
-- were last used; sessions remember where they came from, so a person
-- can tell their own sessions apart on the account page.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ended_why TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- The accounts' own hash-chained trail: accounts are global (one person
-- may hold roles in many organizations), so their events (created,
-- disabled, password changed, token issued or revoked, logins, logouts,
-- failed logins) are chained here, apart from every organization's.
-- The head row (id 1) is created by the first write, not here, so a
-- restore into a new database finds the table empty.
CREATE TABLE account_audit (
    seq    BIGINT PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    data   TEXT NOT NULL,
    prev   TEXT NOT NULL,
    hash   TEXT NOT NULL
);
CREATE TABLE account_audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX account_audit_key ON account_audit(key, action);
