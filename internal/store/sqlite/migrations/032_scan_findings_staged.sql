-- A large import's findings wait here, in file order (seq), before they
-- are keyed: appending to this table touches only its last pages, where
-- inserting each finding under its key (uid, check, resource: random
-- order) touched a page of scan_findings' key index all over it, and on
-- a large file read and wrote a page of it per finding. The import then
-- moves them into scan_findings a run at a time, sorted by key, so the
-- key index is filled in one pass per run (issue 21). Like the staged
-- rows of scan_findings, no reader sees them; an abandoned import's rows
-- go with its scan row.
CREATE TABLE scan_findings_staged (
    org_id        INTEGER NOT NULL,
    scan_id       INTEGER NOT NULL REFERENCES scans(id),
    seq           INTEGER NOT NULL,
    uid           TEXT NOT NULL,
    check_id      TEXT NOT NULL,
    status        TEXT NOT NULL,
    severity      TEXT NOT NULL,
    resource_uid  TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    region        TEXT NOT NULL,
    account       TEXT NOT NULL,
    at            TEXT NOT NULL,
    note          TEXT NOT NULL,
    PRIMARY KEY (org_id, scan_id, seq)
) WITHOUT ROWID;
