-- Evidence files in the database (issue 15): on PostgreSQL the server keeps
-- them here, so that the database is the whole state and several servers
-- serve the same files; SQLite keeps its folder and these tables stay
-- empty unless ward migrate-blobs fills them. A blob is named by the
-- SHA-256 of its bytes, written once and never changed; its bytes are in
-- chunks of at most 1 MiB numbered from 0, so a file is streamed, never
-- held whole in memory.
CREATE TABLE blobs (
    sha        TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    chunks     BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE blob_chunks (
    sha  TEXT NOT NULL,
    n    BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sha, n)
);

-- Failed logins (and the trust center's form posts), counted in the
-- database so that every server behind a proxy counts the same failures:
-- a row per failure and key (email:ADDRESS, ip:ADDRESS, device:ID), pruned
-- once older than the window.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- Secrets every server shares (the key that signs device cookies), made
-- once by whichever server starts first.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
