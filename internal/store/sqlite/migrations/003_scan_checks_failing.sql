-- How many failing findings each scan has per account and check, counted
-- once at import, so the open items per control are a sum over the few
-- current scan_checks rows, not a pass over every failing finding.
ALTER TABLE scan_checks ADD COLUMN failing INTEGER NOT NULL DEFAULT 0;
UPDATE scan_checks SET failing = (SELECT COUNT(*) FROM scan_findings f
    WHERE f.org_id = scan_checks.org_id AND f.scan_id = scan_checks.scan_id
    AND f.account = scan_checks.account AND f.check_id = scan_checks.check_id AND f.status = 'FAIL');
-- Covering, so that finding the scans of one account and check (for
-- supersession) does not walk the organization's every scan_checks row.
DROP INDEX scan_checks_current;
CREATE INDEX scan_checks_current ON scan_checks (org_id, account, check_id, scan_id);
