-- Double opt-in for the trust center's subprocessor notices (issue 15):
-- subscribing keeps the subscriber record pending and mails a link whose
-- random token only this table knows, as its SHA-256. The link works once
-- (used_at), until expires_at; opening it confirms the subscription, and
-- only confirmed subscribers receive notices. Rows are kept: with the
-- audit trail, they are the record of who asked and who confirmed.
CREATE TABLE trust_confirmations (
    token_hash TEXT PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX trust_confirmations_org ON trust_confirmations(org_id, email);
