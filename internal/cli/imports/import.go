package imports

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/store/blob"
	"ward/internal/workspace"
)

func init() {
	var csvTZ string
	cli.Register(&cli.Command{
		Name:    "import prowler",
		Args:    "[--csv-tz ZONE] FILE...",
		Summary: "Prowler findings (OCSF JSON, JSON lines or CSV) as evidence, streamed: failing checks become open items on the controls they map to",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&csvTZ, "csv-tz", "", "the time zone of times written without one (Prowler's CSV TIMESTAMP is the scanning machine's local time): an IANA name such as America/New_York, or UTC; default the zone of this machine")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) == 0 {
				return cli.BadInput("import prowler: name at least one file (Prowler's OCSF JSON, JSON lines or CSV output)")
			}
			zone, zoneName, err := csvZone(csvTZ)
			if err != nil {
				return err
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			defer boundImportMemory()()
			mapper := prowler.MustMapper()
			// An OCSF file's findings are decoded on every core: the
			// reader was the longest step while the file is read.
			opt := prowler.Options{Zone: zone, Workers: runtime.GOMAXPROCS(0)}
			// The organization's controls are loaded while the first file
			// is read: only the summary needs them.
			adopted := adoptedLater(ctx, b)
			var out []*FileImport
			for i, path := range args {
				fi, err := importProwler(ctx, env, b, mapper, opt, adopted, path)
				if err != nil {
					if i > 0 {
						return withNote(err, fmt.Sprintf("the %d file(s) before it were imported", i))
					}
					return err
				}
				if fi.NaiveTimes > 0 {
					fi.TimeZone = zoneName
				}
				out = append(out, fi)
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"org": b.Org.Slug, "files": out})
			}
			for _, fi := range out {
				fi.writeText(env.Stdout, b.Org.Slug)
			}
			return nil
		},
	})
}

// csvZone is --csv-tz as a location and a name to print: an IANA zone,
// or by default the machine's zone (named by $TZ when set).
func csvZone(name string) (*time.Location, string, error) {
	if name != "" {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, "", cli.BadInput("--csv-tz %q: not a time zone (an IANA name such as America/New_York, Europe/Berlin, or UTC): %v", name, err)
		}
		return loc, name + " (--csv-tz)", nil
	}
	local := "this machine's zone"
	if tz := os.Getenv("TZ"); tz != "" {
		local += " (" + strings.TrimPrefix(tz, ":") + ")"
	} else if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, after, ok := strings.Cut(target, "zoneinfo/"); ok {
			local += " (" + after + ")"
		}
	}
	return time.Local, local + "; set --csv-tz to the zone of the machine that ran Prowler", nil
}

// importMemory is the Go heap ward import prowler aims to stay under
// (debug.SetMemoryLimit) unless GOMEMLIMIT says otherwise: what stays
// live is a few batches of findings, the readers' buffers and, on SQLite,
// two runs of findings being sorted (about 3 MB each), some 12-15 MiB;
// with the default pacing the heap grew to several times that between
// collections, and the import's peak RSS with it (issue 21: 64 MiB at
// any file size). It is a soft limit: the collector runs more often.
// At 20 MiB, with the runs, it ran nearly all the time (1 GiB: 21 s of
// CPU against 14 s at 24 MiB, the same peak RSS within 4 MiB).
const importMemory = 24 << 20

// boundImportMemory sets the limit for one import and returns what puts
// the previous one back (commands run in the tests' process too).
func boundImportMemory() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	was := debug.SetMemoryLimit(importMemory)
	return func() { debug.SetMemoryLimit(was) }
}

// errNoFindings rejects a scanner file that holds no finding (an empty
// JSON array, a header-only CSV): there is nothing to import, and no date
// to give the scan or its evidence.
var errNoFindings = errors.New("the file holds no findings: nothing to import")

