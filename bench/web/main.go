// Command web measures the web app as a person uses it, at the size of
// issue 21: it generates two databases per engine (one organization of
// 2,000 systems, 10,000 flows, 300 vendors, 200 risks and 24 months of
// evidence on 110 controls; an MSP of 300 practices) through the store's
// apply path (internal/benchgen), starts a real `ward serve` process on
// loopback for each, logs in through the form, warms every route up (the
// cold first request is shown apart, in the column "first") and then
// measures p50, p95 and p99 per page and API route at concurrency 1 and 8.
// A static file is measured in the same run at the same concurrency; each
// route's p50 and p99 are printed beside it as a ratio, as absolute times
// on a shared machine say little.
//
//	go run ./bench/web                       # both engines, full size
//	go run ./bench/web -scale 0.1 -orgs 30 -n 40 -engines sqlite   # quick
//
// The databases are kept (-data for SQLite, databases named
// ward_bench_web_* on PostgreSQL) and reused by the next run of the same
// size; -fresh makes them again, as does a kept SQLite file whose page
// size is not a new database's. -name NAME keeps a run apart from
// another person's on the same machine (its own databases and folder). It prints a Markdown table. It is a
// program, not a timed test: run it by hand.
package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ward/internal/auth"
	"ward/internal/benchgen"
	"ward/internal/store"
	sqlitedb "ward/internal/store/sqlite"
)

