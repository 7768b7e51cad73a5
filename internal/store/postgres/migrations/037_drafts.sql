-- Unsaved drafts of long web forms (issue 19 item 11): the risk
-- questionnaire and an incident's breach assessment survive the idle
-- log-off and come back after the next login. One draft per person,
-- organization and form (the form's address); the body is the form's
-- fields, URL-encoded. A draft is scratch, not a record of the program:
-- it is removed when the form is saved or discarded, and after
-- DraftLifetime, so PHI typed into a breach form does not linger.
CREATE TABLE drafts (
    user_id  BIGINT NOT NULL,
    org_id   BIGINT NOT NULL,
    form     TEXT NOT NULL,
    body     TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id, form)
);
CREATE INDEX drafts_saved ON drafts(saved_at);
