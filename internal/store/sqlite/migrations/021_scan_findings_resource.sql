-- A finding is keyed by its uid and its resource: Prowler builds the uid
-- from the resource's name, which on Azure, GCP and Kubernetes is unique
-- only within a resource group or namespace, so two resources can share
-- a uid (and both must be kept). The check is part of the key too: a
-- real uid names its check, but files with placeholder uids (Prowler's
-- own examples) would otherwise merge different checks.
CREATE TABLE scan_findings_keyed (
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
    PRIMARY KEY (org_id, scan_id, uid, check_id, resource_uid)
);
INSERT INTO scan_findings_keyed SELECT org_id, scan_id, uid, check_id, status, severity, resource_uid, resource_type, region, account, at, note FROM scan_findings;
DROP TABLE scan_findings;
ALTER TABLE scan_findings_keyed RENAME TO scan_findings;
CREATE INDEX scan_findings_failing ON scan_findings (org_id, scan_id, account, check_id) WHERE status = 'FAIL';
