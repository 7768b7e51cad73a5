-- Invitations (issue 15 item 7): an organization's admin invites a
-- colleague by e-mail with a role. The link carries a random token; only
-- its SHA-256 is kept. A link is used once (accepted_at), until it
-- expires (expires_at), unless revoked (revoked_at). Rows are never
-- deleted: they are the record of who was invited, by whom, and what
-- became of it (each step is on the organization's audit trail too).
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by INTEGER REFERENCES users(id),
    revoked_at  TEXT,
    revoked_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invitations_org ON invitations(org_id, email);
