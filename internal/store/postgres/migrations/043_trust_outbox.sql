-- The trust center's outbox (issue 16): e-mails ward has decided to send
-- (a subprocessor change to each subscriber, an approved document link to
-- its requester) and has not yet handed to a mail server. Nothing in ward
-- sends them yet (the notifier's runner reads only notify_outbox): a
-- sender reads the rows without sent_at, delivers them and sets sent_at
-- (ward trust outbox lists them; --mark-sent records it).
-- The id says what the mail is about and for whom, so one event never
-- queues the same mail twice.
CREATE TABLE trust_outbox (
    org_id     BIGINT NOT NULL REFERENCES orgs(id),
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    PRIMARY KEY (org_id, id)
);