var (
	engines  = flag.String("engines", "sqlite,postgres", "engines to measure, comma-separated")
	pgAdmin  = flag.String("postgres", cmp.Or(os.Getenv("WARD_TEST_POSTGRES"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL URL to create the benchmark databases from")
	dataDir  = flag.String("data", filepath.Join(os.TempDir(), "ward-bench-web"), "folder for the SQLite databases, their blobs and the ward binary")
	scale    = flag.Float64("scale", 1, "size of the large organization, as a fraction of issue 21's")
	orgs     = flag.Int("orgs", 300, "organizations of the MSP (0: measure the large organization only)")
	n        = flag.Int("n", 100, "measured requests per route and concurrency")
	nDates   = flag.Int("n-dates", 8, "measured requests of /orgs with a new as-of date each (each one uncached)")
	warm     = flag.Int("warm", 3, "requests per route before measuring (the first is shown as \"first\")")
	concs    = flag.String("c", "1,8", "concurrency levels, comma-separated")
	only     = flag.String("routes", "", "measure only routes whose name contains this")
	fresh    = flag.Bool("fresh", false, "generate the databases again even when a kept one fits")
	serveLog = flag.String("serve-log", "", "append ward serve's log here (default: discarded)")
	wardBin  = flag.String("ward", "", "the ward binary to measure (default: built from ./cmd/ward into -data)")
	runName  = flag.String("name", "", "keep this run's databases apart: PostgreSQL databases ward_bench_web_NAME_*, and -data defaults to ward-bench-web-NAME in the temporary folder (for two people measuring on one machine)")
)

const (
	email    = "bench@bench.example"
	password = "bench-web-password-7Q"
)

func main() {
	flag.Parse()
	if *runName != "" {
		if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(*runName) {
			check(fmt.Errorf("-name %q: only lower-case letters, digits and _ (it goes into database names)", *runName))
		}
		dataSet := false
		flag.Visit(func(f *flag.Flag) { dataSet = dataSet || f.Name == "data" })
		if !dataSet {
			*dataDir = filepath.Join(os.TempDir(), "ward-bench-web-"+*runName)
		}
	}
	check(os.MkdirAll(*dataDir, 0o755))
	bin := *wardBin
	if bin == "" {
		bin = filepath.Join(*dataDir, "ward")
		build := exec.Command("go", "build", "-o", bin, "./cmd/ward")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		check(build.Run())
	}

	large := benchgen.Large.Scale(*scale)
	var levels []int
	for _, c := range strings.Split(*concs, ",") {
		var v int
		_, err := fmt.Sscan(c, &v)
		check(err)
		levels = append(levels, v)
	}
	host, _ := os.Hostname()
	fmt.Printf("## bench/web: %s, %d CPUs (GOMAXPROCS %d), %s\n\n", host, runtime.NumCPU(), runtime.GOMAXPROCS(0), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("Large organization: %d systems, %d flows, %d vendors, %d risks, %d controls, %d months of evidence. MSP: %d practices.\n",
		large.Systems, large.Flows, large.Vendors, large.Risks, large.Controls, large.Months, *orgs)
	fmt.Printf("%d measured requests per route and concurrency after %d warm-up requests; \"first\" is the first (cold) request; ×static is the route's time over a static file's measured at the same concurrency in the same run.\n\n", *n, *warm)
	fmt.Print("ward CPU is the CPU time the ward serve process spent per measured request (user and system, from /proc; the database server's own is not in it); on a loaded machine it is steadier than the clock.\n\n")
	fmt.Println("| engine | route | c | p50 | p95 | p99 | ×static p50 | ×static p99 | first | ward CPU |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, eng := range strings.Split(*engines, ",") {
		tag := fmt.Sprintf("s%g", *scale)
		url := database(eng, "large_"+strings.ReplaceAll(tag, ".", "_"))
		if url == "" {
			continue
		}
		seed(url, func(s *store.Store) {
			ws := benchgen.Org(1, "bench-large", "Bench Large", large)
			org, err := s.CreateOrg(context.Background(), "bench", ws.Organization.Slug, ws.Organization.Name)
			check(err)
			_, err = s.Org(org).Apply(context.Background(), "bench", ws, store.ApplyOptions{})
			check(err)
		})
		ctl := firstControl(url)
		org := "/orgs/bench-large"
		api := "/api/v1/orgs/bench-large"
		routes := []route{
			{"overview", org}, {"overview API", api + "/overview"},
			{"plan", org + "/plan"}, {"plan API", api + "/plan"},
			{"flows", org + "/flows"}, {"flows API", api + "/flows"},
			{"agreements", org + "/agreements"}, {"agreements API", api + "/agreements"},
			{"risks", org + "/risks"}, {"risks API", api + "/risks"},
			{"controls", org + "/controls"}, {"controls API", api + "/controls"},
			{"control page", org + "/controls/" + ctl}, {"control API", api + "/controls/" + ctl},
			{"evidence", org + "/evidence"}, {"evidence API", api + "/evidence"},
			{"incidents", org + "/incidents"}, {"incidents API", api + "/incidents"},
			{"posture API", api + "/posture"},
		}
		run(bin, eng, url, routes, levels)

		if *orgs <= 0 {
			continue // -orgs 0: the large organization only
		}
		murl := database(eng, fmt.Sprintf("msp_%d", *orgs))
		seed(murl, func(s *store.Store) {
			// Applies in parallel: the seeding is not what is measured.
			sem := make(chan struct{}, 4)
			var wg sync.WaitGroup
			for _, ws := range benchgen.MSP(1, *orgs, benchgen.Practice) {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					org, err := s.CreateOrg(context.Background(), "bench", ws.Organization.Slug, ws.Organization.Name)
					check(err)
					_, err = s.Org(org).Apply(context.Background(), "bench", ws, store.ApplyOptions{})
					check(err)
				})
			}
			wg.Wait()
		})
		other := benchgen.AsOf.AddMonths(-3).String()
		run(bin, eng, murl, []route{
			{"/orgs (MSP)", "/orgs"}, {"/orgs?as_of=" + other, "/orgs?as_of=" + other},
			{"overview API (MSP)", "/api/v1/overview"},
			{"/orgs?as_of=(a new date each request)", "/orgs?as_of=NEW"},
		}, levels)
		// Every date run measured is a day before benchgen.AsOf; this
		// one is after, so no server has seen it.
		fresh := benchgen.AsOf.AddDays(45).String()
		cold(bin, eng, murl, []route{{"/orgs", "/orgs"}, {"/orgs?as_of=" + fresh, "/orgs?as_of=" + fresh}})
	}
	if len(colds) > 0 {
		fmt.Println()
		fmt.Println("Cold: the first request of a ward serve process just started (a restart), after logging in; CPU is the server's for the request.")
		fmt.Println()
		fmt.Println("| engine | route | wall | ward serve CPU |")
		fmt.Println("| --- | --- | --- | --- |")
		for _, r := range colds {
			fmt.Printf("| %s | %s | %s | %s |\n", r.eng, r.name, ms(r.wall), ms(r.cpu))
		}
	}
}

type route struct{ name, path string }

// database is the URL of the kept database name on engine eng, created
// when missing; "" when the engine is unknown or unreachable.
func database(eng, name string) string {
	switch eng {
	case "sqlite":
		return "sqlite:" + filepath.Join(*dataDir, name+".db")
	case "postgres":
		db, err := sql.Open("pgx", *pgAdmin)
		check(err)
		defer db.Close()
		if err := db.Ping(); err != nil {
			fmt.Fprintln(os.Stderr, "bench/web: PostgreSQL unreachable, skipped:", err)
			return ""
		}
		full := "ward_bench_web_" + name
		if *runName != "" {
			full = "ward_bench_web_" + *runName + "_" + name
		}
		if *fresh {
			_, err := db.Exec("DROP DATABASE IF EXISTS " + full + " WITH (FORCE)")
			check(err)
		}
		var exists bool
		check(db.QueryRow("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", full).Scan(&exists))
		if !exists {
			_, err := db.Exec("CREATE DATABASE " + full)
			check(err)
		}
		u, err := url.Parse(*pgAdmin)
		check(err)
		u.Path = "/" + full
		return u.String()
	}
	fmt.Fprintf(os.Stderr, "bench/web: unknown engine %q, skipped\n", eng)
	return ""
}

func blobDir(string) string {
	return filepath.Join(*dataDir, "blobs")
}

// seed fills the database with fill unless a kept one is complete (the
// bench account exists, made last), and gives the account admin on every
// organization.
func seed(dbURL string, fill func(*store.Store)) {
	ctx := context.Background()
	if p, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		// A kept file made with other pages than a new database gets
		// (by a ward from before sqlite.PageSize) is made again, so that
		// the pages measured are a new database's.
		again := *fresh
		if size, err := sqlitePageSize(p); err == nil && size != sqlitedb.PageSize {
			fmt.Fprintf(os.Stderr, "bench/web: %s has pages of %d bytes, a new database %d: made again\n", p, size, sqlitedb.PageSize)
			again = true
		}
		if again {
			for _, f := range []string{p, p + "-wal", p + "-shm"} {
				os.Remove(f)
			}
		}
	}
	s, err := store.Open(ctx, dbURL, store.Options{BlobDir: blobDir(dbURL)})
	check(err)
	defer s.Close()
	if _, err := s.UserByEmail(ctx, email); err == nil {
		return
	}
	if all, err := s.Orgs(ctx); err == nil && len(all) > 0 {
		check(fmt.Errorf("%s holds organizations but no bench account: a run stopped while seeding; run again with -fresh", redact(dbURL)))
	}
	start := time.Now()
	fill(s)
	hash, err := auth.HashPassword(password)
	check(err)
	u, err := s.CreateUser(ctx, "bench", email, "Bench", hash)
	check(err)
	all, err := s.Orgs(ctx)
	check(err)
	for _, o := range all {
		check(s.SetRole(ctx, "bench", u.ID, o, store.RoleAdmin))
	}
	fmt.Fprintf(os.Stderr, "bench/web: seeded %s in %s\n", redact(dbURL), time.Since(start).Round(time.Second))
}

// sqlitePageSize is the page size of the SQLite file at path, from its
// header (big-endian at offset 16; 1 means 65536).
func sqlitePageSize(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return 0, err
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return 0, fmt.Errorf("%s is not a SQLite file", path)
	}
	size := int(h[16])<<8 | int(h[17])
	if size == 1 {
		size = 65536
	}
	return size, nil
}