// withNote appends a sentence to an exit error's message.
func withNote(err error, note string) error {
	var ee *cli.ExitError
	if errors.As(err, &ee) && ee.Msg != "" {
		return &cli.ExitError{Code: ee.Code, Msg: ee.Msg + " (" + note + ")"}
	}
	return fmt.Errorf("%w (%s)", err, note)
}

// FileImport is the summary of one imported file (--format json).
type FileImport struct {
	File            string              `json:"file"`
	Source          string              `json:"source"`
	Format          string              `json:"format"`
	SHA256          string              `json:"sha256"`
	Size            int64               `json:"size"`
	ScanID          int64               `json:"scan_id"`
	ScannedAt       time.Time           `json:"scanned_at"`
	AlreadyImported bool                `json:"already_imported"`
	Findings        int                 `json:"findings"`
	New             int                 `json:"new"`
	Already         int                 `json:"already"`
	Duplicates      int                 `json:"duplicates"`
	ByStatus        map[string]int      `json:"by_status"`
	BySeverity      map[string]int      `json:"by_severity"`
	Requirements    map[string][]string `json:"requirements"`
	Unmapped        []prowler.Unmapped  `json:"unmapped"`
	Controls        []string            `json:"controls"`
	// NaiveTimes counts the findings whose time had no zone (Prowler's CSV
	// TIMESTAMP), read as local time in TimeZone.
	NaiveTimes int    `json:"naive_times,omitempty"`
	TimeZone   string `json:"time_zone,omitempty"`
	// Checks says where each check of the file landed and why, so that a
	// user can audit every placement.
	Checks     []CheckImport `json:"checks,omitempty"`
	EvidenceID string        `json:"evidence_id,omitempty"`
	Superseded int           `json:"superseded"`
	Outdated   int           `json:"outdated"`
	Seconds    float64       `json:"seconds"`
}

// CheckImport is one check of an imported file: prowler.Check (status,
// controls, requirements per framework, each placement explained) and the
// controls it lands on that the organization has not adopted.
type CheckImport struct {
	prowler.Check
	// NotAdopted are the controls it lands on that the workspace does not
	// list: its failures count nowhere until one is adopted.
	NotAdopted []string `json:"not_adopted"`
}

// adoptedLater loads adoptedControls on a goroutine of its own and
// returns what waits for its answer.
func adoptedLater(ctx context.Context, b *cli.Backend) func() (map[string]bool, error) {
	type answer struct {
		adopted map[string]bool
		err     error
	}
	ch := make(chan answer, 1)
	go func() {
		a, err := adoptedControls(ctx, b)
		ch <- answer{a, err}
	}()
	return sync.OnceValues(func() (map[string]bool, error) {
		a := <-ch
		return a.adopted, a.err
	})
}

// adoptedControls is the set of controls the organization lists.
func adoptedControls(ctx context.Context, b *cli.Backend) (map[string]bool, error) {
	ws, err := b.Data.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range ws.Controls {
		out[c.ID] = true
	}
	return out, nil
}

func checkImports(t *prowler.Tally, adopted map[string]bool) []CheckImport {
	cs := t.Checks()
	out := make([]CheckImport, len(cs))
	for i, c := range cs {
		out[i] = CheckImport{Check: c, NotAdopted: []string{}}
		for _, id := range c.Controls {
			if !adopted[id] {
				out[i].NotAdopted = append(out[i].NotAdopted, id)
			}
		}
	}
	return out
}

// source reads an input file once: the parser reads it, and the same
// bytes flow through a buffered pipe (chunkPipe) into the blob store,
// which hashes and keeps them. Nothing is kept when the import fails.
type source struct {
	path  string
	f     *os.File
	size  int64
	read  atomic.Int64
	pw    *chunkPipe
	done  chan blobResult
	res   *blobResult
	r     io.Reader // what the parser reads
	start time.Time
}

type blobResult struct {
	sha  string
	size int64
	err  error
}

