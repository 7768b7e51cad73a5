package store

import (
	"context"
	"slices"
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

// OrgRow is an organization's evaluated row of the MSP overview on one
// date (the web app encodes Body and names Version: the rules that made
// it), with the audit head it was computed at.
type OrgRow struct {
	Head    audit.Head
	AsOf    string
	Version string
	Body    []byte
}

// OrgRows reads the stored rows on asOf of the organizations in ids
// that are current: computed at the organization's audit head as it is
// now. The version is the caller's to check.
func (s *Store) OrgRows(ctx context.Context, ids []int64, asOf string) (map[int64]OrgRow, error) {
	out := make(map[int64]OrgRow, len(ids))
	err := inBatches(ids, func(part []int64, args []any, marks string) error {
		rs, err := s.db.QueryContext(ctx, s.q(`SELECT r.org_id, r.seq, r.hash, r.version, r.body FROM org_rows r
			JOIN audit_head h ON h.org_id = r.org_id AND h.seq = r.seq AND h.hash = r.hash
			WHERE r.as_of = ? AND r.org_id IN (`+marks+")"), append([]any{asOf}, args...)...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			row := OrgRow{AsOf: asOf}
			if err := rs.Scan(&id, &row.Head.Seq, &row.Head.Hash, &row.Version, &row.Body); err != nil {
				return err
			}
			out[id] = row
		}
		return rs.Err()
	})
	return out, err
}

// rowBatch bounds the rows one statement writes (six parameters each).
const rowBatch = 200

// PutOrgRows stores each organization's row, replacing the one stored
// unless that one was computed at a newer head (two servers at once, one
// slower), in one statement per 200 organizations.
func (s *Store) PutOrgRows(ctx context.Context, rows map[int64]OrgRow) error {
	ids := make([]int64, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for len(ids) > 0 {
		part := ids[:min(len(ids), rowBatch)]
		ids = ids[len(part):]
		var q strings.Builder
		q.WriteString("INSERT INTO org_rows (org_id, as_of, seq, hash, version, body) VALUES ")
		args := make([]any, 0, len(part)*6)
		for i, id := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?)")
			r := rows[id]
			args = append(args, id, r.AsOf, r.Head.Seq, r.Head.Hash, r.Version, r.Body)
		}
		q.WriteString(` ON CONFLICT (org_id) DO UPDATE SET as_of = excluded.as_of, seq = excluded.seq, hash = excluded.hash,
			version = excluded.version, body = excluded.body WHERE excluded.seq >= org_rows.seq`)
		if _, err := s.db.ExecContext(ctx, s.q(q.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// CurrentSummaries reports which of the organizations in ids have a
// stored summary made at their current audit head, without reading the
// summaries.
func (s *Store) CurrentSummaries(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	err := inBatches(ids, func(part []int64, args []any, marks string) error {
		rs, err := s.db.QueryContext(ctx, s.q(`SELECT s.org_id FROM org_summaries s
			JOIN audit_head h ON h.org_id = s.org_id AND h.seq = s.seq AND h.hash = s.hash
			WHERE s.org_id IN (`+marks+")"), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rs.Err()
	})
	return out, err
}
