-- Live records by kind (issue 21): the count of each kind of live record
-- (an organization's overview) reads this index alone instead of every
-- record's row, body and all, to test retired_at.
CREATE INDEX records_live ON records (org_id, kind, retired_at);
