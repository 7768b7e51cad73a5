package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"ward/internal/audit"
	sqlitedb "ward/internal/store/sqlite"
)

// BenchmarkVerifyAudit is ward audit verify of one organization's trail
// of 30,000 entries, on each engine: MB/s over the bytes the hashes
// cover, and its speed against SHA-256 alone over the same bytes, one
// hash per entry, measured in the same run:
//
//   - ratio: VerifyAudit as it runs, in ranges on several connections
//     (as many as GOMAXPROCS, at most 4), by the clock;
//   - one-range-ratio, one-range-cpu-ratio: in one range, one pass, by
//     the clock and by this thread's CPU time (on SQLite the engine runs
//     on it; on PostgreSQL the server's CPU is not counted);
//   - process-cpu-ratio: in ranges, by the CPU time of the whole process;
//   - sha256-ranges-speedup: SHA-256 over the same bytes split over as
//     many goroutines as there are ranges, against one: about 2 on an
//     idle 2-core machine, about 1 when another process has the other
//     core (and ranges cannot beat one pass);
//   - rows-only-cpu-ratio (SQLite): SHA-256 against SQLite reading the
//     same rows as the verify does, hashing nothing: the most a verify
//     in one pass could reach on this driver;
//   - server-cpu-ratio, client-and-server-cpu-ratio (PostgreSQL, when the
//     server runs on this machine): SHA-256 against the CPU time of the
//     server processes serving the one-pass verify, and against theirs
//     and the client's together. On a machine of n cores shared with
//     the server, n times the second is the most the clock can show.
func BenchmarkVerifyAudit(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) { benchVerifyAudit(b, engine) })
	}
}

func benchVerifyAudit(b *testing.B, engine string) {
	ctx := context.Background()
	s := openEngine(b, engine)
	org, err := s.CreateOrg(ctx, "bench", "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	o := s.Org(org)
	appendEntries(b, s, org.ID, 30000)
	inputs, covered := hashInputs(b, o)
	b.SetBytes(covered)
	b.ReportAllocs()
	ranged := verifyRanges
	defer func() { verifyRanges = ranged }()
	// CPU time of this thread, beside the clock: on a loaded machine the
	// clock ratio swings with whatever else runs; the thread's CPU time
	// does not (modernc's SQLite runs on the calling goroutine).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ranges, one, sha, shaPar, rangesCPU, oneCPU, shaCPU, rowsCPU, serverCPU time.Duration
	serverLocal := engine == "postgres"
	for b.Loop() {
		start, cpu := time.Now(), processCPU()
		if err := o.VerifyAudit(ctx); err != nil {
			b.Fatal(err)
		}
		ranges += time.Since(start)
		rangesCPU += processCPU() - cpu
		b.StopTimer()
		verifyRanges = 1
		var server map[int]time.Duration
		if serverLocal {
			server, serverLocal = backendsCPU(ctx, s)
		}
		start, cpu = time.Now(), threadCPU()
		if err := o.VerifyAudit(ctx); err != nil {
			b.Fatal(err)
		}
		one += time.Since(start)
		oneCPU += threadCPU() - cpu
		if serverLocal {
			var after map[int]time.Duration
			after, serverLocal = backendsCPU(ctx, s)
			for pid, t := range after {
				serverCPU += t - server[pid]
			}
		}
		verifyRanges = ranged
		if engine == "sqlite" {
			// The rows alone, read as the verify reads them, hashing
			// nothing. Its ratio is the ceiling of a one-pass verify's.
			cpu = threadCPU()
			var n int64
			r, err := sqlitedb.OpenReader(s.file, 0)
			if err == nil {
				err = r.ReadAudit(ctx, org.ID, 1, 0, func(*audit.Stored) error { n++; return nil })
				r.Close()
			}
			if err != nil || n != int64(len(inputs)) {
				b.Fatal(n, err)
			}
			rowsCPU += threadCPU() - cpu
		}
		start, cpu = time.Now(), threadCPU()
		for _, in := range inputs {
			sha256.Sum256(in)
		}
		sha += time.Since(start)
		shaCPU += threadCPU() - cpu
		// The same hashing split over as many goroutines as the verify
		// has ranges: how many cores the machine had free for them.
		start = time.Now()
		var wg sync.WaitGroup
		for i := range ranged {
			wg.Go(func() {
				for _, in := range inputs[len(inputs)*i/ranged : len(inputs)*(i+1)/ranged] {
					sha256.Sum256(in)
				}
			})
		}
		wg.Wait()
		shaPar += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(covered)*float64(b.N)/1e6/sha.Seconds(), "sha256-MB/s")
	b.ReportMetric(sha.Seconds()/shaPar.Seconds(), "sha256-ranges-speedup")
	b.ReportMetric(sha.Seconds()/ranges.Seconds(), "ratio")
	b.ReportMetric(shaCPU.Seconds()/rangesCPU.Seconds(), "process-cpu-ratio")
	b.ReportMetric(sha.Seconds()/one.Seconds(), "one-range-ratio")
	b.ReportMetric(shaCPU.Seconds()/oneCPU.Seconds(), "one-range-cpu-ratio")
	if engine == "sqlite" {
		b.ReportMetric(shaCPU.Seconds()/rowsCPU.Seconds(), "rows-only-cpu-ratio")
	}
	if serverLocal {
		b.ReportMetric(shaCPU.Seconds()/serverCPU.Seconds(), "server-cpu-ratio")
		b.ReportMetric(shaCPU.Seconds()/(serverCPU+oneCPU).Seconds(), "client-and-server-cpu-ratio")
	}
}

// backendsCPU is the CPU time so far of each PostgreSQL server process
// serving a connection to s's database, by process id, read from
// /proc/PID/schedstat: ok is false when the server does not run on this
// machine.
func backendsCPU(ctx context.Context, s *Store) (map[int]time.Duration, bool) {
	rows, err := s.db.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	cpu := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return nil, false
		}
		t, ok := processSchedCPU(pid)
		if !ok {
			return nil, false
		}
		cpu[pid] = t
	}
	return cpu, rows.Err() == nil
}

// hashInputs is, for each entry of o's trail, the bytes its hash covers
// (as audit.Hash encodes them), and their total length.
func hashInputs(b *testing.B, o *OrgStore) ([][]byte, int64) {
	entries, err := o.AuditAll(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var inputs [][]byte
	var covered int64
	prev := ""
	for _, e := range entries {
		var in []byte
		for _, f := range []string{"ward-audit-v1", strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(audit.TimeLayout), e.Actor, e.Action, e.Kind, e.Key, string(e.Data), prev} {
			in = append(in, fmt.Sprintf("%d:%s,", len(f), f)...)
		}
		prev = e.Hash
		inputs = append(inputs, in)
		covered += int64(len(in))
	}
	return inputs, covered
}

// threadCPU is the calling thread's CPU time (user and system).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the process's CPU time, all threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
