package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/store"
	"ward/internal/store/blob"
	"ward/internal/store/storetest"
)

// TestMigrateBlobs: on PostgreSQL, ward migrate-blobs copies the folder's
// evidence files into the database, where the server reads them, with a
// progress line per file; again it copies nothing; --to folder copies
// them back out byte for byte; a file whose bytes no longer match its
// name stops it with an error naming the file; SQLite is refused (its
// files stay in the folder).
func TestMigrateBlobs(t *testing.T) {
	if os.Getenv("WARD_TEST_POSTGRES") == "skip" {
		t.Skip("WARD_TEST_POSTGRES=skip")
	}
	ctx := context.Background()
	db := storetest.FreshPostgres(t)
	dir := filepath.Join(t.TempDir(), "ward-blobs")
	folder := blob.New(dir)
	big := bytes.Repeat([]byte("a scan report line\n"), 150_000) // 2.7 MiB: three chunks
	files := [][]byte{[]byte("access review Q3"), []byte("policy v2"), big}
	var shas []string
	for _, f := range files {
		sha, _, err := folder.Put(bytes.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sha)
	}

	code, out, errs := wardAt(t, db, "", "migrate-blobs", "--blobs", dir)
	if code != 0 || !strings.Contains(out, "3 evidence files in "+dir+": 3 copied to the database") {
		t.Fatalf("migrate-blobs: %d %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "migrate-blobs: 3/3 files, 3 copied") {
		t.Errorf("no progress line: %s", errs)
	}
	s, err := store.Open(ctx, db, store.Options{BlobDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, sha := range shas {
		rc, err := s.Blobs().Open(sha)
		if err != nil {
			t.Fatalf("file %d after the migration: %v", i, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, files[i]) {
			t.Errorf("file %d reads back %d bytes (%v), want %d", i, len(got), err, len(files[i]))
		}
	}

	code, out, _ = wardAt(t, db, "", "migrate-blobs", "--blobs", dir)
	if code != 0 || !strings.Contains(out, "0 copied to the database (0 B), 3 there already") {
		t.Errorf("a second migrate-blobs: %d %s", code, out)
	}

	back := filepath.Join(t.TempDir(), "back")
	code, out, errs = wardAt(t, db, "", "migrate-blobs", "--to", "folder", "--blobs", back)
	if code != 0 || !strings.Contains(out, "3 copied to "+back) {
		t.Fatalf("migrate-blobs --to folder: %d %s %s", code, out, errs)
	}
	for i, sha := range shas {
		got, err := os.ReadFile(blob.New(back).Path(sha))
		if err != nil || !bytes.Equal(got, files[i]) {
			t.Errorf("file %d in the folder: %d bytes, %v", i, len(got), err)
		}
	}

	// A file changed on disk under its name is refused, named.
	bad, _, _ := folder.Put(strings.NewReader("the original"))
	if err := os.WriteFile(folder.Path(bad), []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = wardAt(t, db, "", "migrate-blobs", "--blobs", dir)
	if code == 0 || !strings.Contains(errs, bad) || !strings.Contains(errs, "damaged") {
		t.Errorf("a damaged file: exit %d, %s", code, errs)
	}
	if s.Blobs().Has(bad) {
		t.Error("the damaged file is in the database under its name")
	}

	lite := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	ls, err := store.Open(ctx, lite, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ls.Close()
	code, _, errs = wardAt(t, lite, "", "migrate-blobs")
	if code != cli.ExitBadInput || !strings.Contains(errs, "ward backup") {
		t.Errorf("migrate-blobs on SQLite: %d %s", code, errs)
	}
	code, _, errs = wardAt(t, db, "", "migrate-blobs", "--to", "s3")
	if code != cli.ExitBadInput || !strings.Contains(errs, "s3") {
		t.Errorf("--to s3: %d %s", code, errs)
	}
}
