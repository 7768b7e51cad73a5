// Package scans keeps an organization's imported scanner files and their
// findings: the import's writer, which stages a file's findings in short
// transactions no reader sees and makes the scan visible in one last
// transaction (ward import prowler, the web's uploads), supersession
// between scans, and the open items the findings leave on controls.
//
// Package store embeds Imports in *store.OrgStore, so every method here
// is a method of an organization's store, and re-exports the types under
// its own names (store.Writer, store.Finding, ...): callers outside
// internal/store import store, never scans. The import's last
// transaction is one of the organization's audited writes, which store
// answers (Records). This package must not import store; what both need
// is in package core.
package scans

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"ward/internal/store/core"
	"ward/internal/workspace"
)

// Imports is one organization's scans: package store embeds it in its
// OrgStore.
type Imports struct {
	db  *core.DB
	org core.Org
	rec Records
	// sliceRows: findings per import slice at most.
	sliceRows int
}

// For is org's scans in db, the last transaction of an import written
// through rec, sliceRows findings per slice at most.
func For(db *core.DB, org core.Org, rec Records, sliceRows int) Imports {
	return Imports{db: db, org: org, rec: rec, sliceRows: sliceRows}
}

// Records is what an import's last transaction asks of the
// organization's records and audit trail: package store answers it.
type Records interface {
	// WriteImport runs f in one of the organization's audited write
	// transactions (its audit head held), as an import (the records it
	// creates are managed by imports), and commits when f returns nil.
	WriteImport(ctx context.Context, actor string, f func(w RecordsTx) error) error
}

// RecordsTx is that transaction.
type RecordsTx interface {
	Tx() *sql.Tx
	// Now is the time of its changes, as stored.
	Now() string
	// Exec runs one statement (with ? placeholders) in it.
	Exec(query string, args ...any) error
	// Audit appends an entry to the organization's trail.
	Audit(action, kind, key string, data any) error
	// Controls is the set of the organization's live controls' ids.
	Controls() (map[string]bool, error)
	// AddEvidence adds e (canonical: its id filled) after the evidence
	// items, unless an item of its id is there already, and returns its
	// key and e as stored.
	AddEvidence(e workspace.Evidence) (string, workspace.Evidence, error)
}

// runRows and runWays, when not 0, replace moveRows and mergeWays
// (tests make them small).
var (
	runRows int64
	runWays int
)

func fmtTime(t time.Time) string            { return core.FmtTime(t) }
func parseTime(s string) (time.Time, error) { return core.ParseTime(s) }

// Scan is one imported scanner file (a Prowler output, a CSV export).
type Scan struct {
	ID         int64           `json:"id"`
	Source     string          `json:"source"` // prowler | csv
	Format     string          `json:"format"`
	FileName   string          `json:"file_name"`
	SHA256     string          `json:"sha256"`
	Size       int64           `json:"size"`
	ScannedAt  time.Time       `json:"scanned_at"`
	ImportedAt time.Time       `json:"imported_at"`
	ImportedBy string          `json:"imported_by"`
	EvidenceID string          `json:"evidence_id"`
	Findings   int             `json:"findings"`
	Summary    json.RawMessage `json:"summary"`
}

// Finding is one finding of a scan.
type Finding struct {
	UID          string    `json:"uid"`
	Check        string    `json:"check"`
	Status       string    `json:"status"` // PASS | FAIL | MANUAL | MUTED
	Severity     string    `json:"severity"`
	ResourceUID  string    `json:"resource_uid"`
	ResourceType string    `json:"resource_type"`
	Region       string    `json:"region"`
	Account      string    `json:"account"`
	Time         time.Time `json:"time"`
	Note         string    `json:"note,omitempty"`
}

// Finding statuses as stored.
const (
	FindingPass   = "PASS"
	FindingFail   = "FAIL"
	FindingManual = "MANUAL"
	// FindingMuted is muted in the scanner (Prowler's mutelist): a risk
	// accepted there, kept and shown, never an open failure.
	FindingMuted = "MUTED"
)

// Input is what an importer tells the store about a file once it has
// read it all.
type Input struct {
	Source, Format, FileName string
	SHA256                   string
	Size                     int64
	// ScannedAt is when the scan ran (its newest finding); it orders scans
	// for supersession.
	ScannedAt time.Time
	// Controls: check id -> the catalog controls its findings speak to,
	// whatever the framework (a mapped CSV names controls directly).
	Controls map[string][]string
	// Placements: framework ("hipaa", "soc2") -> check id -> the controls
	// its findings land on for that framework, judged by the framework's
	// own requirement ids (a Prowler finding names both).
	Placements map[string]map[string][]string
	// Summary is kept with the scan and in the audit entry.
	Summary any
	// Evidence is the evidence item the file becomes; the store adds every
	// control of Controls to its own and fills SHA256, Size, Source and
	// AddedBy. No evidence is added when it names no control.
	Evidence workspace.Evidence
}

// Result is what one import did.
type Result struct {
	Scan Scan `json:"scan"`
	// Already: the same file (by SHA-256) was imported before; nothing was
	// written and Scan is the earlier import.
	Already bool `json:"already_imported"`
	// New findings stored; Duplicates repeated a uid and resource within
	// the file (the failing one is kept).
	New        int `json:"new"`
	Duplicates int `json:"duplicates"`
	// Superseded is how many account+check pairs of older scans this scan
	// superseded; Outdated how many of its own a newer scan already had.
	Superseded int                 `json:"superseded"`
	Outdated   int                 `json:"outdated"`
	Evidence   *workspace.Evidence `json:"evidence,omitempty"`
}

