-- Passkeys (WebAuthn) as a second login step (issue 15). passkey_users
-- holds each account's user handle: random bytes the authenticator keeps
-- and gives back, the same for every passkey of the account, and no
-- e-mail address. passkeys holds each registered credential: its id and
-- the relying party (ward's host name) it was made for as columns to look
-- it up by, the library's credential record (public key, flags,
-- attestation) as JSON, the signature counter, and when it was last used.
-- A removed passkey is retired, never deleted; one whose counter went
-- backwards (a possible clone) is marked and refused.
-- passkey_ceremonies are the challenges between a ceremony's begin and
-- its finish, kept in the database so that any server on one database can
-- finish what another began; each is ended on first use.
CREATE TABLE passkey_users (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    handle     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    rp_id         TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    sign_count    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    clone_warning_at TEXT,
    retired_at    TEXT
);
CREATE INDEX passkeys_user ON passkeys(user_id);
CREATE TABLE passkey_ceremonies (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    bound_to   TEXT NOT NULL,
    session    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ended_at   TEXT
);
