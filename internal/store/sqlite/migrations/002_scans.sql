-- Imported scanner output (Prowler, a CSV export): one row per imported
-- file per organization. The file's SHA-256 is the scan's identity, so the
-- same file imported twice is one scan; sha256 is NULL only inside the
-- import's own transaction.
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT,
    size        INTEGER NOT NULL DEFAULT 0,
    scanned_at  TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    evidence_id TEXT NOT NULL DEFAULT '',
    findings    INTEGER NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, sha256)
);

-- One row per finding of a scan, keyed by the finding's own uid within
-- the scan. Never updated or deleted: supersession lives in scan_checks.
CREATE TABLE scan_findings (
    org_id        INTEGER NOT NULL,
    scan_id       INTEGER NOT NULL REFERENCES scans(id),
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
    PRIMARY KEY (org_id, scan_id, uid)
);
-- The open items: failing findings, found through their scan's check.
CREATE INDEX scan_findings_failing ON scan_findings (org_id, scan_id, account, check_id) WHERE status = 'FAIL';

-- Which account and check a scan covered. A newer scan of the same
-- account and check supersedes it (superseded_by: that scan); the older
-- rows are kept as history.
CREATE TABLE scan_checks (
    org_id        INTEGER NOT NULL,
    scan_id       INTEGER NOT NULL REFERENCES scans(id),
    account       TEXT NOT NULL,
    check_id      TEXT NOT NULL,
    superseded_by INTEGER REFERENCES scans(id),
    PRIMARY KEY (org_id, scan_id, account, check_id)
);
CREATE INDEX scan_checks_current ON scan_checks (org_id, account, check_id);

-- The catalog controls a scan's check speaks to (through the
-- requirements its findings list).
CREATE TABLE scan_controls (
    org_id   INTEGER NOT NULL,
    scan_id  INTEGER NOT NULL REFERENCES scans(id),
    check_id TEXT NOT NULL,
    control  TEXT NOT NULL,
    PRIMARY KEY (org_id, scan_id, check_id, control)
);
CREATE INDEX scan_controls_control ON scan_controls (org_id, control);
