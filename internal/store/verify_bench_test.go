package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"ward/internal/audit"
)

// BenchmarkVerifyAudit is ward audit verify of one organization's trail
// of 30,000 entries on SQLite: MB/s over the bytes the hashes cover,
// and (ratio) its speed against SHA-256 alone over the same bytes, one
// hash per entry, measured in the same run. loaded-ratio is the shape
// before it streamed: every entry loaded, then the chain verified.
// rows-only-cpu-ratio is SHA-256 against reading the same rows and
// hashing nothing: the most a verify on this driver could reach.
func BenchmarkVerifyAudit(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "v.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	org, err := s.CreateOrg(ctx, "bench", "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	o := s.Org(org)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	head, err := s.lockHead(ctx, tx, org.ID)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 30000 {
		data, _ := json.Marshal(map[string]any{"before": nil, "after": map[string]any{
			"id": fmt.Sprintf("sys-%d", i), "kind": "server", "name": fmt.Sprintf("System %d", i), "owner": "dana@acme.example",
			"phi": true, "vendors": []string{"aws", "okta"}, "notes": "holds ePHI; encrypted at rest with KMS; access reviewed quarterly",
		}})
		if err := s.appendAudit(ctx, tx, org.ID, &head, "dana@acme.example", "put", "system", fmt.Sprintf("sys-%d", i), json.RawMessage(data)); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.saveHead(ctx, tx, org.ID, head); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
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
	// CPU time of this thread, beside the clock: on a loaded machine the
	// clock ratio swings with whatever else runs; the thread's CPU time
	// does not (modernc's SQLite runs on the calling goroutine).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var verify, loaded, sha, verifyCPU, shaCPU, rowsCPU time.Duration
	for b.Loop() {
		start, cpu := time.Now(), threadCPU()
		if err := o.VerifyAudit(ctx); err != nil {
			b.Fatal(err)
		}
		verify += time.Since(start)
		verifyCPU += threadCPU() - cpu
		b.StopTimer()
		start = time.Now()
		err := s.inReadTx(ctx, func(tx *sql.Tx) error {
			entries, head, err := o.auditWithHead(ctx, tx)
			if err != nil {
				return err
			}
			return audit.Verify(entries, head)
		})
		if err != nil {
			b.Fatal(err)
		}
		loaded += time.Since(start)
		// The rows alone: the same query stepped through and scanned,
		// nothing hashed. Its ratio is the ceiling of the verify's.
		cpu = threadCPU()
		err = s.inReadTx(ctx, func(tx *sql.Tx) error {
			rs, err := tx.QueryContext(ctx, "SELECT "+auditEncoded+" FROM audit WHERE org_id = ? ORDER BY seq", org.ID)
			if err != nil {
				return err
			}
			defer rs.Close()
			var e audit.Encoded
			for rs.Next() {
				if err := rs.Scan(&e.Seq, (*sql.RawBytes)(&e.Fields), (*sql.RawBytes)(&e.Prev), (*sql.RawBytes)(&e.Hash)); err != nil {
					return err
				}
			}
			return rs.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		rowsCPU += threadCPU() - cpu
		start, cpu = time.Now(), threadCPU()
		for _, in := range inputs {
			sha256.Sum256(in)
		}
		sha += time.Since(start)
		shaCPU += threadCPU() - cpu
		b.StartTimer()
	}
	b.ReportMetric(float64(covered)*float64(b.N)/1e6/sha.Seconds(), "sha256-MB/s")
	b.ReportMetric(sha.Seconds()/verify.Seconds(), "ratio")
	b.ReportMetric(shaCPU.Seconds()/verifyCPU.Seconds(), "cpu-ratio")
	b.ReportMetric(shaCPU.Seconds()/rowsCPU.Seconds(), "rows-only-cpu-ratio")
	b.ReportMetric(sha.Seconds()/loaded.Seconds(), "loaded-ratio")
}

// threadCPU is the calling thread's CPU time (user and system).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
