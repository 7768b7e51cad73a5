package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ward/internal/audit"
	"ward/internal/store/core"
	"ward/internal/store/scans"
	"ward/internal/workspace"
)

// OrgStore is one organization's records and audit trail. Every statement
// it runs names org_id; there is no other way to reach records.
type OrgStore struct {
	// The organization's imported scans (package scans): its methods
	// are the organization's store's.
	scans.Imports
	s   *Store
	org Org
}

// Org scopes the store to one organization.
func (s *Store) Org(org Org) *OrgStore {
	o := &OrgStore{s: s, org: org}
	o.Imports = scans.For(s.base, org, importSide{o}, s.sliceRows)
	return o
}

func (o *OrgStore) Info() Org { return o.org }

// row is one stored record.
type row struct {
	kind, key string
	body      []byte
	pos       int
	retired   bool
	// origin says where the record is managed (OriginFiles, OriginWeb,
	// OriginImport); version counts its changes; synced is the version
	// the workspace files last agreed with; adopted is the SHA-256 of the
	// files' body an apply --adopt kept this version over.
	origin          string
	version, synced int64
	adopted         string
}

// drifted: a record the files manage was changed outside them (the web,
// the API, another ward command) since the last apply.
func (r row) drifted() bool { return r.origin == OriginFiles && r.version != r.synced }

const rowCols = "kind, key, body, position, retired_at, origin, version, synced, COALESCE(adopted, '')"

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	var retired sql.NullString
	if err := sc.Scan(&r.kind, &r.key, &r.body, &r.pos, &retired, &r.origin, &r.version, &r.synced, &r.adopted); err != nil {
		return row{}, err
	}
	r.retired = retired.Valid
	return r, nil
}

