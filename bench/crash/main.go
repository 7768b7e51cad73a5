// Command crash kills ward with SIGKILL at random moments of mixed writes
// (ward apply, ward import prowler, web edits and evidence uploads through
// ward serve) on SQLite and PostgreSQL, and checks after every kill that
//
//   - no acknowledged write was lost (an apply or import that exited 0, a
//     web write answered 201);
//
//   - the database is before or after each write, never between: the
//     twenty systems an apply changes all carry the old run's description
//     or all the new one's; an import's scan is invisible or complete; a
//     web record exists exactly when its audit entry does; an uploaded
//     file's record names a stored blob with its bytes;
//
//   - every audit trail verifies (each organization's and the accounts').
//
//     go run ./bench/crash -runs 1000
//
// It prints one line per run and a summary; it exits 1 on any failure.
// A small run is part of the tests (crash_test.go).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/workspace"
)

func main() {
	var cfg Config
	flag.IntVar(&cfg.Runs, "runs", 1000, "kill -9 runs in all, spread over the engines and operations")
	flag.StringVar(&cfg.Engines, "engines", "sqlite,postgres", "engines to run on")
	flag.StringVar(&cfg.Postgres, "postgres", envOr("WARD_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server to create the test database on")
	flag.Uint64Var(&cfg.Seed, "seed", uint64(time.Now().UnixNano()), "random seed (printed, to repeat a run)")
	flag.StringVar(&cfg.Dir, "dir", "", "work folder (default: a temporary folder, removed after)")
	flag.StringVar(&cfg.Ward, "ward", "", "ward binary (default: go build ./cmd/ward)")
	flag.StringVar(&cfg.Log, "log", "", "also append each run's line to this file")
	flag.Parse()
	cfg.Out = os.Stdout
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash:", err)
		os.Exit(1)
	}
	if sum.Failures > 0 {
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Config is one campaign.
type Config struct {
	Runs     int
	Engines  string
	Postgres string
	Seed     uint64
	Dir      string
	Ward     string
	Log      string
	Out      io.Writer
}

// Summary counts what a campaign did.
type Summary struct {
	Runs, Killed, Completed, Failures int
	AckedChecked                      int // acknowledged writes found intact
	ByOp                              map[string]*OpCount
	Elapsed                           time.Duration
}

// OpCount is one engine × operation's tally.
type OpCount struct{ Runs, Killed, Acked, Failures int }

const (
	org        = "acme-health"
	applySet   = 20 // systems every apply changes
	crashEmail = "crash@crash.example"
)

var ops = []string{"apply", "import", "web", "upload"}

type engine struct {
	name, url, blobs string
	ws               string // the workspace folder apply reads
	token            string
	lastApply        int // the run whose description the apply set carries
	calib            map[string]time.Duration
	drop             func()
}

// Run runs a campaign and returns its summary; an error is a harness
// failure (the campaign could not run), not a finding.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	sum := Summary{ByOp: map[string]*OpCount{}}
	start := time.Now()
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5deece66d))
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "ward-crash-*")
		if err != nil {
			return sum, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	var logf io.Writer = io.Discard
	if cfg.Log != "" {
		f, err := os.OpenFile(cfg.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return sum, err
		}
		defer f.Close()
		logf = f
	}
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		fmt.Fprintln(cfg.Out, line)
		fmt.Fprintln(logf, line)
	}
	if cfg.Ward == "" {
		cfg.Ward = filepath.Join(cfg.Dir, "ward")
		if out, err := exec.Command("go", "build", "-o", cfg.Ward, "./cmd/ward").CombinedOutput(); err != nil {
			return sum, fmt.Errorf("go build ./cmd/ward (run from the repository's root): %v\n%s", err, out)
		}
	}
	say("crash: seed %d, %d runs on %s", cfg.Seed, cfg.Runs, cfg.Engines)
	var engines []*engine
	for _, name := range strings.Split(cfg.Engines, ",") {
		e, err := setup(ctx, cfg, strings.TrimSpace(name))
		if err != nil {
			return sum, fmt.Errorf("%s: %w", name, err)
		}
		if e.drop != nil {
			defer e.drop()
		}
		engines = append(engines, e)
	}
	for i := 1; i <= cfg.Runs; i++ {
		e := engines[i%len(engines)]
		op := ops[rng.IntN(len(ops))]
		r := runOne(ctx, cfg, e, op, i, rng)
		key := e.name + " " + op
		c := sum.ByOp[key]
		if c == nil {
			c = &OpCount{}
			sum.ByOp[key] = c
		}
		c.Runs++
		sum.Runs++
		if r.killed {
			c.Killed++
			sum.Killed++
		} else {
			sum.Completed++
		}
		c.Acked += r.acked
		sum.AckedChecked += r.acked
		status := "ok"
		if r.err != nil {
			c.Failures++
			sum.Failures++
			status = "FAIL: " + r.err.Error()
		}
		state := "completed"
		if r.killed {
			state = "killed " + r.state
		}
		say("run %4d %-8s %-6s after %6.0fms: %s, %d acknowledged writes intact: %s", i, e.name, op, float64(r.after.Milliseconds()), state, r.acked, status)
	}
	sum.Elapsed = time.Since(start)
	say("crash: %d runs in %s: %d killed mid-write, %d completed before the kill, %d acknowledged writes checked, %d failures",
		sum.Runs, sum.Elapsed.Round(time.Second), sum.Killed, sum.Completed, sum.AckedChecked, sum.Failures)
	for _, e := range engines {
		for _, op := range ops {
			if c := sum.ByOp[e.name+" "+op]; c != nil {
				say("crash:   %-8s %-6s %4d runs, %4d killed, %6d acknowledged writes, %d failures", e.name, op, c.Runs, c.Killed, c.Acked, c.Failures)
			}
		}
	}
	return sum, nil
}

