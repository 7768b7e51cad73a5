-- The MSP overview's summary of each organization (issue 21): its records
-- packed for a quick read (package msp), keyed by the audit head they were
-- read at. A summary whose head is not the organization's current one is
-- stale and never used; the web server writes a new one when it needs it.
-- Derived data: a backup leaves it out.
CREATE TABLE org_summaries (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL,
    body   BYTEA NOT NULL
);