// Writer takes a scan's findings, in batches, into the import's
// staging area: the scan's findings are written under a scan row that no
// reader sees (its sha256 is NULL), in short transactions (slices), so a
// large import never holds the database's write lock for long. The
// import becomes visible, all of it at once, in its last transaction.
type Writer struct {
	// AfterSlice, when set (by a feed), is called on the importing
	// goroutine after each slice is committed: tests watch a large import
	// with it.
	AfterSlice func()

	o      *Imports
	ctx    context.Context
	scanID int64
	batch  []Finding
	// The current slice: its transaction (nil between slices), the
	// prepared full-batch insert on it, when it began and its rows.
	tx         *sql.Tx
	full       *sql.Stmt
	sliceStart time.Time
	sliceRows  int
	sliceFor   time.Duration
	// pausedAt is when the import last let waiting writers in (or its
	// first slice began), pauseAfter how much writing it does before the
	// next pause (SQLite).
	pausedAt   time.Time
	pauseAfter time.Duration
	// inBat: uid, check, resource -> index in batch.
	inBat map[[3]string]int
	// held: the batches kept in memory until a slice's worth is read
	// (the scan is staged only then; scanID is 0 until it is).
	held     [][]Finding
	heldRows int
	staged   bool
	actor    string
	pairs    map[string]struct{} // account \x00 check
	seen     int
	// slices is how many slices were committed (tests, progress).
	slices int
	// keyLater (SQLite): the findings are sorted by key before they are
	// written (run.go): cur is the run filling, runs and free hand
	// runs to the keyer (which sorts and spills them) and back, keyed is
	// its answer, kerr the answer once received; spill holds the sorted
	// runs; conn is the connection the merged runs are written on.
	keyLater bool
	// finished: Finish ran, with finishErr.
	finished  bool
	finishErr error
	conn      *sql.Conn
	spill     *spill
	cur       *run
	runs      chan *run
	free      chan *run
	keyed     chan error
	kerr      error
	// lastAt and lastSec, lastNsec: the last finding time formatted (a
	// scan's findings share a few times).
	args     []any // insert's, reused
	lastAt   string
	lastSec  int64
	lastNsec int
	// ckpt copies the committed slices into the database file while
	// the next are written (SQLite), instead of SQLite's automatic
	// checkpoint on conn, whose threshold autoCkpt was.
	ckpt     *checkpointer
	autoCkpt int
	// counted: the staged findings were counted as they were written
	// (the merged runs): inserted rows, and the failing ones per
	// account \x00 check.
	counted  bool
	inserted int
	failing  map[string]int
	// leased is when the staged scan's lease was last renewed.
	leased time.Time
}

// scanBatch rows go into one INSERT: 12 columns × 100 rows stays well
// under both engines' parameter limits.
const scanBatch = 100

// A slice commits after sliceRows findings (store's Options.ImportSlice,
// SliceRows by default) or about sliceTime of work, whichever comes
// first. On SQLite the import then
// pauses briefly, once about sliceTime of writing has gone by since the
// last pause, so that writers waiting for the lock get it: SQLite's lock
// is not fair, and a waiter polls every few tens of milliseconds. A
// pause after every slice cost a large import a sixth of its time
// (5,000 findings take about 40 ms to write), for no shorter a wait
// than one per sliceTime. Both are jittered so that a waiter's polling
// cannot stay in step with the slices.
const (
	SliceRows  = 5000
	sliceTime  = 150 * time.Millisecond
	slicePause = 25 * time.Millisecond
	// stagingLease is how long a staged import may go without committing
	// a slice before another import takes it for abandoned (its process
	// killed) and removes it.
	stagingLease = 10 * time.Minute
	// dropBatch rows are deleted per statement when staging is removed.
	dropBatch = 5000
	// moveRows findings make a run of a large import on SQLite: held in
	// memory, sorted by key and spilled to a temporary file, to be merged
	// with the others into scan_findings in key order (run.go). Two
	// runs are held at a time (one sorted while the next fills), about
	// 3 MB each for Prowler's findings.
	moveRows = 16384
)

// jitter is d scaled by a random factor in [0.5, 1.5).
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

const findingCols = "(org_id, scan_id, uid, check_id, status, severity, resource_uid, resource_type, region, account, at, note)"

func insertFindings(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO scan_findings " + findingCols + " VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	b.WriteString(onConflict)
	return b.String()
}

// onConflict: the same uid and resource twice in a file: a FAIL is never
// hidden by a PASS (or anything else) read before it, in this slice or an
// earlier one.
const onConflict = " ON CONFLICT (org_id, scan_id, uid, check_id, resource_uid) DO UPDATE SET status = excluded.status, severity = excluded.severity, note = excluded.note" +
	" WHERE excluded.status = 'FAIL' AND scan_findings.status <> 'FAIL'"

