package scans

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// A large import on SQLite sorts its findings by key before they reach
// scan_findings, so that the key index is filled in one pass, appending,
// instead of a page read and written per finding in file order (random
// in the key), which is what made large imports slow. It is an external
// sort: the findings are held in runs of moveRows; each full run is
// sorted on the keyer's goroutine while the next one fills on the
// caller's (decoding and sorting overlap), and written to a temporary
// file; once the file is read, the runs are merged and the findings
// written into scan_findings in key order. Two runs at most are held in
// memory and the merge reads every run through a small buffer, so memory
// stays bounded whatever the file's size; the temporary file is removed
// as soon as it is created (it lives while open, and goes with the
// process however it ends).
type run struct {
	// buf holds each finding's uid and resource uid, the two fields
	// unique to it; the fields that repeat (check, status, severity,
	// resource type, region, account, note) are interned in names.
	buf   []byte
	rows  []runRow
	names []string
	ids   map[string]uint32
}

type span struct{ off, n uint32 }

type runRow struct {
	uid, res                                        span
	check, status, severity, rtype, region, account uint32
	note                                            uint32
	sec                                             int64
	nsec                                            int32
	seq                                             uint32 // file order within the run
}

func newRun(n int) *run {
	return &run{rows: make([]runRow, 0, n), ids: map[string]uint32{}}
}

func (r *run) reset() {
	r.buf, r.rows, r.names = r.buf[:0], r.rows[:0], r.names[:0]
	clear(r.ids)
}

func (r *run) span(s string) span {
	sp := span{uint32(len(r.buf)), uint32(len(s))}
	r.buf = append(r.buf, s...)
	return sp
}

func (r *run) intern(s string) uint32 {
	if id, ok := r.ids[s]; ok {
		return id
	}
	id := uint32(len(r.names))
	s = strings.Clone(s) // the reader's string may share a larger buffer
	r.names = append(r.names, s)
	r.ids[s] = id
	return id
}

func (r *run) add(f Finding) {
	r.rows = append(r.rows, runRow{
		uid: r.span(f.UID), res: r.span(f.ResourceUID),
		check: r.intern(f.Check), status: r.intern(f.Status), severity: r.intern(f.Severity),
		rtype: r.intern(f.ResourceType), region: r.intern(f.Region), account: r.intern(f.Account), note: r.intern(f.Note),
		sec: f.Time.Unix(), nsec: int32(f.Time.Nanosecond()), seq: uint32(len(r.rows)),
	})
}

func (r *run) bytes(s span) []byte { return r.buf[s.off : s.off+s.n] }

// str is a view of the run's bytes, valid until the run is reset: the
// findings built from it are bound to a statement and dropped before.
func (r *run) str(s span) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&r.buf[s.off], int(s.n))
}

