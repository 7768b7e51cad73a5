-- The audit trail as one B-tree keyed by (org_id, seq) (issue 21): a
-- table with a rowid kept its rows in one B-tree and the primary key in
-- another, so that reading the trail in order (ward audit verify) looked
-- each row up by rowid, from the root, after finding it in the index.
-- The columns, their order and the primary key are as they were.
CREATE TABLE audit_by_seq (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    seq    INTEGER NOT NULL,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    data   TEXT NOT NULL,
    prev   TEXT NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
) WITHOUT ROWID;
INSERT INTO audit_by_seq (org_id, seq, at, actor, action, kind, key, data, prev, hash)
    SELECT org_id, seq, at, actor, action, kind, key, data, prev, hash FROM audit ORDER BY org_id, seq;
DROP TABLE audit;
ALTER TABLE audit_by_seq RENAME TO audit;
CREATE INDEX audit_record ON audit (org_id, kind, key, seq);