func (o *OrgStore) rows(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, live bool) ([]row, error) {
	query := "SELECT " + rowCols + " FROM records WHERE org_id = ?"
	if live {
		query += " AND retired_at IS NULL"
	}
	rs, err := q.QueryContext(ctx, o.s.q(query+" ORDER BY kind, position, key"), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		r, err := scanRow(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// Workspace loads every live record into the in-memory model, each kind in
// the order it was last applied (new records put one by one go last).
func (o *OrgStore) Workspace(ctx context.Context) (*workspace.Workspace, error) {
	rows, err := o.rows(ctx, o.s.db, true)
	if err != nil {
		return nil, err
	}
	// Rows come ordered by kind, then position: one pass keeps each
	// kind's order.
	ws, err := decodeRows(rows, o.org)
	if err != nil {
		return nil, err
	}
	if ws.ScanFailing, err = o.OpenFindingCounts(ctx); err != nil {
		return nil, err
	}
	if len(ws.ScanFailing) == 0 {
		ws.ScanFailing = nil // as a workspace read from files
	} else {
		// Only with open findings: most organizations have none, and an
		// MSP overview loads hundreds.
		if ws.ScanFailingBy, err = o.OpenFindingCountsBy(ctx); err != nil {
			return nil, err
		}
	}
	if ws.ScanChecks, err = o.OpenChecks(ctx); err != nil {
		return nil, err
	}
	return ws, nil
}

// preallocate sizes the workspace's lists for the rows about to fill
// them, so a large organization is not copied as its lists grow.
func preallocate(ws *workspace.Workspace, rows []row) {
	n := map[string]int{}
	for _, r := range rows {
		n[r.kind]++
	}
	ws.People = grow(ws.People, n[KindPerson])
	ws.Systems = grow(ws.Systems, n[KindSystem])
	ws.Flows = grow(ws.Flows, n[KindFlow])
	ws.Vendors = grow(ws.Vendors, n[KindVendor])
	ws.Agreements = grow(ws.Agreements, n[KindAgreement])
	ws.Customers = grow(ws.Customers, n[KindCustomer])
	ws.Threats = grow(ws.Threats, n[KindThreat])
	ws.Vulnerabilities = grow(ws.Vulnerabilities, n[KindVuln])
	ws.RiskAnalyses = grow(ws.RiskAnalyses, n[KindRiskAnalysis])
	ws.Risks = grow(ws.Risks, n[KindRisk])
	ws.Controls = grow(ws.Controls, n[KindControl])
	ws.Evidence = grow(ws.Evidence, n[KindEvidence])
	ws.Incidents = grow(ws.Incidents, n[KindIncident])
	ws.PrivacyRequests = grow(ws.PrivacyRequests, n[KindPrivacyRequest])
	ws.Complaints = grow(ws.Complaints, n[KindComplaint])
	ws.PrivacyNotices = grow(ws.PrivacyNotices, n[KindPrivacyNotice])
	ws.Policies = grow(ws.Policies, n[KindPolicy])
	ws.Trainings = grow(ws.Trainings, n[KindTraining])
	ws.Acknowledgements = grow(ws.Acknowledgements, n[KindAcknowledgement])
	ws.TrainingRecords = grow(ws.TrainingRecords, n[KindTrainingRecord])
	ws.SecurityReminders = grow(ws.SecurityReminders, n[KindReminder])
}

// grow gives an empty list room for n, and leaves it nil when n is 0.
func grow[T any](s []T, n int) []T {
	if n == 0 {
		return s
	}
	return make([]T, 0, n)
}

// Where a record is managed. The names are stored: never rename one.
const (
	// OriginFiles: the workspace files; ward apply creates, changes and
	// retires it.
	OriginFiles = "files"
	// OriginWeb: the web app, the API or a ward command other than
	// apply; ward apply leaves it alone until the files name it.
	OriginWeb = "web"
	// OriginImport: a scanner import (its evidence item).
	OriginImport = "import"
)

// writer is one write transaction on an organization: the head is locked
// first, and every change appends to the chain before commit.
type writer struct {
	o   *OrgStore
	ctx context.Context
	tx  *sql.Tx
	// conn is the connection tx is on, when the engine copies batches
	// (copier); nil otherwise.
	conn  *sql.Conn
	head  audit.Head
	actor string
	now   string
	// origin is who writes: a record this writer creates is managed there.
	origin string
	// touched: a record the subprocessor list is derived from changed, so
	// the trust center compares the list before commit (announce).
	touched bool
	// batch: new records and audit entries wait in pending and go in
	// multi-row INSERTs, or COPY on PostgreSQL (an apply creating
	// thousands of records), sent before any other statement of the
	// transaction and before commit.
	batch   bool
	pending pending
}

// pending rows of the batched INSERTs.
type pending struct {
	records, audit [][]any
	bytes          int
}

// Batches are sent at this many rows or bytes of values, whichever
// comes first (PostgreSQL takes at most 65,535 parameters a statement).
const (
	batchRows  = 250
	batchBytes = 1 << 20
)

const recordInsertCols = "org_id, kind, key, body, position, created_at, updated_at, origin, version, synced"

// copier is an engine that inserts a batch of rows faster than a
// multi-row INSERT (PostgreSQL's COPY), on a connection in a transaction.
type copier interface {
	CopyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error
}

// flush sends the pending rows.
func (w *writer) flush() error {
	send := func(table, cols string, rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		if cp, ok := w.o.s.eng.(copier); ok && w.conn != nil {
			return cp.CopyRows(w.ctx, w.conn, table, strings.Split(cols, ", "), rows)
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		args := make([]any, 0, len(rows)*len(rows[0]))
		for i, r := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(marks)
			args = append(args, r...)
		}
		_, err := w.tx.ExecContext(w.ctx, w.o.s.q(b.String()), args...)
		return err
	}
	if err := send("records", recordInsertCols, w.pending.records); err != nil {
		return err
	}
	if err := send("audit", auditInsertCols, w.pending.audit); err != nil {
		return err
	}
	w.pending = pending{}
	return nil
}

// later queues a row of a batched INSERT, sending the batch when full.
func (w *writer) later(rows *[][]any, row []any) error {
	*rows = append(*rows, row)
	for _, v := range row {
		if s, ok := v.(string); ok {
			w.pending.bytes += len(s)
		}
	}
	if len(w.pending.records)+len(w.pending.audit) >= batchRows || w.pending.bytes >= batchBytes {
		return w.flush()
	}
	return nil
}

func (o *OrgStore) write(ctx context.Context, actor string, dryRun bool, f func(w *writer) error) error {
	if actor == "" {
		return errors.New("every change needs an actor (who made it) for the audit trail")
	}
	// On an engine that copies batches the transaction is begun on a
	// connection of its own, which COPY is sent on.
	begin := o.s.db.BeginTx
	var conn *sql.Conn
	if _, ok := o.s.eng.(copier); ok {
		c, err := o.s.db.Conn(ctx)
		if err != nil {
			return o.s.busy(err)
		}
		defer c.Close()
		conn, begin = c, c.BeginTx
	}
	tx, err := begin(ctx, nil)
	if err != nil {
		return o.s.busy(err)
	}
	defer tx.Rollback()
	head, err := o.s.lockHead(ctx, tx, o.org.ID)
	if err != nil {
		return o.s.busy(err)
	}
	w := &writer{o: o, ctx: ctx, tx: tx, conn: conn, head: head, actor: actor, now: fmtTime(o.s.now()), origin: OriginWeb}
	if err := f(w); err != nil {
		return o.s.busy(err)
	}
	if err := w.flush(); err != nil {
		return o.s.busy(err)
	}
	if dryRun {
		return nil // the deferred rollback discards everything
	}
	if w.touched {
		if err := w.announce(); err != nil {
			return o.s.busy(err)
		}
		// The announcement's records and audit entries may wait in a
		// batch too: sent before the head moves past them.
		if err := w.flush(); err != nil {
			return o.s.busy(err)
		}
	}
	if err := o.s.saveHead(ctx, tx, o.org.ID, w.head); err != nil {
		return o.s.busy(err)
	}
	return o.s.busy(tx.Commit())
}

func (w *writer) audit(action, kind, key string, data any) error {
	if !w.batch {
		return w.o.s.appendAudit(w.ctx, w.tx, w.o.org.ID, &w.head, w.actor, action, kind, key, data)
	}
	row, err := w.o.s.auditRow(w.o.org.ID, &w.head, w.actor, action, kind, key, data)
	if err != nil {
		return err
	}
	return w.later(&w.pending.audit, row)
}

func (w *writer) exec(query string, args ...any) error {
	if err := w.flush(); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(w.ctx, w.o.s.q(query), args...)
	return err
}

// load reads one record, live or retired; ok is false when there is none.
func (w *writer) load(kind, key string) (r row, ok bool, err error) {
	if err := w.flush(); err != nil {
		return row{}, false, err
	}
	r, err = scanRow(w.tx.QueryRowContext(w.ctx, w.o.s.q("SELECT "+rowCols+" FROM records WHERE org_id = ? AND kind = ? AND key = ?"),
		w.o.org.ID, kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, false, nil
	}
	if err != nil {
		return row{}, false, err
	}
	return r, true, nil
}

// put makes one record match d and returns the change (Action "" when
// none). old is the stored row, if any. A record the files write is
// theirs from then on (origin files, in sync); a change from elsewhere
// keeps the record's origin, so a files record edited in the web has
// drifted until the next apply settles it. A retired record added again
// is managed by whoever adds it.
func (w *writer) put(d desired, old row, exists bool) (Change, error) {
	c := Change{Kind: d.kind, Key: d.key}
	files := w.origin == OriginFiles
	switch {
	case !exists:
		c.Action, c.Version = "create", 1
		var synced int64
		if files {
			synced = 1
		}
		if w.batch {
			if err := w.later(&w.pending.records, []any{w.o.org.ID, d.kind, d.key, string(d.body), d.pos, w.now, w.now, w.origin, 1, synced}); err != nil {
				return c, err
			}
		} else if err := w.exec(`INSERT INTO records (`+recordInsertCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`, w.o.org.ID, d.kind, d.key, string(d.body), d.pos, w.now, w.now, w.origin, synced); err != nil {
			return c, err
		}
		if err := w.audit("create", d.kind, d.key, changeData(nil, d.body)); err != nil {
			return c, err
		}
	case bytes.Equal(old.body, d.body) && !old.retired:
		if old.pos != d.pos {
			// Order is presentation, not content: kept without an audit entry.
			if err := w.exec("UPDATE records SET position = ? WHERE org_id = ? AND kind = ? AND key = ?", d.pos, w.o.org.ID, d.kind, d.key); err != nil {
				return c, err
			}
		}
		if files && (old.origin != OriginFiles || old.synced != old.version || old.adopted != "") {
			// The files say what the record already holds: they manage it
			// now, in sync. Provenance, not content: no audit entry.
			if err := w.exec("UPDATE records SET origin = ?, synced = version, adopted = NULL WHERE org_id = ? AND kind = ? AND key = ?",
				OriginFiles, w.o.org.ID, d.kind, d.key); err != nil {
				return c, err
			}
		}
		return c, nil
	default:
		if d.kind == KindEvidence && !bytes.Equal(old.body, d.body) {
			return c, fmt.Errorf("evidence %q is immutable and already stored with other content (%s differ): add a new item that supersedes it instead of changing it",
				d.key, strings.Join(changedFields(old.body, d.body), ", "))
		}
		if d.kind == KindPolicy && !old.retired {
			if err := approvedUnchanged(d.key, old.body, d.body); err != nil {
				return c, err
			}
		}
		c.Action = "update"
		if old.retired {
			c.Action = "create" // re-added after it was retired
		} else {
			c.Fields = changedFields(old.body, d.body)
		}
		c.Version = old.version + 1
		origin, synced := old.origin, old.synced
		switch {
		case files:
			origin, synced = OriginFiles, c.Version
		case old.retired:
			origin, synced = w.origin, 0
		}
		adopted := sql.NullString{String: old.adopted, Valid: old.adopted != "" && !files}
		if err := w.exec("UPDATE records SET body = ?, position = ?, updated_at = ?, retired_at = NULL, origin = ?, version = ?, synced = ?, adopted = ? WHERE org_id = ? AND kind = ? AND key = ?",
			string(d.body), d.pos, w.now, origin, c.Version, synced, adopted, w.o.org.ID, d.kind, d.key); err != nil {
			return c, err
		}
		if err := w.audit(c.Action, d.kind, d.key, changeData(old.body, d.body)); err != nil {
			return c, err
		}
	}
	if subprocessorKinds[d.kind] {
		w.touched = true
	}
	if d.kind == KindOrganization {
		// The organization record's name is also the organization's.
		if org, ok := d.v.(*workspace.Organization); ok && org.Name != "" && org.Name != w.o.org.Name {
			if err := w.exec("UPDATE orgs SET name = ? WHERE id = ?", org.Name, w.o.org.ID); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

func (w *writer) retire(r row) (Change, error) {
	v := r.version + 1
	synced := r.synced
	if w.origin == OriginFiles {
		synced = v
	}
	if err := w.exec("UPDATE records SET retired_at = ?, version = ?, synced = ? WHERE org_id = ? AND kind = ? AND key = ? AND retired_at IS NULL",
		w.now, v, synced, w.o.org.ID, r.kind, r.key); err != nil {
		return Change{}, err
	}
	if err := w.audit("retire", r.kind, r.key, changeData(r.body, nil)); err != nil {
		return Change{}, err
	}
	w.touched = w.touched || subprocessorKinds[r.kind]
	return Change{Kind: r.kind, Key: r.key, Action: "retire", Version: v}, nil
}

// Put creates or updates one record (an edit from the web or the API),
// unconditionally: PutIf with no Cond. Unchanged: Change{}.
func (o *OrgStore) Put(ctx context.Context, actor, kind, key string, rec any) (Change, error) {
	return o.PutIf(ctx, actor, kind, key, rec, Cond{})
}

// Get decodes one live record into into. ErrNotFound also for a retired
// record.
func (o *OrgStore) Get(ctx context.Context, kind, key string, into any) error {
	_, err := o.GetVersion(ctx, kind, key, into)
	return err
}

// Retire retires one live record, unconditionally; it is kept, and
// listed by Retired. Evidence can be retired (withdrawn) but never
// changed.
func (o *OrgStore) Retire(ctx context.Context, actor, kind, key string) error {
	_, err := o.RetireIf(ctx, actor, kind, key, Cond{})
	return err
}

// Retired lists the retired records of one kind, by key.
func (o *OrgStore) Retired(ctx context.Context, kind string) ([]RetiredRecord, error) {
	rs, err := o.s.db.QueryContext(ctx, o.s.q("SELECT key, retired_at, body FROM records WHERE org_id = ? AND kind = ? AND retired_at IS NOT NULL ORDER BY key"),
		o.org.ID, kind)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []RetiredRecord
	for rs.Next() {
		var r RetiredRecord
		var at, body string
		if err := rs.Scan(&r.Key, &at, &body); err != nil {
			return nil, err
		}
		if r.RetiredAt, err = parseTime(at); err != nil {
			return nil, err
		}
		r.Body = json.RawMessage(body)
		out = append(out, r)
	}
	return out, rs.Err()
}

// AddEvidence stores a new evidence item (an upload, an import) and
// returns it with its id. Source defaults to upload and AddedBy to actor,
// so a later apply of the workspace files keeps it. Adding the identical
// item again is a no-op; reusing an id for other content is an error.
func (o *OrgStore) AddEvidence(ctx context.Context, actor string, e workspace.Evidence) (workspace.Evidence, error) {
	if e.Source == "" {
		e.Source = workspace.SourceUpload
	}
	if e.AddedBy == "" {
		e.AddedBy = actor
	}
	if len(e.ControlIDs()) == 0 {
		return workspace.Evidence{}, errors.New("evidence must name at least one control")
	}
	if e.Collected.IsZero() {
		return workspace.Evidence{}, errors.New("evidence must have a collected date")
	}
	_, key, v, err := canonical(KindEvidence, e)
	if err != nil {
		return workspace.Evidence{}, err
	}
	if _, err := o.Put(ctx, actor, KindEvidence, key, *v.(*workspace.Evidence)); err != nil {
		return workspace.Evidence{}, err
	}
	return *v.(*workspace.Evidence), nil
}

// AddEvidenceItems adds several evidence items (the files of one upload)
// in one transaction: all of them, or on any error none. Each item gets
// the defaults of AddEvidence; the stored items are returned with their
// ids, in order.
func (o *OrgStore) AddEvidenceItems(ctx context.Context, actor string, items []workspace.Evidence) ([]workspace.Evidence, error) {
	type prepared struct {
		body []byte
		key  string
		v    *workspace.Evidence
	}
	var ps []prepared
	for i, e := range items {
		if e.Source == "" {
			e.Source = workspace.SourceUpload
		}
		if e.AddedBy == "" {
			e.AddedBy = actor
		}
		if len(e.ControlIDs()) == 0 {
			return nil, fmt.Errorf("evidence item %d must name at least one control", i+1)
		}
		if e.Collected.IsZero() {
			return nil, fmt.Errorf("evidence item %d must have a collected date", i+1)
		}
		body, key, v, err := canonical(KindEvidence, e)
		if err != nil {
			return nil, err
		}
		ps = append(ps, prepared{body, key, v.(*workspace.Evidence)})
	}
	err := o.write(ctx, actor, false, func(w *writer) error {
		var pos int
		if err := w.tx.QueryRowContext(ctx, o.s.q("SELECT COALESCE(MAX(position), -1) + 1 FROM records WHERE org_id = ? AND kind = ?"),
			o.org.ID, KindEvidence).Scan(&pos); err != nil {
			return err
		}
		for _, p := range ps {
			old, exists, err := w.load(KindEvidence, p.key)
			if err != nil {
				return err
			}
			at := pos
			if exists {
				at = old.pos
			} else {
				pos++
			}
			if _, err := w.put(desired{kind: KindEvidence, key: p.key, body: p.body, pos: at, v: p.v}, old, exists); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]workspace.Evidence, len(ps))
	for i, p := range ps {
		out[i] = *p.v
	}
	return out, nil
}

// Counts is the number of live records of each kind (every kind present).
func (o *OrgStore) Counts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, k := range Kinds {
		out[k] = 0
	}
	rs, err := o.s.db.QueryContext(ctx, o.s.q("SELECT kind, COUNT(*) FROM records WHERE org_id = ? AND retired_at IS NULL GROUP BY kind"), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var k string
		var n int
		if err := rs.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rs.Err()
}

// Record appends a non-record event (a login, an export, an import) to the
// organization's chain.
func (o *OrgStore) Record(ctx context.Context, actor, action, kind, key string, data any) error {
	if action == "" {
		return errors.New("an audit event needs an action")
	}
	if slices.Contains([]string{"create", "update", "retire"}, action) && kinds[kind].decode != nil {
		return fmt.Errorf("action %q on a %s is recorded by the change itself, not by Record", action, kind)
	}
	return o.write(ctx, actor, false, func(w *writer) error {
		return w.audit(action, kind, key, data)
	})
}

const auditCols = core.AuditCols

func scanAudit(rs *sql.Rows) ([]AuditEntry, error) { return core.ScanAudit(rs) }

// AuditLog lists entries newest first; limit <= 0 means all.
func (o *OrgStore) AuditLog(ctx context.Context, limit, offset int) ([]AuditEntry, error) {
	query := "SELECT " + auditCols + " FROM audit WHERE org_id = ? ORDER BY seq DESC"
	args := []any{o.org.ID}
	if limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, limit, max(offset, 0))
	} else if offset > 0 {
		query += " LIMIT 1000000000000 OFFSET ?"
		args = append(args, offset)
	}
	rs, err := o.s.db.QueryContext(ctx, o.s.q(query), args...)
	if err != nil {
		return nil, err
	}
	return scanAudit(rs)
}

// AuditAll lists every entry oldest first, for export and verification.
func (o *OrgStore) AuditAll(ctx context.Context) ([]AuditEntry, error) {
	var out []AuditEntry
	err := o.s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = o.auditWithHead(ctx, tx)
		return err
	})
	return out, err
}

func (o *OrgStore) auditWithHead(ctx context.Context, tx *sql.Tx) ([]AuditEntry, audit.Head, error) {
	return o.s.base.OrgTrail(ctx, tx, o.org.ID)
}

// AuditHead is the chain's current checkpoint.
func (o *OrgStore) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := o.s.db.QueryRowContext(ctx, o.s.q("SELECT seq, hash FROM audit_head WHERE org_id = ?"), o.org.ID).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("audit head of %s: %w", o.org.Slug, ErrNotFound)
	}
	return h, err
}

// verifyRows checks the audit rows rs (auditCols, by sequence number)
// against head, one row at a time.
func verifyRows(rs *sql.Rows, head audit.Head) error {
	v := audit.NewVerifier()
	if err := feedRows(rs, v); err != nil {
		return err
	}
	return v.End(head)
}

// feedRows passes the audit rows rs (auditCols, by sequence number) to
// v, one row at a time, and closes rs.
func feedRows(rs *sql.Rows, v *audit.Verifier) error {
	defer rs.Close()
	var e audit.Stored
	for rs.Next() {
		if err := rs.Scan(&e.Seq, (*sql.RawBytes)(&e.At), (*sql.RawBytes)(&e.Actor), (*sql.RawBytes)(&e.Action), (*sql.RawBytes)(&e.Kind),
			(*sql.RawBytes)(&e.Key), (*sql.RawBytes)(&e.Data), (*sql.RawBytes)(&e.Prev), (*sql.RawBytes)(&e.Hash)); err != nil {
			return err
		}
		if err := v.Next(&e); err != nil {
			return err
		}
	}
	return rs.Err()
}
