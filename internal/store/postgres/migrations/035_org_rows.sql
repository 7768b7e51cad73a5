-- The MSP overview's evaluated row of each organization for the date it
-- was last evaluated on as today (issue 21): a restarted server reads 300
-- small rows instead of evaluating 300 summaries. Keyed by the audit head
-- it was computed at and the version of the rules that computed it
-- (version: the web app's, with the organization's slug); one of another
-- head, date or version is never used. Derived data: a backup leaves it
-- out.
CREATE TABLE org_rows (
    org_id  BIGINT PRIMARY KEY REFERENCES orgs(id),
    as_of   TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    hash    TEXT NOT NULL,
    version TEXT NOT NULL,
    body    BYTEA NOT NULL
);