// setup makes a fresh database of the engine with the demo organization
// applied (plus the apply set), an admin account and its API token.
func setup(ctx context.Context, cfg Config, name string) (*engine, error) {
	dir := filepath.Join(cfg.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	e := &engine{name: name, blobs: filepath.Join(dir, "blobs"), ws: filepath.Join(dir, "ws"), calib: map[string]time.Duration{}}
	switch name {
	case "sqlite":
		e.url = "sqlite:" + filepath.Join(dir, "ward.db")
		e.blobs = filepath.Join(dir, "ward.db.blobs") // beside the file, whatever WARD_BLOBS says
	case "postgres":
		db, err := sql.Open("pgx", cfg.Postgres)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		dbname := fmt.Sprintf("ward_crash_%d", time.Now().UnixNano())
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+dbname); err != nil {
			return nil, fmt.Errorf("PostgreSQL at %s: %w", cfg.Postgres, err)
		}
		u, err := url.Parse(cfg.Postgres)
		if err != nil {
			return nil, err
		}
		u.Path = "/" + dbname
		e.url = u.String()
		admin := cfg.Postgres
		e.drop = func() {
			if db, err := sql.Open("pgx", admin); err == nil {
				db.Exec("DROP DATABASE IF EXISTS " + dbname + " WITH (FORCE)")
				db.Close()
			}
		}
	default:
		return nil, fmt.Errorf("unknown engine %q (sqlite, postgres)", name)
	}
	if err := os.CopyFS(e.ws, os.DirFS("examples/acme-health")); err != nil {
		return nil, fmt.Errorf("copy examples/acme-health (run from the repository's root): %w", err)
	}
	if err := writeApplySet(e.ws, 0); err != nil {
		return nil, err
	}
	if _, err := wardRun(ctx, cfg, e, "", "apply", "-f", e.ws); err != nil {
		return nil, err
	}
	if _, err := wardRun(ctx, cfg, e, "violet-harness-passphrase-2026\n", "user", "add", crashEmail, "--role", "admin", "--password-stdin"); err != nil {
		return nil, err
	}
	out, err := wardRun(ctx, cfg, e, "", "user", "token", crashEmail, "--name", "crash", "--days", "30")
	if err != nil {
		return nil, err
	}
	e.token = strings.TrimSpace(out)
	return e, nil
}

func (e *engine) env() []string {
	return append(os.Environ(), "WARD_DB="+e.url, "WARD_BLOBS="+e.blobs, "WARD_ACTOR=crash", "WARD_ORG="+org, "WARD_IMPORT_SLICE=300")
}