// sortMerge sorts the run by key (uid, check, resource uid: the primary
// key's order, byte-wise as SQLite compares text), then file order, and
// merges each key's findings into the first (mergeInto). What is left
// has one row per key.
func (r *run) sortMerge() {
	slices.SortFunc(r.rows, func(a, b runRow) int {
		if c := bytes.Compare(r.bytes(a.uid), r.bytes(b.uid)); c != 0 {
			return c
		}
		if a.check != b.check {
			if c := strings.Compare(r.names[a.check], r.names[b.check]); c != 0 {
				return c
			}
		}
		if c := bytes.Compare(r.bytes(a.res), r.bytes(b.res)); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	fail, hasFail := r.ids[FindingFail]
	out := r.rows[:0]
	for i, row := range r.rows {
		if i > 0 {
			last := &out[len(out)-1]
			if last.check == row.check && bytes.Equal(r.bytes(last.uid), r.bytes(row.uid)) && bytes.Equal(r.bytes(last.res), r.bytes(row.res)) {
				if hasFail && row.status == fail && last.status != fail {
					last.status, last.severity, last.note = row.status, row.severity, row.note
				}
				continue
			}
		}
		out = append(out, row)
	}
	r.rows = out
}

// sameKey reports whether two findings have the same key in a scan.
func sameKey(a, b *Finding) bool {
	return a.UID == b.UID && a.Check == b.Check && a.ResourceUID == b.ResourceUID
}

func compareKey(a, b *Finding) int {
	if c := strings.Compare(a.UID, b.UID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Check, b.Check); c != 0 {
		return c
	}
	return strings.Compare(a.ResourceUID, b.ResourceUID)
}

// mergeInto merges a later finding of the same key into the kept one as
// the ON CONFLICT clause would, row after row in file order: a later FAIL
// takes the place of a finding that is not a FAIL (its status, severity
// and note).
func mergeInto(kept *Finding, later *Finding) {
	if later.Status == FindingFail && kept.Status != FindingFail {
		kept.Status, kept.Severity, kept.Note = later.Status, later.Severity, later.Note
	}
}

// finding is row i as a Finding whose strings view the run.
func (r *run) finding(i int) Finding {
	row := &r.rows[i]
	return Finding{UID: r.str(row.uid), Check: r.names[row.check], Status: r.names[row.status], Severity: r.names[row.severity],
		ResourceUID: r.str(row.res), ResourceType: r.names[row.rtype], Region: r.names[row.region], Account: r.names[row.account],
		Time: time.Unix(row.sec, int64(row.nsec)).UTC(), Note: r.names[row.note]}
}

// batches calls fn with the sorted, merged run scanBatch findings at a
// time, in one reused slice.
func (r *run) batches(fn func([]Finding) error) error {
	batch := make([]Finding, 0, scanBatch)
	for i := range r.rows {
		batch = append(batch, r.finding(i))
		if len(batch) == scanBatch || i == len(r.rows)-1 {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// spill is the temporary file of sorted runs.
type spill struct {
	f    *os.File
	size int64 // bytes written
	runs []spilled
	w    *bufio.Writer
	rec  []byte
	ways int // mergeWays, or fewer in tests
}

// spilled is one sorted run in the file: where, and how many findings.
type spilled struct {
	off, n int64
	rows   int
}

const (
	// mergeWays runs at most are merged at once; more are merged in
	// groups first (a file of more than mergeWays × moveRows findings:
	// tens of gigabytes), each read through a mergeBuffer.
	mergeWays   = 128
	mergeBuffer = 32 << 10
)

func newSpill(ways int) (*spill, error) {
	f, err := os.CreateTemp("", "ward-import-*")
	if err != nil {
		return nil, fmt.Errorf("import: a temporary file to sort findings in: %w", err)
	}
	// Removed now: it lives while open and goes with the process, however
	// it ends. (Where an open file cannot be removed, close removes it.)
	os.Remove(f.Name())
	if ways < 2 {
		ways = mergeWays
	}
	return &spill{f: f, w: bufio.NewWriterSize(io.Discard, 64<<10), ways: ways}, nil
}

func (s *spill) close() {
	if s != nil && s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// begin starts a run at the end of the file.
func (s *spill) begin() {
	s.w.Reset(io.NewOffsetWriter(s.f, s.size))
	s.runs = append(s.runs, spilled{off: s.size})
}

func (s *spill) put(f *Finding) error {
	b := s.rec[:0]
	for _, v := range [...]string{f.UID, f.Check, f.Status, f.Severity, f.ResourceUID, f.ResourceType, f.Region, f.Account, f.Note} {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	b = binary.AppendVarint(b, f.Time.Unix())
	b = binary.AppendUvarint(b, uint64(f.Time.Nanosecond()))
	s.rec = b
	r := &s.runs[len(s.runs)-1]
	r.rows++
	r.n += int64(len(b))
	_, err := s.w.Write(b)
	return err
}

// finish ends the run begun last.
func (s *spill) finish() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("import: write the temporary file: %w", err)
	}
	s.size += s.runs[len(s.runs)-1].n
	return nil
}

// write spills a sorted, merged run.
func (s *spill) write(r *run) error {
	s.begin()
	for i := range r.rows {
		f := r.finding(i)
		if err := s.put(&f); err != nil {
			return err
		}
	}
	return s.finish()
}

// cursor reads one spilled run back, a finding at a time.
type cursor struct {
	r     *bufio.Reader
	left  int
	order int // the run's place in file order
	cur   Finding
	names *names
	buf   []byte
}

// names interns the fields that repeat, up to a bound.
type names map[string]string

func (n names) get(b []byte) string {
	if s, ok := n[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(n) < 4096 {
		n[s] = s
	}
	return s
}

func (c *cursor) next() (bool, error) {
	if c.left == 0 {
		return false, nil
	}
	c.left--
	var fields [9]string
	for i := range fields {
		n, err := binary.ReadUvarint(c.r)
		if err != nil {
			return false, err
		}
		if cap(c.buf) < int(n) {
			c.buf = make([]byte, n)
		}
		b := c.buf[:n]
		if _, err := io.ReadFull(c.r, b); err != nil {
			return false, err
		}
		if i == 0 || i == 4 {
			fields[i] = string(b) // uid, resource uid: unique
		} else {
			fields[i] = c.names.get(b)
		}
	}
	sec, err := binary.ReadVarint(c.r)
	if err != nil {
		return false, err
	}
	nsec, err := binary.ReadUvarint(c.r)
	if err != nil {
		return false, err
	}
	c.cur = Finding{UID: fields[0], Check: fields[1], Status: fields[2], Severity: fields[3], ResourceUID: fields[4],
		ResourceType: fields[5], Region: fields[6], Account: fields[7], Note: fields[8], Time: time.Unix(sec, int64(nsec)).UTC()}
	return true, nil
}

type cursors []*cursor

func (h cursors) Len() int { return len(h) }
func (h cursors) Less(i, j int) bool {
	if c := compareKey(&h[i].cur, &h[j].cur); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h cursors) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursors) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursors) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// merge merges the runs (consecutive, in file order) in key order, one
// finding per key (mergeInto), calling emit with each.
func (s *spill) merge(runs []spilled, emit func(*Finding) error) error {
	nm := names{}
	h := make(cursors, 0, len(runs))
	for i, r := range runs {
		c := &cursor{r: bufio.NewReaderSize(io.NewSectionReader(s.f, r.off, r.n), mergeBuffer), left: r.rows, order: i, names: &nm}
		ok, err := c.next()
		if err != nil {
			return fmt.Errorf("import: read the temporary file: %w", err)
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	var kept Finding
	have := false
	for len(h) > 0 {
		c := h[0]
		f := c.cur
		ok, err := c.next()
		if err != nil {
			return fmt.Errorf("import: read the temporary file: %w", err)
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
		if have && sameKey(&kept, &f) {
			mergeInto(&kept, &f)
			continue
		}
		if have {
			if err := emit(&kept); err != nil {
				return err
			}
		}
		kept, have = f, true
	}
	if have {
		return emit(&kept)
	}
	return nil
}

// all merges every run, calling emit with each finding in key order:
// when there are more than mergeWays runs, groups of them are merged
// into one run first, at the end of the file.
func (s *spill) all(emit func(*Finding) error) error {
	for len(s.runs) > s.ways {
		group := slices.Clone(s.runs[:s.ways])
		rest := slices.Clone(s.runs[s.ways:])
		s.runs = s.runs[:0]
		s.begin()
		if err := s.merge(group, s.put); err != nil {
			return err
		}
		if err := s.finish(); err != nil {
			return err
		}
		// The merged group comes first: it is earlier in the file's order.
		s.runs = append(s.runs, rest...)
	}
	return s.merge(s.runs, emit)
}

// runSize is how many findings a run holds.
func (sw *Writer) runSize() int {
	if runRows > 0 {
		return int(runRows)
	}
	return moveRows
}

// addRun adds a finding to the run being filled, and hands the run to
// the keyer when it is full.
func (sw *Writer) addRun(f Finding) error {
	if sw.cur == nil {
		sw.cur = newRun(sw.runSize())
	}
	sw.cur.add(f)
	if len(sw.cur.rows) < sw.runSize() {
		return nil
	}
	return sw.handOff()
}

// handOff gives the current run to the keyer (starting it the first
// time), taking back an emptied one: it waits while the keyer still
// sorts and spills the run before (at most two runs are held).
func (sw *Writer) handOff() error {
	if sw.kerr != nil {
		return sw.kerr
	}
	if sw.runs == nil {
		sp, err := newSpill(runWays)
		if err != nil {
			return err
		}
		sw.spill = sp
		sw.runs, sw.free, sw.keyed = make(chan *run), make(chan *run, 1), make(chan error, 1)
		sw.free <- newRun(sw.runSize())
		go sw.keyer()
		if err := sw.startStaging(); err != nil {
			return err
		}
	} else if time.Since(sw.leased) >= stagingLease/4 {
		// A file read for longer than the lease keeps its staging.
		if _, err := sw.conn.ExecContext(sw.ctx, sw.o.db.Q("UPDATE scans SET staged_until = ? WHERE org_id = ? AND id = ?"),
			fmtTime(sw.o.db.Now().Add(stagingLease)), sw.o.org.ID, sw.scanID); err != nil {
			return sw.o.db.Busy(err)
		}
		sw.leased = time.Now()
	}
	select {
	case sw.runs <- sw.cur:
	case err := <-sw.keyed:
		sw.kerr, sw.runs = err, nil
		return err
	}
	select {
	case sw.cur = <-sw.free:
	case err := <-sw.keyed:
		sw.kerr, sw.runs = err, nil
		return err
	}
	return nil
}

// keyer sorts each run it is given and spills it, handing the emptied
// run back; it answers its first error (then it stops taking runs), or
// nil once the runs end.
func (sw *Writer) keyer() {
	var err error
	for r := range sw.runs {
		r.sortMerge()
		err = sw.spill.write(r)
		r.reset()
		if err != nil {
			break
		}
		sw.free <- r
	}
	sw.keyed <- err
}

// stopKeyer ends the keyer's runs and waits for its answer (when it was
// started and has not answered yet).
func (sw *Writer) stopKeyer() error {
	if sw.runs != nil {
		close(sw.runs)
		sw.runs = nil
		sw.kerr = <-sw.keyed
	}
	return sw.kerr
}

// finishRuns ends the runs. Nothing spilled and fewer findings than a
// slice: the run stays in memory for the last transaction (insertRun).
// Otherwise the last run is spilled too (the scan was staged with the
// first), and every run merged into scan_findings in key order, in
// slices.
func (sw *Writer) finishRuns() error {
	if sw.spill == nil && (sw.cur == nil || len(sw.cur.rows) < sw.o.sliceRows) {
		return nil
	}
	if sw.cur != nil && len(sw.cur.rows) > 0 {
		if err := sw.handOff(); err != nil {
			return err
		}
	}
	sw.cur = nil
	defer sw.closeConn()
	if err := sw.startStaging(); err != nil { // staged already, by handOff
		return err
	}
	if err := sw.stopKeyer(); err != nil {
		return err
	}
	batch := make([]Finding, 0, scanBatch)
	// What is written is counted here, as stagedCounts would count it
	// after: one row per key (the runs' repeated keys are merged), into
	// a scan no other import writes.
	sw.counted, sw.inserted, sw.failing = true, 0, map[string]int{}
	err := sw.spill.all(func(f *Finding) error {
		sw.inserted++
		if f.Status == FindingFail {
			sw.failing[f.Account+"\x00"+f.Check]++
		}
		batch = append(batch, *f)
		if len(batch) < scanBatch {
			return nil
		}
		err := sw.stageBatch(batch)
		batch = batch[:0]
		return err
	})
	if err == nil && len(batch) > 0 {
		err = sw.stageBatch(batch)
	}
	if err == nil {
		err = sw.commitSlice()
	}
	if err != nil {
		sw.abortSlice(nil)
	}
	return err
}

// startStaging stages the scan as soon as the import is known to be
// large (its first run is full), on the connection its slices will be
// written on: then, not once the file is read, when the commit had to
// wait for the disk behind the evidence copy's sync (0.1 s at 128 MiB:
// the file system made the two share it). The log keeps the scan row
// before the slices, and the import's last transaction syncs them all.
func (sw *Writer) startStaging() error {
	if sw.staged {
		return nil
	}
	if err := sw.writerConn(); err != nil {
		return err
	}
	id, err := sw.o.stage(sw.ctx, sw.conn, sw.actor)
	if err != nil {
		return err
	}
	sw.scanID, sw.staged, sw.leased = id, true, time.Now()
	return nil
}

// writerConn sets up the connection the slices are written on: SQLite's
// 2 MiB bulk cache, and synchronous NORMAL, so that committing a slice
// does not wait for the disk: the slices are rows no reader sees, which
// a crash leaves to be removed as abandoned, and the import's last
// transaction (on another connection, synchronous FULL) syncs the log
// they are in with it.
func (sw *Writer) writerConn() error {
	s := sw.o.db
	conn, err := s.SQL.Conn(sw.ctx)
	if err != nil {
		return s.Busy(err)
	}
	sw.conn = conn
	if _, err := conn.ExecContext(sw.ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return err
	}
	// The slices' pages are copied from the log into the database file
	// by a checkpointer of its own, not by the commit that crosses
	// SQLite's threshold (a twentieth of the merge, on its one core).
	if err := conn.QueryRowContext(sw.ctx, "PRAGMA wal_autocheckpoint").Scan(&sw.autoCkpt); err != nil {
		return err
	}
	if sw.autoCkpt > 0 {
		ck, err := s.SQL.Conn(sw.ctx)
		if err != nil {
			return s.Busy(err)
		}
		if _, err := conn.ExecContext(sw.ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
			ck.Close()
			return err
		}
		sw.ckpt = startCheckpointer(sw.ctx, ck)
	}
	return bulkCache(sw.ctx, s, conn)
}

func (sw *Writer) closeConn() {
	if sw.ckpt != nil {
		sw.ckpt.stop()
		sw.ckpt = nil
	}
	if sw.conn != nil {
		ctx := context.WithoutCancel(sw.ctx)
		if sw.autoCkpt > 0 {
			sw.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", sw.autoCkpt))
		}
		sw.conn.ExecContext(ctx, "PRAGMA synchronous = FULL")
		sw.conn.Close()
		sw.conn = nil
	}
}

// checkpointer copies what the import's committed slices wrote to
// SQLite's log into the database file (a passive checkpoint, which waits
// for no one and holds up no writer), on a goroutine and a connection of
// its own, each time it is nudged: the slices are written meanwhile. The
// log's pages not yet copied when it stops are copied by the import's
// last transaction, as SQLite does after any commit.
type checkpointer struct {
	nudges chan struct{}
	done   chan struct{}
}

func startCheckpointer(ctx context.Context, conn *sql.Conn) *checkpointer {
	c := &checkpointer{nudges: make(chan struct{}, 1), done: make(chan struct{})}
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(c.done)
		defer conn.Close()
		for range c.nudges {
			// An error leaves the pages in the log for the next
			// checkpoint: nothing is lost, and the import goes on.
			var busy, log, done int
			conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
		}
	}()
	return c
}

// nudge asks for a checkpoint, unless one is asked for already.
func (c *checkpointer) nudge() {
	select {
	case c.nudges <- struct{}{}:
	default:
	}
}

// stop waits for the checkpoint under way, if any.
func (c *checkpointer) stop() {
	close(c.nudges)
	<-c.done
}

// closeRuns stops the keyer, removes the temporary file and gives the
// slices' connection back.
func (sw *Writer) closeRuns() {
	sw.stopKeyer()
	sw.spill.close()
	sw.closeConn()
}

// insertRun writes the run held in memory in tx (a small import's last
// transaction), sorted and merged.
func (sw *Writer) insertRun(tx *sql.Tx) error {
	if sw.cur == nil || len(sw.cur.rows) == 0 {
		return nil
	}
	sw.cur.sortMerge()
	return sw.cur.batches(func(b []Finding) error { return sw.insert(tx, b) })
}
