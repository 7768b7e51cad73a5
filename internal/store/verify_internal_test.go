package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ward/internal/audit"
)

// openEngine opens an empty store on engine: a SQLite file in a temporary
// folder, or a fresh database on WARD_TEST_POSTGRES (default: the local
// server), dropped at the end.
func openEngine(tb testing.TB, engine string) *Store {
	tb.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(tb.TempDir(), "v.db")
	if engine == "postgres" {
		url = freshPostgresDB(tb)
	}
	s, err := Open(ctx, url, Options{BlobDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func freshPostgresDB(tb testing.TB) string {
	admin := os.Getenv("WARD_TEST_POSTGRES")
	if admin == "skip" {
		tb.Skip("WARD_TEST_POSTGRES=skip")
	}
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "ward_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("PostgreSQL at %s (set WARD_TEST_POSTGRES, or WARD_TEST_POSTGRES=skip): %v", admin, err)
	}
	tb.Cleanup(func() {
		if db, err := sql.Open("pgx", admin); err == nil {
			db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// appendEntries appends n record changes to org's trail in one
// transaction, as a put of a system each.
func appendEntries(tb testing.TB, s *Store, org int64, n int) {
	tb.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	head, err := s.lockHead(ctx, tx, org)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		data, _ := json.Marshal(map[string]any{"before": nil, "after": map[string]any{
			"id": fmt.Sprintf("sys-%d", i), "kind": "server", "name": fmt.Sprintf("System %d", i), "owner": "dana@acme.example",
			"phi": true, "vendors": []string{"aws", "okta"}, "notes": "holds ePHI; encrypted at rest with KMS; access reviewed quarterly",
		}})
		if err := s.appendAudit(ctx, tx, org, &head, "dana@acme.example", "put", "system", fmt.Sprintf("sys-%d", i), json.RawMessage(data)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.saveHead(ctx, tx, org, head); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestVerifyAuditInRanges: a trail checked in ranges on several
// connections gives, for an edit anywhere (first entry, inside a range,
// either side of a boundary between ranges, last entry, past the head),
// the answer one pass in one snapshot gives, on both engines.
func TestVerifyAuditInRanges(t *testing.T) {
	defer func(n int, min int64) { verifyRanges, verifyRangeMin = n, min }(verifyRanges, verifyRangeMin)
	const entries = 239 // and the organization's creation: three ranges of 80, boundaries after 80 and 160
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			s := openEngine(t, engine)
			for i, tc := range []struct {
				name string
				sql  []string
				want int64 // the first bad entry, 0 when the trail verifies
			}{
				{"intact", nil, 0},
				{"first entry altered", []string{`UPDATE audit SET actor = 'mallory' WHERE org_id = ? AND seq = 1`}, 1},
				{"inside a range", []string{`UPDATE audit SET data = replace(data, 'sys-', 'sys_') WHERE org_id = ? AND seq = 40`}, 40},
				{"last of a range", []string{`UPDATE audit SET kind = 'vendor' WHERE org_id = ? AND seq = 80`}, 80},
				{"first of a range", []string{`UPDATE audit SET key = 'sys-x' WHERE org_id = ? AND seq = 81`}, 81},
				{"boundary entry deleted", []string{`DELETE FROM audit WHERE org_id = ? AND seq = 161`}, 161},
				{"last of a range deleted", []string{`DELETE FROM audit WHERE org_id = ? AND seq = 160`}, 160},
				{"boundary prev rewritten", []string{`UPDATE audit SET prev = (SELECT prev FROM audit a WHERE a.org_id = audit.org_id AND a.seq = 80) WHERE org_id = ? AND seq = 81`}, 81},
				{"last entry altered", []string{`UPDATE audit SET action = 'delete' WHERE org_id = ? AND seq = 240`}, 240},
				{"tail cut", []string{`DELETE FROM audit WHERE org_id = ? AND seq > 200`}, 201},
				{"a range's entries reordered", []string{
					`UPDATE audit SET seq = -80 WHERE org_id = ? AND seq = 80`,
					`UPDATE audit SET seq = 80 WHERE org_id = ? AND seq = 81`,
					`UPDATE audit SET seq = 81 WHERE org_id = ? AND seq = -80`,
				}, 80},
				{"entry past the head", []string{`INSERT INTO audit (org_id, seq, at, actor, action, kind, key, data, prev, hash)
					SELECT org_id, 241, at, actor, action, kind, key, data, hash, hash FROM audit WHERE org_id = ? AND seq = 240`}, 241},
				// Entries 81 on re-hashed after a forged prev, and the head
				// to match: each range holds; only the join shows it.
				{"the ranges after a boundary relinked", nil, 81},
				{"data re-indented at a boundary (still verifies)", []string{`UPDATE audit SET data = replace(data, ',"', ', "') WHERE org_id = ? AND seq = 81`}, 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					slug := fmt.Sprintf("org-%d", i)
					info, err := s.CreateOrg(ctx, slug, slug, tc.name)
					if err != nil {
						t.Fatal(err)
					}
					appendEntries(t, s, info.ID, entries)
					if tc.sql == nil && tc.want != 0 {
						relinkFrom(t, s, info.ID, 81)
					}
					for _, q := range tc.sql {
						if n, err := s.RawExec(ctx, q, info.ID); err != nil || n == 0 {
							t.Fatalf("%s: %d rows, %v", q, n, err)
						}
					}
					o := s.Org(info)
					verifyRanges, verifyRangeMin = 1, 1
					one := o.VerifyAudit(ctx)
					verifyRanges, verifyRangeMin = 3, 80
					ranges := o.VerifyAudit(ctx)
					// The ranges alone (without the one pass VerifyAudit
					// falls back to) verify an intact trail, and nothing else.
					head, err := o.AuditHead(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if joined := o.verifyRanges(ctx, head, 3); joined != (tc.want == 0) {
						t.Errorf("the three ranges verified and joined: %v, want %v", joined, tc.want == 0)
					}
					var bad *audit.BadEntry
					switch {
					case tc.want == 0 && (one != nil || ranges != nil):
						t.Errorf("one pass: %v; in ranges: %v; want both nil", one, ranges)
					case tc.want != 0 && (!errors.As(one, &bad) || bad.Seq != tc.want):
						t.Errorf("one pass: %v, want entry %d named", one, tc.want)
					case fmt.Sprint(one) != fmt.Sprint(ranges):
						t.Errorf("in ranges: %v; one pass: %v", ranges, one)
					}
				})
			}
		})
	}
}

// relinkFrom re-hashes entries seq on after a forged prev, as someone
// who can write the database but not the past could, and moves the head
// to match.
func relinkFrom(t *testing.T, s *Store, org, seq int64) {
	ctx := context.Background()
	entries, err := s.Org(Org{ID: org}).AuditAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head := audit.Head{Seq: seq - 1, Hash: strings.Repeat("f", 64)}
	for _, e := range entries[seq-1:] {
		ae := audit.Entry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Kind: e.Kind, Key: e.Key, Data: e.Data}
		head = audit.Link(head, &ae)
		if _, err := s.RawExec(ctx, "UPDATE audit SET prev = ?, hash = ? WHERE org_id = ? AND seq = ?", ae.Prev, ae.Hash, org, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RawExec(ctx, "UPDATE audit_head SET hash = ? WHERE org_id = ?", head.Hash, org); err != nil {
		t.Fatal(err)
	}
}