// Add queues one finding; it is written with the next full batch.
func (sw *Writer) Add(f Finding) error {
	switch f.Status {
	case FindingPass, FindingFail, FindingManual, FindingMuted:
	default:
		return fmt.Errorf("finding %q: status %q is not PASS, FAIL, MANUAL or MUTED", f.UID, f.Status)
	}
	if f.UID == "" || f.Check == "" {
		return errors.New("a finding needs a uid and a check")
	}
	sw.seen++
	sw.pairs[f.Account+"\x00"+f.Check] = struct{}{}
	if sw.finished {
		return errors.New("import: a finding added after Finish")
	}
	if sw.keyLater {
		return sw.addRun(f)
	}
	// One INSERT may not touch a row twice (PostgreSQL refuses): the same
	// uid, check and resource within a batch is merged here, the FAIL
	// kept.
	key := [3]string{f.UID, f.Check, f.ResourceUID}
	if i, ok := sw.inBat[key]; ok {
		if f.Status == FindingFail && sw.batch[i].Status != FindingFail {
			sw.batch[i].Status, sw.batch[i].Severity, sw.batch[i].Note = f.Status, f.Severity, f.Note
		}
		return nil
	}
	sw.inBat[key] = len(sw.batch)
	sw.batch = append(sw.batch, f)
	if len(sw.batch) == scanBatch {
		return sw.flush()
	}
	return nil
}

// Finish writes what is still held: the last batch, or on SQLite every
// sorted run, merged (a large import's longest step after its feed). A
// feed may call it once it has added every finding, to overlap it with
// its own last work (the file's hash); ImportScan calls it after the
// feed otherwise. No finding may be added after it.
func (sw *Writer) Finish() error {
	if sw.finished {
		return sw.finishErr
	}
	sw.finished = true
	if sw.keyLater {
		sw.finishErr = sw.finishRuns()
	} else if sw.finishErr = sw.flush(); sw.finishErr == nil {
		sw.finishErr = sw.commitSlice()
	}
	return sw.finishErr
}

// Seen is how many findings were added so far.
func (sw *Writer) Seen() int { return sw.seen }

// flush moves the queued batch on: held in memory while the import is
// small (a file of fewer findings than a slice is stored by the last
// transaction alone, and a refused one writes nothing at all), then,
// once a slice's worth is held, staged, with every later batch.
func (sw *Writer) flush() error {
	if len(sw.batch) == 0 {
		return nil
	}
	batch := slices.Clone(sw.batch)
	sw.batch = sw.batch[:0]
	clear(sw.inBat)
	if sw.scanID == 0 {
		sw.held = append(sw.held, batch)
		if sw.heldRows += len(batch); sw.heldRows < sw.o.sliceRows {
			return nil
		}
		id, err := sw.o.stage(sw.ctx, sw.o.db.SQL, sw.actor)
		if err != nil {
			return err
		}
		sw.scanID, sw.staged = id, true
		held := sw.held
		sw.held, sw.heldRows = nil, 0
		for _, b := range held {
			if err := sw.stageBatch(b); err != nil {
				return err
			}
		}
		return nil
	}
	return sw.stageBatch(batch)
}

