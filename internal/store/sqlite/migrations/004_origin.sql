-- Where each record is managed (issue 20): origin is files (the workspace
-- files, through ward apply), web (the web app, the API or another ward
-- command) or import (a scanner import). version counts the record's
-- changes (its ETag; a stale write is refused); synced is the version
-- the files last agreed with, so a files record whose version moved on
-- since has drifted (changed outside the files). adopted is the SHA-256
-- of the files' body an `apply --adopt` kept the web's version over.
ALTER TABLE records ADD COLUMN origin TEXT NOT NULL DEFAULT 'files';
ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE records ADD COLUMN synced INTEGER NOT NULL DEFAULT 1;
ALTER TABLE records ADD COLUMN adopted TEXT;
-- One record's history (drift, a stale write's lost change, the history
-- pages) without a pass over the organization's whole trail.
CREATE INDEX audit_record ON audit (org_id, kind, key, seq);
