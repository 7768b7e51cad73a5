-- Single sign-on (OpenID Connect, issue 15). sso_identities links a
-- provider's subject to the account it signs in; sso_logins are the
-- logins under way (the state's hash, the nonce and the PKCE verifier),
-- each used once (used_at set, never deleted); sso_sessions keeps the ID
-- token of a session begun by single sign-on, for the provider's log out
-- (id_token_hint).
CREATE TABLE sso_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_login TEXT,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities(user_id);
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE TABLE sso_sessions (
    token_hash TEXT PRIMARY KEY,
    id_token   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
