package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"ward/internal/workspace"
)

// ErrDrift: records the files manage were changed outside them since the
// last apply, and the apply was not told which side wins. Nothing was
// written.
var ErrDrift = errors.New("records were changed outside the workspace files since the last apply")

// What an apply does with drift (ApplyOptions.Drift).
const (
	// DriftStop (the default) writes nothing and lists the drift.
	DriftStop = ""
	// DriftOverwrite: the files win; the web's change is replaced (it
	// stays in the audit trail).
	DriftOverwrite = "overwrite"
	// DriftAdopt: the web's version wins and is kept; `ward export` then
	// brings it into the files. Until the files change, applying them
	// again keeps it.
	DriftAdopt = "adopt"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun computes the changes and writes nothing.
	DryRun bool
	// Drift: DriftStop, DriftOverwrite or DriftAdopt.
	Drift string
	// Open says why a live record the files leave out must stay live (an
	// open incident, a running deadline, an open privacy request), or ""
	// when apply may retire it. It is given the organization as stored
	// before the apply. Nil: every record may be retired.
	Open func(stored *workspace.Workspace, kind, key string) string
	// Check validates the organization as it will be after the apply (the
	// files' records and the records apply keeps), inside the apply's
	// transaction; an error refuses the apply and nothing is written.
	// Kept records can name what the files retire.
	Check func(before, after *workspace.Workspace) error
}

// ApplyResult is what an apply did or, in a dry run or when it stopped
// on drift, would do.
type ApplyResult struct {
	// Changes are the writes: create, update, retire, and adopt (a drifted
	// record kept as the web has it).
	Changes []Change `json:"changes"`
	// Drift lists the records changed outside the files since the last
	// apply that the files would change or retire.
	Drift []Drift `json:"drift"`
	// Kept lists the live records the files leave out, or disagree with,
	// that apply did not touch, and why.
	Kept []Kept `json:"kept"`
}

// Stopped reports drift that no option settled: the apply wrote nothing.
func (r ApplyResult) Stopped() bool {
	for _, d := range r.Drift {
		if d.Resolved == "" {
			return true
		}
	}
	return false
}

// Drift is one record changed outside the files since the last apply.
type Drift struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	// The latest change outside the files: who, when, what.
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Action string    `json:"action"` // create | update | retire
	// Fields where the stored record differs from the files.
	Fields []string `json:"fields,omitempty"`
	// Removed: the files no longer have the record; Retired: the files
	// have it, and it was retired outside them.
	Removed bool `json:"removed,omitempty"`
	Retired bool `json:"retired,omitempty"`
	// Resolved is "overwrite" or "adopt" when an option settled it.
	Resolved string `json:"resolved,omitempty"`
}

// Why apply keeps a record (Kept.Reason).
const (
	KeptWeb     = "web"     // managed in the web; the files do not name it
	KeptImport  = "import"  // an import's evidence
	KeptOpen    = "open"    // still open: Note says why
	KeptAdopted = "adopted" // the web's version, adopted; the files still say otherwise
)

