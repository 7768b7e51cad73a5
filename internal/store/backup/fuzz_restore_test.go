package backup_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"ward/internal/store"
)

// FuzzRestore feeds arbitrary bytes to Restore as a backup archive: it
// must never panic or hang, and whatever it refuses leaves the database
// empty. The seeds (testdata/fuzz/FuzzRestore) are a real backup, signed
// and not, and damaged ones; WARD_WRITE_FUZZ_SEEDS=1 writes them again.
func FuzzRestore(f *testing.F) {
	ctx := context.Background()
	// On a memory file system when there is one: every input writes and
	// syncs a transaction and evidence files, and the disk would be most
	// of the time spent.
	dir := f.TempDir()
	if d, err := os.MkdirTemp("/dev/shm", "ward-fuzz-restore-*"); err == nil {
		dir = d
		f.Cleanup(func() { os.RemoveAll(d) })
	}
	n := 0
	var s *store.Store
	open := func() {
		if s != nil {
			s.Close()
		}
		n++
		var err error
		s, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, fmt.Sprintf("r%d.db", n)), store.Options{BlobDir: filepath.Join(dir, "blobs")})
		if err != nil {
			f.Fatal(err)
		}
	}
	open()
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		// A gzip stream goes in as it is; anything else is gzipped first,
		// so that mutations reach the tar, the tables and the manifest
		// instead of dying on gzip's checksum.
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			var gz bytes.Buffer
			w := gzip.NewWriter(&gz)
			w.Write(data)
			w.Close()
			data = gz.Bytes()
		}
		_, err := s.Restore(ctx, bytes.NewReader(data), nil)
		if err == nil {
			open() // restored: the next input needs an empty database
			return
		}
		orgs, _ := s.Orgs(ctx)
		users, _ := s.Users(ctx)
		if len(orgs)+len(users) != 0 {
			t.Fatalf("a refused restore (%v) left %d organizations and %d users", err, len(orgs), len(users))
		}
	})
}

// TestWriteRestoreSeeds writes FuzzRestore's seed corpus from a small
// real backup when WARD_WRITE_FUZZ_SEEDS=1.
func TestWriteRestoreSeeds(t *testing.T) {
	if os.Getenv("WARD_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("WARD_WRITE_FUZZ_SEEDS=1 writes the seeds")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "seed.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	org, err := s.CreateOrg(ctx, "test", "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Blobs().Put(bytes.NewReader([]byte("evidence"))); err != nil {
		t.Fatal(err)
	}
	if err := s.Org(org).Record(ctx, "test", "export", "database", "x", nil); err != nil {
		t.Fatal(err)
	}
	var plain, signed bytes.Buffer
	if _, err := s.Dump(ctx, &plain, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DumpWith(ctx, &signed, nil, store.DumpOptions{Sign: func([]byte) ([]byte, error) { return []byte(`{"format":"ward-backup-signature/1"}`), nil }}); err != nil {
		t.Fatal(err)
	}
	gunzip := func(b []byte) []byte {
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	seeds := map[string][]byte{
		"tar":              gunzip(plain.Bytes()),
		"tar-signed":       gunzip(signed.Bytes()),
		"backup":           plain.Bytes(),
		"backup-signed":    signed.Bytes(),
		"backup-truncated": plain.Bytes()[:plain.Len()/2],
		"not-gzip":         []byte("ward"),
		"tampered": repack(t, plain.Bytes(), func(name string, body []byte) []byte {
			if name == "tables/orgs.jsonl" {
				return bytes.Replace(body, []byte("Acme"), []byte("Acmf"), 1)
			}
			return body
		}),
	}
	out := filepath.Join("testdata", "fuzz", "FuzzRestore")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seeds {
		if err := os.WriteFile(filepath.Join(out, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
