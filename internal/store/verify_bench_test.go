package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"modernc.org/sqlite"

	"ward/internal/audit"
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
//   - rows-only-cpu-ratio (SQLite): SHA-256 against SQLite reading the
//     same rows into an aggregate that hashes nothing: the most a verify
//     in one pass could reach on this driver.
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
	// The bytes each entry's hash covers, as Hash encodes them.
	entries, err := o.AuditAll(ctx)
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
	b.SetBytes(covered)
	b.ReportAllocs()
	ranged := verifyRanges
	defer func() { verifyRanges = ranged }()
	// CPU time of this thread, beside the clock: on a loaded machine the
	// clock ratio swings with whatever else runs; the thread's CPU time
	// does not (modernc's SQLite runs on the calling goroutine).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ranges, one, sha, rangesCPU, oneCPU, shaCPU, rowsCPU time.Duration
	for b.Loop() {
		start, cpu := time.Now(), processCPU()
		if err := o.VerifyAudit(ctx); err != nil {
			b.Fatal(err)
		}
		ranges += time.Since(start)
		rangesCPU += processCPU() - cpu
		b.StopTimer()
		verifyRanges = 1
		start, cpu = time.Now(), threadCPU()
		if err := o.VerifyAudit(ctx); err != nil {
			b.Fatal(err)
		}
		one += time.Since(start)
		oneCPU += threadCPU() - cpu
		verifyRanges = ranged
		if engine == "sqlite" {
			// The rows alone, read into an aggregate that hashes
			// nothing. Its ratio is the ceiling of a one-pass verify's.
			cpu = threadCPU()
			var n int64
			err := s.inReadTx(ctx, func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, "SELECT ward_bench_rows(seq, at, actor, action, kind, key, data, prev, hash) FROM audit WHERE org_id = ?", org.ID).Scan(&n)
			})
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
		b.StartTimer()
	}
	b.ReportMetric(float64(covered)*float64(b.N)/1e6/sha.Seconds(), "sha256-MB/s")
	b.ReportMetric(sha.Seconds()/ranges.Seconds(), "ratio")
	b.ReportMetric(shaCPU.Seconds()/rangesCPU.Seconds(), "process-cpu-ratio")
	b.ReportMetric(sha.Seconds()/one.Seconds(), "one-range-ratio")
	b.ReportMetric(shaCPU.Seconds()/oneCPU.Seconds(), "one-range-cpu-ratio")
	if engine == "sqlite" {
		b.ReportMetric(shaCPU.Seconds()/rowsCPU.Seconds(), "rows-only-cpu-ratio")
	}
}

// benchRows is an aggregate that takes the audit rows as the verify's
// does and only counts them.
type benchRows struct{ n int64 }

func (a *benchRows) Step(*sqlite.FunctionContext, []driver.Value) error { a.n++; return nil }
func (a *benchRows) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return nil
}
func (a *benchRows) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return a.n, nil }
func (a *benchRows) Final(*sqlite.FunctionContext)                             {}

func init() {
	sqlite.MustRegisterFunction("ward_bench_rows", &sqlite.FunctionImpl{NArgs: 9, VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &benchRows{}, nil }})
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