func openSource(path string, blobs blob.Store) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cli.BadInput("%v", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, cli.BadInput("%s is a folder: name the scanner's output file", path)
	}
	pw := newChunkPipe()
	s := &source{path: path, f: f, size: st.Size(), pw: pw, done: make(chan blobResult, 1), start: time.Now()}
	go func() {
		sha, n, err := blobs.Put(pw)
		pw.CloseReader(err) // unblock the writer if Put stopped early
		s.done <- blobResult{sha, n, err}
	}()
	s.r = io.TeeReader(cli.CountingReader{R: f, N: &s.read}, pw)
	return s, nil
}

func (s *source) wait() blobResult {
	if s.res == nil {
		r := <-s.done
		s.res = &r
	}
	return *s.res
}

// finish reads what the parser left (white space after the last finding),
// closes the pipe and waits for the blob: its hash and size.
func (s *source) finish() (string, int64, error) {
	defer s.f.Close()
	if _, err := io.Copy(io.Discard, s.r); err != nil {
		s.pw.CloseWriter(err)
		s.wait()
		return "", 0, err
	}
	s.pw.CloseWriter(nil)
	res := s.wait()
	return res.sha, res.size, res.err
}

// abort stops the blob without keeping it.
func (s *source) abort(err error) {
	s.pw.CloseWriter(err)
	s.wait()
	s.f.Close()
}

// progress shows a bar on a terminal (bytes, findings per second, ETA);
// elsewhere nothing until the final line.
type progress struct {
	bar      *progressbar.ProgressBar
	src      *source
	findings *atomic.Int64
	noun     string // what is counted: findings, rows
	stop     chan struct{}
	stopped  chan struct{}
}

func startProgress(env *cli.Env, src *source, findings *atomic.Int64, noun string) *progress {
	p := &progress{src: src, findings: findings, noun: noun}
	if !cli.IsTerminal(env.Stderr) {
		return p
	}
	p.bar = progressbar.NewOptions64(src.size,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(filepath.Base(src.path)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				n := findings.Load()
				read := src.read.Load()
				if read >= src.size && src.size > 0 {
					// The whole file is read; a large import then writes
					// its sorted findings into the database, which the
					// bar at 100% would not otherwise say.
					p.bar.Describe(fmt.Sprintf("%s: %d %s read, writing them into the database", filepath.Base(src.path), n, noun))
				} else {
					rate := float64(n) / max(time.Since(src.start).Seconds(), 0.001)
					p.bar.Describe(fmt.Sprintf("%s: %d %s, %.0f/s", filepath.Base(src.path), n, noun, rate))
				}
				p.bar.Set64(read)
			}
		}
	}()
	return p
}

// done ends the bar and prints the one final line.
func (p *progress) done(env *cli.Env, ok bool) {
	if p.bar != nil {
		close(p.stop)
		<-p.stopped
		p.bar.Finish()
		p.bar.Clear()
		fmt.Fprintln(env.Stderr)
	}
	if !ok {
		return
	}
	secs := max(time.Since(p.src.start).Seconds(), 0.001)
	fmt.Fprintf(env.Stderr, "read %s: %d %s, %s in %.1fs (%.1f MB/s, %.0f %s/s)\n", p.src.path, p.findings.Load(), p.noun,
		cli.HumanBytes(p.src.size), secs, float64(p.src.size)/1e6/secs, float64(p.findings.Load())/secs, p.noun)
}