// stageBatch writes one batch in the current slice, beginning one when
// none is open, and commits the slice when it is full.
func (sw *Writer) stageBatch(batch []Finding) error {
	s := sw.o.db
	if sw.tx == nil {
		var tx *sql.Tx
		var err error
		if sw.conn != nil {
			tx, err = sw.conn.BeginTx(sw.ctx, nil) // set up by the keyer
		} else if tx, err = s.SQL.BeginTx(sw.ctx, nil); err == nil {
			if err := bulkCache(sw.ctx, s, tx); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err != nil {
			return s.Busy(err)
		}
		sw.tx, sw.sliceStart, sw.sliceRows, sw.sliceFor = tx, time.Now(), 0, jitter(sliceTime)
		if sw.pausedAt.IsZero() {
			// The first pause comes after the first slice: a writer
			// that came while the file was read, or just as the slices
			// began, gets in then (the slices' checkpoints no longer
			// leave the lock free between them: ckpt).
			sw.pausedAt, sw.pauseAfter = sw.sliceStart, 0
		}
	}
	if err := sw.insert(sw.tx, batch); err != nil {
		return sw.abortSlice(err)
	}
	sw.sliceRows += len(batch)
	if sw.sliceRows >= sw.o.sliceRows || time.Since(sw.sliceStart) >= sw.sliceFor {
		return sw.commitSlice()
	}
	return nil
}

// bulkCache sets SQLite's page cache for a bulk insert: 2 MiB. Findings
// go into the key index sorted, one pass over it per run, so a larger
// cache saves no reads; it only adds to the import's RSS. It was 32 MiB
// when findings went into the index in random order.
func bulkCache(ctx context.Context, d *core.DB, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if d.Eng.Name() != "sqlite" {
		return nil
	}
	_, err := q.ExecContext(ctx, "PRAGMA cache_size = -2048")
	return err
}

// insert writes one batch of findings of the scan in tx.
func (sw *Writer) insert(tx *sql.Tx, batch []Finding) error {
	s := sw.o.db
	args := sw.args[:0]
	defer func() { sw.args = args[:0] }()
	org := sw.o.org.ID
	for _, f := range batch {
		args = append(args, org, sw.scanID, f.UID, f.Check, f.Status, f.Severity, f.ResourceUID, f.ResourceType, f.Region, f.Account, sw.fmtAt(f.Time), f.Note)
	}
	query := insertFindings
	var err error
	if len(batch) == scanBatch && tx == sw.tx {
		if sw.full == nil {
			if sw.full, err = tx.PrepareContext(sw.ctx, s.Q(query(scanBatch))); err != nil {
				return err
			}
		}
		_, err = sw.full.ExecContext(sw.ctx, args...)
	} else {
		_, err = tx.ExecContext(sw.ctx, s.Q(query(len(batch))), args...)
	}
	if err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	return nil
}

// commitSlice commits the open slice (renewing the staging lease) and,
// on SQLite, pauses so that writers waiting for the lock get it.
func (sw *Writer) commitSlice() error {
	if sw.tx == nil {
		return nil
	}
	s := sw.o.db
	if _, err := sw.tx.ExecContext(sw.ctx, s.Q("UPDATE scans SET staged_until = ? WHERE org_id = ? AND id = ?"),
		fmtTime(s.Now().Add(stagingLease)), sw.o.org.ID, sw.scanID); err != nil {
		return sw.abortSlice(err)
	}
	if sw.full != nil {
		sw.full.Close()
		sw.full = nil
	}
	err := sw.tx.Commit()
	sw.tx = nil
	if err != nil {
		return s.Busy(err)
	}
	sw.slices++
	if sw.ckpt != nil {
		sw.ckpt.nudge()
	}
	if sw.AfterSlice != nil {
		sw.AfterSlice()
	}
	if s.Eng.Name() == "sqlite" && time.Since(sw.pausedAt) >= sw.pauseAfter {
		select {
		case <-time.After(jitter(slicePause)):
		case <-sw.ctx.Done():
			return sw.ctx.Err()
		}
		sw.pausedAt, sw.pauseAfter = time.Now(), jitter(sliceTime)
	}
	return nil
}

// abortSlice rolls the open slice back and returns err.
func (sw *Writer) abortSlice(err error) error {
	if sw.full != nil {
		sw.full.Close()
		sw.full = nil
	}
	if sw.tx != nil {
		sw.tx.Rollback()
		sw.tx = nil
	}
	return sw.o.db.Busy(err)
}

// fmtAt is fmtTime, remembering the last answer.
func (sw *Writer) fmtAt(t time.Time) string {
	if sec, nsec := t.Unix(), t.Nanosecond(); sw.lastAt == "" || sec != sw.lastSec || nsec != sw.lastNsec {
		sw.lastAt, sw.lastSec, sw.lastNsec = fmtTime(t), sec, nsec
	}
	return sw.lastAt
}

// stagedCounts counts a staged scan's findings, and its failing ones per
// account \x00 check.
func (o *Imports) stagedCounts(ctx context.Context, q interface {
	querier
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, scanID int64) (int, map[string]int, error) {
	var n int
	if err := q.QueryRowContext(ctx, o.db.Q("SELECT COUNT(*) FROM scan_findings WHERE org_id = ? AND scan_id = ?"), o.org.ID, scanID).Scan(&n); err != nil {
		return 0, nil, err
	}
	rs, err := q.QueryContext(ctx, o.db.Q(`SELECT account, check_id, COUNT(*) FROM scan_findings
		WHERE org_id = ? AND scan_id = ? AND status = 'FAIL' GROUP BY account, check_id`), o.org.ID, scanID)
	if err != nil {
		return 0, nil, err
	}
	defer rs.Close()
	failing := map[string]int{}
	for rs.Next() {
		var account, check string
		var c int
		if err := rs.Scan(&account, &check, &c); err != nil {
			return 0, nil, err
		}
		failing[account+"\x00"+check] = c
	}
	return n, failing, rs.Err()
}

// stage starts staging an import: a scan row no reader sees, written on
// q (the database, or the connection the slices are written on).
func (o *Imports) stage(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, actor string) (int64, error) {
	var id int64
	now := o.db.Now()
	err := q.QueryRowContext(ctx, o.db.Q(`INSERT INTO scans (org_id, source, format, file_name, scanned_at, imported_at, imported_by, staged_until)
		VALUES (?, '', '', '', '', ?, ?, ?) RETURNING id`), o.org.ID, fmtTime(now), actor, fmtTime(now.Add(stagingLease))).Scan(&id)
	return id, o.db.Busy(err)
}

// dropAbandoned removes the staged imports whose lease ran out.
func (o *Imports) dropAbandoned(ctx context.Context) error {
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q("SELECT id FROM scans WHERE org_id = ? AND sha256 IS NULL AND (staged_until IS NULL OR staged_until < ?)"),
		o.org.ID, fmtTime(o.db.Now()))
	if err != nil {
		return o.db.Busy(err)
	}
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return err
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := o.dropStaged(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// dropStaged removes a staged import that will not be committed (its
// feed failed, the file was imported before, or it was abandoned): its
// findings a batch at a time, then its scan row. These rows were never
// visible to any reader: deleting them is the staged import's rollback,
// not a deletion of anything kept.
func (o *Imports) dropStaged(ctx context.Context, scanID int64) error {
	ctx = context.WithoutCancel(ctx) // an interrupted import still cleans up
	for {
		// The batch ends at the dropBatch-th uid (the key's order), or
		// takes all that is left.
		var last string
		err := o.db.SQL.QueryRowContext(ctx, o.db.Q("SELECT uid FROM scan_findings WHERE org_id = ? AND scan_id = ? ORDER BY uid LIMIT 1 OFFSET ?"),
			o.org.ID, scanID, dropBatch-1).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := o.execN(ctx, "DELETE FROM scan_findings WHERE org_id = ? AND scan_id = ?", o.org.ID, scanID); err != nil {
				return fmt.Errorf("remove a staged import: %w", err)
			}
			break
		}
		if err != nil {
			return fmt.Errorf("remove a staged import: %w", o.db.Busy(err))
		}
		if _, err := o.execN(ctx, "DELETE FROM scan_findings WHERE org_id = ? AND scan_id = ? AND uid <= ?", o.org.ID, scanID, last); err != nil {
			return fmt.Errorf("remove a staged import: %w", err)
		}
	}
	// Findings staged unkeyed in scan_findings_staged by an import of an
	// earlier version (SQLite; imports now sort in a temporary file), a
	// batch of them at a time, in their own order.
	for {
		n, err := o.execN(ctx, `DELETE FROM scan_findings_staged WHERE org_id = ? AND scan_id = ? AND seq IN
			(SELECT seq FROM scan_findings_staged WHERE org_id = ? AND scan_id = ? ORDER BY seq LIMIT ?)`, o.org.ID, scanID, o.org.ID, scanID, dropBatch)
		if err != nil {
			return fmt.Errorf("remove a staged import: %w", err)
		}
		if n < dropBatch {
			break
		}
	}
	_, err := o.execN(ctx, "DELETE FROM scans WHERE org_id = ? AND id = ? AND sha256 IS NULL", o.org.ID, scanID)
	return err
}

// execN runs one statement on its own and returns the rows it affected.
func (o *Imports) execN(ctx context.Context, query string, args ...any) (int64, error) {
	r, err := o.db.SQL.ExecContext(ctx, o.db.Q(query), args...)
	if err != nil {
		return 0, o.db.Busy(err)
	}
	return r.RowsAffected()
}

// StagedImports counts the imports in progress (or abandoned, until the
// next import of the organization removes them) and their staged
// findings: rows no reader sees.
func (o *Imports) StagedImports(ctx context.Context) (scans, findings int, err error) {
	err = o.db.SQL.QueryRowContext(ctx, o.db.Q(`SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM scan_findings f WHERE f.org_id = s.org_id AND f.scan_id = s.id)
		+ (SELECT COUNT(*) FROM scan_findings_staged f WHERE f.org_id = s.org_id AND f.scan_id = s.id)), 0)
		FROM scans s WHERE s.org_id = ? AND s.sha256 IS NULL`), o.org.ID).Scan(&scans, &findings)
	return scans, findings, err
}

var errAlreadyImported = errors.New("already imported")

// ImportScan stores one scanner file, all or nothing: feed streams the
// findings into the Writer and returns what it learnt of the file.
// The findings are staged in short transactions that no reader sees (a
// large import does not hold the write lock for long: web edits go on
// meanwhile); then one transaction makes the scan visible: it records
// the scan (keyed by the file's SHA-256), its checks and the controls
// they touch, adds the file as an evidence item on those controls,
// applies supersession (a newer scan of the same account and check
// supersedes an older one, and a later import of a scan of the same time
// its earlier twin; both kept) and appends one audit entry. An error
// anywhere, or a kill, leaves nothing visible (staged rows are removed);
// a file imported before writes nothing and returns Already.
func (o *Imports) ImportScan(ctx context.Context, actor string, feed func(sw *Writer) (Input, error)) (Result, error) {
	if actor == "" {
		return Result{}, errors.New("every change needs an actor (who made it) for the audit trail")
	}
	// Staged imports abandoned by a killed process go first.
	if err := o.dropAbandoned(ctx); err != nil {
		return Result{}, err
	}
	sw := &Writer{o: o, ctx: ctx, actor: actor, pairs: map[string]struct{}{}, batch: make([]Finding, 0, scanBatch), inBat: map[[3]string]int{},
		keyLater: o.db.Eng.Name() == "sqlite"}
	res, err := o.commitScan(ctx, actor, sw, feed)
	sw.closeRuns()
	if (err != nil || res.Already) && sw.staged {
		sw.abortSlice(nil)
		if derr := o.dropStaged(ctx, sw.scanID); derr != nil && err == nil {
			err = derr
		}
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// commitScan feeds the staged import, then makes it visible in one
// transaction.
func (o *Imports) commitScan(ctx context.Context, actor string, sw *Writer, feed func(sw *Writer) (Input, error)) (Result, error) {
	var res Result
	in, err := feed(sw)
	if err != nil {
		return res, err
	}
	if err := sw.Finish(); err != nil {
		return res, err
	}
	if in.SHA256 == "" {
		return res, errors.New("import: the file's SHA-256 is missing")
	}
	staged := sw.staged
	var inserted int
	var failing map[string]int
	switch {
	case staged && sw.counted:
		inserted, failing = sw.inserted, sw.failing
	case staged:
		// What was stored, and the failing findings per account and
		// check, counted before the last transaction: the staged rows are
		// committed and no one else writes them, so these reads hold no
		// lock.
		if inserted, failing, err = o.stagedCounts(ctx, o.db.SQL, sw.scanID); err != nil {
			return res, err
		}
	}
	err = o.rec.WriteImport(ctx, actor, func(w RecordsTx) error {
		tx := w.Tx()
		prev, err := o.scanBySHA(ctx, tx, in.SHA256)
		if err == nil {
			res = Result{Scan: prev, Already: true, Duplicates: 0}
			return errAlreadyImported
		}
		if !errors.Is(err, core.ErrNotFound) {
			return err
		}
		if !staged {
			// A small import: its scan row and findings, here.
			if err := tx.QueryRowContext(ctx, o.db.Q(`INSERT INTO scans (org_id, source, format, file_name, scanned_at, imported_at, imported_by)
				VALUES (?, '', '', '', '', ?, ?) RETURNING id`), o.org.ID, w.Now(), actor).Scan(&sw.scanID); err != nil {
				return err
			}
			if err := bulkCache(ctx, o.db, tx); err != nil {
				return err
			}
			for _, b := range sw.held {
				if err := sw.insert(tx, b); err != nil {
					return err
				}
			}
			if err := sw.insertRun(tx); err != nil {
				return err
			}
			if inserted, failing, err = o.stagedCounts(ctx, tx, sw.scanID); err != nil {
				return err
			}
		}
		scanID := sw.scanID
		res.New, res.Duplicates = inserted, sw.seen-inserted

		summary, err := json.Marshal(in.Summary)
		if err != nil {
			return err
		}
		scannedAt := fmtTime(in.ScannedAt)
		n, err := o.execTx(ctx, tx, `UPDATE scans SET source = ?, format = ?, file_name = ?, sha256 = ?, size = ?, scanned_at = ?, findings = ?, summary = ?, staged_until = NULL
			WHERE org_id = ? AND id = ? AND sha256 IS NULL`, in.Source, in.Format, in.FileName, in.SHA256, in.Size, scannedAt, inserted, string(summary), o.org.ID, scanID)
		if err != nil {
			return err
		}
		if n != 1 {
			return errors.New("import: its staged findings were removed meanwhile (the import stalled longer than its lease, and another import took it for abandoned): run it again")
		}

		// The scan's account+check pairs and its checks' controls.
		pairs := make([]string, 0, len(sw.pairs))
		for p := range sw.pairs {
			pairs = append(pairs, p)
		}
		slices.Sort(pairs)
		if err := batchInsert(w, "INSERT INTO scan_checks (org_id, scan_id, account, check_id, failing) VALUES ", 5, len(pairs), func(i int) []any {
			account, check, _ := strings.Cut(pairs[i], "\x00")
			return []any{o.org.ID, scanID, account, check, failing[pairs[i]]}
		}); err != nil {
			return err
		}
		var cc [][3]string // check, framework, control
		controls := map[string]bool{}
		for check, cs := range in.Controls {
			for _, c := range cs {
				cc = append(cc, [3]string{check, "", c})
				controls[c] = true
			}
		}
		for fw, byCheck := range in.Placements {
			for check, cs := range byCheck {
				for _, c := range cs {
					cc = append(cc, [3]string{check, fw, c})
					controls[c] = true
				}
			}
		}
		slices.SortFunc(cc, func(a, b [3]string) int {
			return strings.Compare(a[0]+"\x00"+a[1]+"\x00"+a[2], b[0]+"\x00"+b[1]+"\x00"+b[2])
		})
		cc = slices.Compact(cc)
		if err := batchInsert(w, "INSERT INTO scan_controls (org_id, scan_id, check_id, framework, control) VALUES ", 5, len(cc), func(i int) []any {
			return []any{o.org.ID, scanID, cc[i][0], cc[i][1], cc[i][2]}
		}); err != nil {
			return err
		}

		// Supersession, both ways: older scans' pairs this one covers, and
		// this one's pairs a newer scan already covers. A scan of the same
		// time is the same run in another format (Prowler writes OCSF JSON
		// and CSV side by side): the later import takes its place, so a
		// failing check is counted once.
		n, err = o.execTx(ctx, tx, `UPDATE scan_checks SET superseded_by = ?
			WHERE org_id = ? AND superseded_by IS NULL AND scan_id <> ?
			AND scan_id IN (SELECT id FROM scans WHERE org_id = ? AND sha256 IS NOT NULL AND scanned_at <= ?)
			AND EXISTS (SELECT 1 FROM scan_checks n WHERE n.org_id = ? AND n.scan_id = ? AND n.account = scan_checks.account AND n.check_id = scan_checks.check_id)`,
			scanID, o.org.ID, scanID, o.org.ID, scannedAt, o.org.ID, scanID)
		if err != nil {
			return fmt.Errorf("supersede older scans: %w", err)
		}
		res.Superseded = int(n)
		n, err = o.execTx(ctx, tx, `UPDATE scan_checks SET superseded_by = (
				SELECT o.scan_id FROM scan_checks o JOIN scans s ON s.id = o.scan_id
				WHERE o.org_id = ? AND o.account = scan_checks.account AND o.check_id = scan_checks.check_id
				AND s.org_id = ? AND s.scanned_at > ? ORDER BY s.scanned_at, s.id LIMIT 1)
			WHERE org_id = ? AND scan_id = ? AND EXISTS (
				SELECT 1 FROM scan_checks o JOIN scans s ON s.id = o.scan_id
				WHERE o.org_id = ? AND o.account = scan_checks.account AND o.check_id = scan_checks.check_id
				AND s.org_id = ? AND s.scanned_at > ?)`,
			o.org.ID, o.org.ID, scannedAt, o.org.ID, scanID, o.org.ID, o.org.ID, scannedAt)
		if err != nil {
			return fmt.Errorf("supersede by newer scans: %w", err)
		}
		res.Outdated = int(n)

		// The file itself, as evidence on every control it touches that the
		// organization has adopted: evidence speaks for a control the
		// organization runs (as an upload does), and the workspace holds
		// no evidence for controls it does not list. Open findings stay on
		// every control the checks touch.
		adopted, err := w.Controls()
		if err != nil {
			return err
		}
		e := in.Evidence
		for c := range controls {
			if !slices.Contains(e.Controls, c) {
				e.Controls = append(e.Controls, c)
			}
		}
		e.Controls = slices.DeleteFunc(e.Controls, func(c string) bool { return !adopted[c] })
		if len(e.Controls) > 0 {
			slices.Sort(e.Controls)
			e.SHA256, e.Size = in.SHA256, in.Size
			if e.Source == "" {
				e.Source = workspace.SourceImporter
			}
			if e.AddedBy == "" {
				e.AddedBy = actor
			}
			if e.Collected.IsZero() {
				return errors.New("import: the evidence has no collected date")
			}
			key, ev, err := w.AddEvidence(e)
			if err != nil {
				return err
			}
			res.Evidence = &ev
			if err := w.Exec("UPDATE scans SET evidence_id = ? WHERE org_id = ? AND id = ?", key, o.org.ID, scanID); err != nil {
				return err
			}
		}
		if err := w.Audit("import", "scan", strconv.FormatInt(scanID, 10), map[string]any{
			"source": in.Source, "file": in.FileName, "sha256": in.SHA256, "size": in.Size, "findings": inserted,
			"superseded": res.Superseded, "summary": json.RawMessage(summary),
		}); err != nil {
			return err
		}
		res.Scan, err = o.scanByID(ctx, tx, scanID)
		return err
	})
	if errors.Is(err, errAlreadyImported) {
		return res, nil
	}
	return res, err
}

// execTx runs one statement in tx and returns the rows it affected.
func (o *Imports) execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	r, err := tx.ExecContext(ctx, o.db.Q(query), args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// batchInsert inserts n rows of cols columns, scanBatch rows a statement.
func batchInsert(w RecordsTx, prefix string, cols, n int, row func(i int) []any) error {
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	for start := 0; start < n; start += scanBatch {
		end := min(start+scanBatch, n)
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, cols*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(ph)
			args = append(args, row(i)...)
		}
		if err := w.Exec(b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

const scanCols = "id, source, format, file_name, COALESCE(sha256, ''), size, scanned_at, imported_at, imported_by, evidence_id, findings, summary"

type querier = core.Querier

func (o *Imports) scans(ctx context.Context, q querier, where string, args ...any) ([]Scan, error) {
	rs, err := q.QueryContext(ctx, o.db.Q("SELECT "+scanCols+" FROM scans WHERE org_id = ? AND sha256 IS NOT NULL"+where), append([]any{o.org.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Scan
	for rs.Next() {
		var s Scan
		var scanned, imported, summary string
		if err := rs.Scan(&s.ID, &s.Source, &s.Format, &s.FileName, &s.SHA256, &s.Size, &scanned, &imported, &s.ImportedBy, &s.EvidenceID, &s.Findings, &summary); err != nil {
			return nil, err
		}
		if s.ScannedAt, err = parseTime(scanned); err != nil {
			return nil, err
		}
		if s.ImportedAt, err = parseTime(imported); err != nil {
			return nil, err
		}
		s.Summary = json.RawMessage(summary)
		out = append(out, s)
	}
	return out, rs.Err()
}

func (o *Imports) scanBySHA(ctx context.Context, q querier, sha string) (Scan, error) {
	ss, err := o.scans(ctx, q, " AND sha256 = ?", sha)
	if err != nil {
		return Scan{}, err
	}
	if len(ss) == 0 {
		return Scan{}, fmt.Errorf("scan %s: %w", sha, core.ErrNotFound)
	}
	return ss[0], nil
}

func (o *Imports) scanByID(ctx context.Context, q querier, id int64) (Scan, error) {
	ss, err := o.scans(ctx, q, " AND id = ?", id)
	if err != nil {
		return Scan{}, err
	}
	if len(ss) == 0 {
		return Scan{}, fmt.Errorf("scan %d: %w", id, core.ErrNotFound)
	}
	return ss[0], nil
}

// Scans lists the organization's imported scans, newest scan first.
func (o *Imports) Scans(ctx context.Context) ([]Scan, error) {
	return o.scans(ctx, o.db.SQL, " ORDER BY scanned_at DESC, id DESC")
}

// Scan returns one imported scan.
func (o *Imports) Scan(ctx context.Context, id int64) (Scan, error) {
	return o.scanByID(ctx, o.db.SQL, id)
}

// ScanFindings lists a scan's findings in uid order (all of them, current
// or superseded); limit <= 0 means all.
func (o *Imports) ScanFindings(ctx context.Context, scanID int64, limit int) ([]Finding, error) {
	query := "SELECT uid, check_id, status, severity, resource_uid, resource_type, region, account, at, note FROM scan_findings WHERE org_id = ? AND scan_id = ? ORDER BY uid, resource_uid"
	args := []any{o.org.ID, scanID}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Finding
	for rs.Next() {
		f, err := scanFinding(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rs.Err()
}

func scanFinding(rs *sql.Rows, extra ...any) (Finding, error) {
	var f Finding
	var at string
	if err := rs.Scan(append([]any{&f.UID, &f.Check, &f.Status, &f.Severity, &f.ResourceUID, &f.ResourceType, &f.Region, &f.Account, &at, &f.Note}, extra...)...); err != nil {
		return f, err
	}
	var err error
	f.Time, err = parseTime(at)
	return f, err
}

// openFrom and openWhere select the open items: failing findings of a
// scan's account+check that no newer scan has superseded, with the
// controls of the check. CROSS JOIN fixes the order for SQLite (the few
// current scan_checks rows first, then their failing findings through the
// partial index); for PostgreSQL it is a plain join.
//
// A check lands on a control once per framework whose ids put it there;
// the open items of a control count each finding once.
const (
	openFrom = ` FROM scan_checks k
	CROSS JOIN scan_findings f
	CROSS JOIN (SELECT DISTINCT org_id, scan_id, check_id, control FROM scan_controls) c
	CROSS JOIN scans s`
	openWhere = ` WHERE k.org_id = ? AND k.superseded_by IS NULL AND k.failing > 0
	AND f.org_id = k.org_id AND f.scan_id = k.scan_id AND f.account = k.account AND f.check_id = k.check_id AND f.status = 'FAIL'
	AND c.org_id = k.org_id AND c.scan_id = k.scan_id AND c.check_id = k.check_id
	AND s.id = k.scan_id`
)

// OpenFindingCounts returns, per control, how many failing findings of
// the current scans (not superseded) speak to it: the control's open
// items. Controls without any are absent.
func (o *Imports) OpenFindingCounts(ctx context.Context) (map[string]int, error) {
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q(`SELECT c.control, SUM(k.failing) FROM scan_checks k
		CROSS JOIN (SELECT DISTINCT org_id, scan_id, check_id, control FROM scan_controls WHERE org_id = ?) c
		WHERE k.org_id = ? AND k.superseded_by IS NULL AND k.failing > 0
		AND c.org_id = k.org_id AND c.scan_id = k.scan_id AND c.check_id = k.check_id GROUP BY c.control`), o.org.ID, o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]int{}
	for rs.Next() {
		var c string
		var n int
		if err := rs.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rs.Err()
}

// OpenFindingCountsBy returns, per framework and control, how many
// failing findings of the current scans land on the control for that
// framework ("hipaa", "soc2": placed by the framework's own requirement
// ids; "": placements that name no framework, as a mapped CSV's).
func (o *Imports) OpenFindingCountsBy(ctx context.Context) (map[string]map[string]int, error) {
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q(`SELECT c.framework, c.control, SUM(k.failing) FROM scan_checks k CROSS JOIN scan_controls c
		WHERE k.org_id = ? AND k.superseded_by IS NULL AND k.failing > 0
		AND c.org_id = k.org_id AND c.scan_id = k.scan_id AND c.check_id = k.check_id GROUP BY c.framework, c.control`), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]map[string]int{}
	for rs.Next() {
		var fw, c string
		var n int
		if err := rs.Scan(&fw, &c, &n); err != nil {
			return nil, err
		}
		if out[fw] == nil {
			out[fw] = map[string]int{}
		}
		out[fw][c] = n
	}
	return out, rs.Err()
}

// OpenChecks lists the checks with failing findings in the current scans
// (each once, however many accounts), with the controls they land on in
// any framework, by check id.
func (o *Imports) OpenChecks(ctx context.Context) ([]workspace.ScanCheck, error) {
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q(`SELECT k.check_id, SUM(k.failing) FROM scan_checks k
		WHERE k.org_id = ? AND k.superseded_by IS NULL AND k.failing > 0 GROUP BY k.check_id ORDER BY k.check_id`), o.org.ID)
	if err != nil {
		return nil, err
	}
	var out []workspace.ScanCheck
	index := map[string]int{}
	for rs.Next() {
		var c workspace.ScanCheck
		if err := rs.Scan(&c.Check, &c.Failing); err != nil {
			rs.Close()
			return nil, err
		}
		index[c.Check] = len(out)
		out = append(out, c)
	}
	rs.Close()
	if err := rs.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rs, err = o.db.SQL.QueryContext(ctx, o.db.Q(`SELECT DISTINCT k.check_id, c.control FROM scan_checks k CROSS JOIN scan_controls c
		WHERE k.org_id = ? AND k.superseded_by IS NULL AND k.failing > 0
		AND c.org_id = k.org_id AND c.scan_id = k.scan_id AND c.check_id = k.check_id ORDER BY k.check_id, c.control`), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var check, control string
		if err := rs.Scan(&check, &control); err != nil {
			return nil, err
		}
		if i, ok := index[check]; ok {
			out[i].Controls = append(out[i].Controls, control)
		}
	}
	return out, rs.Err()
}

// OpenFindingTotal counts the failing findings of the current scans (no
// newer scan of their account and check): each finding once, however
// many controls it lands on.
func (o *Imports) OpenFindingTotal(ctx context.Context) (int, error) {
	var n int
	err := o.db.SQL.QueryRowContext(ctx, o.db.Q(`SELECT COALESCE(SUM(failing), 0) FROM scan_checks WHERE org_id = ? AND superseded_by IS NULL`), o.org.ID).Scan(&n)
	return n, err
}

// OpenFinding is a failing finding open on a control, with the scan and
// the evidence item (the imported file) it came from.
type OpenFinding struct {
	Finding
	ScanID     int64  `json:"scan_id"`
	EvidenceID string `json:"evidence_id"`
	FileName   string `json:"file_name"`
}

// OpenFindings lists the open failing findings on one control, most
// severe first; limit <= 0 means all.
func (o *Imports) OpenFindings(ctx context.Context, control string, limit int) ([]OpenFinding, error) {
	query := `SELECT f.uid, f.check_id, f.status, f.severity, f.resource_uid, f.resource_type, f.region, f.account, f.at, f.note, s.id, s.evidence_id, s.file_name` +
		openFrom + openWhere + ` AND c.control = ?
	ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, f.check_id, f.resource_uid, f.uid`
	args := []any{o.org.ID, control}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rs, err := o.db.SQL.QueryContext(ctx, o.db.Q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []OpenFinding
	for rs.Next() {
		var of OpenFinding
		f, err := scanFinding(rs, &of.ScanID, &of.EvidenceID, &of.FileName)
		if err != nil {
			return nil, err
		}
		of.Finding = f
		out = append(out, of)
	}
	return out, rs.Err()
}