func firstControl(dbURL string) string {
	ctx := context.Background()
	s, err := store.Open(ctx, dbURL, store.Options{BlobDir: blobDir(dbURL)})
	check(err)
	defer s.Close()
	all, err := s.Orgs(ctx)
	check(err)
	ws, err := s.Org(all[0]).Workspace(ctx)
	check(err)
	return ws.Controls[0].ID
}

func redact(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		p.User = url.User(p.User.Username())
		return p.String()
	}
	return u
}

// run starts ward serve on dbURL and measures routes.
func run(bin, eng, dbURL string, routes []route, levels []int) {
	base, cmd, stop := start(bin, dbURL)
	defer stop()
	c := login(base)
	static := map[int]stats{}
	for _, lv := range levels {
		get(c, base+"/static/forms.js") // warm
		cpu0 := procCPU(cmd.Process.Pid)
		static[lv] = measure(c, base, "/static/forms.js", lv, *n)
		fmt.Printf("| %s | static file | %d | %s | %s | %s | 1 | 1 | | %s |\n", eng, lv, ms(static[lv].p50), ms(static[lv].p95), ms(static[lv].p99), perRequest(procCPU(cmd.Process.Pid)-cpu0, *n))
	}
	day := 0
	for _, rt := range routes {
		if *only != "" && !strings.Contains(rt.name, *only) {
			continue
		}
		newDate := strings.HasSuffix(rt.path, "=NEW")
		path := func() string {
			if !newDate {
				return rt.path
			}
			day++
			return strings.TrimSuffix(rt.path, "NEW") + benchgen.AsOf.AddDays(-day).String()
		}
		t0 := time.Now()
		status := get(c, base+path())
		first := time.Since(t0)
		if status != 200 {
			check(fmt.Errorf("%s %s: status %d", eng, rt.path, status))
		}
		if !newDate {
			for range *warm - 1 {
				get(c, base+path())
			}
		}
		for _, lv := range levels {
			count := *n
			if newDate {
				count = *nDates
			}
			cpu0 := procCPU(cmd.Process.Pid)
			st := measureFunc(c, base, path, lv, count)
			fmt.Printf("| %s | %s | %d | %s | %s | %s | %.0f | %.0f | %s | %s |\n", eng, rt.name, lv, ms(st.p50), ms(st.p95), ms(st.p99),
				ratio(st.p50, static[lv].p50), ratio(st.p99, static[lv].p99), ms(first), perRequest(procCPU(cmd.Process.Pid)-cpu0, count))
		}
	}
}