// readFindings decodes r on its own goroutine, tallying each finding, and
// hands them to store in batches on the caller's: decoding and writing
// overlap, so the import runs at the speed of the slower of the two, not
// their sum. Memory holds a few batches, whatever the file's size.
func readFindings(ctx context.Context, r io.Reader, opt prowler.Options, tally *prowler.Tally, save func([]store.ScanFinding) error) (format string, naive int, err error) {
	rd, err := prowler.NewReaderOptions(r, opt)
	if err != nil {
		return "", 0, err
	}
	// Its goroutines stop reading before the caller reads on (the
	// reader's goroutine below has stopped when this runs).
	defer rd.Close()
	const size = 256
	batches := make(chan []store.ScanFinding, 4)
	free := make(chan []store.ScanFinding, 6)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(batches)
		batch := make([]store.ScanFinding, 0, size)
		for {
			f, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				return
			}
			tally.Add(f)
			batch = append(batch, store.ScanFinding{UID: f.UID, Check: f.Check, Status: f.Status, Severity: f.Severity,
				ResourceUID: f.ResourceUID, ResourceType: f.ResourceType, Region: f.Region, Account: f.Account, Time: f.Time, Note: f.Note})
			if len(batch) == size {
				select {
				case batches <- batch:
				case <-stop:
					return
				}
				select {
				case batch = <-free:
					batch = batch[:0]
				default:
					batch = make([]store.ScanFinding, 0, size)
				}
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-stop:
			}
		}
	}()
	for batch := range batches {
		if err == nil {
			err = save(batch)
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				close(stop) // the reader stops; drain what it already sent
			}
		}
		select {
		case free <- batch:
		default:
		}
	}
	if err != nil {
		return rd.Format(), rd.Naive(), err
	}
	return rd.Format(), rd.Naive(), readErr
}

// importProwler imports one Prowler file in one transaction.
func importProwler(ctx context.Context, env *cli.Env, b *cli.Backend, mapper *prowler.Mapper, opt prowler.Options, adoptedFn func() (map[string]bool, error), path string) (*FileImport, error) {
	src, err := openSource(path, b.Store.Blobs())
	if err != nil {
		return nil, err
	}
	var findings atomic.Int64
	prog := startProgress(env, src, &findings, "findings")
	tally := prowler.NewTally(mapper)
	var format string
	var naive int
	var adopted map[string]bool
	res, err := b.Data.ImportScan(ctx, cli.Actor(), func(sw *store.ScanWriter) (store.ScanInput, error) {
		format, naive, err = readFindings(ctx, src.r, opt, tally, func(batch []store.ScanFinding) error {
			for _, f := range batch {
				if err := sw.Add(f); err != nil {
					return err
				}
			}
			findings.Add(int64(len(batch)))
			return nil
		})
		if err != nil {
			return store.ScanInput{}, err
		}
		if tally.Findings == 0 {
			// An empty scan has no scan time and touches no control:
			// storing it would only add a scan dated year 1.
			return store.ScanInput{}, &prowler.Error{Format: format, Offset: -1, Err: errNoFindings}
		}
		// Before anything is committed: an error loading them stops the
		// import, as it did when they were loaded first.
		if adopted, err = adoptedFn(); err != nil {
			return store.ScanInput{}, err
		}
		// The findings held are written (on SQLite, sorted runs merged)
		// while the file's copy is finished and synced.
		written := make(chan error, 1)
		go func() { written <- sw.Finish() }()
		sha, size, err := src.finish()
		if werr := <-written; werr != nil {
			return store.ScanInput{}, werr
		}
		if err != nil {
			return store.ScanInput{}, fmt.Errorf("keep %s as evidence: %w", path, err)
		}
		return store.ScanInput{
			Source: "prowler", Format: format, FileName: filepath.Base(path), SHA256: sha, Size: size,
			ScannedAt: tally.Newest, Placements: tally.Placements(), Summary: tallySummary(tally),
			Evidence: workspace.Evidence{
				Controls:  tally.AllControls(),
				Collected: date.Of(tally.Newest), File: filepath.Base(path), Type: mediaType(format),
				Note: prowlerNote(tally),
			},
		}, nil
	})
	if err != nil {
		src.abort(err)
		prog.done(env, false)
		var pe *prowler.Error
		if errors.As(err, &pe) {
			return nil, cli.BadInput("%s: %v; nothing was written", path, pe)
		}
		return nil, fmt.Errorf("%s: %w; nothing was written", path, err)
	}
	prog.done(env, true)
	fi := &FileImport{
		File: path, Source: "prowler", Format: format, SHA256: res.Scan.SHA256, Size: res.Scan.Size, ScanID: res.Scan.ID,
		ScannedAt: res.Scan.ScannedAt, AlreadyImported: res.Already, Findings: tally.Findings,
		New: res.New, Duplicates: res.Duplicates, ByStatus: tally.ByStatus, BySeverity: tally.BySeverity,
		Requirements: tally.Requirements(), Unmapped: tally.Unmapped(), Controls: evidenceControls(res.Evidence),
		EvidenceID: res.Scan.EvidenceID, Superseded: res.Superseded, Outdated: res.Outdated,
		Seconds: time.Since(src.start).Seconds(), Checks: checkImports(tally, adopted), NaiveTimes: naive,
	}
	if res.Already {
		fi.Already = tally.Findings
	}
	// A scan from the future is a wrong clock or a hand-edited file; its
	// date decides supersession and the evidence's collected date, so say so.
	if now := time.Now().UTC(); tally.Newest.After(now.Add(24 * time.Hour)) {
		fmt.Fprintf(env.Stderr, "ward: note: %s: its newest finding is dated %s, after today (%s); check the scanner's clock: the scan date decides which scan is current\n",
			path, tally.Newest.Format("2006-01-02 15:04 UTC"), now.Format("2006-01-02"))
	}
	return fi, nil
}

