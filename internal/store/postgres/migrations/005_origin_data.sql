-- Where existing records are managed (see 004): a guess from what
-- ward kept. Evidence goes by its source; any other record by who
-- created it: an account (the web app acts as the signed-in account's
-- e-mail) or a ward command (apply; other commands too, which before
-- this version apply retired like its own). A files record last changed
-- by an account has drifted. Restoring an older backup runs this again
-- on its rows.
UPDATE records SET origin = 'import', synced = 0 WHERE kind = 'evidence' AND (body::jsonb ->> 'source') = 'importer';
UPDATE records SET origin = 'web', synced = 0 WHERE kind = 'evidence' AND (body::jsonb ->> 'source') IN ('upload', 'cli');
UPDATE records SET origin = 'web', synced = 0 WHERE kind NOT IN ('evidence', 'organization') AND (
    SELECT a.actor FROM audit a WHERE a.org_id = records.org_id AND a.kind = records.kind AND a.key = records.key
    AND a.action = 'create' ORDER BY a.seq DESC LIMIT 1) IN (SELECT email FROM users);
UPDATE records SET synced = 0 WHERE origin = 'files' AND kind <> 'evidence' AND (
    SELECT a.actor FROM audit a WHERE a.org_id = records.org_id AND a.kind = records.kind AND a.key = records.key
    AND a.action IN ('create', 'update', 'retire') ORDER BY a.seq DESC LIMIT 1) IN (SELECT email FROM users);
