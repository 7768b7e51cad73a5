-- Where a check's findings land, per framework: a Prowler finding names
-- HIPAA and SOC 2 requirements, and its HIPAA impact is judged by its
-- HIPAA ids alone, its SOC 2 impact by its SOC 2 ids (framework 'hipaa'
-- or 'soc2'). '' is a placement that names no framework (a mapped CSV
-- names controls directly, and the rows of scans imported before this
-- migration).
CREATE TABLE scan_controls_placed (
    org_id    INTEGER NOT NULL,
    scan_id   INTEGER NOT NULL REFERENCES scans(id),
    check_id  TEXT NOT NULL,
    framework TEXT NOT NULL DEFAULT '',
    control   TEXT NOT NULL,
    PRIMARY KEY (org_id, scan_id, check_id, framework, control)
);
INSERT INTO scan_controls_placed (org_id, scan_id, check_id, framework, control)
    SELECT org_id, scan_id, check_id, '', control FROM scan_controls;
DROP TABLE scan_controls;
ALTER TABLE scan_controls_placed RENAME TO scan_controls;
CREATE INDEX scan_controls_control ON scan_controls (org_id, control);