// evidenceControls are the controls the stored file is evidence for (the
// adopted ones among those its checks touch), none when no evidence was
// kept.
func evidenceControls(e *workspace.Evidence) []string {
	if e == nil {
		return []string{}
	}
	return e.ControlIDs()
}

func mediaType(format string) string {
	switch format {
	case prowler.FormatOCSF:
		return "application/json"
	case prowler.FormatJSONL:
		return "application/x-ndjson"
	}
	return "text/csv"
}

func tallySummary(t *prowler.Tally) map[string]any {
	return map[string]any{
		"findings": t.Findings, "by_status": t.ByStatus, "by_severity": t.BySeverity,
		"requirements": t.Requirements(), "unmapped": t.Unmapped(), "accounts": t.Accounts(),
	}
}

func prowlerNote(t *prowler.Tally) string {
	accounts := t.Accounts()
	acc := strings.Join(accounts, ", ")
	if len(accounts) > 3 {
		acc = strings.Join(accounts[:3], ", ") + fmt.Sprintf(" and %d more", len(accounts)-3)
	}
	note := fmt.Sprintf("Prowler scan: %d findings (%d failing, %d muted, %d manual, %d passing)", t.Findings,
		t.ByStatus[prowler.StatusFail], t.ByStatus[prowler.StatusMuted], t.ByStatus[prowler.StatusManual], t.ByStatus[prowler.StatusPass])
	if acc != "" {
		note += " of account " + acc
	}
	return note
}

