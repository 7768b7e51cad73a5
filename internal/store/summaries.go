package store

import (
	"context"
	"strings"

	"ward/internal/audit"
)

// OrgSummary is an organization's stored summary for the MSP overview
// (package msp encodes the body), with the audit head it was made at.
type OrgSummary struct {
	Head audit.Head
	Body []byte
}

// summaryBatch bounds the organizations one query asks about: well under
// SQLite's limit on a statement's parameters.
const summaryBatch = 500

// AuditHeads is the current audit head of each organization in ids, in
// one query per 500 organizations; an organization without a chain is
// absent from the map.
func (s *Store) AuditHeads(ctx context.Context, ids []int64) (map[int64]audit.Head, error) {
	out := make(map[int64]audit.Head, len(ids))
	err := inBatches(ids, func(part []int64, args []any, marks string) error {
		rs, err := s.db.QueryContext(ctx, s.q("SELECT org_id, seq, hash FROM audit_head WHERE org_id IN ("+marks+")"), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var h audit.Head
			if err := rs.Scan(&id, &h.Seq, &h.Hash); err != nil {
				return err
			}
			out[id] = h
		}
		return rs.Err()
	})
	return out, err
}

// OrgSummaries reads the stored summaries of the organizations in ids
// that are current: made at the organization's audit head as it is now.
// A stale one (a change landed since) is not returned; the caller makes
// it again (PutOrgSummary).
func (s *Store) OrgSummaries(ctx context.Context, ids []int64) (map[int64]OrgSummary, error) {
	out := make(map[int64]OrgSummary, len(ids))
	err := inBatches(ids, func(part []int64, args []any, marks string) error {
		rs, err := s.db.QueryContext(ctx, s.q(`SELECT s.org_id, s.seq, s.hash, s.body FROM org_summaries s
			JOIN audit_head h ON h.org_id = s.org_id AND h.seq = s.seq AND h.hash = s.hash
			WHERE s.org_id IN (`+marks+")"), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var sum OrgSummary
			if err := rs.Scan(&id, &sum.Head.Seq, &sum.Head.Hash, &sum.Body); err != nil {
				return err
			}
			out[id] = sum
		}
		return rs.Err()
	})
	return out, err
}

// PutOrgSummary stores org's summary made at head, replacing an older
// one. A summary of an older head than the stored one (two servers making
// it at once, one slower) does not replace it.
func (s *Store) PutOrgSummary(ctx context.Context, org int64, sum OrgSummary) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO org_summaries (org_id, seq, hash, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, body = excluded.body
		WHERE excluded.seq >= org_summaries.seq`), org, sum.Head.Seq, sum.Head.Hash, sum.Body)
	return err
}

// inBatches calls f with ids in parts of summaryBatch, each with its
// arguments and "?, ?, ..." placeholders.
func inBatches(ids []int64, f func(part []int64, args []any, marks string) error) error {
	for len(ids) > 0 {
		part := ids[:min(len(ids), summaryBatch)]
		ids = ids[len(part):]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := f(part, args, strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")); err != nil {
			return err
		}
	}
	return nil
}