// wardRun runs ward to completion.
func wardRun(ctx context.Context, cfg Config, e *engine, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, cfg.Ward, args...)
	cmd.Env = e.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("ward %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// writeApplySet writes the systems every apply changes, with run's
// description.
func writeApplySet(ws string, run int) error {
	var b strings.Builder
	b.WriteString("systems:\n")
	for k := 1; k <= applySet; k++ {
		fmt.Fprintf(&b, "  - id: crash-%02d\n    name: Crash test %d\n    kind: service\n    description: run %d\n", k, k, run)
	}
	return os.WriteFile(filepath.Join(ws, "crash.yaml"), []byte(b.String()), 0o644)
}

type result struct {
	killed bool
	state  string // what the kill interrupted, for the log
	after  time.Duration
	acked  int
	err    error
}

func runOne(ctx context.Context, cfg Config, e *engine, op string, run int, rng *rand.Rand) result {
	var r result
	switch op {
	case "apply":
		r = runApply(ctx, cfg, e, run, rng)
	case "import":
		r = runImport(ctx, cfg, e, run, rng)
	default:
		r = runWeb(ctx, cfg, e, op, run, rng)
	}
	if r.err == nil {
		r.err = verifyTrails(ctx, e)
	}
	return r
}

// delay picks when to kill: uniformly within 1.25 times how long the
// operation took when let finish (measured once per engine), so that
// most kills land mid-write and some after.
func (e *engine) delay(op string, rng *rand.Rand) time.Duration {
	d := e.calib[op]
	if d == 0 {
		return 0 // the calibration run: let it finish
	}
	return time.Duration(rng.Int64N(int64(d)*5/4 + 1))
}

// killAfter starts cmd, kills it with SIGKILL after d (0: let it
// finish), and reports whether it exited 0 on its own first.
func killAfter(cmd *exec.Cmd, d time.Duration) (acked, killed bool, took time.Duration, err error) {
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return false, false, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if d == 0 {
		err := <-done
		return err == nil, false, time.Since(start), nil
	}
	select {
	case err := <-done:
		return err == nil, false, time.Since(start), nil
	case <-time.After(d):
		cmd.Process.Signal(syscall.SIGKILL)
		err := <-done
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
			return false, true, time.Since(start), nil
		}
		return err == nil, false, time.Since(start), nil // it finished as the signal came
	}
}

func open(ctx context.Context, e *engine) (*store.Store, *store.OrgStore, error) {
	s, err := store.Open(ctx, e.url, store.Options{BlobDir: e.blobs})
	if err != nil {
		return nil, nil, fmt.Errorf("open after kill: %w", err)
	}
	o, err := s.OrgBySlug(ctx, org)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, s.Org(o), nil
}

func runApply(ctx context.Context, cfg Config, e *engine, run int, rng *rand.Rand) result {
	var r result
	if err := writeApplySet(e.ws, run); err != nil {
		return result{err: err}
	}
	cmd := exec.CommandContext(ctx, cfg.Ward, "apply", "-f", e.ws)
	cmd.Env = e.env()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	acked, killed, took, err := killAfter(cmd, e.delay("apply", rng))
	if err != nil {
		return result{err: err}
	}
	r.killed, r.after = killed, took
	if e.calib["apply"] == 0 {
		e.calib["apply"] = took
	}
	if !killed && !acked {
		return result{after: took, err: fmt.Errorf("apply failed on its own: %s", errb.String())}
	}
	s, o, err := open(ctx, e)
	if err != nil {
		r.err = err
		return r
	}
	defer s.Close()
	runs := map[string]int{}
	for k := 1; k <= applySet; k++ {
		var sys workspace.System
		if err := o.Get(ctx, store.KindSystem, fmt.Sprintf("crash-%02d", k), &sys); err != nil {
			r.err = fmt.Errorf("crash-%02d: %v", k, err)
			return r
		}
		runs[sys.Description]++
	}
	before, after := fmt.Sprintf("run %d", e.lastApply), fmt.Sprintf("run %d", run)
	switch {
	case runs[after] == applySet:
		e.lastApply = run
		r.state = "after the commit"
		if acked {
			r.acked = 1
		}
	case runs[before] == applySet && !acked:
		r.state = "before the commit"
	case acked:
		r.err = fmt.Errorf("apply exited 0 but the systems say %v", runs)
	default:
		r.err = fmt.Errorf("the database is neither before (%s) nor after (%s): %v", before, after, runs)
	}
	return r
}