// Kept is a record apply left alone though the files leave it out or
// disagree with it.
type Kept struct {
	Kind   string `json:"kind"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

func bodyHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Apply makes the organization's records match ws and returns the
// changes; ApplyWorkspace tells what it left alone, too.
func (o *OrgStore) Apply(ctx context.Context, actor string, ws *workspace.Workspace, opt ApplyOptions) ([]Change, error) {
	r, err := o.ApplyWorkspace(ctx, actor, ws, opt)
	if err != nil {
		return nil, err
	}
	return r.Changes, nil
}

// ApplyWorkspace makes the records the files manage match ws, in one
// transaction, each change one audit entry:
//
//   - a record of ws is created, or changed to what the files say, and
//     from then on the files manage it;
//   - a live record the files manage and ws leaves out is retired, unless
//     opt.Open says it is still open;
//   - a record managed in the web or by an import is never retired, and
//     not changed unless the files name it;
//   - a record the files would change or retire that was changed outside
//     them since the last apply (drift, or a web record the files name
//     with other content) stops the apply: ErrDrift, with the drift
//     listed and nothing written, unless opt.Drift says which side wins.
//
// Unchanged records are not touched, so a re-apply returns no changes. On
// any error nothing is written; the result still says what was found.
func (o *OrgStore) ApplyWorkspace(ctx context.Context, actor string, ws *workspace.Workspace, opt ApplyOptions) (ApplyResult, error) {
	res := ApplyResult{Changes: []Change{}, Drift: []Drift{}, Kept: []Kept{}}
	switch opt.Drift {
	case DriftStop, DriftOverwrite, DriftAdopt:
	default:
		return res, fmt.Errorf("apply: drift option %q is not overwrite or adopt", opt.Drift)
	}
	want, err := flatten(ws, o.org.Slug)
	if err != nil {
		return res, err
	}
	err = o.write(ctx, actor, opt.DryRun, func(w *writer) error {
		w.origin, w.batch = OriginFiles, true
		if kept, same, err := o.unchanged(ctx, w.tx, want); err != nil || same {
			res.Kept = kept
			return err
		}
		stored, err := o.rows(ctx, w.tx, false)
		if err != nil {
			return err
		}
		byKey := map[string]row{}
		for _, r := range stored {
			byKey[r.kind+"\x00"+r.key] = r
		}
		var before *workspace.Workspace
		storedWS := func() (*workspace.Workspace, error) {
			if before == nil {
				if before, err = decodeRows(stored, o.org); err != nil {
					return nil, err
				}
			}
			return before, nil
		}
		wanted := map[string]bool{}
		for _, d := range want {
			id := d.kind + "\x00" + d.key
			wanted[id] = true
			old, exists := byKey[id]
			same := exists && !old.retired && bytes.Equal(old.body, d.body)
			if exists && !same && old.adopted != "" && old.adopted == bodyHash(d.body) && !old.drifted() {
				// The files still say what an --adopt set aside.
				res.Kept = append(res.Kept, Kept{Kind: d.kind, Key: d.key, Reason: KeptAdopted,
					Note: "the web's version was adopted; `ward export` brings it into the files"})
				continue
			}
			if exists && !same && (old.origin != OriginFiles || old.drifted()) {
				dr, err := w.drift(old)
				if err != nil {
					return err
				}
				dr.Fields, dr.Retired = changedFields(d.body, old.body), old.retired
				if old.retired {
					dr.Fields = nil
				}
				dr.Resolved = opt.Drift
				res.Drift = append(res.Drift, dr)
				switch opt.Drift {
				case DriftStop:
					continue
				case DriftAdopt:
					c, err := w.adopt(old, bodyHash(d.body), OriginFiles)
					if err != nil {
						return err
					}
					res.Changes = append(res.Changes, c)
					continue
				}
				// DriftOverwrite: the files' version, below.
			}
			c, err := w.put(d, old, exists)
			if err != nil {
				return err
			}
			if c.Action != "" {
				res.Changes = append(res.Changes, c)
			}
		}
		for _, k := range Kinds {
			for _, r := range stored {
				if r.kind != k || r.retired || wanted[r.kind+"\x00"+r.key] || r.kind == KindOrganization {
					continue
				}
				if r.origin != OriginFiles || keptOnApply(r.kind, r.body) {
					reason := KeptWeb
					if r.origin == OriginImport || evidenceSource(r.kind, r.body) == workspace.SourceImporter {
						reason = KeptImport
					}
					res.Kept = append(res.Kept, Kept{Kind: r.kind, Key: r.key, Reason: reason})
					continue
				}
				if opt.Open != nil {
					sws, err := storedWS()
					if err != nil {
						return err
					}
					if why := opt.Open(sws, r.kind, r.key); why != "" {
						res.Kept = append(res.Kept, Kept{Kind: r.kind, Key: r.key, Reason: KeptOpen, Note: why})
						continue
					}
				}
				if r.drifted() {
					dr, err := w.drift(r)
					if err != nil {
						return err
					}
					dr.Removed, dr.Resolved = true, opt.Drift
					res.Drift = append(res.Drift, dr)
					switch opt.Drift {
					case DriftStop:
						continue
					case DriftAdopt:
						// The web's record, kept: it is the web's to manage
						// until an export brings it into the files.
						c, err := w.adopt(r, "", OriginWeb)
						if err != nil {
							return err
						}
						res.Changes = append(res.Changes, c)
						continue
					}
				}
				c, err := w.retire(r)
				if err != nil {
					return err
				}
				res.Changes = append(res.Changes, c)
			}
		}
		if res.Stopped() {
			return ErrDrift
		}
		if opt.Check != nil {
			sws, err := storedWS()
			if err != nil {
				return err
			}
			if err := w.flush(); err != nil {
				return err
			}
			live, err := o.rows(ctx, w.tx, true)
			if err != nil {
				return err
			}
			after, err := decodeRows(live, o.org)
			if err != nil {
				return err
			}
			if err := opt.Check(sws, after); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrDrift) {
		return res, fmt.Errorf("apply to %s: %w", o.org.Slug, err)
	}
	if err != nil {
		return res, fmt.Errorf("apply to %s: %w", o.org.Slug, err)
	}
	return res, nil
}

// unchanged reports whether an apply of want would write nothing, and
// then what it keeps: the common case of applying files again, checked
// row by row as the stored records stream past, so that no body is held
// and nothing is decoded. Anything to write (a record to create, change,
// move, retire or take under the files' management, or drift) answers
// false, and the apply takes its full path.
func (o *OrgStore) unchanged(ctx context.Context, q querier, want []desired) ([]Kept, bool, error) {
	at := make(map[string]int, len(want))
	for i, d := range want {
		at[d.kind+"\x00"+d.key] = i
	}
	rs, err := q.QueryContext(ctx, o.s.q("SELECT "+rowCols+" FROM records WHERE org_id = ? ORDER BY kind, position, key"), o.org.ID)
	if err != nil {
		return nil, false, err
	}
	defer rs.Close()
	found := 0
	byKind := map[string][]Kept{}
	var adopted []Kept // in the files' order, as the full path lists them
	adoptedAt := map[int]Kept{}
	for rs.Next() {
		r, err := scanRow(rs)
		if err != nil {
			return nil, false, err
		}
		i, wanted := at[r.kind+"\x00"+r.key]
		if wanted {
			found++
			d := want[i]
			switch {
			case !r.retired && bytes.Equal(r.body, d.body):
				if r.pos != d.pos || r.origin != OriginFiles || r.synced != r.version || r.adopted != "" {
					return nil, false, nil
				}
			case !r.retired && r.adopted != "" && r.adopted == bodyHash(d.body) && !r.drifted():
				adoptedAt[i] = Kept{Kind: d.kind, Key: d.key, Reason: KeptAdopted,
					Note: "the web's version was adopted; `ward export` brings it into the files"}
			default:
				return nil, false, nil
			}
			continue
		}
		if r.retired || r.kind == KindOrganization {
			continue
		}
		if r.origin == OriginFiles && !keptOnApply(r.kind, r.body) {
			return nil, false, nil // to retire, or open, or drifted: the full path decides
		}
		reason := KeptWeb
		if r.origin == OriginImport || evidenceSource(r.kind, r.body) == workspace.SourceImporter {
			reason = KeptImport
		}
		byKind[r.kind] = append(byKind[r.kind], Kept{Kind: r.kind, Key: r.key, Reason: reason})
	}
	if err := rs.Err(); err != nil {
		return nil, false, err
	}
	if found != len(want) {
		return nil, false, nil // records to create
	}
	for i := range want {
		if k, ok := adoptedAt[i]; ok {
			adopted = append(adopted, k)
		}
	}
	kept := adopted
	for _, k := range Kinds {
		kept = append(kept, byKind[k]...)
	}
	if kept == nil {
		kept = []Kept{}
	}
	return kept, true, nil
}

// adopt keeps a drifted record as it is: the files' version (hash
// filesBody; "" when the files leave the record out) is set aside, and
// the record is in sync again under origin. Its content and version do
// not change; the decision is on the audit trail.
func (w *writer) adopt(r row, filesBody, origin string) (Change, error) {
	adopted := sql.NullString{String: filesBody, Valid: filesBody != ""}
	if err := w.exec("UPDATE records SET origin = ?, synced = version, adopted = ? WHERE org_id = ? AND kind = ? AND key = ?",
		origin, adopted, w.o.org.ID, r.kind, r.key); err != nil {
		return Change{}, err
	}
	data := map[string]any{"kept_version": r.version, "files_sha256": filesBody, "managed_in": origin}
	if err := w.audit("adopt", r.kind, r.key, data); err != nil {
		return Change{}, err
	}
	return Change{Kind: r.kind, Key: r.key, Action: "adopt", Version: r.version}, nil
}

// drift describes the latest change to r made outside the files.
func (w *writer) drift(r row) (Drift, error) {
	d := Drift{Kind: r.kind, Key: r.key}
	if err := w.flush(); err != nil {
		return d, err
	}
	e, ok, err := w.o.lastChange(w.ctx, w.tx, r.kind, r.key)
	if err != nil {
		return d, err
	}
	if ok {
		d.By, d.At, d.Action = e.Actor, e.At, e.Action
	}
	return d, nil
}

// lastChange is the latest create, update or retire of one record.
func (o *OrgStore) lastChange(ctx context.Context, q querier, kind, key string) (AuditEntry, bool, error) {
	es, err := o.changes(ctx, q, kind, key, 1)
	if err != nil || len(es) == 0 {
		return AuditEntry{}, false, err
	}
	return es[0], true, nil
}

// changes lists the latest n creates, updates and retires of one record,
// newest first.
func (o *OrgStore) changes(ctx context.Context, q querier, kind, key string, n int) ([]AuditEntry, error) {
	rs, err := q.QueryContext(ctx, o.s.q("SELECT "+auditCols+` FROM audit WHERE org_id = ? AND kind = ? AND key = ?
		AND action IN ('create', 'update', 'retire') ORDER BY seq DESC LIMIT ?`), o.org.ID, kind, key, n)
	if err != nil {
		return nil, err
	}
	return scanAudit(rs)
}

// decodeRows builds the in-memory workspace of live rows.
func decodeRows(rows []row, org Org) (*workspace.Workspace, error) {
	ws := &workspace.Workspace{}
	preallocate(ws, rows)
	for _, r := range rows {
		if r.retired {
			continue
		}
		k, ok := kinds[r.kind]
		if !ok {
			continue
		}
		v, err := k.decode(r.body)
		if err != nil {
			return nil, fmt.Errorf("stored %s %q: %w", r.kind, r.key, err)
		}
		fill(ws, r.kind, v)
	}
	ws.Organization.Slug = org.Slug
	if ws.Organization.Name == "" {
		ws.Organization.Name = org.Name
	}
	return ws, nil
}
