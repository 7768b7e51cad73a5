-- An import's findings are staged in short transactions under a scan row
-- that no reader sees (sha256 NULL) before one last transaction makes the
-- scan visible (issue 20: a large import no longer holds the write lock
-- for its whole length). staged_until is the staging's lease, renewed as
-- it goes; a staged import whose lease ran out was abandoned (its process
-- killed) and the next import of the organization removes it.
ALTER TABLE scans ADD COLUMN staged_until TEXT;
