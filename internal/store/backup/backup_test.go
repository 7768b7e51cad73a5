package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

// seedForBackup fills a store with two organizations, an account with a
// role and a session, an evidence file, a retired record and some history.
func seedForBackup(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, slug := range []string{"acme", "beta"} {
		org, err := s.CreateOrg(ctx, "test", slug, slug+" Health")
		if err != nil {
			t.Fatal(err)
		}
		o := s.Org(org)
		if _, err := o.Apply(ctx, "test", storetest.Acme(), store.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		sha, size, err := s.Blobs().Put(strings.NewReader("access review " + slug))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.AddEvidence(ctx, "dana@acme.example", workspace.Evidence{
			Control: "access-review", Collected: date.MustParse("2027-07-02"), SHA256: sha, Size: size, Type: "text/plain", File: "review.txt",
		}); err != nil {
			t.Fatal(err)
		}
		if err := o.Retire(ctx, "test", "vendor", "aws"); err != nil {
			t.Fatal(err)
		}
	}
	u, err := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "$argon2id$fake")
	if err != nil {
		t.Fatal(err)
	}
	org, _ := s.OrgBySlug(ctx, "acme")
	if err := s.SetRole(ctx, "test", u.ID, org, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
}

// snapshot is what a user would compare before and after: each
// organization's workspace, retired records, audit trail and the accounts.
func snapshot(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	orgs, err := s.Orgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range orgs {
		o := s.Org(org)
		ws, err := o.Workspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		retired, err := o.Retired(ctx, "vendor")
		if err != nil {
			t.Fatal(err)
		}
		trail, err := o.AuditAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []any{org.Slug, org.Name, ws, retired, trail} {
			j, _ := json.Marshal(v)
			b.Write(j)
			b.WriteByte('\n')
		}
		for _, e := range ws.Evidence {
			if e.SHA256 == "" {
				continue
			}
			f, err := s.Blobs().Open(e.SHA256)
			if err != nil {
				t.Fatalf("evidence %s: %v", e.ID, err)
			}
			body, _ := io.ReadAll(f)
			f.Close()
			b.Write(body)
		}
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		ms, _ := s.Memberships(ctx, u.ID)
		j, _ := json.Marshal([]any{u, ms})
		b.Write(j)
	}
	return b.String()
}

// TestBackupRestoreAcrossEngines backs up each engine and restores into
// each, then checks that workspaces, retired records, audit trails,
// accounts and evidence files are the same, and that the restored
// database takes new writes (PostgreSQL's identities moved past the
// restored ids).
func TestBackupRestoreAcrossEngines(t *testing.T) {
	engines := map[string]func(*testing.T) *store.Store{"sqlite": openSQLite, "postgres": openPostgres}
	for _, from := range []string{"sqlite", "postgres"} {
		for _, to := range []string{"sqlite", "postgres"} {
			t.Run(from+"→"+to, func(t *testing.T) {
				ctx := context.Background()
				src := engines[from](t)
				seedForBackup(t, src)
				var buf bytes.Buffer
				m, err := src.Dump(ctx, &buf, nil)
				if err != nil {
					t.Fatal(err)
				}
				if m.Totals["orgs"] != 2 || m.Totals["blobs"] != 2 {
					t.Errorf("manifest totals %v, want 2 orgs and 2 blobs", m.Totals)
				}
				dst := engines[to](t)
				if _, err := dst.Restore(ctx, bytes.NewReader(buf.Bytes()), nil); err != nil {
					t.Fatal(err)
				}
				if got, want := snapshot(t, dst), snapshot(t, src); got != want {
					t.Errorf("restored database differs:\n got %.400s\nwant %.400s", got, want)
				}
				// The files went where the engine keeps them: the database
				// on PostgreSQL, the folder on SQLite.
				var inDB, inFolder int
				dst.BlobDB().List(func(string, int64) error { inDB++; return nil })
				dst.BlobFolder().List(func(string, int64) error { inFolder++; return nil })
				if to == "postgres" && (inDB != 2 || inFolder != 0) || to == "sqlite" && (inDB != 0 || inFolder != 2) {
					t.Errorf("restored into %s: %d files in the database, %d in the folder", to, inDB, inFolder)
				}
				// New writes after a restore get fresh ids and extend the chain.
				org, err := dst.CreateOrg(ctx, "test", "gamma", "Gamma")
				if err != nil {
					t.Fatalf("create an organization after restore: %v", err)
				}
				if _, err := dst.Org(org).Apply(ctx, "test", storetest.Acme(), store.ApplyOptions{}); err != nil {
					t.Fatal(err)
				}
				acme, _ := dst.OrgBySlug(ctx, "acme")
				if err := dst.Org(acme).Retire(ctx, "test", "vendor", "twilio"); err != nil {
					t.Fatal(err)
				}
				if err := dst.Org(acme).VerifyAudit(ctx); err != nil {
					t.Errorf("audit after a write on the restored database: %v", err)
				}
				if _, err := dst.CreateUser(ctx, "test", "raj@acme.example", "Raj", "$argon2id$fake"); err != nil {
					t.Errorf("create a user after restore: %v", err)
				}
			})
		}
	}
}

// TestRestoreRefuses: a damaged, truncated or foreign archive, or a
// database that is not empty, is refused and nothing is written.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t)
	seedForBackup(t, src)
	var buf bytes.Buffer
	if _, err := src.Dump(ctx, &buf, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()

	// A row changed inside the archive: re-pack with one byte of the
	// records table altered.
	tampered := repack(t, good, func(name string, body []byte) []byte {
		if name == "tables/records.jsonl" {
			return bytes.Replace(body, []byte("Patient API"), []byte("Patient APX"), 1)
		}
		return body
	})
	noManifest := repack(t, good, func(name string, body []byte) []byte {
		if name == "manifest.json" {
			return nil
		}
		return body
	})
	damagedFile := repack(t, good, func(name string, body []byte) []byte {
		if strings.HasPrefix(name, "blobs/") {
			return append(body, '!')
		}
		return body
	})
	cases := []struct {
		name, archive, want string
	}{
		{"tampered row", string(tampered), "the archive is damaged"},
		{"damaged evidence file", string(damagedFile), "the file's SHA-256 is"},
		{"truncated", string(good[:len(good)/2]), "restore"},
		{"no manifest", string(noManifest), "manifest.json missing"},
		{"not gzip", "hello", "not a ward backup"},
	}
	// A refused restore writes nothing: no rows, and none of the archive's
	// evidence files in the engine's store (a folder beside the SQLite
	// file, the database itself on PostgreSQL), which no record would ever
	// name. A file the store held before stays.
	engines := map[string]func(*testing.T) *store.Store{"sqlite": openSQLite, "postgres": openPostgres}
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, c := range cases {
			t.Run(engine+"/"+c.name, func(t *testing.T) {
				dst := engines[engine](t)
				kept, _, err := dst.Blobs().Put(strings.NewReader("access review acme"))
				if err != nil {
					t.Fatal(err)
				}
				_, err = dst.Restore(ctx, strings.NewReader(c.archive), nil)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("Restore = %v, want an error containing %q", err, c.want)
				}
				orgs, _ := dst.Orgs(ctx)
				users, _ := dst.Users(ctx)
				if len(orgs)+len(users) != 0 {
					t.Errorf("a refused restore wrote %d organizations and %d users", len(orgs), len(users))
				}
				var files []string
				dst.Blobs().List(func(sha string, _ int64) error { files = append(files, sha); return nil })
				if len(files) != 1 || files[0] != kept {
					t.Errorf("after a refused restore %s holds %d evidence files, want only the one it held before (%s): %v", dst.Blobs().Where(), len(files), kept, files)
				}
			})
		}
	}
	t.Run("not empty", func(t *testing.T) {
		_, err := src.Restore(ctx, bytes.NewReader(good), nil)
		if !errors.Is(err, store.ErrNotEmpty) {
			t.Fatalf("Restore into a used database = %v, want ErrNotEmpty", err)
		}
	})
}

// repack rewrites a backup archive, passing each entry through f (nil
// drops it).
func repack(t *testing.T, archive []byte, f func(name string, body []byte) []byte) []byte {
	t.Helper()
	gr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gr)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body = f(h.Name, body)
		if body == nil {
			continue
		}
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.Close()
	gw.Close()
	return out.Bytes()
}