func runImport(ctx context.Context, cfg Config, e *engine, run int, rng *rand.Rand) result {
	var r result
	file := filepath.Join(cfg.Dir, fmt.Sprintf("scan-%d.ocsf.json", run))
	f, err := os.Create(file)
	if err != nil {
		return result{err: err}
	}
	size := int64(400_000 + rng.IntN(1_600_000))
	n, err := prowler.WriteSynthetic(f, size, uint64(run), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).Add(time.Duration(run)*time.Minute))
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return result{err: err}
	}
	defer os.Remove(file)
	raw, err := os.ReadFile(file)
	if err != nil {
		return result{err: err}
	}
	sum := sha256.Sum256(raw)
	sha := hex.EncodeToString(sum[:])

	s, o, err := open(ctx, e)
	if err != nil {
		return result{err: err}
	}
	beforeScans, err := o.Scans(ctx)
	s.Close()
	if err != nil {
		return result{err: err}
	}
	cmd := exec.CommandContext(ctx, cfg.Ward, "import", "prowler", file)
	cmd.Env = e.env()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	acked, killed, took, err := killAfter(cmd, e.delay("import", rng))
	if err != nil {
		return result{err: err}
	}
	r.killed, r.after = killed, took
	if e.calib["import"] == 0 {
		e.calib["import"] = took
	}
	if !killed && !acked {
		return result{after: took, err: fmt.Errorf("import failed on its own: %s", errb.String())}
	}
	s, o, err = open(ctx, e)
	if err != nil {
		r.err = err
		return r
	}
	defer s.Close()
	scans, err := o.Scans(ctx)
	if err != nil {
		r.err = err
		return r
	}
	known := map[int64]bool{}
	for _, sc := range beforeScans {
		known[sc.ID] = true
	}
	var added []store.Scan
	for _, sc := range scans {
		if !known[sc.ID] {
			added = append(added, sc)
		}
	}
	switch {
	case len(scans) < len(beforeScans):
		r.err = fmt.Errorf("%d scans before, %d after: a scan was lost", len(beforeScans), len(scans))
	case len(added) == 0 && acked:
		r.err = errors.New("import exited 0 but its scan is not there")
	case len(added) == 0:
		r.state = "before the commit"
	case len(added) > 1 || added[0].SHA256 != sha:
		r.err = fmt.Errorf("unexpected scans appeared: %+v", added)
	default:
		got, err := o.ScanFindings(ctx, added[0].ID, 0)
		if err != nil {
			r.err = err
			return r
		}
		if len(got) != n || added[0].Findings != n {
			r.err = fmt.Errorf("the scan is visible with %d findings (says %d), the file has %d: a part of an import", len(got), added[0].Findings, n)
			return r
		}
		r.state = "after the commit"
		if acked {
			r.acked = 1
		}
	}
	return r
}

