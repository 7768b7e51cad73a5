package store

import (
	"context"
	"database/sql"

	"ward/internal/store/scans"
	"ward/internal/workspace"
)

// Imported scans live in package scans; *OrgStore embeds its
// scans.Imports, so its methods (ImportScan, Scans, OpenFindings, ...)
// are an organization's store's, and its types and values are
// re-exported here under the names callers use. What stays here is what
// an import's last transaction does to the organization's records and
// trail (importSide).
type (
	Scan        = scans.Scan
	ScanFinding = scans.Finding
	ScanInput   = scans.Input
	ScanResult  = scans.Result
	ScanWriter  = scans.Writer
	OpenFinding = scans.OpenFinding
)

// Finding statuses as stored.
const (
	FindingPass   = scans.FindingPass
	FindingFail   = scans.FindingFail
	FindingManual = scans.FindingManual
	// FindingMuted is muted in the scanner (Prowler's mutelist): a risk
	// accepted there, kept and shown, never an open failure.
	FindingMuted = scans.FindingMuted
)

// importSide answers what an import asks of an organization's records
// and trail (scans.Records), without adding methods to OrgStore.
type importSide struct{ o *OrgStore }

func (i importSide) WriteImport(ctx context.Context, actor string, f func(w scans.RecordsTx) error) error {
	return i.o.write(ctx, actor, false, func(w *writer) error {
		w.origin = OriginImport
		return f(importTx{w})
	})
}

// importTx is an import's last transaction (scans.RecordsTx).
type importTx struct{ w *writer }

func (t importTx) Tx() *sql.Tx                          { return t.w.tx }
func (t importTx) Now() string                          { return t.w.now }
func (t importTx) Exec(query string, args ...any) error { return t.w.exec(query, args...) }
func (t importTx) Audit(action, kind, key string, data any) error {
	return t.w.audit(action, kind, key, data)
}
func (t importTx) Controls() (map[string]bool, error) { return t.w.liveKeys(KindControl) }

func (t importTx) AddEvidence(e workspace.Evidence) (string, workspace.Evidence, error) {
	w := t.w
	body, key, v, err := canonical(KindEvidence, e)
	if err != nil {
		return "", workspace.Evidence{}, err
	}
	old, exists, err := w.load(KindEvidence, key)
	if err != nil {
		return "", workspace.Evidence{}, err
	}
	if !exists {
		var pos int
		if err := w.tx.QueryRowContext(w.ctx, w.o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
			w.o.org.ID, KindEvidence).Scan(&pos); err != nil {
			return "", workspace.Evidence{}, err
		}
		if _, err := w.put(desired{kind: KindEvidence, key: key, body: body, pos: pos, v: v}, old, false); err != nil {
			return "", workspace.Evidence{}, err
		}
	}
	return key, *v.(*workspace.Evidence), nil
}

// liveKeys is the set of keys of kind's records that are not retired, as
// this transaction sees them.
func (w *writer) liveKeys(kind string) (map[string]bool, error) {
	rs, err := w.tx.QueryContext(w.ctx, w.o.s.q("SELECT key FROM records WHERE org_id = ? AND kind = ? AND retired_at IS NULL"), w.o.org.ID, kind)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]bool{}
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rs.Err()
}
