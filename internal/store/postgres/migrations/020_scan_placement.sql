-- Where a check's findings land, per framework: a Prowler finding names
-- HIPAA and SOC 2 requirements, and its HIPAA impact is judged by its
-- HIPAA ids alone, its SOC 2 impact by its SOC 2 ids (framework 'hipaa'
-- or 'soc2'). '' is a placement that names no framework (a mapped CSV
-- names controls directly, and the rows of scans imported before this
-- migration).
ALTER TABLE scan_controls ADD COLUMN framework TEXT NOT NULL DEFAULT '';
ALTER TABLE scan_controls DROP CONSTRAINT scan_controls_pkey;
ALTER TABLE scan_controls ADD PRIMARY KEY (org_id, scan_id, check_id, framework, control);