// runWeb starts ward serve, has two clients write through the API (new
// systems, or evidence uploads) and kills the server at a random moment.
func runWeb(ctx context.Context, cfg Config, e *engine, op string, run int, rng *rand.Rand) result {
	var r result
	cmd := exec.CommandContext(ctx, cfg.Ward, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = e.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return result{err: err}
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	done := make(chan error, 1)
	base := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				select {
				case base <- strings.TrimSpace(sc.Text()[i:]):
				default:
				}
			}
		}
		done <- cmd.Wait()
	}()
	var url string
	select {
	case url = <-base:
	case err := <-done:
		return result{err: fmt.Errorf("serve exited: %v %s", err, errb.String())}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return result{err: errors.New("serve did not start in 60 s")}
	}

	type write struct {
		id, sha string
	}
	var mu sync.Mutex
	var acked, tried []write
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("web-%d-%d-%d", run, w, k)
				var req *http.Request
				var sha string
				if op == "web" {
					body, _ := json.Marshal(workspace.System{ID: id, Name: "Web " + id, Kind: "service", Description: "written by the crash test " + id})
					req, _ = http.NewRequest("POST", url+"/api/v1/orgs/"+org+"/systems", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
				} else {
					content := fmt.Appendf(nil, "evidence %s %d\n%s", id, time.Now().UnixNano(), strings.Repeat("x", 2000+k%7*5000))
					s := sha256.Sum256(content)
					sha = hex.EncodeToString(s[:])
					var b bytes.Buffer
					mw := multipart.NewWriter(&b)
					mw.WriteField("note", "crash test "+id)
					fw, _ := mw.CreateFormFile("file", id+".txt")
					fw.Write(content)
					mw.Close()
					req, _ = http.NewRequest("POST", url+"/api/v1/orgs/"+org+"/controls/access-review/evidence", &b)
					req.Header.Set("Content-Type", mw.FormDataContentType())
				}
				req.Header.Set("Authorization", "Bearer "+e.token)
				mu.Lock()
				tried = append(tried, write{id, sha})
				mu.Unlock()
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				rb, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					if op == "upload" {
						var res struct {
							Added []workspace.Evidence `json:"added"`
						}
						if json.Unmarshal(rb, &res) != nil || len(res.Added) != 1 {
							continue
						}
						id = res.Added[0].ID
					}
					mu.Lock()
					acked = append(acked, write{id, sha})
					mu.Unlock()
				} else if resp.StatusCode != http.StatusServiceUnavailable {
					mu.Lock()
					r.err = fmt.Errorf("%s answered %d: %s", id, resp.StatusCode, rb)
					mu.Unlock()
					return
				}
			}
		}()
	}
	d := e.delay(op, rng)
	if d == 0 {
		d = 2 * time.Second
		e.calib[op] = d
	}
	start := time.Now()
	time.Sleep(d)
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	close(stop)
	wg.Wait()
	r.killed, r.after, r.state = true, time.Since(start), "mid-stream"
	if r.err != nil {
		return r
	}
	s, o, err := open(ctx, e)
	if err != nil {
		r.err = err
		return r
	}
	defer s.Close()
	for _, w := range acked {
		if op == "web" {
			var sys workspace.System
			if err := o.Get(ctx, store.KindSystem, w.id, &sys); err != nil || sys.Description != "written by the crash test "+w.id {
				r.err = fmt.Errorf("acknowledged system %s: %v %+v", w.id, err, sys)
				return r
			}
			continue
		}
		var ev workspace.Evidence
		if err := o.Get(ctx, store.KindEvidence, w.id, &ev); err != nil || ev.SHA256 != w.sha {
			r.err = fmt.Errorf("acknowledged evidence %s: %v (sha %s, want %s)", w.id, err, ev.SHA256, w.sha)
			return r
		}
		f, err := s.Blobs().Open(w.sha)
		if err != nil {
			r.err = fmt.Errorf("acknowledged evidence %s: its file: %v", w.id, err)
			return r
		}
		h := sha256.New()
		io.Copy(h, f)
		f.Close()
		if hex.EncodeToString(h.Sum(nil)) != w.sha {
			r.err = fmt.Errorf("acknowledged evidence %s: the stored file's bytes differ", w.id)
			return r
		}
	}
	if op == "web" {
		// Every write tried, acknowledged or not, is all or nothing: the
		// record exists exactly when its audit entry does.
		for _, w := range tried {
			var sys workspace.System
			err := o.Get(ctx, store.KindSystem, w.id, &sys)
			hist, herr := o.History(ctx, store.KindSystem, w.id)
			if herr != nil {
				r.err = herr
				return r
			}
			if (err == nil) != (len(hist) > 0) {
				r.err = fmt.Errorf("system %s: record %v but %d audit entries: between before and after", w.id, err, len(hist))
				return r
			}
		}
	}
	r.acked = len(acked)
	return r
}

// verifyTrails is ward audit verify: every organization's trail and the
// accounts'.
func verifyTrails(ctx context.Context, e *engine) error {
	s, err := store.Open(ctx, e.url, store.Options{BlobDir: e.blobs})
	if err != nil {
		return err
	}
	defer s.Close()
	orgs, err := s.Orgs(ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if err := s.Org(o).VerifyAudit(ctx); err != nil {
			return fmt.Errorf("audit verify %s: %w", o.Slug, err)
		}
	}
	if err := s.VerifyAccountAudit(ctx); err != nil {
		return fmt.Errorf("audit verify accounts: %w", err)
	}
	return nil
}