// perRequest is d spread over n requests.
func perRequest(d time.Duration, n int) string {
	if n == 0 {
		return ""
	}
	return ms(d / time.Duration(n))
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func login(base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	check(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		check(errors.New("no csrf field on /login"))
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}})
	check(err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		check(fmt.Errorf("login: status %d", resp.StatusCode))
	}
	return c
}

func get(c *http.Client, u string) int {
	resp, err := c.Get(u)
	check(err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

type stats struct{ p50, p95, p99 time.Duration }

func measure(c *http.Client, base, path string, conc, count int) stats {
	return measureFunc(c, base, func() string { return path }, conc, count)
}

// measureFunc sends count requests from conc workers and returns the
// percentiles of their durations.
func measureFunc(c *http.Client, base string, path func() string, conc, count int) stats {
	var (
		mu    sync.Mutex
		times []time.Duration
		next  int
		wg    sync.WaitGroup
	)
	for range conc {
		wg.Go(func() {
			for {
				mu.Lock()
				if next >= count {
					mu.Unlock()
					return
				}
				next++
				p := path()
				mu.Unlock()
				t0 := time.Now()
				if st := get(c, base+p); st != 200 {
					check(fmt.Errorf("%s: status %d", p, st))
				}
				d := time.Since(t0)
				mu.Lock()
				times = append(times, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(times)
	pct := func(p float64) time.Duration {
		if len(times) == 0 {
			return 0
		}
		i := int(float64(len(times))*p+0.5) - 1
		return times[min(max(i, 0), len(times)-1)]
	}
	return stats{pct(0.50), pct(0.95), pct(0.99)}
}

// start starts ward serve on dbURL and waits until it is ready; stop
// stops it.
func start(bin, dbURL string) (base string, cmd *exec.Cmd, stop func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := l.Addr().String()
	l.Close()
	cmd = exec.Command(bin, "serve", "--db", dbURL, "--addr", addr, "--no-notify")
	cmd.Env = append(os.Environ(), "WARD_BLOBS="+blobDir(dbURL))
	var logf *os.File
	if *serveLog != "" {
		logf, err = os.OpenFile(*serveLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		check(err)
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	check(cmd.Start())
	server = cmd
	stop = func() {
		server = nil
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if logf != nil {
			logf.Close()
		}
	}
	base = "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 600 {
			check(fmt.Errorf("ward serve on %s did not get ready", redact(dbURL)))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return base, cmd, stop
}

// coldRow is one request to a ward serve process just started: its wall
// time and the CPU time the server spent on it.
type coldRow struct {
	eng, name string
	wall, cpu time.Duration
}

var colds []coldRow

// cold measures each path as the first request of a new ward serve
// process (after logging in): what a person waits for after a restart.
// The server's CPU time for the request is read from /proc (Linux); it
// is 0 elsewhere.
func cold(bin, eng, dbURL string, routes []route) {
	for _, rt := range routes {
		base, cmd, stop := start(bin, dbURL)
		c := login(base)
		cpu0 := procCPU(cmd.Process.Pid)
		t0 := time.Now()
		if st := get(c, base+rt.path); st != 200 {
			stop()
			check(fmt.Errorf("%s %s: status %d", eng, rt.path, st))
		}
		wall := time.Since(t0)
		colds = append(colds, coldRow{eng, rt.name, wall, procCPU(cmd.Process.Pid) - cpu0})
		stop()
	}
}

// procCPU is the user and system CPU time of process pid so far, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// server is the ward serve process running, stopped when the benchmark
// fails.
var server *exec.Cmd

func check(err error) {
	if err != nil {
		if server != nil {
			server.Process.Kill()
		}
		fmt.Fprintln(os.Stderr, "bench/web:", err)
		os.Exit(1)
	}
}