// counts prints a map as "K n, K n" in the given order, then any other
// keys alphabetically.
func counts(m map[string]int, order []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range order {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
		seen[k] = true
	}
	var rest []string
	for k := range m {
		if !seen[k] && m[k] > 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (fi *FileImport) writeText(w io.Writer, org string) {
	short := fi.SHA256
	if len(short) > 12 {
		short = short[:12]
	}
	if fi.AlreadyImported {
		fmt.Fprintf(w, "%s: %s was already imported (scan %d, sha256 %s…): nothing new, %d findings already imported\n", org, fi.File, fi.ScanID, short, fi.Already)
		return
	}
	fmt.Fprintf(w, "%s: imported %s (%s, %s, sha256 %s…) as scan %d of %s\n", org, fi.File, fi.Format, cli.HumanBytes(fi.Size), short, fi.ScanID, fi.ScannedAt.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "  findings:     %d (%d new, %d already imported, %d repeated in the file)\n", fi.Findings, fi.New, fi.Already, fi.Duplicates)
	fmt.Fprintf(w, "  status:       %s\n", counts(fi.ByStatus, prowler.Statuses))
	if n := fi.ByStatus[prowler.StatusMuted]; n > 0 {
		fmt.Fprintf(w, "  muted:        %d finding(s) muted in Prowler's mutelist: risks accepted there, kept and shown, not open failures\n", n)
	}
	if fi.NaiveTimes > 0 {
		fmt.Fprintf(w, "  times:        %d finding time(s) written without a zone (Prowler's CSV TIMESTAMP) read as local time in %s\n", fi.NaiveTimes, fi.TimeZone)
	}
	fmt.Fprintf(w, "  severity:     %s\n", counts(fi.BySeverity, prowler.Severities))
	cat := catalog.Default()
	for _, fw := range []string{catalog.HIPAA, catalog.SOC2} {
		ids := fi.Requirements[fw]
		fmt.Fprintf(w, "  %-13s %d requirement(s) touched", cat.Framework(fw).Name+":", len(ids))
		if len(ids) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(ids, ", "))
		}
		fmt.Fprintln(w)
	}
	if fi.EvidenceID != "" {
		fmt.Fprintf(w, "  evidence:     %s on %d control(s): %s\n", fi.EvidenceID, len(fi.Controls), strings.Join(fi.Controls, ", "))
	} else {
		fmt.Fprintln(w, "  evidence:     none (no finding maps to a HIPAA or SOC 2 requirement)")
	}
	if fi.Superseded > 0 || fi.Outdated > 0 {
		fmt.Fprintf(w, "  supersedes:   %d account/check pair(s) of older scans; %d of this scan's already superseded by newer ones\n", fi.Superseded, fi.Outdated)
	}
	fi.writeChecks(w)
	if len(fi.Unmapped) > 0 {
		fmt.Fprintf(w, "  unmapped:     %d id(s) name nothing in ward's catalog (kept in the scan, attached to no control):\n", len(fi.Unmapped))
		for _, u := range fi.Unmapped {
			fmt.Fprintf(w, "                %s %s (%d finding(s))\n", u.Framework, u.ID, u.Findings)
		}
	}
}

// writeChecks prints where the failing checks landed: a count per
// framework, then each failing check that counts nowhere, either because
// it lands only on controls the organization has not adopted or because
// it lands on none (with ward's reason). --format json has every check
// with every placement explained.
func (fi *FileImport) writeChecks(w io.Writer) {
	failing, placed := 0, 0
	var untracked, nowhere []string
	for _, c := range fi.Checks {
		if c.Status != prowler.StatusFail {
			continue
		}
		failing++
		n := c.Findings[prowler.StatusFail]
		switch {
		case len(c.Controls) == 0:
			var why []string
			for _, p := range c.Placements {
				if p.Unplaced != "" {
					why = append(why, p.Unplaced)
				}
			}
			if len(why) == 0 {
				why = append(why, "it names no HIPAA or SOC 2 requirement")
			}
			nowhere = append(nowhere, fmt.Sprintf("%s (%d failing): %s", c.Check.Check, n, strings.Join(why, "; ")))
		case len(c.NotAdopted) == len(c.Controls):
			untracked = append(untracked, fmt.Sprintf("%s (%d failing) lands on %s, not adopted: adopt %s to track it", c.Check.Check, n, strings.Join(c.Controls, ", "), c.Controls[0]))
		default:
			placed++
		}
	}
	if failing == 0 {
		return
	}
	fmt.Fprintf(w, "  checks:       %d failing check(s): %d on adopted controls, %d only on controls not adopted, %d on no control (--format json explains each placement)\n",
		failing, placed, len(untracked), len(nowhere))
	for _, u := range untracked {
		fmt.Fprintf(w, "                not tracked: %s\n", u)
	}
	for _, u := range nowhere {
		fmt.Fprintf(w, "                on no control: %s\n", u)
	}
}
